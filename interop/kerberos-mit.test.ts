/**
 * Our Kerberos environment code against MIT krb5 1.20 (Debian krb5-kdc, krb5-admin-server,
 * krb5-user): a real KDC on loopback (interop/kerberos/mit-kdc.ts), MIT's own kinit/kvno/klist and
 * kadmin. Both directions: we read what MIT wrote, and MIT reads and uses what we wrote.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  findServiceTicket,
  findTgt,
  fromKerberosCredential,
  readCcacheFile,
  toKerberosCredential,
  writeCcacheFile,
} from '../src/auth/kerberos/ccache.js';
import { loadKrb5Config } from '../src/auth/kerberos/krb5-conf.js';
import { locateKdcs, realmForHost } from '../src/auth/kerberos/kdc-locator.js';
import { findKeys, readKeytabFile, writeKeytabFile } from '../src/auth/kerberos/keytab.js';
import { parsePrincipalName, parseUserPrincipal, servicePrincipal } from '../src/auth/kerberos/principal-name.js';
import type { KeytabEntry } from '../src/auth/kerberos/types.js';
import { klistViewOfCache, klistViewOfKeytab, parseKlistCache, parseKlistKeytab } from './kerberos/klist.js';
import { startMitKdc, type MitRealm } from './kerberos/mit-kdc.js';

let mit: MitRealm;

before(async () => {
  mit = await startMitKdc();
});

after(async () => {
  await mit?.stop();
});

async function klistCache(path: string) {
  const r = await mit.run('klist', ['-e', '-f', '-c', `FILE:${path}`]);
  assert.equal(r.code, 0, `klist -c ${path}: ${r.stderr}`);
  return parseKlistCache(r.stdout);
}

async function klistKeytab(path: string) {
  const r = await mit.run('klist', ['-k', '-t', '-e', '-K', `FILE:${path}`]);
  assert.equal(r.code, 0, `klist -k ${path}: ${r.stderr}`);
  return parseKlistKeytab(r.stdout);
}

test('our krb5.conf reader reads the generated configuration; the locator finds the KDC that is listening', async () => {
  const config = loadKrb5Config({ env: mit.env });
  assert.deepEqual(config.files, [mit.krb5Conf]);
  assert.equal(config.defaultRealm, mit.realm);
  assert.equal(config.udpPreferenceLimit, 1);
  assert.equal(config.dnsLookupKdc, false);
  assert.equal(config.dnsCanonicalizeHostname, false);
  assert.equal(config.forwardable, true);
  assert.equal(config.ticketLifetime, 36_000);
  assert.deepEqual(config.defaultTktEnctypes, [18, 17, 20, 19, 23]);
  assert.deepEqual(config.permittedEnctypes, [18, 17, 20, 19, 23]);
  assert.deepEqual(config.warnings, []);
  const kdcs = await locateKdcs(mit.realm, { config, resolver: { resolveSrv: async () => assert.fail('DNS must not be asked') } });
  assert.deepEqual(kdcs, [{ host: '127.0.0.1', port: mit.port, source: 'krb5.conf' }]);
  assert.equal(realmForHost(mit.service.host, config), mit.realm);
  assert.deepEqual(servicePrincipal({ host: mit.service.host.toUpperCase(), realm: realmForHost(mit.service.host, config)! }).components, ['HTTP', mit.service.host]);
  assert.deepEqual(parseUserPrincipal('EXAMPLE\\alice', { defaultRealm: config.defaultRealm! }), parsePrincipalName(mit.user.principal));
});

test('our ccache reader reads MIT kinit + kvno\'s cache exactly as klist -e -f shows it', async () => {
  const path = join(mit.dir, 'kinit.ccache');
  await mit.kinitPassword(path);
  const ours = readCcacheFile(path);
  const theirs = await klistCache(path);
  assert.equal(theirs.tickets.length, 2);
  assert.deepEqual(klistViewOfCache(ours), theirs);
  assert.match(theirs.tickets[0]!.flags, /A/, 'alice requires pre-authentication, so the TGT is pre-authent');
  assert.match(theirs.tickets[0]!.flags, /R/, 'kinit -r 2d: renewable');
  assert.ok(theirs.tickets[0]!.renewUntil, 'klist prints "renew until" for the renewable TGT');
  assert.ok(findTgt(ours));
  assert.ok(findServiceTicket(ours, parsePrincipalName(mit.service.principal)));
});

test('our keytab reader reads kadmin\'s keytabs exactly as klist -k -t -e -K shows them', async () => {
  for (const path of [mit.service.keytab, mit.user.keytab]) {
    const theirs = await klistKeytab(path);
    assert.equal(theirs.length, 5);
    assert.deepEqual(klistViewOfKeytab(readKeytabFile(path)), theirs);
  }
});

test('MIT klist reads a cache our writer wrote, and kvno uses its TGT to get a service ticket into it', async () => {
  const source = join(mit.dir, 'source.ccache');
  await mit.kinitPassword(source, { serviceTicket: false });
  const tgt = findTgt(readCcacheFile(source));
  assert.ok(tgt);
  // Through the shared credential shape, as the KDC client will hand tickets over.
  const ourPath = join(mit.dir, 'ours.ccache');
  writeCcacheFile(ourPath, { principal: tgt.client, credentials: [fromKerberosCredential(toKerberosCredential(tgt))] });
  assert.equal(statSync(ourPath).mode & 0o777, 0o600);
  const before = await klistCache(ourPath);
  assert.deepEqual(before, klistViewOfCache(readCcacheFile(ourPath)));
  assert.equal(before.tickets.length, 1);
  const kvno = await mit.run('kvno', ['-c', `FILE:${ourPath}`, mit.service.principal]);
  assert.equal(kvno.code, 0, kvno.stderr);
  assert.match(kvno.stdout, /HTTP\/web\.example\.test@EXAMPLE\.TEST: kvno = 1/);
  // MIT appended to our file; we read the result, and it agrees with klist again.
  const after = readCcacheFile(ourPath);
  assert.ok(findServiceTicket(after, parsePrincipalName(mit.service.principal)));
  assert.deepEqual(klistViewOfCache(after), await klistCache(ourPath));
});

test('kinit -k -t uses a keytab our writer wrote; klist lists it as we do; a wrong key is refused by the KDC', async () => {
  const user = parsePrincipalName(mit.user.principal);
  const kadminKeys = readKeytabFile(mit.user.keytab);
  const keys = findKeys(kadminKeys, user, { etypes: [18, 17] });
  assert.equal(keys.length, 2);
  // A stale kvno-0 decoy first, then the real keys, as a keytab that went through a rekey looks.
  const decoy: KeytabEntry = { ...keys[0]!, kvno: 0, key: { etype: 18, value: Buffer.alloc(32, 0x11) } };
  const ourKeytab = join(mit.dir, 'ours.keytab');
  writeKeytabFile(ourKeytab, [decoy, ...keys]);
  assert.deepEqual(await klistKeytab(ourKeytab), klistViewOfKeytab(readKeytabFile(ourKeytab)));
  const cc = join(mit.dir, 'from-keytab.ccache');
  const kinit = await mit.run('kinit', ['-k', '-t', `FILE:${ourKeytab}`, '-c', `FILE:${cc}`, mit.user.principal]);
  assert.equal(kinit.code, 0, kinit.stderr);
  const got = readCcacheFile(cc);
  assert.deepEqual(got.principal.components, ['alice']);
  assert.equal(findTgt(got)?.key.etype, 18);
  // Control: only the wrong key -> the KDC rejects the pre-authentication.
  const wrong = join(mit.dir, 'wrong.keytab');
  writeKeytabFile(wrong, [{ ...decoy, kvno: 1 }]);
  const refused = await mit.run('kinit', ['-k', '-t', `FILE:${wrong}`, '-c', `FILE:${join(mit.dir, 'x.ccache')}`, mit.user.principal]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Preauthentication failed|Password incorrect/);
  // The written keytab is the format MIT writes: byte-identical to kadmin's for the same entries.
  const sameAsKadmin = join(mit.dir, 'copy.keytab');
  writeKeytabFile(sameAsKadmin, kadminKeys.entries);
  assert.deepEqual(readFileSync(sameAsKadmin), readFileSync(mit.user.keytab));
});
