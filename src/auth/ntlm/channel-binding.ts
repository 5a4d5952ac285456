/**
 * Channel binding for NTLM over HTTPS (Extended Protection): the RFC 5929 "tls-server-end-point"
 * binding of the server certificate, wrapped in a gss_channel_bindings_struct (RFC 2744 3.11) whose
 * MD5 goes into MsvAvChannelBindings (MS-NLMP 2.2.2.1, 3.1.5.1.2).
 */
import { X509Certificate, createHash } from 'node:crypto';
import { NtlmError } from '../../errors.js';
import { ascii, concatBytes, uint32le } from './bytes.js';
import { md5 } from './ntlmv2.js';

/** RFC 5929 section 4 channel binding type prefix of the application data. */
export const TLS_SERVER_END_POINT_PREFIX = 'tls-server-end-point:';

export type TlsServerEndPointHashName = 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'sha3-224' | 'sha3-256' | 'sha3-384' | 'sha3-512';

// RFC 5929 4.1: hash with the certificate signature's own hash, except MD5 and SHA-1 become SHA-256.
const SIGNATURE_ALGORITHM_HASH: Readonly<Record<string, TlsServerEndPointHashName>> = {
  '1.2.840.113549.1.1.2': 'sha256', // md2WithRSAEncryption
  '1.2.840.113549.1.1.4': 'sha256', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha256', // sha1WithRSAEncryption
  '1.3.14.3.2.29': 'sha256', // sha1WithRSASignature (OIW)
  '1.2.840.113549.1.1.14': 'sha224', // sha224WithRSAEncryption
  '1.2.840.113549.1.1.11': 'sha256', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'sha384', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13': 'sha512', // sha512WithRSAEncryption
  '1.2.840.10045.4.1': 'sha256', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224', // ecdsa-with-SHA224
  '1.2.840.10045.4.3.2': 'sha256', // ecdsa-with-SHA256
  '1.2.840.10045.4.3.3': 'sha384', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4': 'sha512', // ecdsa-with-SHA512
  '1.2.840.10040.4.3': 'sha256', // dsa-with-sha1
  '2.16.840.1.101.3.4.3.1': 'sha224', // dsa-with-sha224
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-sha256
  '2.16.840.1.101.3.4.3.3': 'sha384', // dsa-with-sha384 (RFC 5758 3.1 / NIST CSOR)
  '2.16.840.1.101.3.4.3.4': 'sha512', // dsa-with-sha512
  '2.16.840.1.101.3.4.3.9': 'sha3-224', // ecdsa-with-sha3-224 (NIST CSOR sigAlgs)
  '2.16.840.1.101.3.4.3.10': 'sha3-256', // ecdsa-with-sha3-256
  '2.16.840.1.101.3.4.3.11': 'sha3-384', // ecdsa-with-sha3-384
  '2.16.840.1.101.3.4.3.12': 'sha3-512', // ecdsa-with-sha3-512
  '2.16.840.1.101.3.4.3.13': 'sha3-224', // id-rsassa-pkcs1-v1_5-with-sha3-224
  '2.16.840.1.101.3.4.3.14': 'sha3-256', // id-rsassa-pkcs1-v1_5-with-sha3-256
  '2.16.840.1.101.3.4.3.15': 'sha3-384', // id-rsassa-pkcs1-v1_5-with-sha3-384
  '2.16.840.1.101.3.4.3.16': 'sha3-512', // id-rsassa-pkcs1-v1_5-with-sha3-512
};

/**
 * Signature algorithms that use no separate hash function: RFC 5929 4.1 says the binding is
 * "undefined at this time" for them, so none is computed (guessing a hash would make a strict
 * host refuse, or worse, agree by accident with one implementation's guess).
 */
const NO_HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.3.101.112': 'Ed25519', // RFC 8410 3
  '1.3.101.113': 'Ed448', // RFC 8410 3
};

// Digest OIDs, for RSASSA-PSS whose hash sits in the algorithm parameters (RFC 4055 3.1).
const DIGEST_HASH: Readonly<Record<string, TlsServerEndPointHashName>> = {
  '1.3.14.3.2.26': 'sha256', // SHA-1, upgraded per RFC 5929 4.1
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.7': 'sha3-224',
  '2.16.840.1.101.3.4.2.8': 'sha3-256',
  '2.16.840.1.101.3.4.2.9': 'sha3-384',
  '2.16.840.1.101.3.4.2.10': 'sha3-512',
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const PSS_DEFAULT_HASH: TlsServerEndPointHashName = 'sha256'; // PSS default hash is SHA-1, which 4.1 upgrades

// ---------------------------------------------------------------------------------------------
// Just enough DER to reach Certificate.signatureAlgorithm (RFC 5280 4.1.1.2); node's
// X509Certificate validates the certificate but does not expose that field on Node 20.

interface Tlv {
  readonly tag: number;
  readonly content: Uint8Array;
  readonly end: number;
}

function readTlv(der: Uint8Array, at: number): Tlv {
  const tag = der[at];
  let lenByte = der[at + 1];
  if (tag === undefined || lenByte === undefined) throw new NtlmError('Truncated DER in certificate.');
  let pos = at + 2;
  let length = lenByte;
  if (lenByte & 0x80) {
    const count = lenByte & 0x7f;
    if (count === 0 || count > 4) throw new NtlmError('Unsupported DER length encoding in certificate.');
    length = 0;
    for (let i = 0; i < count; i++) {
      lenByte = der[pos++];
      if (lenByte === undefined) throw new NtlmError('Truncated DER in certificate.');
      length = length * 256 + lenByte;
    }
  }
  if (pos + length > der.length) throw new NtlmError('Truncated DER in certificate.');
  return { tag, content: der.subarray(pos, pos + length), end: pos + length };
}

const TAG_SEQUENCE = 0x30;
const TAG_OID = 0x06;
const TAG_CONTEXT_0 = 0xa0;

function children(content: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < content.length; ) {
    const tlv = readTlv(content, at);
    out.push(tlv);
    at = tlv.end;
  }
  return out;
}

function decodeOid(content: Uint8Array): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

interface AlgorithmIdentifier {
  readonly oid: string;
  readonly params: readonly Tlv[];
}

function algorithmIdentifier(tlv: Tlv | undefined): AlgorithmIdentifier {
  if (tlv?.tag !== TAG_SEQUENCE) throw new NtlmError('Certificate has no signatureAlgorithm.');
  const [oid, ...params] = children(tlv.content);
  if (oid?.tag !== TAG_OID) throw new NtlmError('Certificate signatureAlgorithm has no OID.');
  return { oid: decodeOid(oid.content), params };
}

/** The signatureAlgorithm OID of a DER certificate (and its parameters). */
function signatureAlgorithm(certDer: Uint8Array): AlgorithmIdentifier {
  const cert = readTlv(certDer, 0);
  if (cert.tag !== TAG_SEQUENCE) throw new NtlmError('Certificate is not a DER SEQUENCE.');
  const [, sigAlg] = children(cert.content); // tbsCertificate, signatureAlgorithm, signatureValue
  return algorithmIdentifier(sigAlg);
}

function pssHash(params: readonly Tlv[]): TlsServerEndPointHashName {
  const seq = params[0];
  if (seq?.tag !== TAG_SEQUENCE) return PSS_DEFAULT_HASH;
  const hashParam = children(seq.content).find((t) => t.tag === TAG_CONTEXT_0);
  if (hashParam === undefined) return PSS_DEFAULT_HASH;
  const { oid } = algorithmIdentifier(children(hashParam.content)[0]);
  const hash = DIGEST_HASH[oid];
  if (hash === undefined) throw new NtlmError(`No tls-server-end-point channel binding is defined for RSASSA-PSS with digest ${oid}.`);
  return hash;
}

/** Parse with node (refuses anything that is not a certificate) and return its DER; PEM is accepted too. */
function certificateDer(cert: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(new X509Certificate(cert).raw);
  } catch (cause) {
    throw new NtlmError('Server certificate is not a valid X.509 certificate.', { cause });
  }
}

function hashAlgorithmOf(der: Uint8Array): TlsServerEndPointHashName {
  const { oid, params } = signatureAlgorithm(der);
  if (oid === RSASSA_PSS) return pssHash(params);
  const noHash = NO_HASH_ALGORITHMS[oid];
  if (noHash !== undefined) {
    throw new NtlmError(`The certificate is signed with ${noHash} (${oid}), which uses no separate hash function; RFC 5929 4.1 leaves tls-server-end-point channel binding undefined for it.`);
  }
  const hash = SIGNATURE_ALGORITHM_HASH[oid];
  if (hash === undefined) {
    throw new NtlmError(`The certificate's signature algorithm ${oid} is not one this client knows the hash of, so its tls-server-end-point channel binding (RFC 5929 4.1) cannot be computed.`);
  }
  return hash;
}

/**
 * Which hash RFC 5929 4.1 picks for this certificate. Throws NtlmError for algorithms with no single
 * hash (e.g. Ed25519), for which the binding is undefined.
 */
export function tlsServerEndPointHashAlgorithm(certDer: Uint8Array): TlsServerEndPointHashName {
  return hashAlgorithmOf(certificateDer(certDer));
}

/** RFC 5929 4.1 certificate hash of the server's leaf certificate (DER). */
export function tlsServerEndPointHash(certDer: Uint8Array): Uint8Array {
  const der = certificateDer(certDer);
  return new Uint8Array(createHash(hashAlgorithmOf(der)).update(der).digest());
}

/** Channel-binding application data: 'tls-server-end-point:' ‖ certificate hash. */
export function channelBindingApplicationData(certDer: Uint8Array): Uint8Array {
  return concatBytes(ascii(TLS_SERVER_END_POINT_PREFIX), tlsServerEndPointHash(certDer));
}

/**
 * gss_channel_bindings_struct flattened as Windows hashes it: initiator addrtype/address, acceptor
 * addrtype/address (all empty for TLS) and the application data, each length as uint32 LE.
 */
export function gssChannelBindingsStruct(applicationData: Uint8Array): Uint8Array {
  return concatBytes(
    uint32le(0), // initiator_addrtype
    uint32le(0), // initiator_address.length
    uint32le(0), // acceptor_addrtype
    uint32le(0), // acceptor_address.length
    uint32le(applicationData.length),
    applicationData,
  );
}

/** The MsvAvChannelBindings value: MD5(gss_channel_bindings_struct) (MS-NLMP 3.1.5.1.2). */
export function channelBindingsHash(applicationData: Uint8Array): Uint8Array {
  return md5(gssChannelBindingsStruct(applicationData));
}
