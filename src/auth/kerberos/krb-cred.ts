/**
 * KRB-CRED (RFC 4120 5.8): how a client hands a ticket and its session key to a service, here the
 * forwarded TGT of GSS delegation (RFC 4121 4.1.1: the Deleg field of the 0x8003 checksum). The
 * EncKrbCredPart is encrypted with the AP-REQ's ticket session key, key usage 14 (RFC 4120 7.5.1),
 * as Windows does; MIT's acceptor also tries the authenticator subkey and an unencrypted part.
 */
import { randomInt } from 'node:crypto';
import { enctypeProfile } from './crypto/index.js';
import {
  applicationTag,
  decodeDer,
  encodeApplication,
  encodeContext as ctx,
  encodeFlags,
  encodeInteger as int,
  encodeKerberosString as str,
  encodeKerberosTime as time,
  encodeSequence,
  readFlags,
  readInteger,
  readKerberosString,
  readKerberosTime,
  readSequenceOf,
  required,
  sequenceFields,
  unwrap,
  type DerNode,
} from './der.js';
import { KerberosError } from './errors.js';
import {
  Application,
  KeyUsage,
  MessageType,
  decodeEncryptedData,
  decodeEncryptionKey,
  decodePrincipalName,
  decodeTicket,
  encodeEncryptedData,
  encodeEncryptionKey,
  encodePrincipalName,
  kerberosTimeParts,
  type DecodedTicket,
} from './messages.js';
import type { EncryptedData, EncryptionKey, KerberosCredential, Principal } from './types.js';

/** KrbCredInfo: what the receiver needs to use one ticket (every field but the key is optional on the wire). */
export interface KrbCredInfo {
  readonly key: EncryptionKey;
  readonly client?: Principal;
  readonly flags?: number;
  readonly authTime?: Date;
  readonly startTime?: Date;
  readonly endTime?: Date;
  readonly renewTill?: Date;
  readonly server?: Principal;
}

export interface EncKrbCredPart {
  readonly ticketInfo: readonly KrbCredInfo[];
  readonly nonce?: number;
  readonly timestamp?: Date;
  readonly usec?: number;
}

export interface KrbCred {
  /** Ticket DERs, in the order of EncKrbCredPart.ticketInfo. */
  readonly tickets: readonly Buffer[];
  readonly encPart: EncryptedData;
}

export interface DecodedKrbCred extends KrbCred {
  readonly decodedTickets: readonly DecodedTicket[];
}

const opt = <T>(v: T | undefined, f: (v: T) => Buffer): Buffer | undefined => (v === undefined ? undefined : f(v));
const field = <T>(f: Map<number, DerNode>, n: number, read: (node: DerNode) => T): T | undefined => {
  const node = f.get(n);
  return node === undefined ? undefined : read(node);
};
/** A principal split over a name field and a realm field, as KrbCredInfo carries it. */
const principalAt = (f: Map<number, DerNode>, nameTag: number, realmTag: number, w: string): Principal | undefined => {
  const name = field(f, nameTag, (n) => decodePrincipalName(n, `${w}.name`));
  const realm = field(f, realmTag, (n) => readKerberosString(n, `${w}.realm`));
  return name === undefined ? undefined : { ...name, realm: realm ?? '' };
};

export function encodeKrbCred(c: KrbCred): Buffer {
  return encodeApplication(
    MessageType.KRB_CRED,
    encodeSequence(ctx(0, int(5)), ctx(1, int(MessageType.KRB_CRED)), ctx(2, encodeSequence(...c.tickets)), ctx(3, encodeEncryptedData(c.encPart))),
  );
}

export function decodeKrbCred(bytes: Uint8Array): DecodedKrbCred {
  const w = 'KRB-CRED';
  const f = sequenceFields(unwrap(decodeDer(bytes), applicationTag(MessageType.KRB_CRED), w), w);
  const pvno = readInteger(required(f, 0, w), `${w}.pvno`);
  const msgType = readInteger(required(f, 1, w), `${w}.msg-type`);
  if (pvno !== 5 || msgType !== MessageType.KRB_CRED) throw new KerberosError(`${w}: pvno ${pvno}, msg-type ${msgType}; expected 5 and 22.`);
  const decodedTickets = readSequenceOf(required(f, 2, w), `${w}.tickets`).map((n) => decodeTicket(n));
  return { tickets: decodedTickets.map((t) => t.raw), decodedTickets, encPart: decodeEncryptedData(required(f, 3, w), `${w}.enc-part`) };
}

function encodeKrbCredInfo(i: KrbCredInfo): Buffer {
  return encodeSequence(
    ctx(0, encodeEncryptionKey(i.key)),
    ctx(1, opt(i.client?.realm, str)),
    ctx(2, opt(i.client, encodePrincipalName)),
    ctx(3, opt(i.flags, encodeFlags)),
    ctx(4, opt(i.authTime, time)),
    ctx(5, opt(i.startTime, time)),
    ctx(6, opt(i.endTime, time)),
    ctx(7, opt(i.renewTill, time)),
    ctx(8, opt(i.server?.realm, str)),
    ctx(9, opt(i.server, encodePrincipalName)),
  );
}

function decodeKrbCredInfo(node: DerNode): KrbCredInfo {
  const w = 'KrbCredInfo';
  const f = sequenceFields(node, w);
  const client = principalAt(f, 2, 1, `${w}.pname`);
  const server = principalAt(f, 9, 8, `${w}.sname`);
  const flags = field(f, 3, (n) => readFlags(n, `${w}.flags`));
  const authTime = field(f, 4, (n) => readKerberosTime(n, `${w}.authtime`));
  const startTime = field(f, 5, (n) => readKerberosTime(n, `${w}.starttime`));
  const endTime = field(f, 6, (n) => readKerberosTime(n, `${w}.endtime`));
  const renewTill = field(f, 7, (n) => readKerberosTime(n, `${w}.renew-till`));
  return {
    key: decodeEncryptionKey(required(f, 0, w), `${w}.key`),
    ...(client === undefined ? {} : { client }),
    ...(flags === undefined ? {} : { flags }),
    ...(authTime === undefined ? {} : { authTime }),
    ...(startTime === undefined ? {} : { startTime }),
    ...(endTime === undefined ? {} : { endTime }),
    ...(renewTill === undefined ? {} : { renewTill }),
    ...(server === undefined ? {} : { server }),
  };
}

export function encodeEncKrbCredPart(e: EncKrbCredPart): Buffer {
  return encodeApplication(
    Application.ENC_KRB_CRED_PART,
    encodeSequence(ctx(0, encodeSequence(...e.ticketInfo.map(encodeKrbCredInfo))), ctx(1, opt(e.nonce, int)), ctx(2, opt(e.timestamp, time)), ctx(3, opt(e.usec, int))),
  );
}

export function decodeEncKrbCredPart(bytes: Uint8Array): EncKrbCredPart {
  const w = 'EncKrbCredPart';
  const f = sequenceFields(unwrap(decodeDer(bytes), applicationTag(Application.ENC_KRB_CRED_PART), w), w);
  const nonce = field(f, 1, (n) => readInteger(n, `${w}.nonce`) >>> 0);
  const timestamp = field(f, 2, (n) => readKerberosTime(n, `${w}.timestamp`));
  const usec = field(f, 3, (n) => readInteger(n, `${w}.usec`));
  return {
    ticketInfo: readSequenceOf(required(f, 0, w), `${w}.ticket-info`).map(decodeKrbCredInfo),
    ...(nonce === undefined ? {} : { nonce }),
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(usec === undefined ? {} : { usec }),
  };
}

/** A KRB-CRED carrying `credential` (e.g. a forwarded TGT), its part sealed with `key` (usage 14). */
export function makeKrbCred(credential: KerberosCredential, key: EncryptionKey, now: Date = new Date()): Buffer {
  const { time: timestamp, usec } = kerberosTimeParts(now);
  const part = encodeEncKrbCredPart({
    ticketInfo: [
      {
        key: credential.key,
        client: credential.client,
        flags: credential.flags,
        authTime: credential.authTime,
        ...(credential.startTime === undefined ? {} : { startTime: credential.startTime }),
        endTime: credential.endTime,
        ...(credential.renewTill === undefined ? {} : { renewTill: credential.renewTill }),
        server: credential.server,
      },
    ],
    nonce: randomInt(0, 0x7fffffff),
    timestamp,
    usec,
  });
  return encodeKrbCred({ tickets: [credential.ticket], encPart: { etype: key.etype, cipher: enctypeProfile(key.etype).encrypt(key, KeyUsage.KRB_CRED_ENCPART, part) } });
}

/**
 * Open a KRB-CRED with the first of `keys` its enctype fits (an integrity failure with one key
 * tries the next); etype 0 means the part travels unencrypted, as old MIT initiators send it.
 * Returns the credentials it carries, each with the ticket it names.
 */
export function openKrbCred(bytes: Uint8Array, keys: readonly EncryptionKey[]): KerberosCredential[] {
  const cred = decodeKrbCred(bytes);
  let plain: Buffer | undefined;
  if (cred.encPart.etype === 0) plain = cred.encPart.cipher;
  let lastError: unknown;
  for (const key of keys) {
    if (plain !== undefined || key.etype !== cred.encPart.etype) continue;
    try {
      plain = enctypeProfile(key.etype).decrypt(key, KeyUsage.KRB_CRED_ENCPART, cred.encPart.cipher);
    } catch (err) {
      lastError = err;
    }
  }
  if (plain === undefined) throw new KerberosError(`KRB-CRED (enctype ${cred.encPart.etype}) does not decrypt with the context's session key or subkey.`, lastError === undefined ? undefined : { cause: lastError });
  const part = decodeEncKrbCredPart(plain);
  if (part.ticketInfo.length !== cred.tickets.length) throw new KerberosError(`KRB-CRED carries ${cred.tickets.length} ticket(s) but describes ${part.ticketInfo.length}.`);
  return part.ticketInfo.map((info, i) => {
    const ticket = cred.decodedTickets[i]!;
    if (info.client === undefined) throw new KerberosError('KRB-CRED ticket info names no client principal.');
    return {
      client: info.client,
      server: info.server ?? ticket.sname,
      key: info.key,
      authTime: info.authTime ?? info.startTime ?? new Date(0),
      ...(info.startTime === undefined ? {} : { startTime: info.startTime }),
      endTime: info.endTime ?? new Date(0),
      ...(info.renewTill === undefined ? {} : { renewTill: info.renewTill }),
      flags: info.flags ?? 0,
      ticket: ticket.raw,
    };
  });
}
