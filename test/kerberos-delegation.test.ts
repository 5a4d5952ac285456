/**
 * Kerberos credential delegation (--kerberos-delegation): KRB-CRED (RFC 4120 5.8) round trips,
 * the 0x8003 checksum with DlgOpt/Dlgth/Deleg (RFC 4121 4.1.1), FORWARDABLE/FORWARDED at the
 * in-memory KDC, and end to end over real sockets: the emulated host's acceptor receives and checks
 * the forwarded TGT (password, keytab, credential cache), none without the option, and a
 * credential cache whose TGT is not forwardable is refused with the fix (kinit -f).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WsmanClient } from '../src/index.js';
import { DEFAULT_PASSWORD, DEFAULT_USER } from '../src/emulator/index.js';
import { enctypeProfile } from '../src/auth/kerberos/crypto/index.js';
import { KerberosError } from '../src/auth/kerberos/errors.js';
import { KdcError, KrbErrorCode } from '../src/auth/kerberos/kdc-errors.js';
import { KdcClient } from '../src/auth/kerberos/kdc-client.js';
import { InMemoryKdc } from '../src/auth/kerberos/in-memory-kdc.js';
import { KerberosAcceptor, KerberosInitiator } from '../src/auth/kerberos/gss-context.js';
import { GssFlags, decodeGssChecksum, encodeGssChecksum } from '../src/auth/kerberos/gss-framing.js';
import { decodeEncKrbCredPart, decodeKrbCred, makeKrbCred, openKrbCred } from '../src/auth/kerberos/krb-cred.js';
import { KeyUsage, TicketFlags } from '../src/auth/kerberos/messages.js';
import { fromKerberosCredential, writeCcacheFile } from '../src/auth/kerberos/ccache.js';
import { parseUserPrincipal, servicePrincipal } from '../src/auth/kerberos/principal-name.js';
import { KerberosDelegationError } from '../src/auth/kerberos-tickets.js';
import type { KerberosCredential } from '../src/auth/kerberos/types.js';
import { kerberosHostForSuite, startKerberosHost } from './helpers/kerberos-env.js';
import { emptyHome, runCapture } from './helpers/cli-harness.js';
import { Rng, assertOnlyTypedErrors } from './helpers/fuzz.js';
import { encodeEncKrbCredPart } from '../src/auth/kerberos/krb-cred.js';

const REALM = 'DELEG.TEST';

async function realm(options: { allowForwardable?: boolean; okAsDelegate?: boolean } = {}) {
  const kdc = new InMemoryKdc({ realm: REALM, ...options });
  const user = kdc.addUser('alice', 'Secret1!');
  const serviceKeys = kdc.addService('HTTP/hv01.deleg.test');
  const address = (await kdc.listen()).tcp;
  return { kdc, user, serviceKeys, client: (forwardable: boolean) => new KdcClient({ kdcs: [address], forwardable }) };
}

describe('KRB-CRED and the delegation checksum', () => {
  const key = enctypeProfile(18).randomKey();
  const tgt: KerberosCredential = {
    client: { nameType: 1, components: ['alice'], realm: REALM },
    server: { nameType: 2, components: ['krbtgt', REALM], realm: REALM },
    key: enctypeProfile(18).randomKey(),
    authTime: new Date('2026-12-07T10:00:00Z'),
    startTime: new Date('2026-12-07T10:00:00Z'),
    endTime: new Date('2026-12-07T20:00:00Z'),
    flags: TicketFlags.FORWARDABLE | TicketFlags.FORWARDED,
    // Placeholder: the test puts a real Ticket from the KDC in its place.
    ticket: Buffer.alloc(0),
  };

  it('round-trips: the ticket and its key, names, flags and times come back; usage 14 with the given key', async () => {
    const { kdc, user, client } = await realm();
    try {
      const real = await client(true).getInitialTicket(user, { password: 'Secret1!' });
      const cred = makeKrbCred({ ...tgt, ticket: real.ticket }, key, new Date('2026-12-07T12:00:00.123Z'));
      assert.equal(cred[0], 0x76, 'KRB-CRED is [APPLICATION 22]');
      const decoded = decodeKrbCred(cred);
      assert.equal(decoded.tickets.length, 1);
      assert.deepEqual(decoded.tickets[0], real.ticket);
      assert.equal(decoded.encPart.etype, 18);
      const part = decodeEncKrbCredPart(enctypeProfile(18).decrypt(key, KeyUsage.KRB_CRED_ENCPART, decoded.encPart.cipher));
      assert.equal(part.timestamp?.toISOString(), '2026-12-07T12:00:00.000Z');
      const [back] = openKrbCred(cred, [key]);
      assert.ok(back);
      assert.deepEqual(back.key, tgt.key);
      assert.deepEqual(back.client, tgt.client);
      assert.deepEqual(back.server, tgt.server);
      assert.equal(back.flags, tgt.flags);
      assert.equal(back.endTime.toISOString(), tgt.endTime.toISOString());
      assert.deepEqual(back.ticket, real.ticket);
      // Another key of the same enctype does not open it; the right one later in the list does.
      assert.throws(() => openKrbCred(cred, [enctypeProfile(18).randomKey()]), KerberosError);
      assert.equal(openKrbCred(cred, [enctypeProfile(18).randomKey(), key]).length, 1);
    } finally {
      await kdc.close();
    }
  });

  it('checksum layout: Lgth, Bnd, Flags with DELEG, DlgOpt 1, Dlgth, Deleg; DELEG cleared without a credential', () => {
    const bnd = Buffer.alloc(16, 0xab);
    const deleg = Buffer.from('76030201ff', 'hex');
    const v = encodeGssChecksum(bnd, GssFlags.MUTUAL | GssFlags.SEQUENCE | GssFlags.CONF | GssFlags.INTEG | GssFlags.REPLAY, deleg);
    assert.equal(v.toString('hex'), '10000000' + 'ab'.repeat(16) + '3f000000' + '0100' + '0500' + '76030201ff');
    const d = decodeGssChecksum(v);
    assert.equal(d.flags, 0x3f);
    assert.deepEqual(d.deleg, deleg);
    const plain = encodeGssChecksum(bnd, 0x3f);
    assert.equal(plain.length, 24);
    assert.equal(plain.readUInt32LE(20), 0x3e, 'no DELEG flag without a credential to delegate');
    assert.equal(decodeGssChecksum(plain).deleg, undefined);
    const badOpt = Buffer.from(v);
    badOpt.writeUInt16LE(2, 24);
    assert.throws(() => decodeGssChecksum(badOpt), /DlgOpt 2/);
    assert.throws(() => decodeGssChecksum(v.subarray(0, v.length - 1)), /truncated delegation/);
  });
});

describe('KRB-CRED decoders under mutation', () => {
  it('decodeKrbCred, decodeEncKrbCredPart, openKrbCred and the delegation checksum return or throw our typed errors', async () => {
    const { kdc, user, client } = await realm();
    try {
      const c = client(true);
      const tgt = await c.getInitialTicket(user, { password: 'Secret1!' });
      const key = enctypeProfile(18).randomKey();
      const cred = makeKrbCred(tgt, key);
      const part = encodeEncKrbCredPart({ ticketInfo: [{ key: tgt.key, client: tgt.client, flags: tgt.flags, endTime: tgt.endTime, server: tgt.server }], nonce: 5 });
      const cksum = encodeGssChecksum(Buffer.alloc(16), 0x3e, cred);
      const cases: [string, Uint8Array, (b: Uint8Array) => unknown][] = [
        ['decodeKrbCred', cred, decodeKrbCred],
        ['decodeEncKrbCredPart', part, decodeEncKrbCredPart],
        ['openKrbCred', cred, (b) => openKrbCred(b, [key])],
        ['decodeGssChecksum', cksum, decodeGssChecksum],
      ];
      const rng = new Rng(1414);
      for (const [name, seed, decode] of cases) assertOnlyTypedErrors(name, rng, [seed], decode, 300);
    } finally {
      await kdc.close();
    }
  });
});

describe('In-memory KDC: FORWARDABLE and FORWARDED', () => {
  it('a forwardable TGT when asked, a forwarded one from it; BADOPTION from a TGT that is not forwardable', async () => {
    const { kdc, user, client } = await realm();
    try {
      const plain = await client(false).getInitialTicket(user, { password: 'Secret1!' });
      assert.equal(plain.flags & TicketFlags.FORWARDABLE, 0);
      await assert.rejects(client(false).getForwardedTgt(plain), (e: unknown) => e instanceof KdcError && e.krbErrorCode === KrbErrorCode.KDC_ERR_BADOPTION);
      const fwdable = await client(true).getInitialTicket(user, { password: 'Secret1!' });
      assert.equal(fwdable.flags & TicketFlags.FORWARDABLE, TicketFlags.FORWARDABLE);
      const forwarded = await client(true).getForwardedTgt(fwdable);
      assert.equal(forwarded.flags & (TicketFlags.FORWARDED | TicketFlags.FORWARDABLE), TicketFlags.FORWARDED | TicketFlags.FORWARDABLE);
      assert.equal(forwarded.server.components.join('/'), `krbtgt/${REALM}`);
      assert.notDeepEqual(forwarded.key, fwdable.key, 'a new session key for the forwarded TGT');
    } finally {
      await kdc.close();
    }
  });

  it('a realm that never grants FORWARDABLE; OK-AS-DELEGATE on service tickets only when the realm says so', async () => {
    const strict = await realm({ allowForwardable: false });
    try {
      const t = await strict.client(true).getInitialTicket(strict.user, { password: 'Secret1!' });
      assert.equal(t.flags & TicketFlags.FORWARDABLE, 0);
      const svc = await strict.client(true).getServiceTicket(t, servicePrincipal({ host: 'hv01.deleg.test', realm: REALM }));
      assert.equal(svc.flags & TicketFlags.OK_AS_DELEGATE, 0);
    } finally {
      await strict.kdc.close();
    }
    const trusted = await realm({ okAsDelegate: true });
    try {
      const t = await trusted.client(true).getInitialTicket(trusted.user, { password: 'Secret1!' });
      const svc = await trusted.client(true).getServiceTicket(t, servicePrincipal({ host: 'hv01.deleg.test', realm: REALM }));
      assert.equal(svc.flags & TicketFlags.OK_AS_DELEGATE, TicketFlags.OK_AS_DELEGATE);
    } finally {
      await trusted.kdc.close();
    }
  });
});

describe('GSS contexts with delegation', () => {
  it('the acceptor receives the forwarded TGT of the authenticated client; nothing without delegation', async () => {
    const { kdc, user, serviceKeys, client } = await realm();
    try {
      const c = client(true);
      const tgt = await c.getInitialTicket(user, { password: 'Secret1!' });
      const svc = await c.getServiceTicket(tgt, servicePrincipal({ host: 'hv01.deleg.test', realm: REALM }));
      const forwarded = await c.getForwardedTgt(tgt);
      const acceptor = new KerberosAcceptor({ keytab: serviceKeys });
      const initiator = new KerberosInitiator({ credential: svc, delegate: forwarded });
      initiator.acceptReply(acceptor.accept(initiator.initialToken()));
      const got = acceptor.accepted?.delegated;
      assert.ok(got, 'delegated credential present');
      assert.equal(acceptor.accepted!.flags & GssFlags.DELEG, GssFlags.DELEG);
      assert.equal(got.client.components.join('/'), 'alice');
      assert.equal(got.server.components[0], 'krbtgt');
      assert.deepEqual(got.key, forwarded.key);
      assert.deepEqual(got.ticket, forwarded.ticket);
      // The host can use it: a TGS exchange with the delegated TGT succeeds at the KDC.
      const secondHop = await client(false).getServiceTicket(got, servicePrincipal({ host: 'hv01.deleg.test', realm: REALM }));
      assert.equal(secondHop.flags & TicketFlags.FORWARDED, TicketFlags.FORWARDED);

      const plainAcceptor = new KerberosAcceptor({ keytab: serviceKeys });
      const plain = new KerberosInitiator({ credential: svc });
      plain.acceptReply(plainAcceptor.accept(plain.initialToken()));
      assert.equal(plainAcceptor.accepted?.delegated, undefined);
      assert.equal(plainAcceptor.accepted!.flags & GssFlags.DELEG, 0);
    } finally {
      await kdc.close();
    }
  });

  it('the acceptor refuses a delegated ticket that is not a TGT', async () => {
    const { kdc, user, serviceKeys, client } = await realm();
    try {
      const c = client(true);
      const tgt = await c.getInitialTicket(user, { password: 'Secret1!' });
      const svc = await c.getServiceTicket(tgt, servicePrincipal({ host: 'hv01.deleg.test', realm: REALM }));
      const initiator = new KerberosInitiator({ credential: svc, delegate: svc });
      assert.throws(() => new KerberosAcceptor({ keytab: serviceKeys }).accept(initiator.initialToken()), /not a ticket-granting ticket/);
    } finally {
      await kdc.close();
    }
  });
});

describe('--kerberos-delegation end to end (emulated host, real sockets)', () => {
  const suite = kerberosHostForSuite();
  const delegations = (): number => suite.host.kerberos!.delegations.length;
  const client = (o: Partial<ConstructorParameters<typeof WsmanClient>[0]>): WsmanClient =>
    new WsmanClient({ host: '127.0.0.1', port: suite.host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, transport: 'kerberos', krb5Config: suite.files.krb5Config, ...o });

  for (const [what, o] of [
    ['password', { transport: 'kerberos' }],
    ['keytab', { password: '', keytab: 'KEYTAB', transport: 'kerberos' }],
    ['password over negotiate (SPNEGO)', { transport: 'negotiate' }],
  ] as const) {
    it(`${what}: the host receives our forwarded TGT, and a note says the host is not ok-as-delegate`, async () => {
      const notes: string[] = [];
      const before = delegations();
      const c = client({ ...o, ...('keytab' in o ? { keytab: suite.files.keytab } : {}), kerberosDelegation: true, notice: (m) => notes.push(m) });
      try {
        await c.identify();
      } finally {
        await c.close();
      }
      assert.equal(delegations(), before + 1);
      const d = suite.host.kerberos!.delegations.at(-1)!;
      assert.equal(d.user, 'Administrator@EMULATOR.TEST');
      assert.equal(d.ticketFor, 'krbtgt/EMULATOR.TEST@EMULATOR.TEST');
      assert.equal(d.flags & TicketFlags.FORWARDED, TicketFlags.FORWARDED);
      assert.ok(notes.some((n) => /did not mark HTTP\/127\.0\.0\.1@EMULATOR\.TEST ok-as-delegate/.test(n) && /delegating/.test(n)), notes.join('\n'));
    });
  }

  it('without the option nothing is delegated', async () => {
    const before = delegations();
    const c = client({});
    try {
      await c.identify();
    } finally {
      await c.close();
    }
    assert.equal(delegations(), before);
  });

  it('a credential cache whose TGT is not forwardable is refused: kinit -f', async () => {
    const c = client({ password: '', user: '', ccache: suite.files.ccache, kerberosDelegation: true });
    try {
      await assert.rejects(c.identify(), (e: unknown) => e instanceof KerberosDelegationError && e.code === 'ERR_KERBEROS' && /TGT in KRB5CCNAME .* is not forwardable; run kinit -f/.test(e.message));
    } finally {
      await c.close();
    }
    // Negotiate does not fall back to NTLM (which could not delegate either).
    const n = client({ transport: 'negotiate', ccache: suite.files.ccache, password: '', user: '', kerberosDelegation: true });
    try {
      await assert.rejects(n.identify(), KerberosDelegationError);
    } finally {
      await n.close();
    }
  });

  it('a forwardable TGT in the credential cache is delegated', async () => {
    const k = suite.host.kerberos!;
    const principal = parseUserPrincipal(DEFAULT_USER, { defaultRealm: k.realm });
    const tgt = await new KdcClient({ kdcs: [k.kdc!], forwardable: true }).getInitialTicket(principal, { password: DEFAULT_PASSWORD });
    const ccache = join(suite.files.dir, 'ccache-forwardable');
    writeCcacheFile(ccache, { principal, credentials: [fromKerberosCredential(tgt)] });
    const before = delegations();
    const c = client({ password: '', user: '', ccache, kerberosDelegation: true });
    try {
      await c.identify();
    } finally {
      await c.close();
    }
    assert.equal(delegations(), before + 1);
  });

  it('CLI: $HYPERV_WSMAN_KERBEROS_DELEGATION delegates and --verbose notes the policy; --kerberos-delegation with ntlm is refused', async () => {
    const before = delegations();
    const base = ['identify', '--host', '127.0.0.1', '--port', String(suite.host.port), '--scheme', 'http', '--krb5-config', suite.files.krb5Config, '--user', DEFAULT_USER];
    const r = await runCapture([...base, '--transport', 'kerberos', '--verbose'], { env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD, HYPERV_WSMAN_KERBEROS_DELEGATION: '1' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /hyperv-wsman: note: Kerberos: the KDC did not mark HTTP\/127\.0\.0\.1@EMULATOR\.TEST ok-as-delegate/);
    assert.equal(delegations(), before + 1);
    const quiet = await runCapture([...base, '--transport', 'kerberos', '--kerberos-delegation'], { env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD } });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /note:/, 'the note is for --verbose only');
    assert.equal(delegations(), before + 2);
    const ntlm = await runCapture([...base, '--transport', 'ntlm', '--kerberos-delegation'], { env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD } });
    assert.notEqual(ntlm.code, 0);
    assert.match(ntlm.stderr, /--kerberos-delegation, --krb5-config apply only with --transport kerberos or negotiate/);
  });

  it('kerberosDelegation with another transport is refused by name', () => {
    assert.throws(() => new WsmanClient({ host: '127.0.0.1', user: 'u', password: 'p', transport: 'ntlm', kerberosDelegation: true }), /kerberosDelegation applies only to transport kerberos or negotiate/);
  });
});

describe('--kerberos-delegation to a host the domain trusts for delegation', () => {
  it('the note says ok-as-delegate', async () => {
    const { host, files, close } = await startKerberosHost({ okAsDelegate: true });
    const notes: string[] = [];
    const c = new WsmanClient({ host: '127.0.0.1', port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, transport: 'kerberos', krb5Config: files.krb5Config, kerberosDelegation: true, notice: (m) => notes.push(m) });
    try {
      await c.identify();
      assert.equal(host.kerberos!.delegations.length, 1);
      assert.ok(notes.some((n) => /\(ok-as-delegate\)/.test(n)), notes.join('\n'));
    } finally {
      await c.close();
      await close();
    }
  });
});

describe('--kerberos-delegation in a realm that grants no forwardable tickets', () => {
  it('a password login says the KDC issued a TGT that is not forwardable; nothing reaches the host', async () => {
    const { host, files, close } = await startKerberosHost({ allowForwardable: false }, { requestLog: true });
    const c = new WsmanClient({ host: '127.0.0.1', port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, transport: 'negotiate', krb5Config: files.krb5Config, kerberosDelegation: true });
    try {
      await assert.rejects(c.identify(), (e: unknown) => e instanceof KerberosDelegationError && /KDC of EMULATOR\.TEST issued Administrator@EMULATOR\.TEST a TGT that is not forwardable/.test(e.message));
      assert.equal(host.kerberos!.delegations.length, 0);
      assert.equal(host.requests.length, 0, 'no NTLM fallback either');
    } finally {
      await c.close();
      await close();
    }
  });
});
