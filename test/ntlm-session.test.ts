import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { NtlmError, NtlmSignatureError } from '../src/errors.js';
import { createNtlmSession, sealingKey, signingKey } from '../src/auth/ntlm/session-security.js';
import { NegotiateFlags } from '../src/auth/ntlm/flags.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf16 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf16le'));
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'ascii'));

const RANDOM_SESSION_KEY = hex('55555555555555555555555555555555');
/** MS-NLMP 4.2.4.3 AUTHENTICATE flags (KEY_EXCH|56|128|VERSION|TARGET_INFO|ESS|ALWAYS_SIGN|NTLM|SEAL|SIGN|REQUEST_TARGET|UNICODE). */
const SPEC_FLAGS = 0xe2888235;
/** ntlm-auth test_ntlm_context_with_mic AUTHENTICATE flags. */
const MIC_FLAGS = 0xe28a8231;

// MS-NLMP 4.2.4.4 GSS_WrapEx Examples, signing and sealing keys:
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/54973495-e7a2-4a4b-a3c5-8b26d0d1d0a4
test('MS-NLMP 4.2.4.4: client signing and sealing keys', () => {
  assert.equal(toHex(sealingKey(RANDOM_SESSION_KEY, SPEC_FLAGS, 'client-to-server')), '59f600973cc4960a25480a7c196e4c58');
  assert.equal(toHex(signingKey(RANDOM_SESSION_KEY, 'client-to-server')), '4788dc861b4782f35d43fd98fe1a2d39');
});

// Server keys: pyspnego tests/_ntlm_raw test_seal_key_ess (accept, 128-bit) and test_signkey_server.
test('Server (server-to-client) signing and sealing keys', () => {
  assert.equal(toHex(sealingKey(RANDOM_SESSION_KEY, SPEC_FLAGS, 'server-to-client')), '9355f3a957c1583d25c4c2f11e40390e');
  assert.equal(toHex(signingKey(RANDOM_SESSION_KEY, 'server-to-client')), 'd04d6f10741041d1d246d64188d7a8ad');
});

// MS-NLMP 3.4.5.3 SEALKEY: with ESS, 56-bit uses the first 7 bytes and 40-bit the first 5.
test('MS-NLMP 3.4.5.3: SEALKEY truncates the session key for 56- and 40-bit strength', () => {
  const key = hex('0102030405060708090a0b0c0d0e0f10');
  const constant = ascii('session key to client-to-server sealing key magic constant\0');
  const md5 = (...parts: Uint8Array[]): string => createHash('md5').update(Buffer.concat(parts)).digest('hex');
  const ess = NegotiateFlags.EXTENDED_SESSIONSECURITY;
  assert.equal(toHex(sealingKey(key, ess | NegotiateFlags.NEGOTIATE_56, 'client-to-server')), md5(key.subarray(0, 7), constant));
  assert.equal(toHex(sealingKey(key, ess, 'client-to-server')), md5(key.subarray(0, 5), constant));
  assert.equal(toHex(sealingKey(key, ess | NegotiateFlags.NEGOTIATE_128 | NegotiateFlags.NEGOTIATE_56, 'client-to-server')), md5(key, constant));
});

// MS-NLMP 4.2.4.4: GSS_WrapEx of "Plaintext" (UTF-16LE) with SeqNum 0.
test('MS-NLMP 4.2.4.4: sealed "Plaintext" and its signature', () => {
  const session = createNtlmSession(RANDOM_SESSION_KEY, SPEC_FLAGS, 'client');
  const { sealed, signature } = session.seal(utf16('Plaintext'));
  assert.equal(toHex(sealed), '54e50165bf1936dc996020c1811b0f06fb5f');
  assert.equal(toHex(signature), '010000007fb38ec5c55d497600000000');
});

// pyspnego test_seal_ntlmv2_no_key_exch: without KEY_EXCH the checksum is not RC4-encrypted.
test('Without KEY_EXCH the checksum is the plain HMAC prefix', () => {
  const session = createNtlmSession(RANDOM_SESSION_KEY, SPEC_FLAGS & ~NegotiateFlags.KEY_EXCH, 'client');
  const { sealed, signature } = session.seal(utf16('Plaintext'));
  assert.equal(toHex(sealed), '54e50165bf1936dc996020c1811b0f06fb5f');
  assert.equal(toHex(signature), '0100000070352851f256430900000000');
});

// ntlm-auth tests/test_ntlm.py test_ntlm_context_with_mic (expected_wrapped, sign "Hello" twice);
// ntlm-test-vectors.md 7.4: the RC4 handle is never reset and SeqNum increments per message.
test('ntlm-auth continuity: wrap "test req", then sign "Hello" twice on the same handle', () => {
  const session = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'client');
  const wrapped = session.seal(ascii('test req'));
  assert.equal(toHex(wrapped.signature), '01000000bce323a17206237800000000');
  assert.equal(toHex(wrapped.sealed), '70801e11fe6b3aad');
  assert.equal(toHex(session.sign(ascii('Hello'))), '0100000008f00d8634051a1d01000000');
  assert.equal(toHex(session.sign(ascii('Hello'))), '0100000007640c301cd776f002000000');
});

// ntlm-test-vectors.md 7.4 (derived): server-to-client wrap of "test res" with SeqNum 0.
test('Server-to-client seal of "test res"', () => {
  const server = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'server');
  const { signature, sealed } = server.seal(ascii('test res'));
  assert.equal(toHex(signature), '01000000f87046e1b6d702fc00000000');
  assert.equal(toHex(sealed), '326d6ec371c8789a');
});

test('Client and server sessions unseal each other in both directions, in sequence', () => {
  const client = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'client');
  const server = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'server');
  for (let i = 0; i < 5; i++) {
    const request = ascii(`request ${i} `.repeat(i + 1));
    const up = client.seal(request);
    assert.deepEqual(server.unseal(up.sealed, up.signature), request);
    const reply = ascii(`reply ${i}`);
    const down = server.seal(reply);
    assert.deepEqual(client.unseal(down.sealed, down.signature), reply);
    const signed = ascii(`signed ${i}`);
    server.verify(signed, client.sign(signed));
  }
});

test('The documented server reply unseals on the client', () => {
  const client = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'client');
  const plaintext = client.unseal(hex('326d6ec371c8789a'), hex('01000000f87046e1b6d702fc00000000'));
  assert.equal(Buffer.from(plaintext).toString('ascii'), 'test res');
});

test('A flipped bit in the ciphertext, checksum or sequence number is rejected', () => {
  const tamperings: [string, (m: { sealed: Uint8Array; signature: Uint8Array }) => void][] = [
    ['ciphertext', (m) => void (m.sealed[3]! ^= 0x01)],
    ['checksum', (m) => void (m.signature[6]! ^= 0x80)],
    ['sequence number', (m) => void (m.signature[12]! ^= 0x01)],
    ['version', (m) => void (m.signature[0]! ^= 0x02)],
  ];
  for (const [what, tamper] of tamperings) {
    const client = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'client');
    const server = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'server');
    const msg = client.seal(ascii('<s:Envelope/>'));
    tamper(msg);
    assert.throws(() => server.unseal(msg.sealed, msg.signature), NtlmSignatureError, what);
  }
});

test('Replayed and reordered messages are rejected; the session then refuses further use', () => {
  const client = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'client');
  const server = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'server');
  const first = client.seal(ascii('first'));
  assert.equal(Buffer.from(server.unseal(first.sealed, first.signature)).toString(), 'first');
  assert.throws(() => server.unseal(first.sealed, first.signature), (e: unknown) => e instanceof NtlmSignatureError && /sequence number 0 where 1/.test(e.message));
  assert.throws(() => server.unseal(first.sealed, first.signature), /unusable/);

  const c2 = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'client');
  const s2 = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'server');
  c2.seal(ascii('zero')); // lost or delayed
  const m1 = c2.seal(ascii('one'));
  assert.throws(() => s2.unseal(m1.sealed, m1.signature), (e: unknown) => e instanceof NtlmSignatureError && /sequence number 1 where 0/.test(e.message));
});

test('Signatures of the wrong size are rejected before any state changes', () => {
  const client = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'client');
  const server = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'server');
  const msg = client.seal(ascii('payload'));
  assert.throws(() => server.unseal(msg.sealed, msg.signature.subarray(0, 15)), NtlmSignatureError);
  assert.deepEqual(server.unseal(msg.sealed, msg.signature), ascii('payload'));
});

test('A signature from the wrong direction does not verify', () => {
  const client = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'client');
  const otherClient = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'client');
  const msg = client.seal(ascii('reflected'));
  assert.throws(() => otherClient.unseal(msg.sealed, msg.signature), NtlmSignatureError);
});

test('Session security without ESS, or with a bad key size, is refused', () => {
  assert.throws(() => createNtlmSession(RANDOM_SESSION_KEY, SPEC_FLAGS & ~NegotiateFlags.EXTENDED_SESSIONSECURITY, 'client'), NtlmError);
  assert.throws(() => createNtlmSession(RANDOM_SESSION_KEY.subarray(0, 8), SPEC_FLAGS, 'client'), NtlmError);
});

/**
 * An independent MS-NLMP 3.4 reference for the oracle below: RC4 written out again, the keystream
 * running on across messages, SEAL = data then checksum, signature = Version ‖ checksum ‖ SeqNum.
 */
function referenceSealer(direction: 'client-to-server' | 'server-to-client'): (message: Uint8Array) => { sealed: string; signature: string } {
  const s = Array.from({ length: 256 }, (_, i) => i);
  const key = sealingKey(RANDOM_SESSION_KEY, MIC_FLAGS, direction);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  let i = 0;
  let j = 0;
  const keystream = (data: Uint8Array): Uint8Array =>
    data.map((b) => {
      i = (i + 1) & 0xff;
      j = (j + s[i]!) & 0xff;
      [s[i], s[j]] = [s[j]!, s[i]!];
      return b ^ s[(s[i]! + s[j]!) & 0xff]!;
    });
  let seqNum = 0;
  return (message) => {
    const seqLe = Buffer.alloc(4);
    seqLe.writeUInt32LE(seqNum++);
    const sealed = keystream(message);
    const checksum = keystream(createHmac('md5', signingKey(RANDOM_SESSION_KEY, direction)).update(seqLe).update(message).digest().subarray(0, 8));
    return { sealed: toHex(sealed), signature: '01000000' + toHex(checksum) + seqLe.toString('hex') };
  };
}

test('Sealing matches the MS-NLMP 3.4 reference for messages of many sizes, copying or in place, Buffers or Uint8Arrays', () => {
  const client = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'client');
  const server = createNtlmSession(RANDOM_SESSION_KEY, MIC_FLAGS, 'server');
  const reference = referenceSealer('client-to-server');
  const sizes = [0, 1, 8, 15, 16, 63, 64, 65, 127, 1400, 3563, 16_383, 16_384, 16_385, 70_000, 2];
  sizes.forEach((size, n) => {
    const plain = Uint8Array.from({ length: size }, (_, k) => (k * 31 + n) & 0xff);
    const expected = reference(plain);
    const input = n % 2 === 0 ? Buffer.from(plain) : plain.slice();
    if (n % 3 === 0) {
      const { sealed, signature } = client.seal(input);
      assert.deepEqual({ sealed: toHex(sealed), signature: toHex(signature) }, expected, `seal, ${size} bytes`);
      assert.deepEqual(input, n % 2 === 0 ? Buffer.from(plain) : plain, 'seal() leaves its input as it was');
    } else {
      const signature = client.inPlace!.seal(input);
      assert.deepEqual({ sealed: toHex(input), signature: toHex(signature) }, expected, `inPlace.seal, ${size} bytes`);
    }
    // The receiver: into a separate buffer (the input stays sealed) or in place.
    const sealedBytes = hex(expected.sealed);
    if (n % 2 === 0) {
      const out = new Uint8Array(size);
      const body = Buffer.from(sealedBytes);
      assert.equal(server.inPlace!.unseal(body, hex(expected.signature), out), out);
      assert.deepEqual(out, plain, `unseal into out, ${size} bytes`);
      assert.equal(toHex(body), expected.sealed, 'unseal into out leaves the sealed bytes alone');
    } else {
      assert.deepEqual(server.inPlace!.unseal(sealedBytes, hex(expected.signature)), plain, `unseal in place, ${size} bytes`);
    }
  });
});
