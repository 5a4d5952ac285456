import { test } from 'node:test';
import assert from 'node:assert/strict';
import { md4 } from '../src/auth/ntlm/md4.js';
import { Rc4, rc4k } from '../src/auth/ntlm/rc4.js';
import {
  filetime,
  filetimeToDate,
  keyExchangeKey,
  lmv2Response,
  ntProofStr,
  ntlmv2ClientChallenge,
  ntowfv1,
  ntowfv2,
  parseNtlmv2Response,
  sessionBaseKey,
  windowsUppercase,
} from '../src/auth/ntlm/ntlmv2.js';
import { AvId, avStringPair, encodeAvPairs } from '../src/auth/ntlm/messages.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

// RFC 1320 appendix A.5 test suite: https://www.rfc-editor.org/rfc/rfc1320#appendix-A.5
test('MD4 matches the RFC 1320 A.5 test suite', () => {
  const suite: [string, string][] = [
    ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
    ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
    ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
    ['message digest', 'd9130a8164549fe818874806e1c7014b'],
    ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', 'e33b4ddc9c38f2199c3e7b164fcc0536'],
  ];
  for (const [input, digest] of suite) assert.equal(toHex(md4(ascii(input))), digest, `MD4("${input}")`);
});

test('MD4 handles inputs around the 56-byte padding edge', () => {
  // 55 bytes fit one block with padding, 56 need two; both must differ and be 16 bytes.
  const a = md4(new Uint8Array(55));
  const b = md4(new Uint8Array(56));
  const c = md4(new Uint8Array(64));
  assert.equal(a.length, 16);
  assert.notEqual(toHex(a), toHex(b));
  assert.notEqual(toHex(b), toHex(c));
});

// RFC 6229 test vectors for RC4: https://www.rfc-editor.org/rfc/rfc6229#section-2
test('RC4 matches RFC 6229 for a 40-bit key (offsets 0, 16, 240, 256)', () => {
  const stream = rc4k(hex('0102030405'), new Uint8Array(272));
  assert.equal(toHex(stream.subarray(0, 16)), 'b2396305f03dc027ccc3524a0a1118a8');
  assert.equal(toHex(stream.subarray(16, 32)), '6982944f18fc82d589c403a47a0d0919');
  assert.equal(toHex(stream.subarray(240, 256)), '28cb1132c96ce286421dcaadb8b69eae');
  assert.equal(toHex(stream.subarray(256, 272)), '1cfcf62b03eddb641d77dfcf7f8d8c93');
});

// RFC 6229 section 2, key 0x0102030405060708090a0b0c0d0e0f10 (128 bits).
test('RC4 matches RFC 6229 for a 128-bit key, also when fed in pieces', () => {
  const key = hex('0102030405060708090a0b0c0d0e0f10');
  const expected = '9ac7cc9a609d1ef7b2932899cde41b97' + '5248c4959014126a6e8a84f11d1a9e1c';
  assert.equal(toHex(rc4k(key, new Uint8Array(32))), expected);
  const rc4 = new Rc4(key);
  const pieces = [rc4.update(new Uint8Array(5)), rc4.update(new Uint8Array(0)), rc4.update(new Uint8Array(27))];
  assert.equal(pieces.map(toHex).join(''), expected);
});

test('RC4 cryptRange continues the same keystream over parts of arrays, Buffers and Uint8Arrays alike', () => {
  const key = hex('0102030405060708090a0b0c0d0e0f10');
  const expected = '9ac7cc9a609d1ef7b2932899cde41b97' + '5248c4959014126a6e8a84f11d1a9e1c';
  const rc4 = new Rc4(key);
  // 4 bytes in the middle of a Buffer, written to a Uint8Array at the same offsets; its other bytes untouched.
  const into = new Uint8Array(12).fill(0xee);
  rc4.cryptRange(Buffer.alloc(12), into, 4, 8);
  assert.equal(toHex(into), 'eeeeeeee' + '9ac7cc9a' + 'eeeeeeee');
  // In place in a Buffer view of a larger buffer, then a Uint8Array into a Buffer.
  const backing = Buffer.alloc(40, 0);
  const view = backing.subarray(3, 23);
  assert.equal(rc4.updateInto(view, view), view);
  assert.equal(backing.subarray(0, 3).toString('hex') + backing.subarray(23).toString('hex'), '00'.repeat(20), 'outside the view untouched');
  const rest = rc4.updateInto(new Uint8Array(8), Buffer.alloc(8));
  assert.equal(toHex(into.subarray(4, 8)) + toHex(view) + toHex(rest), expected);
});

test('RC4 refuses an empty key', () => {
  assert.throws(() => new Rc4(new Uint8Array(0)), RangeError);
});

// MS-NLMP 4.2.1 common values and 4.2.4 NTLMv2 authentication:
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/125f7a94-933e-4023-a146-a449e49bf774
const USER = 'User';
const DOMAIN = 'Domain';
const PASSWORD = 'Password';
const SERVER_CHALLENGE = hex('0123456789abcdef');
const CLIENT_CHALLENGE = hex('aaaaaaaaaaaaaaaa');
const RANDOM_SESSION_KEY = hex('55555555555555555555555555555555');
const TIME = new Uint8Array(8);
const SPEC_AV_PAIRS = encodeAvPairs([avStringPair(AvId.NB_DOMAIN_NAME, 'Domain'), avStringPair(AvId.NB_COMPUTER_NAME, 'Server')]);
const SPEC_TEMP =
  '0101000000000000' + // RespType, HiRespType, Z(6)
  '0000000000000000' + // Time
  'aaaaaaaaaaaaaaaa' + // ClientChallenge
  '00000000' + // Z(4)
  '02000c0044006f006d00610069006e00' + // MsvAvNbDomainName "Domain"
  '01000c00530065007200760065007200' + // MsvAvNbComputerName "Server"
  '00000000' + // MsvAvEOL
  '00000000'; // Z(4)

test('NTOWFv1 = MD4(UNICODE(Password)) (pyspnego test_ntowfv1 value)', () => {
  assert.equal(toHex(ntowfv1(PASSWORD)), 'a4f49c406510bdcab6824ee7c30fd852');
});

// MS-NLMP 4.2.4.1.1 NTOWFv2() and NTOWFv1().
test('MS-NLMP 4.2.4.1.1: ResponseKeyNT = NTOWFv2', () => {
  assert.equal(toHex(ntowfv2(PASSWORD, USER, DOMAIN)), '0c868a403bfd7a93a3001ef22ef02e3f');
});

test('NTOWFv2 uppercases the user but not the domain', () => {
  assert.deepEqual(ntowfv2(PASSWORD, 'user', DOMAIN), ntowfv2(PASSWORD, 'USER', DOMAIN));
  assert.notDeepEqual(ntowfv2(PASSWORD, USER, 'DOMAIN'), ntowfv2(PASSWORD, USER, DOMAIN));
});

test('Windows-style uppercase keeps the length (no ß -> SS expansion)', () => {
  assert.equal(windowsUppercase('straße'), 'STRAßE');
  assert.equal(windowsUppercase('abc\u00e9'), 'ABC\u00c9');
});

// MS-NLMP 4.2.4.1.3 temp, 4.2.4.2.2 NTLMv2 Response (NTProofStr).
test('MS-NLMP 4.2.4.1.3 / 4.2.4.2.2: temp and NTProofStr', () => {
  const temp = ntlmv2ClientChallenge(TIME, CLIENT_CHALLENGE, SPEC_AV_PAIRS);
  assert.equal(toHex(temp), SPEC_TEMP);
  assert.equal(temp.length, 68);
  const key = ntowfv2(PASSWORD, USER, DOMAIN);
  assert.equal(toHex(ntProofStr(key, SERVER_CHALLENGE, temp)), '68cd0ab851e51c96aabc927bebef6a1c');
});

// MS-NLMP 4.2.4.2.1 LMv2 Response.
test('MS-NLMP 4.2.4.2.1: LMv2 response', () => {
  const key = ntowfv2(PASSWORD, USER, DOMAIN);
  assert.equal(toHex(lmv2Response(key, SERVER_CHALLENGE, CLIENT_CHALLENGE)), '86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
});

// MS-NLMP 4.2.4.1.2 Session Base Key; 3.4.5.1 KXKEY for NTLMv2; 4.2.4.2.3 Encrypted Session Key.
test('MS-NLMP 4.2.4.1.2 / 4.2.4.2.3: SessionBaseKey, KXKEY and EncryptedRandomSessionKey', () => {
  const key = ntowfv2(PASSWORD, USER, DOMAIN);
  const proof = ntProofStr(key, SERVER_CHALLENGE, hex(SPEC_TEMP));
  const base = sessionBaseKey(key, proof);
  assert.equal(toHex(base), '8de40ccadbc14a82f15cb0ad0de95ca3');
  const kx = keyExchangeKey(base);
  assert.deepEqual(kx, base);
  assert.equal(toHex(rc4k(kx, RANDOM_SESSION_KEY)), 'c5dad2544fc9799094ce1ce90bc9d03e');
  // ...and RC4K is its own inverse, which is how the acceptor recovers the key.
  assert.deepEqual(rc4k(kx, hex('c5dad2544fc9799094ce1ce90bc9d03e')), RANDOM_SESSION_KEY);
});

test('parseNtlmv2Response splits NTProofStr, time, client challenge and AV pairs', () => {
  const nt = hex('68cd0ab851e51c96aabc927bebef6a1c' + SPEC_TEMP);
  const parsed = parseNtlmv2Response(nt);
  assert.equal(toHex(parsed.ntProofStr), '68cd0ab851e51c96aabc927bebef6a1c');
  assert.equal(toHex(parsed.clientChallengeBlob), SPEC_TEMP);
  assert.deepEqual(parsed.clientChallenge, CLIENT_CHALLENGE);
  assert.deepEqual(parsed.time, TIME);
  assert.deepEqual(parsed.avPairs.map((p) => p.id), [AvId.NB_DOMAIN_NAME, AvId.NB_COMPUTER_NAME]);
});

test('FILETIME conversion: 1601 epoch, 100 ns ticks, little-endian', () => {
  assert.equal(toHex(filetime(new Date(Date.UTC(1601, 0, 1)))), '0000000000000000');
  // 1970-01-01 is 116444736000000000 ticks = 0x019DB1DED53E8000.
  assert.equal(toHex(filetime(new Date(0))), '00803ed5deb19d01');
  const d = new Date(Date.UTC(2024, 4, 17, 12, 34, 56, 789));
  assert.equal(filetimeToDate(filetime(d)).getTime(), d.getTime());
});
