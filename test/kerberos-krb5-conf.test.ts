import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Krb5ConfigError } from '../src/errors.js';
import { MIT_DEFAULT_ENCTYPES, enctypeName, krb5ConfigFiles, loadKrb5Config, parseKrb5Conf } from '../src/auth/kerberos/krb5-conf.js';
import { kdcClientSettings } from '../src/auth/kerberos/krb5-client-settings.js';
import { MAX_PROFILE_FILE_BYTES, parseProfileText, profileValues } from '../src/auth/kerberos/krb5-profile.js';

// An AD-style krb5.conf using the syntax krb5_conf.rst documents: comments, quoted values, final
// markers, subsections, durations in several forms, enctype names, families and removals.
const AD_CONF = `
This line is before any section: MIT ignores it.
# comment
; also a comment
[libdefaults]
  default_realm = CORP.EXAMPLE.COM
  dns_lookup_kdc = false
  dns_lookup_realm = no
  udp_preference_limit = 1
  default_tkt_enctypes = aes256-cts aes128-sha1, rc4-hmac
  default_tgs_enctypes = aes -aes128-sha2 -aes256-sha2
  permitted_enctypes = DEFAULT -camellia des-cbc-crc
  rdns = false
  dns_canonicalize_hostname = fallback
  forwardable = yes
  clockskew = 5m
  ticket_lifetime = 10h30m
  renew_lifetime = 7d
  default_ccache_name = "FILE:/tmp/krb5cc_%{uid}"

[realms]
  CORP.EXAMPLE.COM = {
    kdc = dc1.corp.example.com
    kdc = dc2.corp.example.com:8888
    admin_server = dc1.corp.example.com
    v4_name_convert = {
      host = {
        rcmd = host
      }
    }
  }
  IPV6.TEST = {
    kdc = [2001:db8::1]:750
  }*

[domain_realm]
  .corp.example.com = CORP.EXAMPLE.COM
  corp.example.com = CORP.EXAMPLE.COM
  HyperV01.Lab.Example = LAB.EXAMPLE
`;

const isConfErr = (file: string, line: number, re: RegExp) => (e: unknown) =>
  e instanceof Krb5ConfigError && e.code === 'ERR_KRB5_CONFIG' && e.file === file && e.line === line && re.test(e.message);

test('reads [libdefaults], [realms] and [domain_realm] with MIT semantics', () => {
  const c = parseKrb5Conf(AD_CONF, '/etc/krb5.conf');
  assert.equal(c.defaultRealm, 'CORP.EXAMPLE.COM');
  assert.equal(c.dnsLookupKdc, false);
  assert.equal(c.dnsLookupRealm, false);
  assert.equal(c.udpPreferenceLimit, 1);
  assert.deepEqual(c.defaultTktEnctypes, [18, 17, 23]);
  assert.deepEqual(c.defaultTgsEnctypes, [18, 17]);
  // DEFAULT minus camellia; des-cbc-crc is weak and allow_weak_crypto is off.
  assert.deepEqual(c.permittedEnctypes, [18, 17, 20, 19, 16, 23]);
  assert.equal(c.rdns, false);
  assert.equal(c.dnsCanonicalizeHostname, 'fallback');
  assert.equal(c.forwardable, true);
  assert.equal(c.clockskew, 300);
  assert.equal(c.ticketLifetime, 10 * 3600 + 1800);
  assert.equal(c.renewLifetime, 7 * 86400);
  assert.equal(c.defaultCcacheName, 'FILE:/tmp/krb5cc_%{uid}');
  assert.deepEqual(c.realms.get('CORP.EXAMPLE.COM'), { kdc: ['dc1.corp.example.com', 'dc2.corp.example.com:8888'], adminServer: ['dc1.corp.example.com'] });
  assert.deepEqual(c.realms.get('IPV6.TEST')?.kdc, ['[2001:db8::1]:750']);
  assert.equal(c.domainRealm.get('.corp.example.com'), 'CORP.EXAMPLE.COM');
  assert.equal(c.domainRealm.get('hyperv01.lab.example'), 'LAB.EXAMPLE');
  assert.deepEqual(c.warnings, []);
});

test('defaults when nothing is configured (MIT 1.20 values)', () => {
  const c = parseKrb5Conf('');
  assert.equal(c.defaultRealm, undefined);
  assert.equal(c.dnsLookupKdc, true);
  assert.equal(c.dnsLookupRealm, false);
  assert.equal(c.udpPreferenceLimit, 1465);
  assert.deepEqual(c.permittedEnctypes, MIT_DEFAULT_ENCTYPES);
  assert.deepEqual(c.defaultTktEnctypes, MIT_DEFAULT_ENCTYPES);
  assert.equal(c.rdns, true);
  assert.equal(c.dnsCanonicalizeHostname, true);
  assert.equal(c.forwardable, false);
  assert.equal(c.clockskew, 300);
  assert.equal(c.ticketLifetime, 86400);
  assert.equal(parseKrb5Conf('[libdefaults]\n dns_fallback = false\n').dnsLookupKdc, false);
  assert.equal(parseKrb5Conf('[libdefaults]\n udp_preference_limit = 99999\n').udpPreferenceLimit, 32700);
});

test('durations, booleans and enctype lists in every documented form; unknown enctypes warn', () => {
  const d = (v: string) => parseKrb5Conf(`[libdefaults]\n ticket_lifetime = ${v}\n`).ticketLifetime;
  assert.equal(d('3600'), 3600);
  assert.equal(d('1d'), 86400);
  assert.equal(d('1:30'), 5400);
  assert.equal(d('1:30:15'), 5415);
  assert.equal(d('2d 1:00:00'), 2 * 86400 + 3600);
  assert.equal(d('1h30m10s'), 5410);
  for (const bad of ['ten hours', '10x', '-5', '1h1d']) {
    assert.throws(() => d(bad), isConfErr('<krb5.conf>', 2, /is not a duration/), bad);
  }
  for (const yes of ['y', 'YES', 'true', 't', '1', 'on']) assert.equal(parseKrb5Conf(`[libdefaults]\nrdns = ${yes}\n`).rdns, true);
  for (const no of ['n', 'No', 'false', 'nil', '0', 'off']) assert.equal(parseKrb5Conf(`[libdefaults]\nrdns = ${no}\n`).rdns, false);
  assert.throws(() => parseKrb5Conf('[libdefaults]\n\nforwardable = maybe\n', '/x.conf'), isConfErr('/x.conf', 3, /"maybe" is not a boolean/));
  const weak = parseKrb5Conf('[libdefaults]\n allow_weak_crypto = true\n permitted_enctypes = des aes256-sha1 18 bogus-enc\n', 'k.conf');
  assert.deepEqual(weak.permittedEnctypes, [1, 3, 2, 18]);
  assert.deepEqual(weak.warnings, ['k.conf:3: unknown enctype "bogus-enc" ignored.']);
  // default_*_enctypes fall back to permitted_enctypes (krb5 1.18+).
  assert.deepEqual(parseKrb5Conf('[libdefaults]\n permitted_enctypes = aes256-sha2 rc4\n').defaultTgsEnctypes, [20, 23]);
  assert.equal(enctypeName(18), 'aes256-cts-hmac-sha1-96');
  assert.equal(enctypeName(99), 'etype 99');
});

test('first value wins; across files the first file wins unless a later one is final-marked earlier', () => {
  const p = parseProfileText('[libdefaults]\n a = 1\n a = 2\n[libdefaults]\n a = 3\n');
  assert.deepEqual(profileValues(p, ['libdefaults', 'a']).map((v) => v.value), ['1', '2', '3']);
  const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-krb5conf-'));
  try {
    writeFileSync(join(dir, 'one.conf'), '[libdefaults]\n default_realm = ONE\n[realms]\n R = {\n  kdc = k1\n }\n');
    writeFileSync(join(dir, 'two.conf'), '[libdefaults]\n default_realm = TWO\n forwardable = true\n[realms]\n R = {\n  kdc = k2\n }\n');
    const c = loadKrb5Config({ env: { KRB5_CONFIG: `${join(dir, 'one.conf')}:${join(dir, 'missing.conf')}:${join(dir, 'two.conf')}` } });
    assert.deepEqual(c.files, [join(dir, 'one.conf'), join(dir, 'two.conf')]);
    assert.equal(c.defaultRealm, 'ONE');
    assert.equal(c.forwardable, true);
    assert.deepEqual(c.realms.get('R')?.kdc, ['k1', 'k2']);
    writeFileSync(join(dir, 'final.conf'), '[libdefaults]*\n default_realm = FINAL\n');
    const f = loadKrb5Config({ files: [join(dir, 'final.conf'), join(dir, 'two.conf')] });
    assert.equal(f.defaultRealm, 'FINAL');
    assert.equal(f.forwardable, false); // the later file is hidden by the final section
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('KRB5_CONFIG list, else /etc/krb5.conf; no file at all = defaults', () => {
  assert.deepEqual(krb5ConfigFiles({}), ['/etc/krb5.conf']);
  assert.deepEqual(krb5ConfigFiles({ KRB5_CONFIG: '/a::/b' }), ['/a', '/b']);
  const c = loadKrb5Config({ files: ['/nonexistent/krb5.conf'] });
  assert.deepEqual(c.files, []);
  assert.equal(c.dnsLookupKdc, true);
});

test('include and includedir: absolute paths, MIT name filter, cycles and depth refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-krb5conf-'));
  try {
    const d = join(dir, 'krb5.conf.d');
    mkdirSync(d);
    writeFileSync(join(d, 'b-realm'), '[realms]\n B = {\n  kdc = kb\n }\n');
    writeFileSync(join(d, 'a.conf'), '[libdefaults]\n default_realm = FROM.DIR\n');
    writeFileSync(join(d, '.hidden'), '[libdefaults]\n default_realm = HIDDEN\n');
    writeFileSync(join(d, 'x.rpmsave'), '[libdefaults]\n default_realm = BACKUP\n');
    writeFileSync(join(dir, 'inc.conf'), '[libdefaults]\n forwardable = true\n');
    writeFileSync(join(dir, 'main.conf'), `include ${join(dir, 'inc.conf')}\nincludedir ${d}\n[libdefaults]\n rdns = false\n`);
    const c = loadKrb5Config({ files: [join(dir, 'main.conf')] });
    assert.equal(c.forwardable, true);
    assert.equal(c.defaultRealm, 'FROM.DIR');
    assert.deepEqual(c.realms.get('B')?.kdc, ['kb']);
    assert.equal(c.rdns, false);
    assert.deepEqual(c.files, [join(dir, 'main.conf'), join(dir, 'inc.conf'), join(d, 'a.conf'), join(d, 'b-realm')]);

    writeFileSync(join(dir, 'rel.conf'), 'include inc.conf\n');
    assert.throws(() => loadKrb5Config({ files: [join(dir, 'rel.conf')] }), isConfErr(join(dir, 'rel.conf'), 1, /absolute path/));
    writeFileSync(join(dir, 'missing.conf'), `\ninclude ${join(dir, 'nope.conf')}\n`);
    assert.throws(() => loadKrb5Config({ files: [join(dir, 'missing.conf')] }), isConfErr(join(dir, 'missing.conf'), 2, /cannot read included file/));
    writeFileSync(join(dir, 'loop.conf'), `include ${join(dir, 'loop2.conf')}\n`);
    writeFileSync(join(dir, 'loop2.conf'), `[libdefaults]\ninclude ${join(dir, 'loop.conf')}\n`);
    assert.throws(() => loadKrb5Config({ files: [join(dir, 'loop.conf')] }), isConfErr(join(dir, 'loop2.conf'), 2, /include cycle/));
    // A chain longer than the depth limit.
    for (let i = 0; i < 12; i++) writeFileSync(join(dir, `chain${i}.conf`), `include ${join(dir, `chain${i + 1}.conf`)}\n`);
    writeFileSync(join(dir, 'chain12.conf'), '');
    assert.throws(() => loadKrb5Config({ files: [join(dir, 'chain0.conf')] }), (e: unknown) => e instanceof Krb5ConfigError && /nested deeper than 8/.test(e.message));
    // The same file under another name (a symlink) is still a cycle.
    symlinkSync(join(dir, 'loop.conf'), join(dir, 'alias.conf'));
    assert.throws(() => loadKrb5Config({ files: [join(dir, 'alias.conf')] }), (e: unknown) => e instanceof Krb5ConfigError && /include cycle/.test(e.message));
    writeFileSync(join(dir, 'big.conf'), Buffer.alloc(MAX_PROFILE_FILE_BYTES + 1, 0x23));
    assert.throws(() => loadKrb5Config({ files: [join(dir, 'big.conf')] }), isConfErr(join(dir, 'big.conf'), 0, /exceeds the 1048576-byte limit/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('syntax errors name file and line', () => {
  const bad: Array<[string, number, RegExp]> = [
    ['[libdefaults\n', 1, /without "]"/],
    ['[libdefaults]\n a = 1\n just words\n', 3, /expected "name = value"/],
    ['[realms]\n R = {\n  kdc = x\n', 2, /"\{" is never closed/],
    ['[realms]\n }\n', 2, /without a matching/],
    ['[realms]\n R = {\n[libdefaults]\n', 3, /inside the "\{" opened on line 2/],
    ['[libdefaults]\n a = "unterminated\n', 2, /closing quote/],
    ['[]\n', 1, /empty section/],
    [`[realms]\n${' x = {\n'.repeat(17)}`, 18, /deeper than 16/],
  ];
  for (const [text, line, re] of bad) assert.throws(() => parseKrb5Conf(text, 'k.conf'), isConfErr('k.conf', line, re), JSON.stringify(text));
  assert.equal(profileValues(parseProfileText('[s]\n a = "x\\ty\\"z" trailing\n'), ['s', 'a'])[0]?.value, 'x\ty"z');
  assert.throws(() => parseKrb5Conf('#'.repeat(MAX_PROFILE_FILE_BYTES + 1), 'k.conf'), isConfErr('k.conf', 0, /exceeds the 1048576-byte limit/));
});

test('KdcClient settings from krb5.conf: enctypes cut to what we implement, in krb5.conf order; none left is an error', () => {
  const kdcs = [{ host: 'kdc', port: 88 }];
  // MIT's default list also names des3 (16) and camellia (26, 25): dropped, not refused.
  assert.deepEqual(kdcClientSettings(parseKrb5Conf(''), kdcs), { kdcs, enctypes: [18, 17, 20, 19, 23], udpPreferenceLimit: 1465, ticketLifetimeSeconds: 86400 });
  const c = parseKrb5Conf('[libdefaults]\n default_tkt_enctypes = rc4-hmac camellia256-cts aes128-cts\n udp_preference_limit = 1\n ticket_lifetime = 10h\n');
  assert.deepEqual(kdcClientSettings(c, kdcs, { timeoutMs: 100 }), { kdcs, enctypes: [23, 17], udpPreferenceLimit: 1, ticketLifetimeSeconds: 36000, timeoutMs: 100 });
  assert.throws(
    () => kdcClientSettings(parseKrb5Conf('[libdefaults]\n default_tkt_enctypes = camellia des3\n', '/etc/krb5.conf'), kdcs),
    (e: unknown) => e instanceof Krb5ConfigError && /allow camellia256-cts-cmac camellia128-cts-cmac des3-cbc-sha1; this client implements/.test(e.message),
  );
});
