/**
 * A small X.509 v3 certificate writer (RFC 5280) on node:crypto keys and signatures, so the emulated
 * host can make its test certificates without the openssl command. It writes only what a TLS server
 * certificate and its CA need: a CN-only name, validity, basicConstraints, keyUsage, extKeyUsage,
 * subjectAltName and key identifiers. Signature algorithms: RSA PKCS#1 v1.5 and RSASSA-PSS, ECDSA,
 * Ed25519 (the ones RFC 5929 4.1 tells apart for channel binding).
 */
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import * as der from '../asn1/der.js';

// --- DER (X.690), from the project's one codec --------------------------------------------------

const seq = der.encodeSequence;
const explicit = (n: number, inner: Uint8Array): Buffer => der.encodeContext(n, inner);
const oid = der.encodeOid;
const NULL = der.DER_NULL;
const TRUE = der.encodeBoolean(true);

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5). */
const time = (d: Date): Buffer => (d.getUTCFullYear() < 2050 ? der.encodeUtcTime(d) : der.encodeGeneralizedTime(d));

const commonName = (cn: string): Buffer => seq(der.encodeSet(seq(oid('2.5.4.3'), der.encodeUtf8String(cn))));

// --- algorithms (RFC 3279, RFC 4055, RFC 5758, RFC 8410) ------------------------------------

export type CertificateHash = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';

const RSA_PKCS1: Readonly<Record<CertificateHash, string>> = {
  md5: '1.2.840.113549.1.1.4',
  sha1: '1.2.840.113549.1.1.5',
  sha256: '1.2.840.113549.1.1.11',
  sha384: '1.2.840.113549.1.1.12',
  sha512: '1.2.840.113549.1.1.13',
};
const ECDSA: Readonly<Partial<Record<CertificateHash, string>>> = {
  sha1: '1.2.840.10045.4.1',
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
};
const DIGEST: Readonly<Partial<Record<CertificateHash, { oid: string; length: number }>>> = {
  sha1: { oid: '1.3.14.3.2.26', length: 20 },
  sha256: { oid: '2.16.840.1.101.3.4.2.1', length: 32 },
  sha384: { oid: '2.16.840.1.101.3.4.2.2', length: 48 },
  sha512: { oid: '2.16.840.1.101.3.4.2.3', length: 64 },
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const MGF1 = '1.2.840.113549.1.1.8';
const ED25519 = '1.3.101.112';

interface Signer {
  readonly algorithm: Buffer;
  sign(data: Buffer): Buffer;
}

function signerFor(key: KeyObject, hash: CertificateHash, pss: boolean): Signer {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return { algorithm: seq(oid(ED25519)), sign: (d) => sign(null, d, key) };
  if (type === 'ec') {
    const alg = ECDSA[hash];
    if (alg === undefined) throw new RangeError(`ECDSA with ${hash} is not supported.`);
    return { algorithm: seq(oid(alg)), sign: (d) => sign(hash, d, { key, dsaEncoding: 'der' }) };
  }
  if (type === 'rsa' && pss) {
    const digest = DIGEST[hash];
    if (digest === undefined) throw new RangeError(`RSASSA-PSS with ${hash} is not supported.`);
    const hashAlg = seq(oid(digest.oid), NULL);
    const params = seq(explicit(0, hashAlg), explicit(1, seq(oid(MGF1), hashAlg)), explicit(2, der.encodeUnsignedInteger(Buffer.from([digest.length]))));
    return { algorithm: seq(oid(RSASSA_PSS), params), sign: (d) => sign(hash, d, { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: digest.length }) };
  }
  if (type === 'rsa') return { algorithm: seq(oid(RSA_PKCS1[hash]), NULL), sign: (d) => sign(hash, d, key) };
  throw new RangeError(`Keys of type ${String(type)} are not supported for signing certificates.`);
}

// --- extensions (RFC 5280 4.2) -------------------------------------------------------------------

const extension = (id: string, critical: boolean, value: Buffer): Buffer => seq(oid(id), ...(critical ? [TRUE] : []), der.encodeOctetString(value));

/** Key identifier: SHA-1 of the whole SubjectPublicKeyInfo (any unique value will do, RFC 5280 4.2.1.2). */
function keyIdentifier(spki: Buffer): Buffer {
  return createHash('sha1').update(spki).digest();
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = ip.includes('::') ? groups(tail) : [];
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(all.map((g) => Buffer.from(g.padStart(4, '0'), 'hex')));
}

/** Microsoft's UPN otherName (the name WinRM maps client certificates by). */
const UPN_OID = '1.3.6.1.4.1.311.20.2.3';

/** subjectAltName entries: `DNS:name`, `IP:address` (IPv4 or IPv6) or `UPN:user@host` (otherName). */
function altName(entry: string): Buffer {
  const m = /^(DNS|IP|UPN):(.+)$/.exec(entry);
  if (!m) throw new RangeError(`Unsupported subjectAltName entry "${entry}": use DNS:name, IP:address or UPN:user@host.`);
  if (m[1] === 'DNS') return der.tlv(0x82, Buffer.from(m[2]!, 'ascii'));
  // otherName [0] { type-id, [0] EXPLICIT UTF8String } (RFC 5280 4.2.1.6).
  if (m[1] === 'UPN') return der.tlv(0xa0, Buffer.concat([oid(UPN_OID), explicit(0, der.encodeUtf8String(m[2]!))]));
  if (isIP(m[2]!) === 0) throw new RangeError(`"${m[2]}" is not an IP address.`);
  return der.tlv(0x87, ipBytes(m[2]!));
}

// --- the certificate ------------------------------------------------------------------------------

export interface CertificateSpec {
  readonly subject: string;
  /** Issuer CN; the subject for a self-signed certificate. */
  readonly issuer?: string;
  readonly publicKey: KeyObject;
  /** The issuer's private key (the subject's own for a self-signed certificate). */
  readonly signingKey: KeyObject;
  /** The issuer's public key, for the authorityKeyIdentifier; default publicKey (self-signed). */
  readonly issuerPublicKey?: KeyObject;
  /** Signature hash; default sha256 (ignored for Ed25519). */
  readonly hash?: CertificateHash;
  /** Sign with RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys only). */
  readonly pss?: boolean;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** A CA (basicConstraints CA:TRUE, keyCertSign) or a TLS server certificate (serverAuth). */
  readonly ca: boolean;
  /** subjectAltName entries, `DNS:name` / `IP:address` / `UPN:user@host`. */
  readonly altNames?: readonly string[];
  /** keyUsage bits (RFC 5280 4.2.1.3); default by role; null leaves the extension out. */
  readonly keyUsage?: readonly number[] | null;
  /** extendedKeyUsage OIDs; default serverAuth for a non-CA; null leaves the extension out. */
  readonly extKeyUsage?: readonly string[] | null;
}

export const EKU = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' } as const;

/** The certificate, DER-encoded. */
export function writeCertificate(spec: CertificateSpec): Buffer {
  const signer = signerFor(spec.signingKey, spec.hash ?? 'sha256', spec.pss === true);
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const issuerSpki = (spec.issuerPublicKey ?? spec.publicKey).export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  serial[0]! |= 0x40; // positive and 16 bytes long
  const eku = spec.extKeyUsage === undefined ? (spec.ca ? [] : [EKU.serverAuth]) : (spec.extKeyUsage ?? []);
  const extensions = [
    extension('2.5.29.19', true, spec.ca ? seq(TRUE) : seq()),
    // keyCertSign(5) + cRLSign(6) for the CA; digitalSignature(0) + keyEncipherment(2) for the server (RFC 5280 4.2.1.3).
    ...(spec.keyUsage === null ? [] : [extension('2.5.29.15', true, der.encodeNamedBits(spec.keyUsage ?? (spec.ca ? [5, 6] : spec.publicKey.asymmetricKeyType === 'rsa' ? [0, 2] : [0])))]),
    extension('2.5.29.14', false, der.encodeOctetString(keyIdentifier(spki))),
    ...(spec.issuer !== undefined ? [extension('2.5.29.35', false, seq(der.tlv(0x80, keyIdentifier(issuerSpki))))] : []),
    ...(eku.length > 0 ? [extension('2.5.29.37', false, seq(...eku.map(oid)))] : []),
    ...(spec.altNames?.length ? [extension('2.5.29.17', false, seq(...spec.altNames.map(altName)))] : []),
  ];
  const tbs = seq(
    explicit(0, der.encodeUnsignedInteger(Buffer.from([2]))), // v3
    der.encodeUnsignedInteger(serial),
    signer.algorithm,
    commonName(spec.issuer ?? spec.subject),
    seq(time(spec.notBefore), time(spec.notAfter)),
    commonName(spec.subject),
    spki,
    explicit(3, seq(...extensions)),
  );
  return seq(tbs, signer.algorithm, der.encodeBitString(signer.sign(tbs)));
}

/** PEM armour (RFC 7468) for DER bytes. */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
