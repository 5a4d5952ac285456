import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CredentialCacheError } from '../src/errors.js';
import {
  MAX_CCACHE_BYTES,
  TicketFlag,
  decodeCcache,
  encodeCcache,
  findServiceTicket,
  findTgt,
  fromKerberosCredential,
  isConfigEntry,
  readCcacheFile,
  resolveCcacheName,
  toKerberosCredential,
  withCredential,
  writeCcacheFile,
  type CcacheCredential,
  type CredentialCache,
} from '../src/auth/kerberos/ccache.js';

// Written by MIT krb5 1.20.1 `kinit alice@EXAMPLE.TEST` then `kvno HTTP/web.example.test` against the
// throwaway KDC of interop/kerberos/mit-kdc.ts. `klist -e -f` printed (TZ=UTC):
//   12/07/26 14:10:48  12/08/26 00:10:48  krbtgt/EXAMPLE.TEST@EXAMPLE.TEST  Flags: FI, Etype (skey, tkt): aes256-cts-hmac-sha1-96, aes256-cts-hmac-sha1-96
//   12/07/26 14:10:48  12/08/26 00:10:48  HTTP/web.example.test@EXAMPLE.TEST  Flags: FT, same etypes
const FIXTURE = fileURLToPath(new URL('./fixtures/kerberos/mit-kinit-kvno.ccache', import.meta.url));
const MIT = readFileSync(FIXTURE);
const ISSUED = Date.UTC(2026, 11, 7, 14, 10, 48) / 1000;
const NOW = ISSUED + 60;

const ALICE = { nameType: 1, components: ['alice'], realm: 'EXAMPLE.TEST' };
const HTTP = { nameType: 3, components: ['HTTP', 'web.example.test'], realm: 'EXAMPLE.TEST' };

const expectMalformed = (buf: Buffer, pattern: RegExp) =>
  assert.throws(() => decodeCcache(buf, 'test.ccache'), (e: unknown) => e instanceof CredentialCacheError && e.code === 'ERR_KRB5_CCACHE' && pattern.test(e.message));

test('reads the cache MIT kinit + kvno wrote: principal, config entry, TGT, service ticket, times, flags, keys', () => {
  const c = decodeCcache(MIT);
  assert.equal(c.version, 4);
  assert.deepEqual(c.kdcOffset, { seconds: 0, microseconds: 0 });
  assert.deepEqual(c.principal, ALICE);
  assert.equal(c.credentials.length, 3);
  const [conf, tgt, svc] = c.credentials as [CcacheCredential, CcacheCredential, CcacheCredential];
  assert.ok(isConfigEntry(conf));
  assert.deepEqual(conf.server.components, ['krb5_ccache_conf_data', 'fast_avail', 'krbtgt/EXAMPLE.TEST@EXAMPLE.TEST']);
  assert.equal(conf.ticket.toString(), 'yes');
  assert.deepEqual(tgt.server, { nameType: 2, components: ['krbtgt', 'EXAMPLE.TEST'], realm: 'EXAMPLE.TEST' });
  assert.equal(tgt.key.etype, 18);
  assert.equal(tgt.key.value.toString('hex'), '4202b3900a0ce3fae06ac059a9387a89a7b009c2bf56ac63425a031683d03cc4');
  assert.equal(tgt.authtime, ISSUED);
  assert.equal(tgt.starttime, ISSUED);
  assert.equal(tgt.endtime, ISSUED + 10 * 3600);
  assert.equal(tgt.renewTill, 0);
  // klist "FI": forwardable, initial (+ enc-pa-rep, which klist does not print).
  assert.equal(tgt.ticketFlags, TicketFlag.forwardable | TicketFlag.initial | TicketFlag.encPaRep);
  assert.equal(tgt.ticket[0], 0x61);
  assert.deepEqual(svc.server.components, ['HTTP', 'web.example.test']);
  // klist "FT": forwardable, transited-policy-checked.
  assert.equal(svc.ticketFlags, TicketFlag.forwardable | TicketFlag.transitedPolicyChecked | TicketFlag.encPaRep);
  assert.equal(svc.key.value.toString('hex'), '4d82633e2efc45a29cd60d9deb53332e949c83a2a6bc473431feeadfb57e1417');
});

test('encode(decode(x)) reproduces MIT\'s file byte for byte', () => {
  assert.deepEqual(encodeCcache(decodeCcache(MIT)), MIT);
});

test('finds the TGT and the service ticket (name type ignored, config entry skipped), not after expiry', () => {
  const c = decodeCcache(MIT);
  assert.equal(findTgt(c, undefined, NOW)?.server.components[0], 'krbtgt');
  assert.equal(findServiceTicket(c, HTTP, NOW)?.key.value.toString('hex').slice(0, 8), '4d82633e');
  assert.equal(findServiceTicket(c, { ...HTTP, components: ['HTTP', 'other.example.test'] }, NOW), undefined);
  assert.equal(findTgt(c, 'OTHER.TEST', NOW), undefined);
  assert.equal(findTgt(c, undefined, ISSUED + 10 * 3600 + 1), undefined);
  // A KDC 2 hours ahead of us: the ticket expires 2 hours earlier on our clock.
  const skewed: CredentialCache = { ...c, kdcOffset: { seconds: 7200, microseconds: 0 } };
  assert.equal(findTgt(skewed, undefined, ISSUED + 9 * 3600), undefined);
  assert.ok(findTgt(skewed, undefined, ISSUED + 7 * 3600));
});

test('converts to and from the shared KerberosCredential (Dates; zero times absent)', () => {
  const tgt = findTgt(decodeCcache(MIT), undefined, NOW)!;
  const k = toKerberosCredential(tgt);
  assert.equal(k.authTime.toISOString(), '2026-12-07T14:10:48.000Z');
  assert.equal(k.endTime.toISOString(), '2026-12-08T00:10:48.000Z');
  assert.equal(k.renewTill, undefined);
  assert.equal(k.flags, tgt.ticketFlags);
  assert.deepEqual(fromKerberosCredential(k), tgt);
});

test('version 3 (no header, enctype written twice) is read', () => {
  const v4 = decodeCcache(MIT);
  const tgt = v4.credentials[1]!;
  const w: Buffer[] = [Buffer.from([5, 3])];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const data = (b: Buffer | string) => Buffer.concat([u32(Buffer.byteLength(b)), Buffer.from(b)]);
  const princ = (p: { nameType: number; components: readonly string[]; realm: string }) => Buffer.concat([u32(p.nameType), u32(p.components.length), data(p.realm), ...p.components.map(data)]);
  w.push(princ(ALICE), princ(tgt.client), princ(tgt.server), Buffer.from([0, 18, 0, 18]), data(tgt.key.value));
  w.push(u32(tgt.authtime), u32(tgt.starttime), u32(tgt.endtime), u32(0), Buffer.from([0]), u32(tgt.ticketFlags), u32(0), u32(0), data(tgt.ticket), data(Buffer.alloc(0)));
  const v3 = decodeCcache(Buffer.concat(w));
  assert.equal(v3.version, 3);
  assert.equal(v3.kdcOffset, undefined);
  assert.deepEqual(v3.credentials[0], tgt);
});

test('unknown v4 header tags are skipped; a non-zero KDC offset is read signed', () => {
  const body = MIT.subarray(16);
  const header = Buffer.from('0014' + '0007000401020304' + '0001000800000e10fffffffe', 'hex');
  const c = decodeCcache(Buffer.concat([Buffer.from([5, 4]), header, body]));
  assert.deepEqual(c.kdcOffset, { seconds: 3600, microseconds: -2 });
  assert.equal(c.credentials.length, 3);
});

test('malformed caches are typed errors: wrong version, truncation anywhere, huge lengths and counts', () => {
  expectMalformed(Buffer.from([5, 2, 0, 0]), /0x0502 .*native byte order/);
  expectMalformed(Buffer.from([4, 4]), /not an MIT FILE cache/);
  expectMalformed(Buffer.alloc(0), /truncated/);
  // Every strict prefix fails cleanly, except cuts exactly between two credentials (a shorter, valid cache).
  let valid = 0;
  for (let cut = 1; cut < MIT.length; cut++) {
    let parsed: CredentialCache;
    try {
      parsed = decodeCcache(MIT.subarray(0, cut));
    } catch (e) {
      assert.ok(e instanceof CredentialCacheError, `cut at ${cut}: ${String(e)}`);
      continue;
    }
    assert.equal(encodeCcache(parsed).length, cut, `cut at ${cut} decoded but is not a credential boundary`);
    valid++;
  }
  assert.equal(valid, 3); // after the principal, after the config entry, after the TGT
  // Header length beyond the file.
  const h = Buffer.from(MIT);
  h.writeUInt16BE(0xffff, 2);
  expectMalformed(h, /truncated: header needs 65535 bytes/);
  // Realm length 4 GiB - 1.
  const r = Buffer.from(MIT);
  r.writeUInt32BE(0xffffffff, 24);
  expectMalformed(r, /truncated: realm needs 4294967295 bytes/);
  // Component count far above the limit.
  const n = Buffer.from(MIT);
  n.writeUInt32BE(0x7fffffff, 20);
  expectMalformed(n, /2147483647 components \(limit 32\)/);
  // Address count of the first credential (after its ticket flags).
  // header 16, principal 33, config entry: client 33, server 99, empty key 6, times 16, is_skey 1, flags 4.
  const addrCountAt = 16 + 33 + 33 + 99 + 6 + 16 + 1 + 4;
  const a = Buffer.from(MIT);
  assert.equal(a.readUInt32BE(addrCountAt), 0);
  a.writeUInt32BE(1000, addrCountAt);
  expectMalformed(a, /1000 address entries/);
  a.writeUInt32BE(5000, addrCountAt);
  expectMalformed(a, /5000 address entries \(limit 1024\)/);
  expectMalformed(Buffer.alloc(MAX_CCACHE_BYTES + 1, 5), /exceeds the/);
});

test('writes format 4 with mode 0600, atomically replacing the old file; MIT-shaped header', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-ccache-'));
  try {
    const path = join(dir, 'cc');
    writeFileSync(path, 'old', { mode: 0o644 });
    const c = decodeCcache(MIT);
    const tgt = c.credentials[1]!;
    writeCcacheFile(path, { principal: c.principal, credentials: [tgt] });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const back = readCcacheFile(path);
    assert.equal(back.version, 4);
    assert.deepEqual(back.credentials, [tgt]);
    assert.deepEqual(readFileSync(path).subarray(0, 16), MIT.subarray(0, 16));
    const renewed = { ...tgt, endtime: tgt.endtime + 10 };
    const two = withCredential(withCredential(back, c.credentials[2]!), renewed);
    assert.equal(two.credentials.length, 2);
    assert.equal(findTgt(two, undefined, NOW)?.endtime, tgt.endtime + 10);
    assert.throws(() => writeCcacheFile(join(dir, 'missing', 'cc'), c), (e: unknown) => e instanceof CredentialCacheError && /KRB5CCNAME/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readCcacheFile: missing file, directory and oversized file are typed errors; a symlink is followed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-ccache-'));
  try {
    const isCc = (re: RegExp) => (e: unknown) => e instanceof CredentialCacheError && re.test(e.message);
    assert.throws(() => readCcacheFile(join(dir, 'nope')), isCc(/does not exist; run kinit first/));
    assert.throws(() => readCcacheFile(dir), isCc(/not a regular file/));
    writeFileSync(join(dir, 'big'), Buffer.alloc(MAX_CCACHE_BYTES + 1));
    assert.throws(() => readCcacheFile(join(dir, 'big')), isCc(/more than the/));
    symlinkSync(FIXTURE, join(dir, 'link'));
    assert.equal(readCcacheFile(join(dir, 'link')).credentials.length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('KRB5CCNAME: FILE:, plain path, default_ccache_name with %{uid}, /tmp/krb5cc_<uid>; other types refused with advice', () => {
  assert.deepEqual(resolveCcacheName({ KRB5CCNAME: 'FILE:/x/cc' }, undefined, 1000), { type: 'FILE', path: '/x/cc', name: 'FILE:/x/cc' });
  assert.equal(resolveCcacheName({ KRB5CCNAME: '/x/cc' }, undefined, 1000).path, '/x/cc');
  assert.equal(resolveCcacheName({}, undefined, 1000).path, '/tmp/krb5cc_1000');
  assert.equal(resolveCcacheName({ KRB5CCNAME: '' }, 'FILE:%{TEMP}/cc_%{uid}', 42).path, '/tmp/cc_42');
  assert.equal(resolveCcacheName({ TMPDIR: '/run' }, 'FILE:%{TEMP}/cc_%{uid}', 42).path, '/run/cc_42');
  for (const t of ['DIR:/run/user/1000/krb5cc', 'KEYRING:persistent:1000', 'KCM:1000', 'MEMORY:x', 'API:x']) {
    assert.throws(
      () => resolveCcacheName({ KRB5CCNAME: t }, undefined, 1000),
      (e: unknown) => e instanceof CredentialCacheError && /not supported, only FILE:/.test(e.message) && /KRB5CCNAME=FILE:\/tmp\/krb5cc_1000/.test(e.message),
    );
  }
  assert.throws(() => resolveCcacheName({ KRB5CCNAME: 'BOGUS:x' }), (e: unknown) => e instanceof CredentialCacheError && /unknown cache type/.test(e.message));
});
