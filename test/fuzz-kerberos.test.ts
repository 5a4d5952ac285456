/**
 * "Bad input never crashes" for every Kerberos/GSS/SPNEGO decoder that sees bytes from the network
 * (KDC replies, HTTP tokens, wrap tokens). Seeds are real messages from an in-process exchange; each
 * is mutated with the fixed-seed PRNG of test/helpers/fuzz.ts. Invariant: the decoder returns or
 * throws a HypervWsmanError (KerberosError / KerberosIntegrityError / KdcError), nothing else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HypervWsmanError } from '../src/errors.js';
import { Rng, assertOnlyTypedErrors, mutateBytes } from './helpers/fuzz.js';
import { InMemoryKdc } from '../src/auth/kerberos/in-memory-kdc.js';
import { KerberosAcceptor, KerberosInitiator } from '../src/auth/kerberos/gss-context.js';
import { SpnegoAcceptor, SpnegoInitiator } from '../src/auth/kerberos/spnego-context.js';
import { decodeNegTokenInit, decodeNegTokenResp } from '../src/auth/kerberos/spnego.js';
import { unframeInitialToken } from '../src/auth/kerberos/gss-framing.js';
import { GssMessageProtection } from '../src/auth/kerberos/gss-wrap.js';
import {
  decodeApRep,
  decodeApReq,
  decodeEncKdcRepPart,
  decodeEtypeInfo2,
  decodeKdcAnswer,
  decodeKdcReq,
  decodeMethodData,
  encodeEncKdcRepPart,
  encodeEtypeInfo2,
  encodeKdcReq,
} from '../src/auth/kerberos/messages.js';
import { KdcClient, tgsPrincipal } from '../src/auth/kerberos/kdc-client.js';
import type { KerberosCredential } from '../src/auth/kerberos/types.js';

const CASES = 400;

function fuzz(name: string, seeds: readonly Uint8Array[], decode: (b: Uint8Array) => unknown, seed: number): void {
  assertOnlyTypedErrors(name, new Rng(seed), seeds, decode, CASES);
}

describe('Kerberos decoders under mutation', () => {
  const kdc = new InMemoryKdc({ realm: 'EXAMPLE.COM' });
  const user = kdc.addUser('alice', 'pw');
  const keytab = kdc.addService('HTTP/hv01.example.com');
  const now = new Date();
  const asReq = encodeKdcReq({ msgType: 10, padata: [], body: { kdcOptions: 0, cname: user, realm: 'EXAMPLE.COM', sname: tgsPrincipal('EXAMPLE.COM'), till: now, nonce: 7, etypes: [18, 17] } });
  const preauthError = kdc.handle(asReq);
  const info2 = encodeEtypeInfo2([{ etype: 18, salt: 'EXAMPLE.COMalice', s2kparams: Buffer.from('00001000', 'hex') }]);
  const encPart = encodeEncKdcRepPart({ key: { etype: 18, value: Buffer.alloc(32) }, lastReq: [], nonce: 1, flags: 0, authTime: now, endTime: now, server: tgsPrincipal('EXAMPLE.COM') }, 25);
  let credential: KerberosCredential;
  before(async () => {
    const { tcp } = await kdc.listen();
    const client = new KdcClient({ kdcs: [tcp] });
    credential = await client.getServiceTicket(await client.getInitialTicket(user, { password: 'pw' }), keytab[0]!.principal);
  });
  after(() => kdc.close());

  it('KDC answers (KRB-ERROR, AS-REP), METHOD-DATA, ETYPE-INFO2, EncKDCRepPart, KDC-REQ', () => {
    fuzz('decodeKdcAnswer', [preauthError], decodeKdcAnswer, 1);
    fuzz('decodeKdcReq', [asReq], decodeKdcReq, 2);
    fuzz('decodeEtypeInfo2', [info2], decodeEtypeInfo2, 3);
    fuzz('decodeEncKdcRepPart', [encPart], decodeEncKdcRepPart, 4);
    const eData = decodeKdcAnswer(preauthError);
    assert.equal(eData.kind, 'error');
    if (eData.kind === 'error' && eData.error.eData !== undefined) fuzz('decodeMethodData', [eData.error.eData], decodeMethodData, 5);
  });

  it('the in-memory KDC answers every mutated request with a reply or a KRB-ERROR, never a throw', () => {
    const rng = new Rng(17);
    const notARequest = kdc.handle(asReq); // a KRB-ERROR: the wrong kind of message entirely
    for (let i = 0; i < CASES; i++) {
      const { bytes, ops } = mutateBytes(rng, rng.pick([asReq, notARequest]));
      let answer: Buffer | undefined;
      assert.doesNotThrow(() => (answer = kdc.handle(bytes)), `case ${i} (${ops.join(', ')})`);
      assert.ok(answer !== undefined && (answer[0] === 0x7e || answer[0] === 0x6b || answer[0] === 0x6d), `case ${i}: first octet ${answer?.[0]}`);
    }
  });

  it('GSS and SPNEGO tokens at both ends of a context', () => {
    const initiator = new KerberosInitiator({ credential });
    const apReqToken = initiator.initialToken();
    const spnegoInit = new SpnegoInitiator(new KerberosInitiator({ credential })).initialToken();
    fuzz('unframeInitialToken', [apReqToken], unframeInitialToken, 6);
    fuzz('decodeApReq', [unframeInitialToken(apReqToken).message], decodeApReq, 7);
    fuzz('decodeApRep', [Buffer.from('6f0e300ca003020105a10302010fa200', 'hex')], decodeApRep, 8);
    fuzz('decodeNegTokenInit', [spnegoInit], decodeNegTokenInit, 9);
    fuzz('decodeNegTokenResp', [Buffer.from('a1143012a0030a0100a10b06092a864886f712010202', 'hex')], decodeNegTokenResp, 10);
    fuzz('KerberosAcceptor.accept', [apReqToken], (b) => new KerberosAcceptor({ keytab }).accept(b), 11);
    fuzz('SpnegoAcceptor.accept', [spnegoInit, apReqToken], (b) => new SpnegoAcceptor(new KerberosAcceptor({ keytab })).accept(b), 12);
    fuzz('KerberosInitiator.acceptReply', [Buffer.from('600f06092a864886f71201020202006f00', 'hex')], (b) => {
      const i = new KerberosInitiator({ credential });
      i.initialToken();
      i.acceptReply(b);
    }, 13);
  });

  it('wrap and MIC tokens', () => {
    const key = { etype: 18, value: Buffer.alloc(32, 9) };
    const acceptorSide = (): GssMessageProtection => new GssMessageProtection({ key, isAcceptor: true, acceptorSubkey: true }, 0, 0);
    const initiatorSide = (): GssMessageProtection => new GssMessageProtection({ key, isAcceptor: false, acceptorSubkey: true }, 0, 0);
    const seeds = [acceptorSide().wrap(Buffer.from('<s:Envelope/>')), acceptorSide().wrap(Buffer.from('x'), { confidential: false, rrc: 3 }), acceptorSide().wrap(Buffer.from('y'), { rrc: 28 })];
    assert.equal(initiatorSide().unwrap(seeds[0]!).toString(), '<s:Envelope/>');
    fuzz('unwrap', seeds, (b) => initiatorSide().unwrap(b), 14);
    const rc4Key = { etype: 23, value: Buffer.alloc(16, 3) };
    const rc4Seeds = [new GssMessageProtection({ key: rc4Key, isAcceptor: true, acceptorSubkey: true }, 0, 0).wrap(Buffer.from('<s:Envelope/>'))];
    fuzz('unwrap (rc4)', rc4Seeds, (b) => new GssMessageProtection({ key: rc4Key, isAcceptor: false, acceptorSubkey: true }, 0, 0).unwrap(b), 16);
    const mic = acceptorSide().getMic(Buffer.from('m'));
    fuzz('verifyMic', [mic], (b) => initiatorSide().verifyMic(Buffer.from('m'), b), 15);
  });
});
