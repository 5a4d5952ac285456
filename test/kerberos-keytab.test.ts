import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeytabError } from '../src/errors.js';
import {
  MAX_KEYTAB_BYTES,
  decodeKeytab,
  encodeKeytab,
  findKeys,
  readKeytabFile,
  resolveClientKeytabName,
  resolveKeytabName,
  writeKeytabFile,
} from '../src/auth/kerberos/keytab.js';
import type { KeytabEntry } from '../src/auth/kerberos/types.js';

// Written by MIT krb5 1.20.1 `kadmin.local ktadd -norandkey` in the throwaway realm of
// interop/kerberos/mit-kdc.ts. `klist -k -t -e -K` printed (TZ=UTC), for HTTP/web.example.test@EXAMPLE.TEST:
//   1 12/07/26 14:10:48 (aes256-cts-hmac-sha1-96)  (0xfa665e14b63d97253399489408ee4a73541638ab54dabff3f90027e701703006)
//   1 ... (aes128-cts-hmac-sha1-96)  (0xbee8c53e74774c47ba3070187415939f)
//   1 ... (aes256-cts-hmac-sha384-192)  (0x291784cfd90b954b7c7abc11ab178acc95580db71700454166c33bcebbf20b87)
//   1 ... (aes128-cts-hmac-sha256-128)  (0x52815b448158b175fa615342ada7b419)
//   1 ... (DEPRECATED:arcfour-hmac)  (0xd27705ff4dcfc62f6e338d24eae20afe)
const HTTP_KT = readFileSync(fileURLToPath(new URL('./fixtures/kerberos/mit-ktadd-http.keytab', import.meta.url)));
const ALICE_KT = readFileSync(fileURLToPath(new URL('./fixtures/kerberos/mit-ktadd-alice.keytab', import.meta.url)));
const HTTP = { nameType: 3, components: ['HTTP', 'web.example.test'], realm: 'EXAMPLE.TEST' };
const STAMP = '2026-12-07T14:10:48.000Z';

const malformed = (buf: Buffer, re: RegExp) =>
  assert.throws(() => decodeKeytab(buf, 't.keytab'), (e: unknown) => e instanceof KeytabError && e.code === 'ERR_KRB5_KEYTAB' && re.test(e.message));

test('reads kadmin\'s keytab as klist -k -t -e -K shows it', () => {
  const kt = decodeKeytab(HTTP_KT);
  assert.equal(kt.version, 2);
  assert.deepEqual(
    kt.entries.map((e) => [e.principal.components.join('/'), e.principal.realm, e.principal.nameType, e.kvno, e.timestamp?.toISOString(), e.key.etype, e.key.value.toString('hex')]),
    [
      ['HTTP/web.example.test', 'EXAMPLE.TEST', 1, 1, STAMP, 18, 'fa665e14b63d97253399489408ee4a73541638ab54dabff3f90027e701703006'],
      ['HTTP/web.example.test', 'EXAMPLE.TEST', 1, 1, STAMP, 17, 'bee8c53e74774c47ba3070187415939f'],
      ['HTTP/web.example.test', 'EXAMPLE.TEST', 1, 1, STAMP, 20, '291784cfd90b954b7c7abc11ab178acc95580db71700454166c33bcebbf20b87'],
      ['HTTP/web.example.test', 'EXAMPLE.TEST', 1, 1, STAMP, 19, '52815b448158b175fa615342ada7b419'],
      ['HTTP/web.example.test', 'EXAMPLE.TEST', 1, 1, STAMP, 23, 'd27705ff4dcfc62f6e338d24eae20afe'],
    ],
  );
  assert.equal(decodeKeytab(ALICE_KT).entries[0]!.key.value.toString('hex'), '05cadc416599e76d4c9b76dca3121caee0d9ee27756e84090a626f3637292d8e');
});

test('encode(decode(x)) reproduces kadmin\'s file byte for byte', () => {
  assert.deepEqual(encodeKeytab(decodeKeytab(HTTP_KT).entries), HTTP_KT);
  assert.deepEqual(encodeKeytab(decodeKeytab(ALICE_KT).entries), ALICE_KT);
});

test('findKeys: by principal (name type ignored), highest kvno by default, etype preference order', () => {
  const kt = decodeKeytab(HTTP_KT);
  const e0 = kt.entries[0]!;
  const newer: KeytabEntry = { ...e0, kvno: 300, key: { etype: 18, value: Buffer.alloc(32, 7) } };
  const all = { version: 2 as const, entries: [...kt.entries, newer] };
  assert.deepEqual(findKeys(all, HTTP), [newer]);
  assert.equal(findKeys(all, HTTP, { kvno: 1 }).length, 5);
  assert.deepEqual(findKeys(all, HTTP, { kvno: 1, etypes: [23, 17] }).map((e) => e.key.etype), [23, 17]);
  assert.deepEqual(findKeys(all, { ...HTTP, realm: 'OTHER' }), []);
  // 300 > 255: the 8-bit field holds 44, the 32-bit one 300; the reader takes 300.
  assert.equal(decodeKeytab(encodeKeytab([newer])).entries[0]!.kvno, 300);
});

test('holes (negative lengths), a zero terminator, a missing 32-bit kvno and version 0x0501 are read', () => {
  const entry = HTTP_KT.subarray(2, 2 + 4 + HTTP_KT.readInt32BE(2));
  const hole = Buffer.alloc(4 + 10);
  hole.writeInt32BE(-10);
  const withHole = Buffer.concat([Buffer.from([5, 2]), hole, entry, Buffer.alloc(4), Buffer.from('ignored after the end')]);
  const kt = decodeKeytab(withHole);
  assert.equal(kt.entries.length, 1);
  assert.equal(kt.entries[0]!.key.etype, 18);
  // An entry without the trailing 32-bit kvno (pre-1.14 writers) uses the 8-bit one.
  const short = Buffer.from(entry.subarray(0, entry.length - 4));
  short.writeInt32BE(short.length - 4);
  assert.equal(decodeKeytab(Buffer.concat([Buffer.from([5, 2]), short])).entries[0]!.kvno, 1);
  // 0x0501: little-endian integers, the realm counted as a component, no name type.
  const v1: number[] = [5, 1];
  const body = Buffer.concat([
    Buffer.from([3, 0]), // 2 components + realm
    Buffer.from([4, 0]),
    Buffer.from('TEST'),
    Buffer.from([4, 0]),
    Buffer.from('HTTP'),
    Buffer.from([1, 0]),
    Buffer.from('h'),
    Buffer.from([0x10, 0, 0, 0]), // timestamp 16
    Buffer.from([7]), // kvno
    Buffer.from([17, 0]),
    Buffer.from([16, 0]),
    Buffer.alloc(16, 0xaa),
  ]);
  const len = Buffer.alloc(4);
  len.writeInt32LE(body.length);
  const one = decodeKeytab(Buffer.concat([Buffer.from(v1), len, body])).entries[0]!;
  assert.deepEqual(one.principal, { nameType: 0, components: ['HTTP', 'h'], realm: 'TEST' });
  assert.equal(one.kvno, 7);
  assert.equal(one.key.etype, 17);
  assert.equal(one.timestamp?.getTime(), 16_000);
});

test('malformed keytabs are typed errors: wrong version, any truncation, huge lengths', () => {
  malformed(Buffer.from([5, 3]), /not an MIT keytab \(format 0x0503/);
  malformed(Buffer.from([0x80, 0x02]), /not an MIT keytab/);
  malformed(Buffer.from([5]), /truncated/);
  let valid = 0;
  for (let cut = 3; cut < HTTP_KT.length; cut++) {
    try {
      decodeKeytab(HTTP_KT.subarray(0, cut));
      valid++;
    } catch (e) {
      assert.ok(e instanceof KeytabError, `cut at ${cut}: ${String(e)}`);
    }
  }
  assert.equal(valid, 4); // the cuts between the five records
  const huge = Buffer.from(HTTP_KT);
  huge.writeInt32BE(0x7fffffff, 2);
  malformed(huge, /keytab entry needs 2147483647 bytes/);
  const hole = Buffer.from(HTTP_KT);
  hole.writeInt32BE(-0x7fffffff, 2);
  malformed(hole, /deleted-entry hole needs 2147483647/);
  // A component length that runs past its record (not just past the file).
  const comp = Buffer.from(HTTP_KT);
  comp.writeUInt16BE(0xfff0, 8);
  malformed(comp, /realm needs 65520 bytes/);
  // Key length past the record end although the next record has the bytes.
  const key = Buffer.from(HTTP_KT);
  const keyLenAt = 2 + 4 + 2 + 2 + 12 + 2 + 4 + 2 + 16 + 4 + 4 + 1 + 2;
  assert.equal(key.readUInt16BE(keyLenAt), 32);
  key.writeUInt16BE(80, keyLenAt);
  malformed(key, /key needs 80 bytes/);
  const comps = Buffer.from(HTTP_KT);
  comps.writeUInt16BE(500, 6);
  malformed(comps, /500 components \(limit 32\)/);
  malformed(Buffer.alloc(MAX_KEYTAB_BYTES + 1, 5), /exceeds the/);
});

test('writes 0x0502 with mode 0600; reading the file back gives the same entries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-keytab-'));
  try {
    const path = join(dir, 'kt');
    const entries = decodeKeytab(ALICE_KT).entries;
    writeKeytabFile(path, entries);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readKeytabFile(path).entries, entries);
    assert.deepEqual(readFileSync(path), ALICE_KT);
    assert.throws(() => readKeytabFile(join(dir, 'none')), (e: unknown) => e instanceof KeytabError && /does not exist/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('KRB5_CLIENT_KTNAME / KRB5_KTNAME, krb5.conf names, MIT defaults; non-FILE types refused', () => {
  assert.equal(resolveClientKeytabName({ KRB5_CLIENT_KTNAME: 'FILE:/k/c.keytab' }, undefined, 5).path, '/k/c.keytab');
  assert.equal(resolveClientKeytabName({}, 'FILE:/etc/c-%{euid}.keytab', 5).path, '/etc/c-5.keytab');
  assert.equal(resolveClientKeytabName({}, undefined, 5).path, '/etc/krb5/user/5/client.keytab');
  assert.equal(resolveKeytabName({ KRB5_KTNAME: 'WRFILE:/k/s.keytab' }, undefined, 5).path, '/k/s.keytab');
  assert.equal(resolveKeytabName({ KRB5_KTNAME: '/plain' }).path, '/plain');
  assert.equal(resolveKeytabName({}, undefined, 5).path, '/etc/krb5.keytab');
  assert.throws(() => resolveKeytabName({ KRB5_KTNAME: 'MEMORY:x' }), (e: unknown) => e instanceof KeytabError && /use FILE:/.test(e.message));
});
