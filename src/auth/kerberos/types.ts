/**
 * Plain data shapes shared by the Kerberos modules (messages, KDC client, GSS, ccache/keytab readers,
 * krb5.conf and KDC location). No behaviour here: every module may import this file without cycles.
 * Binary values are Buffers; times are Dates (KerberosTime has whole seconds, RFC 4120 5.2.3).
 */

/** Encryption types we implement (RFC 3961 8, RFC 3962, RFC 8009, RFC 4757). */
export const EncType = {
  AES128_CTS_HMAC_SHA1_96: 17,
  AES256_CTS_HMAC_SHA1_96: 18,
  AES128_CTS_HMAC_SHA256_128: 19,
  AES256_CTS_HMAC_SHA384_192: 20,
  RC4_HMAC: 23,
} as const;
export type EncTypeNumber = (typeof EncType)[keyof typeof EncType];

/** Principal name types (RFC 4120 7.5.8; NT-ENTERPRISE RFC 6806). */
export const NameType = {
  UNKNOWN: 0,
  PRINCIPAL: 1,
  SRV_INST: 2,
  SRV_HST: 3,
  SRV_XHST: 4,
  UID: 5,
  ENTERPRISE: 10,
} as const;

/** A principal with its realm, e.g. `{nameType: 2, components: ['HTTP', 'host.example.com'], realm: 'EXAMPLE.COM'}`. */
export interface Principal {
  readonly nameType: number;
  readonly components: readonly string[];
  readonly realm: string;
}

/** A key of a given enctype (RFC 4120 EncryptionKey: keytype, keyvalue). */
export interface EncryptionKey {
  readonly etype: number;
  readonly value: Buffer;
}

/** RFC 4120 EncryptedData. */
export interface EncryptedData {
  readonly etype: number;
  readonly kvno?: number;
  readonly cipher: Buffer;
}

/** RFC 4120 Ticket ([APPLICATION 1]); `sname` carries the ticket's realm. */
export interface Ticket {
  readonly sname: Principal;
  readonly encPart: EncryptedData;
}

/**
 * A ticket a client holds: what the KDC returned in the (decrypted) KDC-REP, in the form a credential
 * cache stores it (krb5 ccache "credential"). `ticket` is the DER of the Ticket (first octet 0x61).
 * `flags` is the TicketFlags BIT STRING as a 32-bit integer, bit n = 0x80000000 >>> n (RFC 4120 5.2.8).
 */
export interface KerberosCredential {
  readonly client: Principal;
  readonly server: Principal;
  readonly key: EncryptionKey;
  readonly authTime: Date;
  readonly startTime?: Date;
  readonly endTime: Date;
  readonly renewTill?: Date;
  readonly flags: number;
  readonly ticket: Buffer;
}

/** One long-term key of a principal (a keytab entry; also what the in-memory KDC stores). */
export interface KeytabEntry {
  readonly principal: Principal;
  readonly kvno: number;
  readonly key: EncryptionKey;
  readonly timestamp?: Date;
}

/** Where a KDC listens; `transport` absent means try per preference (UDP for small, TCP otherwise). */
export interface KdcAddress {
  readonly host: string;
  readonly port: number;
  readonly transport?: 'tcp' | 'udp';
}

/** TicketFlags / KDCOptions bit n as an integer (RFC 4120 5.2.8: bit 0 is the MSB of the first octet). */
export function kerberosFlag(bit: number): number {
  return (0x80000000 >>> bit) >>> 0;
}

/** Principal as text, `a/b@REALM`, for messages and logs (no escaping of '/' or '@' inside components). */
export function principalToString(p: Principal): string {
  return `${p.components.join('/')}@${p.realm}`;
}
