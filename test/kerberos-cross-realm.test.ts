/**
 * Cross-realm referrals with two in-memory KDCs on loopback, RES.TEST trusting CORP.TEST (users of
 * CORP use services of RES). The client follows the referral TGT krbtgt/RES.TEST@CORP.TEST to RES's
 * KDC, whether the service's realm comes from [domain_realm] or the KDC refers a host name as AD
 * does, and a WinRM call to an emulated host of RES works with a CORP user; loops and unbounded
 * chains end with a typed error.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InMemoryKdc } from '../src/auth/kerberos/in-memory-kdc.js';
import { KdcClient, tgsPrincipal } from '../src/auth/kerberos/kdc-client.js';
import { KerberosError } from '../src/auth/kerberos/errors.js';
import { KeyUsage, MessageType, decodeEncTicketPart, decodeTicket } from '../src/auth/kerberos/messages.js';
import { principalToString, type KdcAddress } from '../src/auth/kerberos/types.js';
import { KerberosTicketSource, MAX_REFERRAL_HOPS, followReferrals } from '../src/auth/kerberos-tickets.js';
import { enctypeProfile } from '../src/auth/kerberos/crypto/index.js';
import { WsmanClient } from '../src/index.js';
import { startEmulatedHost } from '../src/emulator/index.js';

const CORP = 'CORP.TEST';
const RES = 'RES.TEST';

describe('cross-realm referrals', () => {
  const corp = new InMemoryKdc({ realm: CORP, hostReferrals: { '.res.test': RES } });
  const res = new InMemoryKdc({ realm: RES });
  let corpAddr: KdcAddress;
  let resAddr: KdcAddress;
  let dir: string;
  let hvKeys: ReturnType<InMemoryKdc['addService']>;
  const conf = (extra: string): string => {
    const path = join(dir, `krb5-${Math.random().toString(36).slice(2)}.conf`);
    writeFileSync(
      path,
      `[libdefaults]\n default_realm = ${CORP}\n dns_lookup_kdc = false\n[realms]\n ${CORP} = {\n  kdc = tcp/${corpAddr.host}:${corpAddr.port}\n }\n ${RES} = {\n  kdc = tcp/${resAddr.host}:${resAddr.port}\n }\n${extra}`,
    );
    return path;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hvw-xrealm-'));
    corp.addUser('alice', 'Alice-pw1');
    hvKeys = res.addService('HTTP/hv01.res.test');
    InMemoryKdc.trust(corp, res);
    corpAddr = (await corp.listen()).any;
    resAddr = (await res.listen()).any;
  });
  after(async () => {
    await corp.close();
    await res.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const assertServiceTicket = (ticket: Awaited<ReturnType<KerberosTicketSource['serviceTicket']>>): void => {
    assert.equal(principalToString(ticket.server), 'HTTP/hv01.res.test@RES.TEST');
    assert.equal(principalToString(ticket.client), 'alice@CORP.TEST');
    // The ticket really is for the RES service: its key opens it.
    const decoded = decodeTicket(ticket.ticket);
    const key = hvKeys.find((k) => k.key.etype === decoded.encPart.etype)!.key;
    const part = decodeEncTicketPart(enctypeProfile(key.etype).decrypt(key, KeyUsage.KDC_REP_TICKET, decoded.encPart.cipher));
    assert.equal(principalToString(part.client), 'alice@CORP.TEST');
  };

  it('[domain_realm] names RES: CORP issues the cross-realm TGT krbtgt/RES@CORP, RES the service ticket', async () => {
    corp.received.length = 0;
    res.received.length = 0;
    const source = new KerberosTicketSource({ host: 'hv01.res.test', user: 'alice', password: 'Alice-pw1', krb5Config: conf('[domain_realm]\n .res.test = RES.TEST\n'), env: {} });
    assertServiceTicket(await source.serviceTicket());
    assert.deepEqual(corp.received.map((r) => r.msgType), [MessageType.AS_REQ, MessageType.AS_REQ, MessageType.TGS_REQ]);
    assert.deepEqual(res.received.map((r) => r.msgType), [MessageType.TGS_REQ]);
  });

  it('AD style, no [domain_realm]: the service asked in CORP is referred by host name and asked again in RES', async () => {
    res.received.length = 0;
    const source = new KerberosTicketSource({ host: 'hv01.res.test', user: 'alice@CORP.TEST', password: 'Alice-pw1', krb5Config: conf(''), env: {} });
    assertServiceTicket(await source.serviceTicket());
    assert.deepEqual(res.received.map((r) => r.msgType), [MessageType.TGS_REQ]);
  });

  it('a WinRM call to a host of RES with a CORP user (emulated host holding the RES service key)', async () => {
    const host = await startEmulatedHost({ kerberos: { realm: RES, serviceKeys: hvKeys }, requestLog: true });
    const c = new WsmanClient({ host: '127.0.0.1', port: host.port, scheme: 'http', transport: 'kerberos', user: 'alice@CORP.TEST', password: 'Alice-pw1', kerberosHostnameOverride: 'hv01.res.test', krb5Config: conf('') });
    try {
      await c.identify();
      assert.equal(host.requests.at(-1)?.authScheme, 'kerberos');
      assert.equal(host.requests.at(-1)?.user, 'alice@CORP.TEST');
    } finally {
      await c.close();
      await host.close();
    }
  });

  it('a realm CORP has no trust to: a KerberosError naming both realms, not an SPN hint', async () => {
    const source = new KerberosTicketSource({ host: 'hv01.lab.test', user: 'alice@CORP.TEST', password: 'Alice-pw1', krb5Config: conf('[domain_realm]\n .lab.test = LAB.TEST\n'), env: {} });
    await assert.rejects(source.serviceTicket(), (e: unknown) => e instanceof KerberosError && /realm CORP\.TEST has no trust to LAB\.TEST/.test(e.message) && /HTTP\/hv01\.lab\.test@LAB\.TEST/.test(e.message));
  });

  it('--kdc names the user\'s realm only: the referral realm is still found in krb5.conf', async () => {
    const source = new KerberosTicketSource({ host: 'hv01.res.test', user: 'alice@CORP.TEST', password: 'Alice-pw1', kdc: [`${corpAddr.host}:${corpAddr.port}`], krb5Config: conf(''), env: {} });
    assertServiceTicket(await source.serviceTicket());
  });

  it('without allowReferral a referral answer is an error, naming the realm', async () => {
    const client = new KdcClient({ kdcs: [corpAddr] });
    const tgt = await client.getInitialTicket({ nameType: 1, components: ['alice'], realm: CORP }, { password: 'Alice-pw1' });
    await assert.rejects(client.getServiceTicket(tgt, { nameType: 2, components: ['HTTP', 'hv01.res.test'], realm: RES }), (e: unknown) => e instanceof KerberosError && /referred us to realm RES\.TEST/.test(e.message));
    const referral = await client.getServiceTicket(tgt, { nameType: 2, components: ['HTTP', 'hv01.res.test'], realm: RES }, undefined, { allowReferral: true });
    assert.equal(principalToString(referral.server), `krbtgt/${RES}@${CORP}`);
  });

  it('a referral loop and an endless chain stop with a KerberosError', async () => {
    const fakeTgt = (from: string, to: string) => ({ ...baseCred, server: { ...tgsPrincipal(to), realm: from } });
    const baseCred = { client: { nameType: 1, components: ['alice'], realm: CORP }, key: { etype: 18, value: Buffer.alloc(32) }, authTime: new Date(), endTime: new Date(Date.now() + 3600_000), flags: 0, ticket: Buffer.alloc(0) };
    const spn = { nameType: 2, components: ['HTTP', 'hv01.x.test'], realm: 'A.TEST' };
    const start = fakeTgt('A.TEST', 'A.TEST');
    // A -> B -> A
    const loop = ['B.TEST', 'A.TEST'];
    let i = 0;
    await assert.rejects(
      followReferrals(start, spn, async (t) => fakeTgt(t.server.components[1]!, loop[i++]!)),
      (e: unknown) => e instanceof KerberosError && /referral loop .*A\.TEST -> B\.TEST -> A\.TEST/.test(e.message),
    );
    // A -> R1 -> R2 -> ... never ending
    let n = 0;
    let asked = 0;
    await assert.rejects(
      followReferrals(start, spn, async (t) => {
        asked++;
        return fakeTgt(t.server.components[1]!, `R${++n}.TEST`);
      }),
      (e: unknown) => e instanceof KerberosError && new RegExp(`More than ${MAX_REFERRAL_HOPS} cross-realm referrals`).test(e.message),
    );
    assert.equal(asked, MAX_REFERRAL_HOPS + 1);
  });
});
