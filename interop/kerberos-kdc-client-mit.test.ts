/**
 * Our KDC client (AS with PA-ENC-TIMESTAMP, then TGS) against a real MIT krb5 1.20 KDC, set up
 * only from what our environment code reads: krb5.conf via KRB5_CONFIG, the KDC via the locator,
 * the user via the --user rules, the keys via our keytab reader. What we obtain is checked by
 * MIT: the tickets go into a cache we write, `klist` lists them, and `kvno -k <service keytab>`
 * decrypts the service ticket with the service's own key.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fromKerberosCredential, readCcacheFile, writeCcacheFile } from '../src/auth/kerberos/ccache.js';
import { KdcClient } from '../src/auth/kerberos/kdc-client.js';
import { KdcError } from '../src/auth/kerberos/kdc-errors.js';
import { locateKdcs, realmForHost } from '../src/auth/kerberos/kdc-locator.js';
import { kdcClientSettings } from '../src/auth/kerberos/krb5-client-settings.js';
import { enctypeName, loadKrb5Config, type Krb5Config } from '../src/auth/kerberos/krb5-conf.js';
import { findKeys, readKeytabFile } from '../src/auth/kerberos/keytab.js';
import { formatPrincipal, parseUserPrincipal, servicePrincipal } from '../src/auth/kerberos/principal-name.js';
import type { KerberosCredential, Principal } from '../src/auth/kerberos/types.js';
import { klistViewOfCache, parseKlistCache, ticketEnctype } from './kerberos/klist.js';
import { startMitKdc, type MitRealm } from './kerberos/mit-kdc.js';

let mit: MitRealm;
let config: Krb5Config;
let user: Principal;
let service: Principal;

before(async () => {
  mit = await startMitKdc();
  config = loadKrb5Config({ env: mit.env });
  user = parseUserPrincipal('alice', { defaultRealm: config.defaultRealm! });
  service = servicePrincipal({ host: mit.service.host, realm: realmForHost(mit.service.host, config)! });
});

after(async () => {
  await mit?.stop();
});

async function client(enctypes?: readonly number[]): Promise<KdcClient> {
  const kdcs = await locateKdcs(user.realm, { config });
  return new KdcClient(kdcClientSettings(config, kdcs, { timeoutMs: 5000, ...(enctypes ? { enctypes } : {}) }));
}

/** Writes TGT + service ticket to a cache of ours; MIT lists it and decrypts the service ticket with the service keytab. */
async function checkWithMit(name: string, tgt: KerberosCredential, svc: KerberosCredential): Promise<void> {
  const path = join(mit.dir, `${name}.ccache`);
  writeCcacheFile(path, { principal: tgt.client, credentials: [fromKerberosCredential(tgt), fromKerberosCredential(svc)] });
  const listed = await mit.run('klist', ['-e', '-f', '-c', `FILE:${path}`]);
  assert.equal(listed.code, 0, listed.stderr);
  const theirs = parseKlistCache(listed.stdout);
  assert.deepEqual(theirs, klistViewOfCache(readCcacheFile(path)));
  assert.deepEqual(
    theirs.tickets.map((t) => t.server),
    [`krbtgt/${mit.realm}@${mit.realm}`, mit.service.principal],
  );
  assert.match(theirs.tickets[0]!.flags, /I/, 'the TGT is initial');
  assert.match(theirs.tickets[0]!.flags, /A/, 'the TGT is pre-authenticated');
  // --cached-only: MIT must use our cached service ticket, not fetch a new one; -k decrypts it with the service key.
  const verified = await mit.run('kvno', ['--cached-only', '-c', `FILE:${path}`, '-k', `FILE:${mit.service.keytab}`, mit.service.principal]);
  assert.equal(verified.code, 0, `kvno -k on our service ticket: ${verified.stderr}`);
  assert.match(verified.stdout, /kvno = 1, keytab entry valid/);
}

test('AS + TGS with a password: krb5.conf\'s enctype list and lifetime; MIT verifies the tickets', async () => {
  const kdc = await client();
  const tgt = await kdc.getInitialTicket(user, { password: mit.user.password });
  assert.equal(formatPrincipal(tgt.server), `krbtgt/${mit.realm}@${mit.realm}`);
  assert.equal(tgt.key.etype, 18);
  assert.ok(tgt.endTime.getTime() - Date.now() <= 10 * 3600 * 1000 + 5000, 'max_life 10h honoured');
  const svc = await kdc.getServiceTicket(tgt, service);
  assert.equal(formatPrincipal(svc.server), mit.service.principal);
  await checkWithMit('password', tgt, svc);
});

test('AS + TGS with each enctype alone (17, 18, 19, 20, 23): keys and tickets of that enctype', async () => {
  for (const etype of [17, 18, 19, 20, 23]) {
    const kdc = await client([etype]);
    const tgt = await kdc.getInitialTicket(user, { password: mit.user.password }).catch((e: Error) => assert.fail(`${enctypeName(etype)} AS: ${e.message}`));
    const svc = await kdc.getServiceTicket(tgt, service).catch((e: Error) => assert.fail(`${enctypeName(etype)} TGS: ${e.message}`));
    assert.equal(tgt.key.etype, etype, `${enctypeName(etype)} TGT session key`);
    assert.equal(svc.key.etype, etype, `${enctypeName(etype)} service session key`);
    // The KDC encrypts tickets with the service's strongest key, whatever the client asked.
    assert.equal(ticketEnctype(svc.ticket), 18);
    await checkWithMit(`etype-${etype}`, tgt, svc);
  }
});

test('AS + TGS with keys from kadmin\'s keytab, read by our keytab reader', async () => {
  const keys = findKeys(readKeytabFile(mit.user.keytab), user, { etypes: config.defaultTktEnctypes }).map((e) => e.key);
  assert.equal(keys.length, 5);
  const kdc = await client();
  const tgt = await kdc.getInitialTicket(user, { keys });
  const svc = await kdc.getServiceTicket(tgt, service);
  await checkWithMit('keytab', tgt, svc);
});

test('wrong password and unknown service are the KDC\'s typed errors', async () => {
  const kdc = await client();
  await assert.rejects(kdc.getInitialTicket(user, { password: 'not-the-password' }), (e: unknown) => e instanceof KdcError && e.code === 'ERR_KERBEROS_KDC' && e.krbErrorCode === 24);
  const tgt = await kdc.getInitialTicket(user, { password: mit.user.password });
  const nobody = servicePrincipal({ host: 'nobody.example.test', realm: mit.realm });
  await assert.rejects(kdc.getServiceTicket(tgt, nobody), (e: unknown) => e instanceof KdcError && e.krbErrorCode === 7);
});
