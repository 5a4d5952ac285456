/**
 * The whole Kerberos flow in one process: in-memory KDC on loopback TCP, AS (with pre-auth) and
 * TGS exchanges, initiator and acceptor establishing a mutually authenticated context (bare krb5
 * and SPNEGO), channel bindings, then sealed WinRM-style messages both ways.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InMemoryKdc } from '../src/auth/kerberos/in-memory-kdc.js';
import { KdcClient } from '../src/auth/kerberos/kdc-client.js';
import { KerberosAcceptor, KerberosInitiator } from '../src/auth/kerberos/gss-context.js';
import { SpnegoAcceptor, SpnegoInitiator } from '../src/auth/kerberos/spnego-context.js';
import { NegState, decodeNegTokenInit, decodeNegTokenResp, encodeNegTokenResp } from '../src/auth/kerberos/spnego.js';
import { KRB5_OID, TokenId, unframeInitialToken } from '../src/auth/kerberos/gss-framing.js';
import { KdcError } from '../src/auth/kerberos/kdc-errors.js';
import { ReplayCache } from '../src/auth/kerberos/replay-cache.js';
import { KerberosError, KerberosIntegrityError } from '../src/auth/kerberos/errors.js';
import type { NtlmSession } from '../src/auth/ntlm/session-security.js';
import type { KdcAddress, KerberosCredential, KeytabEntry, Principal } from '../src/auth/kerberos/types.js';

const REALM = 'EXAMPLE.COM';
const SPN: Principal = { nameType: 2, components: ['HTTP', 'hv01.example.com'], realm: REALM };
const cbt = (fill: number): Buffer => Buffer.concat([Buffer.from('tls-server-end-point:'), Buffer.alloc(32, fill)]);

describe('Kerberos end to end (KDC on loopback, initiator, acceptor)', () => {
  const kdc = new InMemoryKdc({ realm: REALM, enctypes: [18, 17, 20, 19] });
  let addr: KdcAddress;
  let keytab: KeytabEntry[];
  let user: Principal;
  let serviceTicket: KerberosCredential;

  before(async () => {
    user = kdc.addUser('alice', 'correct horse');
    keytab = kdc.addService('HTTP/hv01.example.com');
    addr = (await kdc.listen()).tcp;
    const client = new KdcClient({ kdcs: [addr] });
    const tgt = await client.getInitialTicket(user, { password: 'correct horse' });
    serviceTicket = await client.getServiceTicket(tgt, SPN);
  });
  after(() => kdc.close());

  it('bare krb5: AP-REQ -> AP-REP, mutual auth, acceptor subkey, sealed messages both ways', () => {
    const initiator = new KerberosInitiator({ credential: serviceTicket });
    const acceptor = new KerberosAcceptor({ keytab });
    const apReq = initiator.initialToken();
    assert.equal(unframeInitialToken(apReq).tokenId, TokenId.AP_REQ);
    assert.equal(initiator.established, false);
    const apRep = acceptor.accept(apReq);
    assert.equal(unframeInitialToken(apRep).tokenId, TokenId.AP_REP);
    assert.deepEqual(acceptor.accepted?.client.components, ['alice']);
    assert.equal(acceptor.accepted?.flags, 0x3e);
    assert.throws(() => initiator.wrap(Buffer.from('too early')), /not established/);
    initiator.acceptReply(apRep);
    assert.equal(initiator.established, true);
    for (let i = 0; i < 3; i++) {
      const request = Buffer.from(`<s:Envelope>request ${i}</s:Envelope>`);
      const { header, data } = initiator.wrapWinrm(request);
      assert.equal(header.length, 60);
      assert.ok(!Buffer.concat([header, data]).includes(Buffer.from('request')), 'sealed: plaintext not visible');
      assert.deepEqual(acceptor.unwrapWinrm(header, data), request);
      const response = Buffer.from(`<s:Envelope>response ${i}</s:Envelope>`);
      assert.deepEqual(initiator.unwrap(acceptor.wrap(response)), response);
    }
  });

  it('contexts fit the NtlmSession shape used by message encryption (seal/unseal/sign/verify)', () => {
    const initiator = new KerberosInitiator({ credential: serviceTicket });
    const acceptor = new KerberosAcceptor({ keytab });
    initiator.acceptReply(acceptor.accept(initiator.initialToken()));
    const client: NtlmSession = initiator;
    const server: NtlmSession = acceptor;
    const { signature, sealed } = client.seal(Buffer.from('<s:Envelope/>'));
    assert.equal(signature.length, 60);
    assert.equal(sealed.length, 13);
    assert.equal(Buffer.from(server.unseal(sealed, signature)).toString(), '<s:Envelope/>');
    server.verify(Buffer.from('m'), client.sign(Buffer.from('m')));
  });

  it('SPNEGO (Negotiate): NegTokenInit with krb5 -> NegTokenResp accept-completed; then wrap both ways', () => {
    const initiator = new SpnegoInitiator(new KerberosInitiator({ credential: serviceTicket, channelBindings: cbt(1) }));
    const acceptor = new SpnegoAcceptor(new KerberosAcceptor({ keytab, channelBindings: cbt(1) }));
    const init = initiator.initialToken();
    assert.equal(init.subarray(0, 1).toString('hex'), '60');
    assert.deepEqual(decodeNegTokenInit(init).mechTypes, [KRB5_OID]);
    const resp = acceptor.accept(init);
    assert.equal(acceptor.wasSpnego, true);
    const decoded = decodeNegTokenResp(resp);
    assert.equal(decoded.negState, NegState.ACCEPT_COMPLETED);
    assert.equal(decoded.supportedMech, KRB5_OID);
    initiator.acceptReply(resp);
    const k = initiator.kerberos;
    assert.equal(acceptor.kerberos.unwrap(k.wrap(Buffer.from('ping'))).toString(), 'ping');
    assert.equal(k.unwrap(acceptor.kerberos.wrap(Buffer.from('pong'))).toString(), 'pong');
  });

  it('token shapes match what MIT krb5 1.20.1 sends (kerberos-facts.md §2, §6.1, §7)', () => {
    const len = '(?:81..|82....)';
    const initiator = new SpnegoInitiator(new KerberosInitiator({ credential: serviceTicket }));
    const acceptor = new SpnegoAcceptor(new KerberosAcceptor({ keytab }));
    const init = initiator.initialToken();
    // NegTokenInit: only krb5 offered, no reqFlags, no MIC, mechToken = framed AP-REQ with mutual-required.
    assert.match(init.toString('hex'), new RegExp(`^60${len}06062b0601050502a0${len}30${len}a00d300b06092a864886f712010202a2${len}04${len}60${len}06092a864886f7120102020100` + `6e${len}30${len}a003020105a10302010ea20703050020000000a3${len}61${len}`));
    const resp = acceptor.accept(init);
    // NegTokenResp: accept-completed, supportedMech krb5, responseToken = framed AP-REP, no MIC.
    assert.match(resp.toString('hex'), new RegExp(`^a1${len}30${len}a0030a0100a10b06092a864886f712010202a2${len}04${len}60${len}06092a864886f71201020202006f${len}30${len}a003020105a10302010fa2`));
    initiator.acceptReply(resp);
  });

  it('an expired service ticket is refused before anything is sent', () => {
    const expired = { ...serviceTicket, endTime: new Date(Date.now() - 1000) };
    assert.throws(() => new KerberosInitiator({ credential: expired }).initialToken(), /expired at .*get a new one/);
  });

  it('a shared replay cache refuses the same AP-REQ on a second connection', () => {
    const cache = new ReplayCache();
    const apReq = new KerberosInitiator({ credential: serviceTicket }).initialToken();
    new KerberosAcceptor({ keytab, replayCache: cache }).accept(apReq);
    assert.throws(() => new KerberosAcceptor({ keytab, replayCache: cache }).accept(apReq), /replayed/);
    new KerberosAcceptor({ keytab, replayCache: cache }).accept(new KerberosInitiator({ credential: serviceTicket }).initialToken());
    assert.equal(cache.size, 2);
  });

  it('channel bindings: a different certificate hash is refused by the acceptor', () => {
    const initiator = new KerberosInitiator({ credential: serviceTicket, channelBindings: cbt(2) });
    const acceptor = new KerberosAcceptor({ keytab, channelBindings: cbt(3) });
    assert.throws(() => acceptor.accept(initiator.initialToken()), /Channel bindings do not match/);
  });

  it('mutual auth: an AP-REP under another session key, or for another authenticator, is refused', async () => {
    const a = new KerberosInitiator({ credential: serviceTicket });
    a.initialToken();
    const client = new KdcClient({ kdcs: [addr] });
    const otherTicket = await client.getServiceTicket(await client.getInitialTicket(user, { password: 'correct horse' }), SPN);
    const repOtherKey = new KerberosAcceptor({ keytab }).accept(new KerberosInitiator({ credential: otherTicket }).initialToken());
    assert.throws(() => a.acceptReply(repOtherKey), (err: unknown) => err instanceof KerberosIntegrityError && /Mutual authentication failed/.test(err.message));
    // Same ticket, same session key, but the reply answers another context's authenticator.
    const repOtherContext = new KerberosAcceptor({ keytab }).accept(new KerberosInitiator({ credential: serviceTicket }).initialToken());
    assert.throws(() => a.acceptReply(repOtherContext), /does not echo our authenticator's time/);
    assert.equal(a.established, false);
  });

  it('a KRB-ERROR token from the acceptor becomes a KdcError naming the SPN', () => {
    const initiator = new KerberosInitiator({ credential: serviceTicket });
    initiator.initialToken();
    const acceptor = new KerberosAcceptor({ keytab });
    assert.throws(
      () => initiator.acceptReply(acceptor.errorToken(41, SPN)),
      (err: unknown) => err instanceof KdcError && err.krbErrorCode === 41 && err.message.includes('HTTP/hv01.example.com@EXAMPLE.COM'),
    );
  });

  it('an acceptor without the service key cannot accept; a reject negState is reported', () => {
    const wrongKeytab = new InMemoryKdc({ realm: REALM }).addService('HTTP/hv01.example.com');
    const acceptor = new KerberosAcceptor({ keytab: wrongKeytab });
    assert.throws(() => acceptor.accept(new KerberosInitiator({ credential: serviceTicket }).initialToken()), KerberosIntegrityError);
    const spnego = new SpnegoInitiator(new KerberosInitiator({ credential: serviceTicket }));
    spnego.initialToken();
    assert.throws(() => spnego.acceptReply(encodeNegTokenResp({ negState: NegState.REJECT })), /rejected Kerberos/);
  });

  it('rc4-hmac end to end (legacy accounts): KDC exchanges, context, RFC 4757 wrap tokens', async () => {
    const legacy = new InMemoryKdc({ realm: REALM, enctypes: [23] });
    const bob = legacy.addUser('bob', 'pw');
    const legacyKeytab = legacy.addService('HTTP/old.example.com');
    const { tcp } = await legacy.listen();
    try {
      const client = new KdcClient({ kdcs: [tcp] });
      const st = await client.getServiceTicket(await client.getInitialTicket(bob, { password: 'pw' }), { ...SPN, components: ['HTTP', 'old.example.com'] });
      assert.equal(st.key.etype, 23);
      const initiator = new KerberosInitiator({ credential: st });
      const acceptor = new KerberosAcceptor({ keytab: legacyKeytab });
      initiator.acceptReply(acceptor.accept(initiator.initialToken()));
      const { header, data } = initiator.wrapWinrm(Buffer.from('rc4 body'));
      assert.equal(acceptor.unwrapWinrm(header, data).toString(), 'rc4 body');
      assert.equal(initiator.unwrap(acceptor.wrap(Buffer.from('rc4 reply'))).toString(), 'rc4 reply');
    } finally {
      await legacy.close();
    }
  });

  it('every enctype the KDC offers works end to end (17, 18, 19, 20)', async () => {
    for (const etype of [17, 18, 19, 20]) {
      const client = new KdcClient({ kdcs: [addr], enctypes: [etype] });
      const tgt = await client.getInitialTicket(user, { password: 'correct horse' });
      const st = await client.getServiceTicket(tgt, SPN);
      assert.equal(st.key.etype, etype);
      const initiator = new KerberosInitiator({ credential: st });
      const acceptor = new KerberosAcceptor({ keytab });
      initiator.acceptReply(acceptor.accept(initiator.initialToken()));
      const { header, data } = initiator.wrapWinrm(Buffer.from(`etype ${etype}`));
      assert.equal(acceptor.unwrapWinrm(header, data).toString(), `etype ${etype}`);
    }
  });
});
