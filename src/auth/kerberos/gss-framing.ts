/**
 * GSS-API krb5 mechanism framing (RFC 4121 4.1, RFC 2743 3.1): the initial context token
 * `60 len 06 09 <krb5 OID> TOK_ID <Kerberos message>`, and the authenticator checksum of type
 * 0x8003 that carries the channel-binding hash and the context flags (RFC 4121 4.1.1).
 */
import { channelBindingsHash } from '../ntlm/channel-binding.js';
import { Tag, decodeOuterHeader, encodeOid, readOid, tlv } from './der.js';
import { KerberosError } from './errors.js';

export const KRB5_OID = '1.2.840.113554.1.2.2';
/** Microsoft's mistaken encoding of the krb5 OID, which Windows also accepts and may answer with (MS-SPNG 3.2.5). */
export const MS_KRB5_OID = '1.2.840.48018.1.2.2';

export const TokenId = {
  AP_REQ: 0x0100,
  AP_REP: 0x0200,
  KRB_ERROR: 0x0300,
} as const;

/** GSS context flags as carried in the 0x8003 checksum (RFC 4121 4.1.1.1). */
export const GssFlags = {
  DELEG: 1,
  MUTUAL: 2,
  REPLAY: 4,
  SEQUENCE: 8,
  CONF: 16,
  INTEG: 32,
} as const;

export const GSS_CHECKSUM_TYPE = 0x8003;

const INITIAL_TOKEN_TAG = 0x60;

export function frameInitialToken(tokenId: number, message: Buffer): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(tokenId, 0);
  return tlv(INITIAL_TOKEN_TAG, Buffer.concat([encodeOid(KRB5_OID), id, message]));
}

/** Split a framed krb5 token into its TOK_ID and Kerberos message. Accepts both krb5 OIDs. */
export function unframeInitialToken(token: Uint8Array): { tokenId: number; message: Buffer } {
  const { oid, rest } = splitMechOid(token);
  if (oid !== KRB5_OID && oid !== MS_KRB5_OID) throw new KerberosError(`GSS token is for mechanism ${oid}, not Kerberos.`);
  if (rest.length < 2) throw new KerberosError('GSS token has no TOK_ID.');
  return { tokenId: rest.readUInt16BE(0), message: Buffer.from(rest.subarray(2)) };
}

/** The mechanism OID of a framed initial token (RFC 2743 3.1) and the octets after it. */
export function splitMechOid(token: Uint8Array): { oid: string; rest: Buffer } {
  // The body after the OID is not DER in general, so only the outer header and OID are parsed.
  const { tag, content: inner, length } = decodeOuterHeader(token);
  if (tag !== INITIAL_TOKEN_TAG) throw new KerberosError(`Not a GSS initial context token (first octet 0x${(token[0] ?? 0).toString(16)}).`);
  if (length !== token.length) throw new KerberosError('GSS token has trailing bytes after its framing.');
  const oidLen = inner[1];
  if (inner[0] !== Tag.OID || oidLen === undefined || oidLen > 0x7f || 2 + oidLen > inner.length) throw new KerberosError('GSS token framing has no mechanism OID.');
  const oid = readOid({ tag: Tag.OID, content: inner.subarray(2, 2 + oidLen), raw: inner.subarray(0, 2 + oidLen), children: [] }, 'GSS mech');
  return { oid, rest: inner.subarray(2 + oidLen) };
}

/**
 * Bnd: MD5 of the RFC 2744 channel-bindings struct with empty addresses and the given application
 * data (for HTTPS, "tls-server-end-point:" ‖ certificate hash); 16 zero bytes without bindings.
 */
export function channelBindingHash(applicationData: Uint8Array | undefined): Buffer {
  return applicationData === undefined ? Buffer.alloc(16) : Buffer.from(channelBindingsHash(applicationData));
}

/** DlgOpt value when Deleg holds a KRB-CRED (RFC 4121 4.1.1). */
const DLG_OPT_KRB_CRED = 1;

/**
 * The 0x8003 checksum value: Lgth ‖ Bnd ‖ Flags, then with `deleg` (a KRB-CRED) DlgOpt = 1 ‖
 * Dlgth ‖ Deleg and the DELEG flag set (RFC 4121 4.1.1).
 */
export function encodeGssChecksum(bnd: Uint8Array, flags: number, deleg?: Uint8Array): Buffer {
  const out = Buffer.alloc(24);
  out.writeUInt32LE(16, 0);
  Buffer.from(bnd).copy(out, 4);
  if (deleg === undefined) {
    out.writeUInt32LE((flags & ~GssFlags.DELEG) >>> 0, 20);
    return out;
  }
  if (deleg.length > 0xffff) throw new KerberosError(`The delegated credential is ${deleg.length} bytes; the GSS checksum carries at most 65535.`);
  out.writeUInt32LE((flags | GssFlags.DELEG) >>> 0, 20);
  const dlg = Buffer.alloc(4);
  dlg.writeUInt16LE(DLG_OPT_KRB_CRED, 0);
  dlg.writeUInt16LE(deleg.length, 2);
  return Buffer.concat([out, dlg, deleg]);
}

export function decodeGssChecksum(value: Uint8Array): { bnd: Buffer; flags: number; deleg?: Buffer } {
  const v = Buffer.from(value);
  if (v.length < 24) throw new KerberosError(`GSS authenticator checksum is ${v.length} bytes, at least 24 expected.`);
  if (v.readUInt32LE(0) !== 16) throw new KerberosError('GSS authenticator checksum has a channel-binding length other than 16.');
  const flags = v.readUInt32LE(20);
  if ((flags & GssFlags.DELEG) === 0) return { bnd: v.subarray(4, 20), flags };
  if (v.length < 28 || 28 + v.readUInt16LE(26) > v.length) throw new KerberosError('GSS authenticator checksum has a truncated delegation field.');
  if (v.readUInt16LE(24) !== DLG_OPT_KRB_CRED) throw new KerberosError(`GSS authenticator checksum has DlgOpt ${v.readUInt16LE(24)}, expected 1 (KRB-CRED).`);
  return { bnd: v.subarray(4, 20), flags, deleg: v.subarray(28, 28 + v.readUInt16LE(26)) };
}
