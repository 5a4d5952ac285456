// Mutation fuzzing of the parsers that read the user's Kerberos files (credential cache, keytab,
// krb5.conf), seeded from files MIT krb5 wrote. Invariant: a value, or the file's typed error
// (CredentialCacheError / KeytabError / Krb5ConfigError), never a RangeError or TypeError, and
// whatever decodes can be encoded again. See test/helpers/fuzz.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '../src/errors.js';
import { decodeCcache, encodeCcache } from '../src/auth/kerberos/ccache.js';
import { decodeKeytab, encodeKeytab } from '../src/auth/kerberos/keytab.js';
import { parseKrb5Conf } from '../src/auth/kerberos/krb5-conf.js';
import { FuzzLog, Rng, excerpt, mutateBytes, mutateText } from './helpers/fuzz.js';

const fixture = (name: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(`./fixtures/kerberos/${name}`, import.meta.url))));

function assertClean(log: FuzzLog, minCases: number, mustDecode: number): void {
  if (process.env.FUZZ_STATS) console.log(log.cases, Object.fromEntries(log.outcomes));
  assert.ok(log.cases >= minCases, `expected at least ${minCases} cases, ran ${log.cases}`);
  assert.equal(log.failures.length, 0, `${log.failures.length} of ${log.cases} cases broke the invariant:\n${log.report()}`);
  // Mutants must reach past the first checks: some still decode.
  assert.ok(log.count('ok') >= mustDecode, `only ${log.count('ok')} mutants decoded`);
}

test('credential cache: 1500 mutants of MIT kinit+kvno\'s cache decode or raise ERR_KRB5_CCACHE', () => {
  const seed = fixture('mit-kinit-kvno.ccache');
  const rng = new Rng(0xcc0504);
  const log = new FuzzLog();
  for (let i = 0; i < 1500; i++) {
    const { bytes, ops } = mutateBytes(rng, seed);
    log.run(`ccache #${i} [${ops.join(',')}] ${excerpt(bytes)}`, () => encodeCcache(decodeCcache(Buffer.from(bytes))), (e) => e.code === ErrorCodes.KRB5_CCACHE);
  }
  assertClean(log, 1500, 50);
});

test('keytab: 1500 mutants of kadmin\'s keytabs decode or raise ERR_KRB5_KEYTAB', () => {
  const seeds = [fixture('mit-ktadd-http.keytab'), fixture('mit-ktadd-alice.keytab')];
  const rng = new Rng(0x6b7402);
  const log = new FuzzLog();
  for (let i = 0; i < 1500; i++) {
    const { bytes, ops } = mutateBytes(rng, rng.pick(seeds));
    log.run(`keytab #${i} [${ops.join(',')}] ${excerpt(bytes)}`, () => encodeKeytab(decodeKeytab(Buffer.from(bytes)).entries), (e) => e.code === ErrorCodes.KRB5_KEYTAB);
  }
  assertClean(log, 1500, 50);
});

const CONF = `[libdefaults]
  default_realm = CORP.EXAMPLE.COM
  dns_lookup_kdc = true
  default_tkt_enctypes = aes256-cts aes128-cts rc4-hmac
  ticket_lifetime = 10h
  clockskew = 300
  forwardable = yes
[realms]
  CORP.EXAMPLE.COM = {
    kdc = dc1.corp.example.com:88
    admin_server = dc1.corp.example.com
  }
[domain_realm]
  .corp.example.com = CORP.EXAMPLE.COM
`;

test('krb5.conf: 1500 text mutants parse or raise ERR_KRB5_CONFIG', () => {
  const rng = new Rng(0x6b726235);
  const log = new FuzzLog();
  for (let i = 0; i < 1500; i++) {
    const { text, ops } = mutateText(rng, CONF);
    log.run(`krb5.conf #${i} [${ops.join(',')}] ${excerpt(text)}`, () => parseKrb5Conf(text), (e) => e.code === ErrorCodes.KRB5_CONFIG);
  }
  assertClean(log, 1500, 50);
});
