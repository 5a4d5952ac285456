/**
 * DER as Kerberos, GSS-API and SPNEGO use it: the project's one codec (src/asn1/der.ts) with its
 * failures re-typed as KerberosError (a malformed KDC reply or token is a Kerberos protocol failure:
 * ERR_KERBEROS), INTEGERs kept to Int32/UInt32 (RFC 4120 5.2.4), and Kerberos' names for its
 * string, time and flag types.
 */
import * as der from '../../asn1/der.js';
import { KerberosError } from './errors.js';

export {
  DEFAULT_DER_LIMITS,
  Tag,
  applicationTag,
  contextTag,
  encodeApplication,
  encodeContext,
  encodeEnumerated,
  encodeOctetString,
  encodeSequence,
  tlv,
  type DerLimits,
  type DerNode,
} from '../../asn1/der.js';

/** `f` with DerError re-thrown as KerberosError (same message, the original as cause). */
function kerberos<A extends unknown[], R>(f: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    try {
      return f(...args);
    } catch (err) {
      if (err instanceof der.DerError) throw new KerberosError(err.message, { cause: err });
      throw err;
    }
  };
}

export const decodeDer = kerberos(der.decodeDer);
export const decodeDerPrefix = kerberos(der.decodeDerPrefix);
export const decodeOuterHeader = kerberos(der.decodeOuterHeader);
export const expectTag = kerberos(der.expectTag);
export const unwrap = kerberos(der.unwrap);
export const sequenceFields = kerberos(der.sequenceFields);
export const required = kerberos(der.required);
export const readInteger = kerberos(der.readInteger);
export const readEnumerated = kerberos(der.readEnumerated);
export const readOctetString = kerberos(der.readOctetString);
export const readOid = kerberos(der.readOid);
export const readSequenceOf = kerberos(der.readSequenceOf);
/** KerberosString: GeneralString, read as UTF-8 (RFC 4120 5.2.1). */
export const readKerberosString = kerberos(der.readGeneralString);
/** KerberosTime: GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 4120 5.2.3). */
export const readKerberosTime = kerberos(der.readGeneralizedTime);
/** KerberosFlags: a BIT STRING read as a 32-bit integer, bit 0 = MSB (RFC 4120 5.2.8). */
export const readFlags = kerberos(der.readBitFlags);
export const encodeOid = kerberos(der.encodeOid);

/** Kerberos INTEGERs are Int32 or UInt32 (RFC 4120 5.2.4). */
export function encodeInteger(value: number): Buffer {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) throw new KerberosError(`Cannot encode ${value} as a Kerberos INTEGER.`);
  return der.encodeInteger(value);
}

export const encodeKerberosString = der.encodeGeneralString;
export const encodeKerberosTime = der.encodeGeneralizedTime;

/** 32-bit KerberosFlags: always 32 bits, no unused bits (RFC 4120 5.2.8). */
export function encodeFlags(value: number): Buffer {
  const bits = Buffer.alloc(4);
  bits.writeUInt32BE(value >>> 0, 0);
  return der.encodeBitString(bits);
}
