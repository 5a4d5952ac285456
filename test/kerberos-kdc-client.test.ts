/**
 * KDC client against the in-memory KDC over real loopback sockets: AS with pre-auth, TGS,
 * transport choice and fallback, and every KRB-ERROR mapped to an actionable, typed error.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConnectionError, ErrorCodes } from '../src/errors.js';
import { KdcClient, tgsPrincipal } from '../src/auth/kerberos/kdc-client.js';
import { KdcError } from '../src/auth/kerberos/kdc-errors.js';
import { InMemoryKdc } from '../src/auth/kerberos/in-memory-kdc.js';
import { enctypeProfile } from '../src/auth/kerberos/crypto/index.js';
import { TicketFlags, decodeTicket } from '../src/auth/kerberos/messages.js';
import type { KdcAddress, Principal } from '../src/auth/kerberos/types.js';

const REALM = 'EXAMPLE.COM';
const spn = (host: string): Principal => ({ nameType: 2, components: ['HTTP', host], realm: REALM });

describe('KDC client over loopback', () => {
  const kdc = new InMemoryKdc({ realm: REALM });
  let tcp: KdcAddress;
  let udp: KdcAddress;
  let user: Principal;
  before(async () => {
    user = kdc.addUser('Administrator', 'Passw0rd!');
    kdc.addUser('locked', 'x');
    kdc.lock('locked');
    kdc.addService('HTTP/hv01.example.com');
    ({ tcp, udp } = await kdc.listen());
  });
  after(() => kdc.close());

  it('AS exchange: PREAUTH_REQUIRED round, then a TGT with the announced salt', async () => {
    kdc.received.length = 0;
    const client = new KdcClient({ kdcs: [tcp] });
    const tgt = await client.getInitialTicket(user, { password: 'Passw0rd!' });
    assert.deepEqual(tgt.server.components, ['krbtgt', REALM]);
    assert.equal(tgt.key.etype, 18);
    assert.ok(tgt.flags & TicketFlags.INITIAL && tgt.flags & TicketFlags.PRE_AUTHENT);
    assert.ok(tgt.endTime > new Date());
    assert.equal(decodeTicket(tgt.ticket).sname.components[0], 'krbtgt');
    assert.deepEqual(kdc.received.map((r) => `${r.transport}:${r.msgType}`), ['tcp:10', 'tcp:10']);
  });

  it('the salt comes from the KDC, not from the typed name (AD stores the account name case)', async () => {
    const eve = kdc.addUser('Eve', 'pw', 'EXAMPLE.COMeve');
    const tgt = await new KdcClient({ kdcs: [tcp] }).getInitialTicket({ ...eve, components: ['Eve'] }, { password: 'pw' });
    assert.deepEqual(tgt.client.components, ['Eve']);
  });

  it('a KDC that needs no pre-auth: the reply padata gives the salt', async () => {
    const open = new InMemoryKdc({ realm: REALM, noPreauth: true });
    const dave = open.addUser('dave', 'pw', 'ODD.SALTdave');
    const { tcp: addr } = await open.listen();
    try {
      const tgt = await new KdcClient({ kdcs: [addr] }).getInitialTicket(dave, { password: 'pw' });
      assert.equal(tgt.flags & TicketFlags.PRE_AUTHENT, 0);
      assert.deepEqual(open.received.map((r) => r.msgType), [10]);
      await assert.rejects(new KdcClient({ kdcs: [addr] }).getInitialTicket(dave, { password: 'nope' }), /Wrong password or key for dave@EXAMPLE\.COM/);
    } finally {
      await open.close();
    }
  });

  it('PREAUTH_REQUIRED without hints: the first offered enctype with the default salt', async () => {
    const old = new InMemoryKdc({ realm: REALM, omitEtypeInfo2: true, enctypes: [17] });
    const frank = old.addUser('frank', 'pw');
    const { tcp: addr } = await old.listen();
    try {
      const tgt = await new KdcClient({ kdcs: [addr], enctypes: [17, 18] }).getInitialTicket(frank, { password: 'pw' });
      assert.equal(tgt.key.etype, 17);
    } finally {
      await old.close();
    }
  });

  it('AS with keytab-style keys instead of a password', async () => {
    const key = enctypeProfile(17).stringToKey('Passw0rd!', 'EXAMPLE.COMAdministrator');
    const tgt = await new KdcClient({ kdcs: [tcp], enctypes: [17] }).getInitialTicket(user, { keys: [key] });
    assert.equal(tgt.key.etype, 17);
  });

  it('TGS exchange: service ticket for HTTP/<fqdn>', async () => {
    const client = new KdcClient({ kdcs: [tcp] });
    const tgt = await client.getInitialTicket(user, { password: 'Passw0rd!' });
    const st = await client.getServiceTicket(tgt, spn('hv01.example.com'));
    assert.deepEqual(st.server.components, ['HTTP', 'hv01.example.com']);
    assert.deepEqual(st.client.components, ['Administrator']);
    assert.equal(decodeTicket(st.ticket).encPart.kvno, 1);
  });

  it('UDP first for small requests; TCP retry on the same KDC after KRB_ERR_RESPONSE_TOO_BIG', async () => {
    const small = new InMemoryKdc({ realm: REALM, maxUdpReplyBytes: 400 });
    const u = small.addUser('bob', 'pw');
    const { any } = await small.listen();
    try {
      const tgt = await new KdcClient({ kdcs: [any] }).getInitialTicket(u, { password: 'pw' });
      assert.equal(tgt.key.etype, 18);
      // PREAUTH_REQUIRED fits in a datagram; the AS-REP with its ticket does not.
      assert.deepEqual(small.received.map((r) => r.transport), ['udp', 'udp', 'tcp']);
    } finally {
      await small.close();
    }
  });

  it('requests above udpPreferenceLimit go straight to TCP', async () => {
    kdc.received.length = 0;
    await new KdcClient({ kdcs: [{ host: tcp.host, port: tcp.port }], udpPreferenceLimit: 1 }).getInitialTicket(user, { password: 'Passw0rd!' });
    assert.deepEqual(kdc.received.map((r) => r.transport), ['tcp', 'tcp']);
  });

  it('a UDP-only KDC entry answers small exchanges', async () => {
    kdc.received.length = 0;
    const tgt = await new KdcClient({ kdcs: [udp] }).getInitialTicket(user, { password: 'Passw0rd!' });
    assert.equal(tgt.key.etype, 18);
    assert.deepEqual(kdc.received.map((r) => r.transport), ['udp', 'udp']);
  });

  it('falls over to the next KDC when the first refuses connections', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as { port: number }).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const client = new KdcClient({ kdcs: [{ host: '127.0.0.1', port: deadPort, transport: 'tcp' }, tcp] });
    const tgt = await client.getInitialTicket(user, { password: 'Passw0rd!' });
    assert.equal(tgt.key.etype, 18);
    const none = new KdcClient({ kdcs: [{ host: '127.0.0.1', port: deadPort, transport: 'tcp' }], timeoutMs: 500 });
    await assert.rejects(none.getInitialTicket(user, { password: 'Passw0rd!' }), (err: unknown) => err instanceof ConnectionError && err.message.includes(`127.0.0.1:${deadPort}/tcp`));
  });

  describe('KRB-ERROR mapping', () => {
    const expectKdcError = async (p: Promise<unknown>, code: number, text: RegExp): Promise<KdcError> => {
      let caught: unknown;
      try {
        await p;
      } catch (err) {
        caught = err;
      }
      assert.ok(caught instanceof KdcError, `expected KdcError, got ${String(caught)}`);
      assert.equal(caught.code, ErrorCodes.KERBEROS_KDC);
      assert.equal(caught.krbErrorCode, code);
      assert.match(caught.message, text);
      assert.doesNotMatch(caught.message, /Passw0rd/);
      return caught;
    };

    it('wrong password -> PREAUTH_FAILED (24)', async () => {
      await expectKdcError(new KdcClient({ kdcs: [tcp] }).getInitialTicket(user, { password: 'wrong' }), 24, /Wrong password for Administrator@EXAMPLE\.COM/);
    });
    it('unknown user -> C_PRINCIPAL_UNKNOWN (6)', async () => {
      await expectKdcError(new KdcClient({ kdcs: [tcp] }).getInitialTicket({ nameType: 1, components: ['nobody'], realm: REALM }, { password: 'x' }), 6, /does not know the user nobody@EXAMPLE\.COM/);
    });
    it('locked account -> CLIENT_REVOKED (18)', async () => {
      await expectKdcError(new KdcClient({ kdcs: [tcp] }).getInitialTicket({ nameType: 1, components: ['locked'], realm: REALM }, { password: 'x' }), 18, /disabled, expired, locked out/);
    });
    it('unknown SPN -> S_PRINCIPAL_UNKNOWN (7) naming the SPN and the host-name override', async () => {
      const client = new KdcClient({ kdcs: [tcp] });
      const tgt = await client.getInitialTicket(user, { password: 'Passw0rd!' });
      const err = await expectKdcError(client.getServiceTicket(tgt, spn('10.0.0.5')), 7, /no service principal HTTP\/10\.0\.0\.5@EXAMPLE\.COM.*override the host name/);
      assert.equal(err.server, 'HTTP/10.0.0.5@EXAMPLE.COM');
    });
    it('no common enctype -> ETYPE_NOSUPP (14)', async () => {
      await expectKdcError(new KdcClient({ kdcs: [tcp], enctypes: [23] }).getInitialTicket(user, { password: 'Passw0rd!' }), 14, /No encryption type in common/);
    });
    it('clock skew -> KRB_AP_ERR_SKEW (37) with the measured difference', async () => {
      const skewed = new InMemoryKdc({ realm: REALM, clockOffsetSeconds: 3600 });
      const u = skewed.addUser('carol', 'pw');
      const { tcp: addr } = await skewed.listen();
      try {
        const err = await expectKdcError(new KdcClient({ kdcs: [addr] }).getInitialTicket(u, { password: 'pw' }), 37, /3600 s ahead of this machine/);
        assert.ok(err.skewSeconds !== undefined && Math.abs(err.skewSeconds - 3600) <= 2);
      } finally {
        await skewed.close();
      }
    });
    it('a reply for another realm is refused', async () => {
      await expectKdcError(new KdcClient({ kdcs: [tcp] }).getInitialTicket({ nameType: 1, components: ['Administrator'], realm: 'OTHER.ORG' }, { password: 'x' }), 68, /does not serve realm OTHER\.ORG/);
    });
  });

  it('the TGS key is what protects the TGT: a forged ticket is rejected by the KDC', async () => {
    const client = new KdcClient({ kdcs: [tcp] });
    const tgt = await client.getInitialTicket(user, { password: 'Passw0rd!' });
    const forged = { ...tgt, ticket: Buffer.from(tgt.ticket) };
    forged.ticket[forged.ticket.length - 5]! ^= 0xff;
    await assert.rejects(client.getServiceTicket(forged, spn('hv01.example.com')), (err: unknown) => err instanceof KdcError && err.krbErrorCode === 31);
    assert.deepEqual(tgsPrincipal(REALM).components, ['krbtgt', REALM]);
  });
});
