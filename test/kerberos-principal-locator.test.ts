import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidOptionError, KdcNotFoundError } from '../src/errors.js';
import { parseKrb5Conf } from '../src/auth/kerberos/krb5-conf.js';
import { locateKdcs, parseKdcAddress, realmForHost, type SrvResolver, type SrvRecordLike } from '../src/auth/kerberos/kdc-locator.js';
import { formatPrincipal, parsePrincipalName, parseUserPrincipal, samePrincipal, servicePrincipal } from '../src/auth/kerberos/principal-name.js';

const CONF = parseKrb5Conf(`
[libdefaults]
  default_realm = CORP.EXAMPLE.COM
[realms]
  CORP.EXAMPLE.COM = {
    kdc = dc1.corp.example.com
    kdc = tcp/dc2.corp.example.com:8888
    kdc = [2001:db8::5]:750
    kdc = https://kkdcp.example.com/KdcProxy
  }
  LAB.EXAMPLE = {
    admin_server = x
  }
  PROXYONLY.TEST = {
    kdc = https://kkdcp.example.com/KdcProxy
  }
[domain_realm]
  .lab.example = LAB.EXAMPLE
  exact.only = EXACT.REALM
`);

/** A resolver that answers from a table and records the names asked. */
function fakeResolver(answers: Record<string, SrvRecordLike[] | NodeJS.ErrnoException>): SrvResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async resolveSrv(name) {
      asked.push(name);
      const a = answers[name];
      if (a === undefined) throw Object.assign(new Error(`queryNotFound ${name}`), { code: 'ENOTFOUND' });
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

test('MIT principal syntax: components, realm, escapes, round trip', () => {
  assert.deepEqual(parsePrincipalName('HTTP/host.example.com@EXAMPLE.COM'), { nameType: 1, components: ['HTTP', 'host.example.com'], realm: 'EXAMPLE.COM' });
  assert.deepEqual(parsePrincipalName('alice'), { nameType: 1, components: ['alice'], realm: '' });
  const odd = parsePrincipalName('a\\/b\\@c\\\\d\\n@R\\@S');
  assert.deepEqual(odd, { nameType: 1, components: ['a/b@c\\d\n'], realm: 'R@S' });
  assert.equal(formatPrincipal(odd), 'a\\/b\\@c\\\\d\\n@R\\@S');
  assert.equal(formatPrincipal({ nameType: 1, components: ['HTTP', 'h'], realm: 'R' }), 'HTTP/h@R');
  for (const bad of ['a//b', '@R', 'a@', 'a@R@S', 'a@R/x', 'trailing\\']) {
    assert.throws(() => parsePrincipalName(bad, '--spn'), (e: unknown) => e instanceof InvalidOptionError && /^--spn: /.test(e.message), bad);
  }
  assert.ok(samePrincipal({ nameType: 1, components: ['x'], realm: 'R' }, { nameType: 10, components: ['x'], realm: 'R' }));
  assert.ok(!samePrincipal({ nameType: 1, components: ['x'], realm: 'R' }, { nameType: 1, components: ['x'], realm: 'r' }));
});

test('user names: user@REALM, DOMAIN\\user (documented NetBIOS rule), user + default realm', () => {
  const opts = { defaultRealm: 'CORP.EXAMPLE.COM', knownRealms: ['CORP.EXAMPLE.COM', 'LAB.EXAMPLE'] };
  assert.deepEqual(parseUserPrincipal('alice@corp.example.com', opts), { nameType: 1, components: ['alice'], realm: 'CORP.EXAMPLE.COM' });
  assert.equal(parseUserPrincipal('alice@corp.example.com', { ...opts, keepRealmCase: true }).realm, 'corp.example.com');
  assert.equal(parseUserPrincipal('alice', opts).realm, 'CORP.EXAMPLE.COM');
  // Rule 1: a dotted domain is a DNS name.
  assert.equal(parseUserPrincipal('lab.example\\bob', opts).realm, 'LAB.EXAMPLE');
  // Rule 2: first label of the default realm, then of a unique [realms] entry.
  assert.equal(parseUserPrincipal('corp\\alice', opts).realm, 'CORP.EXAMPLE.COM');
  assert.equal(parseUserPrincipal('LAB\\bob', opts).realm, 'LAB.EXAMPLE');
  // Rule 3: otherwise upper-cased as it stands.
  assert.equal(parseUserPrincipal('other\\carol', opts).realm, 'OTHER');
  assert.deepEqual(parseUserPrincipal('CORP\\alice', opts).components, ['alice']);
  assert.throws(() => parseUserPrincipal('alice', {}), (e: unknown) => e instanceof InvalidOptionError && /no realm and krb5.conf sets no default_realm; use alice@REALM/.test(e.message));
  assert.throws(() => parseUserPrincipal('HTTP/x@R', opts), (e: unknown) => e instanceof InvalidOptionError && /names a service/.test(e.message));
  assert.throws(() => parseUserPrincipal('CORP\\alice@CORP.EXAMPLE.COM', opts), (e: unknown) => e instanceof InvalidOptionError && /mixes DOMAIN\\user and user@REALM/.test(e.message));
  assert.deepEqual(parseUserPrincipal('alice\\@mail.example@corp.example.com', opts), { nameType: 10, components: ['alice@mail.example'], realm: 'CORP.EXAMPLE.COM' });
  assert.throws(() => parseUserPrincipal('CORP\\', opts), (e: unknown) => e instanceof InvalidOptionError && /^--user: /.test(e.message));
});

test('service principal HTTP/<host>: lower case, no trailing dot, override host and service', () => {
  assert.deepEqual(servicePrincipal({ host: 'HV01.Corp.Example.COM.', realm: 'CORP.EXAMPLE.COM' }), { nameType: 2, components: ['HTTP', 'hv01.corp.example.com'], realm: 'CORP.EXAMPLE.COM' });
  assert.deepEqual(servicePrincipal({ host: '10.0.0.5', hostOverride: 'hv01.corp.example.com', service: 'WSMAN', realm: 'R' }).components, ['WSMAN', 'hv01.corp.example.com']);
  assert.equal(servicePrincipal({ host: '[::1]', realm: 'R' }).components[1], '::1');
  assert.throws(() => servicePrincipal({ host: 'a/b', realm: 'R' }), (e: unknown) => e instanceof InvalidOptionError && /--kerberos-hostname-override/.test(e.message));
  assert.throws(() => servicePrincipal({ host: 'h', service: 'HT TP', realm: 'R' }), (e: unknown) => e instanceof InvalidOptionError && /--kerberos-service/.test(e.message));
});

test('realm of a host: [domain_realm] walk as MIT does it, else the default realm', () => {
  assert.equal(realmForHost('hv1.lab.example', CONF), 'LAB.EXAMPLE');
  assert.equal(realmForHost('deep.hv1.LAB.example.', CONF), 'LAB.EXAMPLE');
  assert.equal(realmForHost('exact.only', CONF), 'EXACT.REALM');
  // MIT also tries the parent without its dot, so a plain tag covers hosts below it.
  assert.equal(realmForHost('h.exact.only', CONF), 'EXACT.REALM');
  assert.equal(realmForHost('lab.example', CONF), 'CORP.EXAMPLE.COM'); // ".lab.example" needs a host below it
  assert.equal(realmForHost('unrelated.net', CONF), 'CORP.EXAMPLE.COM');
  assert.equal(realmForHost('x', { domainRealm: new Map(), defaultRealm: undefined }), undefined);
});

test('KDC addresses: host, host:port, [v6]:port, tcp/ and udp/ prefixes; bad ones name the source', () => {
  assert.deepEqual(parseKdcAddress('kdc', '--kdc'), { host: 'kdc', port: 88 });
  assert.deepEqual(parseKdcAddress('udp/kdc:750', '--kdc'), { host: 'kdc', port: 750, transport: 'udp' });
  assert.deepEqual(parseKdcAddress('[fe80::1]', '--kdc'), { host: 'fe80::1', port: 88 });
  for (const bad of ['kdc:0', 'kdc:70000', 'a b', '', 'fe80::1:88']) {
    assert.throws(() => parseKdcAddress(bad, '--kdc'), (e: unknown) => e instanceof InvalidOptionError && /^--kdc: /.test(e.message), bad);
  }
});

test('locateKdcs: override first, then krb5.conf (no DNS asked), KKDCP URLs skipped', async () => {
  const dns = fakeResolver({});
  assert.deepEqual(await locateKdcs('CORP.EXAMPLE.COM', { config: CONF, override: ['10.1.1.1:8088'], resolver: dns }), [{ host: '10.1.1.1', port: 8088, source: 'override' }]);
  assert.deepEqual(await locateKdcs('CORP.EXAMPLE.COM', { config: CONF, resolver: dns }), [
    { host: 'dc1.corp.example.com', port: 88, source: 'krb5.conf' },
    { host: 'dc2.corp.example.com', port: 8888, transport: 'tcp', source: 'krb5.conf' },
    { host: '2001:db8::5', port: 750, source: 'krb5.conf' },
  ]);
  assert.deepEqual(dns.asked, []);
});

test('locateKdcs: DNS SRV for realms without kdc entries, RFC 2782 order, "." skipped, TCP listed first', async () => {
  const dns = fakeResolver({
    '_kerberos._tcp.LAB.EXAMPLE': [
      { name: 'slow.lab.example', port: 88, priority: 10, weight: 0 },
      { name: 'dc-b.lab.example.', port: 88, priority: 0, weight: 10 },
      { name: 'dc-a.lab.example', port: 88, priority: 0, weight: 50 },
    ],
    '_kerberos._udp.LAB.EXAMPLE': [{ name: '.', port: 0, priority: 0, weight: 0 }, { name: 'dc-u.lab.example', port: 750, priority: 0, weight: 0 }],
  });
  const found = await locateKdcs('LAB.EXAMPLE', { config: CONF, resolver: dns });
  assert.deepEqual(
    found.map((k) => `${k.transport}:${k.host}:${k.port}:${k.source}`),
    ['tcp:dc-a.lab.example:88:dns', 'tcp:dc-b.lab.example:88:dns', 'tcp:slow.lab.example:88:dns', 'udp:dc-u.lab.example:750:dns'],
  );
  assert.deepEqual(dns.asked.sort(), ['_kerberos._tcp.LAB.EXAMPLE', '_kerberos._udp.LAB.EXAMPLE']);
  // A realm whose only kdc is a KKDCP URL also falls back to DNS.
  const proxy = fakeResolver({ '_kerberos._tcp.PROXYONLY.TEST': [{ name: 'k', port: 88, priority: 0, weight: 0 }] });
  assert.equal((await locateKdcs('PROXYONLY.TEST', { config: CONF, resolver: proxy }))[0]?.host, 'k');
});

test('locateKdcs: nothing found, DNS failing or dns_lookup_kdc off give KdcNotFoundError with what to configure', async () => {
  const isNotFound = (re: RegExp) => (e: unknown) => e instanceof KdcNotFoundError && e.code === 'ERR_KDC_NOT_FOUND' && e.realm === 'NONE.TEST' && re.test(e.message) && /--kdc <host\[:port\]>/.test(e.message);
  await assert.rejects(locateKdcs('NONE.TEST', { config: CONF, resolver: fakeResolver({}) }), isNotFound(/no DNS SRV record _kerberos._tcp.NONE.TEST/));
  const timeout = Object.assign(new Error('queryTimeout _kerberos._tcp.NONE.TEST'), { code: 'ETIMEOUT' });
  await assert.rejects(locateKdcs('NONE.TEST', { config: CONF, resolver: fakeResolver({ '_kerberos._tcp.NONE.TEST': timeout }) }), isNotFound(/\(DNS: queryTimeout/));
  const noDns = parseKrb5Conf('[libdefaults]\n dns_lookup_kdc = false\n');
  const dns = fakeResolver({});
  await assert.rejects(locateKdcs('NONE.TEST', { config: noDns, resolver: dns }), isNotFound(/dns_lookup_kdc is false/));
  assert.deepEqual(dns.asked, []);
});
