import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { NtlmError } from '../src/errors.js';
import {
  channelBindingApplicationData,
  channelBindingsHash,
  gssChannelBindingsStruct,
  tlsServerEndPointHash,
  tlsServerEndPointHashAlgorithm,
} from '../src/auth/ntlm/channel-binding.js';
import type { CertificateHash } from '../src/x509/writer.js';
import { selfSignedDer, type TestKeyType } from './helpers/certs.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const APP_DATA = new Uint8Array([
  ...Buffer.from('tls-server-end-point:', 'ascii'),
  ...hex('E3CA49271E5089CC48CE82109F1324F41DBEDDC29A777410C738F7868C4FF405'),
]);

// RFC 2744 3.11 gss_channel_bindings_struct as flattened by pyspnego/rubyntlm; value from the
// ntlm-auth test_ntlm_context_with_mic AUTHENTICATE (protocol-facts.md section 8).
test('gss_channel_bindings_struct for tls-server-end-point is 73 bytes and hashes to the documented MD5', () => {
  const struct = gssChannelBindingsStruct(APP_DATA);
  assert.equal(struct.length, 73);
  assert.equal(
    toHex(struct),
    '0000000000000000000000000000000035000000746c732d7365727665722d656e642d706f696e743ae3ca49271e5089cc48ce82109f1324f41dbeddc29a777410c738f7868c4ff405',
  );
  assert.equal(toHex(channelBindingsHash(APP_DATA)), '6ea19df066da4622051f9c4f92c6df74');
});

// pyspnego tests/test_channel_bindings.py: an empty GssChannelBindings packs to 20 zero bytes.
test('An empty gss_channel_bindings_struct is 20 zero bytes', () => {
  assert.deepEqual(gssChannelBindingsStruct(new Uint8Array(0)), new Uint8Array(20));
});

// RFC 5929 4.1 (https://www.rfc-editor.org/rfc/rfc5929#section-4.1): hash with the certificate's
// signature hash, but SHA-256 if that is MD5 or SHA-1. The certificates are made in process
// (helpers/certs.ts) and checked by node's X.509 parser; the expected digest is the hash of the DER
// bytes, which is what `openssl x509 -fingerprint` prints.
const CASES: [name: string, key: TestKeyType, hash: CertificateHash, pss: boolean, expectedHash: string][] = [
  ['rsa-md5', 'rsa', 'md5', false, 'sha256'],
  ['rsa-sha1', 'rsa', 'sha1', false, 'sha256'],
  ['rsa-sha256', 'rsa', 'sha256', false, 'sha256'],
  ['rsa-sha384', 'rsa', 'sha384', false, 'sha384'],
  ['rsa-sha512', 'rsa', 'sha512', false, 'sha512'],
  ['ecdsa-sha1', 'ec', 'sha1', false, 'sha256'],
  ['ecdsa-sha256', 'ec', 'sha256', false, 'sha256'],
  ['ecdsa-sha384', 'ec', 'sha384', false, 'sha384'],
  ['ecdsa-sha512', 'ec', 'sha512', false, 'sha512'],
  ['rsa-pss-sha384', 'rsa', 'sha384', true, 'sha384'],
];

for (const [name, key, hash, pss, expectedHash] of CASES) {
  test(`RFC 5929 4.1: ${name} certificate is hashed with ${expectedHash}`, () => {
    const der = selfSignedDer(name, key, hash, pss);
    assert.equal(tlsServerEndPointHashAlgorithm(der), expectedHash);
    const expected = createHash(expectedHash).update(der).digest('hex');
    assert.equal(toHex(tlsServerEndPointHash(der)), expected);
    const appData = channelBindingApplicationData(der);
    assert.equal(Buffer.from(appData.subarray(0, 21)).toString('ascii'), 'tls-server-end-point:');
    assert.equal(toHex(appData.subarray(21)), expected);
  });
}

test('A PEM certificate gives the same binding as its DER form', () => {
  const der = selfSignedDer('pem-check', 'rsa', 'sha384');
  const pem = new X509Certificate(der).toString();
  assert.match(pem, /^-----BEGIN CERTIFICATE-----/);
  assert.deepEqual(tlsServerEndPointHash(new Uint8Array(Buffer.from(pem))), tlsServerEndPointHash(der));
});

test('Ed25519 certificates have no defined tls-server-end-point binding', () => {
  const der = selfSignedDer('ed25519', 'ed25519');
  assert.throws(() => tlsServerEndPointHash(der), (e: unknown) => e instanceof NtlmError && /1\.3\.101\.112/.test(e.message));
});

test('Bytes that are not a certificate are refused with NtlmError', () => {
  assert.throws(() => tlsServerEndPointHash(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])), NtlmError);
  assert.throws(() => tlsServerEndPointHash(new Uint8Array(0)), NtlmError);
});
