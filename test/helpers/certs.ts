/**
 * Certificates for tests, made in process (no openssl command): self-signed certificates of a chosen
 * key type and signature algorithm, written by src/emulator/x509.ts and checked by Node's own X.509
 * parser (OpenSSL inside node) before a test gets them, so a test never runs on a malformed one.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { writeCertificate, type CertificateHash } from '../../src/x509/writer.js';

export type TestKeyType = 'rsa' | 'ec' | 'ed25519';

const keys = new Map<TestKeyType, { publicKey: KeyObject; privateKey: KeyObject }>();

/** One key pair per type for the whole test file (RSA keys are slow to make). */
export function testKey(type: TestKeyType): { publicKey: KeyObject; privateKey: KeyObject } {
  let k = keys.get(type);
  if (!k) {
    k = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    keys.set(type, k);
  }
  return k;
}

/** A self-signed certificate, DER; its signature verified by node's X509Certificate. */
export function selfSignedDer(name: string, keyType: TestKeyType, hash?: CertificateHash, pss = false): Uint8Array {
  const { publicKey, privateKey } = testKey(keyType);
  const now = Date.now();
  const der = writeCertificate({
    subject: `${name}.test`,
    publicKey,
    signingKey: privateKey,
    ...(hash !== undefined ? { hash } : {}),
    pss,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 2 * 86_400_000),
    ca: false,
    altNames: [`DNS:${name}.test`],
  });
  const parsed = new X509Certificate(der);
  assert.equal(parsed.subject, `CN=${name}.test`);
  assert.ok(parsed.verify(publicKey), `${name}: the signature verifies`);
  return new Uint8Array(der);
}
