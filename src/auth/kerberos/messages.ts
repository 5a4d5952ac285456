/**
 * RFC 4120 messages (section 5 and Appendix A): encode/decode pairs over the DER codec.
 * Names split as on the wire: a Principal's realm travels in the message's realm field.
 * Decoders keep the raw DER where a peer's exact bytes matter (ticket, req-body for checksums).
 */
import { randomInt } from 'node:crypto';
import {
  type DerNode,
  applicationTag,
  decodeDer,
  encodeApplication,
  encodeContext,
  encodeFlags,
  encodeInteger,
  encodeKerberosString,
  encodeKerberosTime,
  encodeOctetString,
  encodeSequence,
  readFlags,
  readInteger,
  readKerberosString,
  readKerberosTime,
  readOctetString,
  readSequenceOf,
  required,
  sequenceFields,
  tlv,
  unwrap,
} from './der.js';
import { KerberosError } from './errors.js';
import type { EncryptedData, EncryptionKey, Principal, Ticket } from './types.js';

export const MessageType = {
  AS_REQ: 10,
  AS_REP: 11,
  TGS_REQ: 12,
  TGS_REP: 13,
  AP_REQ: 14,
  AP_REP: 15,
  KRB_CRED: 22,
  KRB_ERROR: 30,
} as const;

/** [APPLICATION n] numbers of non-message structures (RFC 4120 App. A). */
export const Application = {
  TICKET: 1,
  AUTHENTICATOR: 2,
  ENC_TICKET_PART: 3,
  ENC_AS_REP_PART: 25,
  ENC_TGS_REP_PART: 26,
  ENC_AP_REP_PART: 27,
  ENC_KRB_CRED_PART: 29,
} as const;

/** Padata types (RFC 4120 7.5.2). */
export const PaDataType = {
  TGS_REQ: 1,
  ENC_TIMESTAMP: 2,
  PW_SALT: 3,
  ETYPE_INFO: 11,
  ETYPE_INFO2: 19,
  PAC_REQUEST: 128,
} as const;

/** Key usages (RFC 4120 7.5.1, RFC 4121 2). */
export const KeyUsage = {
  AS_REQ_PA_ENC_TIMESTAMP: 1,
  KDC_REP_TICKET: 2,
  AS_REP_ENCPART: 3,
  TGS_REQ_AUTHDATA_SESSKEY: 4,
  TGS_REQ_AUTHDATA_SUBKEY: 5,
  TGS_REQ_AUTH_CKSUM: 6,
  TGS_REQ_AUTH: 7,
  TGS_REP_ENCPART_SESSKEY: 8,
  TGS_REP_ENCPART_SUBKEY: 9,
  AP_REQ_AUTH_CKSUM: 10,
  AP_REQ_AUTH: 11,
  AP_REP_ENCPART: 12,
  KRB_CRED_ENCPART: 14,
  ACCEPTOR_SEAL: 22,
  ACCEPTOR_SIGN: 23,
  INITIATOR_SEAL: 24,
  INITIATOR_SIGN: 25,
} as const;

/** KDCOptions / TicketFlags / APOptions bits as 32-bit integers (RFC 4120 5.2.8, App. A). */
export const KdcOptions = {
  FORWARDABLE: 0x40000000,
  FORWARDED: 0x20000000,
  PROXIABLE: 0x10000000,
  RENEWABLE: 0x00800000,
  CANONICALIZE: 0x00010000,
  RENEWABLE_OK: 0x00000010,
  ENC_TKT_IN_SKEY: 0x00000008,
  RENEW: 0x00000002,
} as const;

export const TicketFlags = {
  FORWARDABLE: 0x40000000,
  FORWARDED: 0x20000000,
  PROXIABLE: 0x10000000,
  RENEWABLE: 0x00800000,
  INITIAL: 0x00400000,
  PRE_AUTHENT: 0x00200000,
  OK_AS_DELEGATE: 0x00040000,
} as const;

export const ApOptions = {
  USE_SESSION_KEY: 0x40000000,
  MUTUAL_REQUIRED: 0x20000000,
} as const;

// ---------------------------------------------------------------------------------------------
// Building blocks

/**
 * A time as KerberosTime (whole seconds) plus microseconds, as ctime/cusec and stime/susec carry it.
 * Our clock has millisecond resolution; the microseconds below it are random so that two contexts
 * made in the same millisecond differ (an AP-REP echoes ctime/cusec and must not fit another context).
 */
export function kerberosTimeParts(now: Date): { time: Date; usec: number } {
  const ms = now.getTime();
  return { time: new Date(ms - (ms % 1000)), usec: (ms % 1000) * 1000 + randomInt(0, 1000) };
}

export interface PrincipalName {
  readonly nameType: number;
  readonly components: readonly string[];
}

export interface Checksum {
  readonly cksumtype: number;
  readonly checksum: Buffer;
}

export interface PaData {
  readonly type: number;
  readonly value: Buffer;
}

export interface AuthorizationDataEntry {
  readonly adType: number;
  readonly adData: Buffer;
}

export interface HostAddress {
  readonly addrType: number;
  readonly address: Buffer;
}

export interface LastReqEntry {
  readonly lrType: number;
  readonly lrValue: Date;
}

const ctx = encodeContext;
const int = encodeInteger;
const str = encodeKerberosString;
const time = encodeKerberosTime;
const octets = encodeOctetString;
const opt = <T>(v: T | undefined, f: (v: T) => Buffer): Buffer | undefined => (v === undefined ? undefined : f(v));
const seqOf = (items: readonly Buffer[]): Buffer => encodeSequence(...items);

export function encodePrincipalName(p: PrincipalName): Buffer {
  return encodeSequence(ctx(0, int(p.nameType)), ctx(1, seqOf(p.components.map(str))));
}

export function decodePrincipalName(node: DerNode, what = 'PrincipalName'): PrincipalName {
  const f = sequenceFields(node, what);
  return {
    nameType: readInteger(required(f, 0, what), `${what}.name-type`),
    components: readSequenceOf(required(f, 1, what), `${what}.name-string`).map((n) => readKerberosString(n, `${what}.name-string`)),
  };
}

const withRealm = (name: PrincipalName, realm: string): Principal => ({ nameType: name.nameType, components: name.components, realm });

export function encodeEncryptedData(e: EncryptedData): Buffer {
  return encodeSequence(ctx(0, int(e.etype)), ctx(1, opt(e.kvno, int)), ctx(2, octets(e.cipher)));
}

export function decodeEncryptedData(node: DerNode, what = 'EncryptedData'): EncryptedData {
  const f = sequenceFields(node, what);
  const kvno = f.get(1);
  return {
    etype: readInteger(required(f, 0, what), `${what}.etype`),
    ...(kvno === undefined ? {} : { kvno: readInteger(kvno, `${what}.kvno`) }),
    cipher: readOctetString(required(f, 2, what), `${what}.cipher`),
  };
}

export function encodeEncryptionKey(k: EncryptionKey): Buffer {
  return encodeSequence(ctx(0, int(k.etype)), ctx(1, octets(k.value)));
}

export function decodeEncryptionKey(node: DerNode, what = 'EncryptionKey'): EncryptionKey {
  const f = sequenceFields(node, what);
  return { etype: readInteger(required(f, 0, what), `${what}.keytype`), value: Buffer.from(readOctetString(required(f, 1, what), `${what}.keyvalue`)) };
}

export function encodeChecksum(c: Checksum): Buffer {
  return encodeSequence(ctx(0, int(c.cksumtype)), ctx(1, octets(c.checksum)));
}

export function decodeChecksum(node: DerNode, what = 'Checksum'): Checksum {
  const f = sequenceFields(node, what);
  return { cksumtype: readInteger(required(f, 0, what), `${what}.cksumtype`), checksum: readOctetString(required(f, 1, what), `${what}.checksum`) };
}

export function encodePaData(p: PaData): Buffer {
  return encodeSequence(ctx(1, int(p.type)), ctx(2, octets(p.value)));
}

export function decodePaData(node: DerNode, what = 'PA-DATA'): PaData {
  const f = sequenceFields(node, what);
  return { type: readInteger(required(f, 1, what), `${what}.padata-type`), value: readOctetString(required(f, 2, what), `${what}.padata-value`) };
}

/** METHOD-DATA (the e-data of PREAUTH_REQUIRED): SEQUENCE OF PA-DATA. */
export function encodeMethodData(items: readonly PaData[]): Buffer {
  return seqOf(items.map(encodePaData));
}

export function decodeMethodData(bytes: Uint8Array): PaData[] {
  return readSequenceOf(decodeDer(bytes), 'METHOD-DATA').map((n) => decodePaData(n));
}

function encodeAuthorizationData(ad: readonly AuthorizationDataEntry[]): Buffer {
  return seqOf(ad.map((e) => encodeSequence(ctx(0, int(e.adType)), ctx(1, octets(e.adData)))));
}

function decodeAuthorizationData(node: DerNode, what: string): AuthorizationDataEntry[] {
  return readSequenceOf(node, what).map((n) => {
    const f = sequenceFields(n, what);
    return { adType: readInteger(required(f, 0, what), `${what}.ad-type`), adData: readOctetString(required(f, 1, what), `${what}.ad-data`) };
  });
}

export function encodeHostAddresses(a: readonly HostAddress[]): Buffer {
  return seqOf(a.map((e) => encodeSequence(ctx(0, int(e.addrType)), ctx(1, octets(e.address)))));
}

export function decodeHostAddresses(node: DerNode, what: string): HostAddress[] {
  return readSequenceOf(node, what).map((n) => {
    const f = sequenceFields(n, what);
    return { addrType: readInteger(required(f, 0, what), `${what}.addr-type`), address: readOctetString(required(f, 1, what), `${what}.address`) };
  });
}

function optional<T>(f: Map<number, DerNode>, n: number, read: (node: DerNode) => T): T | undefined {
  const node = f.get(n);
  return node === undefined ? undefined : read(node);
}

/** Spread helper: omit a key instead of writing `key: undefined`. */
function maybe<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

function applicationBody(bytes: Uint8Array | DerNode, app: number, what: string): DerNode {
  const node = bytes instanceof Uint8Array ? decodeDer(bytes) : bytes;
  return unwrap(node, applicationTag(app), what);
}

function checkPvnoAndType(f: Map<number, DerNode>, pvnoTag: number, expected: readonly number[], what: string): number {
  const pvno = readInteger(required(f, pvnoTag, what), `${what}.pvno`);
  if (pvno !== 5) throw new KerberosError(`${what}: protocol version ${pvno}, expected 5.`);
  const msgType = readInteger(required(f, pvnoTag + 1, what), `${what}.msg-type`);
  if (!expected.includes(msgType)) throw new KerberosError(`${what}: msg-type ${msgType}, expected ${expected.join(' or ')}.`);
  return msgType;
}

// ---------------------------------------------------------------------------------------------
// Ticket

export interface DecodedTicket extends Ticket {
  /** The ticket's exact DER, to be sent back unchanged. */
  readonly raw: Buffer;
}

export function encodeTicket(t: Ticket): Buffer {
  return encodeApplication(
    Application.TICKET,
    encodeSequence(ctx(0, int(5)), ctx(1, str(t.sname.realm)), ctx(2, encodePrincipalName(t.sname)), ctx(3, encodeEncryptedData(t.encPart))),
  );
}

export function decodeTicket(input: Uint8Array | DerNode): DecodedTicket {
  const node = input instanceof Uint8Array ? decodeDer(input) : input;
  const f = sequenceFields(applicationBody(node, Application.TICKET, 'Ticket'), 'Ticket');
  const vno = readInteger(required(f, 0, 'Ticket'), 'Ticket.tkt-vno');
  if (vno !== 5) throw new KerberosError(`Ticket version ${vno}, expected 5.`);
  const realm = readKerberosString(required(f, 1, 'Ticket'), 'Ticket.realm');
  return {
    sname: withRealm(decodePrincipalName(required(f, 2, 'Ticket'), 'Ticket.sname'), realm),
    encPart: decodeEncryptedData(required(f, 3, 'Ticket'), 'Ticket.enc-part'),
    raw: Buffer.from(node.raw),
  };
}

export interface TransitedEncoding {
  readonly trType: number;
  readonly contents: Buffer;
}

export interface EncTicketPart {
  readonly flags: number;
  readonly key: EncryptionKey;
  readonly client: Principal;
  readonly transited: TransitedEncoding;
  readonly authTime: Date;
  readonly startTime?: Date;
  readonly endTime: Date;
  readonly renewTill?: Date;
  readonly caddr?: readonly HostAddress[];
  readonly authorizationData?: readonly AuthorizationDataEntry[];
}

export function encodeEncTicketPart(e: EncTicketPart): Buffer {
  return encodeApplication(
    Application.ENC_TICKET_PART,
    encodeSequence(
      ctx(0, encodeFlags(e.flags)),
      ctx(1, encodeEncryptionKey(e.key)),
      ctx(2, str(e.client.realm)),
      ctx(3, encodePrincipalName(e.client)),
      ctx(4, encodeSequence(ctx(0, int(e.transited.trType)), ctx(1, octets(e.transited.contents)))),
      ctx(5, time(e.authTime)),
      ctx(6, opt(e.startTime, time)),
      ctx(7, time(e.endTime)),
      ctx(8, opt(e.renewTill, time)),
      ctx(9, opt(e.caddr, encodeHostAddresses)),
      ctx(10, opt(e.authorizationData, encodeAuthorizationData)),
    ),
  );
}

export function decodeEncTicketPart(bytes: Uint8Array): EncTicketPart {
  const w = 'EncTicketPart';
  const f = sequenceFields(applicationBody(bytes, Application.ENC_TICKET_PART, w), w);
  const tr = sequenceFields(required(f, 4, w), `${w}.transited`);
  return {
    flags: readFlags(required(f, 0, w), `${w}.flags`),
    key: decodeEncryptionKey(required(f, 1, w), `${w}.key`),
    client: withRealm(decodePrincipalName(required(f, 3, w), `${w}.cname`), readKerberosString(required(f, 2, w), `${w}.crealm`)),
    transited: { trType: readInteger(required(tr, 0, w), `${w}.tr-type`), contents: readOctetString(required(tr, 1, w), `${w}.contents`) },
    authTime: readKerberosTime(required(f, 5, w), `${w}.authtime`),
    ...maybe('startTime', optional(f, 6, (n) => readKerberosTime(n, `${w}.starttime`))),
    endTime: readKerberosTime(required(f, 7, w), `${w}.endtime`),
    ...maybe('renewTill', optional(f, 8, (n) => readKerberosTime(n, `${w}.renew-till`))),
    ...maybe('caddr', optional(f, 9, (n) => decodeHostAddresses(n, `${w}.caddr`))),
    ...maybe('authorizationData', optional(f, 10, (n) => decodeAuthorizationData(n, `${w}.authorization-data`))),
  };
}

// ---------------------------------------------------------------------------------------------
// KDC-REQ (AS-REQ 10, TGS-REQ 12)

export interface KdcReqBody {
  readonly kdcOptions: number;
  /** AS-REQ only. */
  readonly cname?: PrincipalName;
  readonly realm: string;
  readonly sname?: PrincipalName;
  readonly from?: Date;
  readonly till: Date;
  readonly rtime?: Date;
  readonly nonce: number;
  /** Preference order. */
  readonly etypes: readonly number[];
  readonly addresses?: readonly HostAddress[];
  readonly encAuthorizationData?: EncryptedData;
  readonly additionalTickets?: readonly Buffer[];
}

export interface KdcReq {
  readonly msgType: 10 | 12;
  readonly padata: readonly PaData[];
  readonly body: KdcReqBody;
}

export interface DecodedKdcReq extends KdcReq {
  /** DER of KDC-REQ-BODY as received: the TGS authenticator checksum covers these bytes. */
  readonly bodyRaw: Buffer;
}

export function encodeKdcReqBody(b: KdcReqBody): Buffer {
  return encodeSequence(
    ctx(0, encodeFlags(b.kdcOptions)),
    ctx(1, opt(b.cname, encodePrincipalName)),
    ctx(2, str(b.realm)),
    ctx(3, opt(b.sname, encodePrincipalName)),
    ctx(4, opt(b.from, time)),
    ctx(5, time(b.till)),
    ctx(6, opt(b.rtime, time)),
    ctx(7, int(b.nonce)),
    ctx(8, seqOf(b.etypes.map(int))),
    ctx(9, opt(b.addresses, encodeHostAddresses)),
    ctx(10, opt(b.encAuthorizationData, encodeEncryptedData)),
    ctx(11, opt(b.additionalTickets, seqOf)),
  );
}

function decodeKdcReqBody(node: DerNode): KdcReqBody {
  const w = 'KDC-REQ-BODY';
  const f = sequenceFields(node, w);
  return {
    kdcOptions: readFlags(required(f, 0, w), `${w}.kdc-options`),
    ...maybe('cname', optional(f, 1, (n) => decodePrincipalName(n, `${w}.cname`))),
    realm: readKerberosString(required(f, 2, w), `${w}.realm`),
    ...maybe('sname', optional(f, 3, (n) => decodePrincipalName(n, `${w}.sname`))),
    ...maybe('from', optional(f, 4, (n) => readKerberosTime(n, `${w}.from`))),
    till: readKerberosTime(required(f, 5, w), `${w}.till`),
    ...maybe('rtime', optional(f, 6, (n) => readKerberosTime(n, `${w}.rtime`))),
    nonce: readInteger(required(f, 7, w), `${w}.nonce`),
    etypes: readSequenceOf(required(f, 8, w), `${w}.etype`).map((n) => readInteger(n, `${w}.etype`)),
    ...maybe('addresses', optional(f, 9, (n) => decodeHostAddresses(n, `${w}.addresses`))),
    ...maybe('encAuthorizationData', optional(f, 10, (n) => decodeEncryptedData(n, `${w}.enc-authorization-data`))),
    ...maybe('additionalTickets', optional(f, 11, (n) => readSequenceOf(n, `${w}.additional-tickets`).map((t) => Buffer.from(t.raw)))),
  };
}

/** `bodyDer` lets the TGS path send exactly the bytes its authenticator checksum covers. */
export function encodeKdcReq(req: KdcReq, bodyDer: Buffer = encodeKdcReqBody(req.body)): Buffer {
  return encodeApplication(
    req.msgType,
    encodeSequence(
      ctx(1, int(5)),
      ctx(2, int(req.msgType)),
      ctx(3, req.padata.length === 0 ? undefined : seqOf(req.padata.map(encodePaData))),
      ctx(4, bodyDer),
    ),
  );
}

export function decodeKdcReq(bytes: Uint8Array): DecodedKdcReq {
  const node = decodeDer(bytes);
  const app = node.tag - 0x60;
  if (app !== MessageType.AS_REQ && app !== MessageType.TGS_REQ) throw new KerberosError(`Not a KDC request (first octet 0x${node.tag.toString(16)}).`);
  const w = app === MessageType.AS_REQ ? 'AS-REQ' : 'TGS-REQ';
  const f = sequenceFields(unwrap(node, node.tag, w), w);
  checkPvnoAndType(f, 1, [app], w);
  const bodyNode = required(f, 4, w);
  return {
    msgType: app,
    padata: optional(f, 3, (n) => readSequenceOf(n, `${w}.padata`).map((p) => decodePaData(p))) ?? [],
    body: decodeKdcReqBody(bodyNode),
    bodyRaw: Buffer.from(bodyNode.raw),
  };
}

// ---------------------------------------------------------------------------------------------
// KDC-REP (AS-REP 11, TGS-REP 13) and EncKDCRepPart

export interface KdcRep {
  readonly msgType: 11 | 13;
  readonly padata?: readonly PaData[];
  readonly client: Principal;
  readonly ticket: Buffer;
  readonly encPart: EncryptedData;
}

export interface DecodedKdcRep extends KdcRep {
  readonly decodedTicket: DecodedTicket;
}

export function encodeKdcRep(rep: KdcRep): Buffer {
  return encodeApplication(
    rep.msgType,
    encodeSequence(
      ctx(0, int(5)),
      ctx(1, int(rep.msgType)),
      ctx(2, opt(rep.padata, (p) => seqOf(p.map(encodePaData)))),
      ctx(3, str(rep.client.realm)),
      ctx(4, encodePrincipalName(rep.client)),
      ctx(5, rep.ticket),
      ctx(6, encodeEncryptedData(rep.encPart)),
    ),
  );
}

export function decodeKdcRep(bytes: Uint8Array | DerNode): DecodedKdcRep {
  const node = bytes instanceof Uint8Array ? decodeDer(bytes) : bytes;
  const app = node.tag - 0x60;
  if (app !== MessageType.AS_REP && app !== MessageType.TGS_REP) throw new KerberosError(`Not a KDC reply (first octet 0x${node.tag.toString(16)}).`);
  const w = app === MessageType.AS_REP ? 'AS-REP' : 'TGS-REP';
  const f = sequenceFields(unwrap(node, node.tag, w), w);
  checkPvnoAndType(f, 0, [app], w);
  const ticket = decodeTicket(required(f, 5, w));
  const padata = optional(f, 2, (n) => readSequenceOf(n, `${w}.padata`).map((p) => decodePaData(p)));
  return {
    msgType: app,
    ...maybe('padata', padata),
    client: withRealm(decodePrincipalName(required(f, 4, w), `${w}.cname`), readKerberosString(required(f, 3, w), `${w}.crealm`)),
    ticket: ticket.raw,
    decodedTicket: ticket,
    encPart: decodeEncryptedData(required(f, 6, w), `${w}.enc-part`),
  };
}

export interface EncKdcRepPart {
  readonly key: EncryptionKey;
  readonly lastReq: readonly LastReqEntry[];
  readonly nonce: number;
  readonly keyExpiration?: Date;
  readonly flags: number;
  readonly authTime: Date;
  readonly startTime?: Date;
  readonly endTime: Date;
  readonly renewTill?: Date;
  readonly server: Principal;
  readonly caddr?: readonly HostAddress[];
  /** RFC 6806 11: present when the KDC protects padata (we only need to accept it). */
  readonly encryptedPaData?: readonly PaData[];
}

/** `app` 25 = EncASRepPart, 26 = EncTGSRepPart. */
export function encodeEncKdcRepPart(e: EncKdcRepPart, app: 25 | 26): Buffer {
  return encodeApplication(
    app,
    encodeSequence(
      ctx(0, encodeEncryptionKey(e.key)),
      ctx(1, seqOf(e.lastReq.map((l) => encodeSequence(ctx(0, int(l.lrType)), ctx(1, time(l.lrValue)))))),
      ctx(2, int(e.nonce)),
      ctx(3, opt(e.keyExpiration, time)),
      ctx(4, encodeFlags(e.flags)),
      ctx(5, time(e.authTime)),
      ctx(6, opt(e.startTime, time)),
      ctx(7, time(e.endTime)),
      ctx(8, opt(e.renewTill, time)),
      ctx(9, str(e.server.realm)),
      ctx(10, encodePrincipalName(e.server)),
      ctx(11, opt(e.caddr, encodeHostAddresses)),
      ctx(12, opt(e.encryptedPaData, (p) => seqOf(p.map(encodePaData)))),
    ),
  );
}

/** Accepts either application tag: some KDCs send EncTGSRepPart inside an AS-REP (RFC 4120 5.4.2). */
export function decodeEncKdcRepPart(bytes: Uint8Array): EncKdcRepPart {
  const node = decodeDer(bytes);
  const w = 'EncKDCRepPart';
  if (node.tag !== applicationTag(Application.ENC_AS_REP_PART) && node.tag !== applicationTag(Application.ENC_TGS_REP_PART)) {
    throw new KerberosError(`${w}: unexpected first octet 0x${node.tag.toString(16)}.`);
  }
  const f = sequenceFields(unwrap(node, node.tag, w), w);
  return {
    key: decodeEncryptionKey(required(f, 0, w), `${w}.key`),
    lastReq: readSequenceOf(required(f, 1, w), `${w}.last-req`).map((n) => {
      const lf = sequenceFields(n, `${w}.last-req`);
      return { lrType: readInteger(required(lf, 0, w), `${w}.lr-type`), lrValue: readKerberosTime(required(lf, 1, w), `${w}.lr-value`) };
    }),
    nonce: readInteger(required(f, 2, w), `${w}.nonce`),
    ...maybe('keyExpiration', optional(f, 3, (n) => readKerberosTime(n, `${w}.key-expiration`))),
    flags: readFlags(required(f, 4, w), `${w}.flags`),
    authTime: readKerberosTime(required(f, 5, w), `${w}.authtime`),
    ...maybe('startTime', optional(f, 6, (n) => readKerberosTime(n, `${w}.starttime`))),
    endTime: readKerberosTime(required(f, 7, w), `${w}.endtime`),
    ...maybe('renewTill', optional(f, 8, (n) => readKerberosTime(n, `${w}.renew-till`))),
    server: withRealm(decodePrincipalName(required(f, 10, w), `${w}.sname`), readKerberosString(required(f, 9, w), `${w}.srealm`)),
    ...maybe('caddr', optional(f, 11, (n) => decodeHostAddresses(n, `${w}.caddr`))),
    ...maybe('encryptedPaData', optional(f, 12, (n) => readSequenceOf(n, `${w}.encrypted-pa-data`).map((p) => decodePaData(p)))),
  };
}

// ---------------------------------------------------------------------------------------------
// AP-REQ, Authenticator, AP-REP, EncAPRepPart

export interface ApReq {
  readonly apOptions: number;
  /** Ticket DER. */
  readonly ticket: Buffer;
  readonly authenticator: EncryptedData;
}

export interface DecodedApReq extends ApReq {
  readonly decodedTicket: DecodedTicket;
}

export function encodeApReq(a: ApReq): Buffer {
  return encodeApplication(
    MessageType.AP_REQ,
    encodeSequence(ctx(0, int(5)), ctx(1, int(MessageType.AP_REQ)), ctx(2, encodeFlags(a.apOptions)), ctx(3, a.ticket), ctx(4, encodeEncryptedData(a.authenticator))),
  );
}

export function decodeApReq(bytes: Uint8Array): DecodedApReq {
  const w = 'AP-REQ';
  const f = sequenceFields(applicationBody(bytes, MessageType.AP_REQ, w), w);
  checkPvnoAndType(f, 0, [MessageType.AP_REQ], w);
  const ticket = decodeTicket(required(f, 3, w));
  return {
    apOptions: readFlags(required(f, 2, w), `${w}.ap-options`),
    ticket: ticket.raw,
    decodedTicket: ticket,
    authenticator: decodeEncryptedData(required(f, 4, w), `${w}.authenticator`),
  };
}

export interface Authenticator {
  readonly client: Principal;
  readonly cksum?: Checksum;
  readonly cusec: number;
  readonly ctime: Date;
  readonly subkey?: EncryptionKey;
  readonly seqNumber?: number;
  readonly authorizationData?: readonly AuthorizationDataEntry[];
}

export function encodeAuthenticator(a: Authenticator): Buffer {
  return encodeApplication(
    Application.AUTHENTICATOR,
    encodeSequence(
      ctx(0, int(5)),
      ctx(1, str(a.client.realm)),
      ctx(2, encodePrincipalName(a.client)),
      ctx(3, opt(a.cksum, encodeChecksum)),
      ctx(4, int(a.cusec)),
      ctx(5, time(a.ctime)),
      ctx(6, opt(a.subkey, encodeEncryptionKey)),
      ctx(7, opt(a.seqNumber, int)),
      ctx(8, opt(a.authorizationData, encodeAuthorizationData)),
    ),
  );
}

export function decodeAuthenticator(bytes: Uint8Array): Authenticator {
  const w = 'Authenticator';
  const f = sequenceFields(applicationBody(bytes, Application.AUTHENTICATOR, w), w);
  const vno = readInteger(required(f, 0, w), `${w}.authenticator-vno`);
  if (vno !== 5) throw new KerberosError(`${w}: version ${vno}, expected 5.`);
  return {
    client: withRealm(decodePrincipalName(required(f, 2, w), `${w}.cname`), readKerberosString(required(f, 1, w), `${w}.crealm`)),
    ...maybe('cksum', optional(f, 3, (n) => decodeChecksum(n, `${w}.cksum`))),
    cusec: readInteger(required(f, 4, w), `${w}.cusec`),
    ctime: readKerberosTime(required(f, 5, w), `${w}.ctime`),
    ...maybe('subkey', optional(f, 6, (n) => decodeEncryptionKey(n, `${w}.subkey`))),
    ...maybe('seqNumber', optional(f, 7, (n) => readInteger(n, `${w}.seq-number`) >>> 0)),
    ...maybe('authorizationData', optional(f, 8, (n) => decodeAuthorizationData(n, `${w}.authorization-data`))),
  };
}

export function encodeApRep(encPart: EncryptedData): Buffer {
  return encodeApplication(MessageType.AP_REP, encodeSequence(ctx(0, int(5)), ctx(1, int(MessageType.AP_REP)), ctx(2, encodeEncryptedData(encPart))));
}

export function decodeApRep(bytes: Uint8Array): { encPart: EncryptedData } {
  const w = 'AP-REP';
  const f = sequenceFields(applicationBody(bytes, MessageType.AP_REP, w), w);
  checkPvnoAndType(f, 0, [MessageType.AP_REP], w);
  return { encPart: decodeEncryptedData(required(f, 2, w), `${w}.enc-part`) };
}

export interface EncApRepPart {
  readonly ctime: Date;
  readonly cusec: number;
  readonly subkey?: EncryptionKey;
  readonly seqNumber?: number;
}

export function encodeEncApRepPart(e: EncApRepPart): Buffer {
  return encodeApplication(
    Application.ENC_AP_REP_PART,
    encodeSequence(ctx(0, time(e.ctime)), ctx(1, int(e.cusec)), ctx(2, opt(e.subkey, encodeEncryptionKey)), ctx(3, opt(e.seqNumber, int))),
  );
}

export function decodeEncApRepPart(bytes: Uint8Array): EncApRepPart {
  const w = 'EncAPRepPart';
  const f = sequenceFields(applicationBody(bytes, Application.ENC_AP_REP_PART, w), w);
  return {
    ctime: readKerberosTime(required(f, 0, w), `${w}.ctime`),
    cusec: readInteger(required(f, 1, w), `${w}.cusec`),
    ...maybe('subkey', optional(f, 2, (n) => decodeEncryptionKey(n, `${w}.subkey`))),
    ...maybe('seqNumber', optional(f, 3, (n) => readInteger(n, `${w}.seq-number`) >>> 0)),
  };
}

// ---------------------------------------------------------------------------------------------
// KRB-ERROR

export interface KrbErrorMessage {
  readonly ctime?: Date;
  readonly cusec?: number;
  /** Server clock: the reference for clock-skew reports. */
  readonly stime: Date;
  readonly susec: number;
  readonly errorCode: number;
  readonly client?: Principal;
  /** Server principal with the realm of the error's realm field. */
  readonly server: Principal;
  readonly eText?: string;
  readonly eData?: Buffer;
}

export function encodeKrbError(e: KrbErrorMessage): Buffer {
  return encodeApplication(
    MessageType.KRB_ERROR,
    encodeSequence(
      ctx(0, int(5)),
      ctx(1, int(MessageType.KRB_ERROR)),
      ctx(2, opt(e.ctime, time)),
      ctx(3, opt(e.cusec, int)),
      ctx(4, time(e.stime)),
      ctx(5, int(e.susec)),
      ctx(6, int(e.errorCode)),
      ctx(7, opt(e.client?.realm, str)),
      ctx(8, opt(e.client, encodePrincipalName)),
      ctx(9, str(e.server.realm)),
      ctx(10, encodePrincipalName(e.server)),
      ctx(11, opt(e.eText, str)),
      ctx(12, opt(e.eData, octets)),
    ),
  );
}

export function decodeKrbError(bytes: Uint8Array | DerNode): KrbErrorMessage {
  const w = 'KRB-ERROR';
  const f = sequenceFields(applicationBody(bytes, MessageType.KRB_ERROR, w), w);
  checkPvnoAndType(f, 0, [MessageType.KRB_ERROR], w);
  const realm = readKerberosString(required(f, 9, w), `${w}.realm`);
  const cname = optional(f, 8, (n) => decodePrincipalName(n, `${w}.cname`));
  const crealm = optional(f, 7, (n) => readKerberosString(n, `${w}.crealm`)) ?? realm;
  return {
    ...maybe('ctime', optional(f, 2, (n) => readKerberosTime(n, `${w}.ctime`))),
    ...maybe('cusec', optional(f, 3, (n) => readInteger(n, `${w}.cusec`))),
    stime: readKerberosTime(required(f, 4, w), `${w}.stime`),
    susec: readInteger(required(f, 5, w), `${w}.susec`),
    errorCode: readInteger(required(f, 6, w), `${w}.error-code`),
    ...maybe('client', cname === undefined ? undefined : withRealm(cname, crealm)),
    server: withRealm(decodePrincipalName(required(f, 10, w), `${w}.sname`), realm),
    ...maybe('eText', optional(f, 11, (n) => readKerberosString(n, `${w}.e-text`))),
    ...maybe('eData', optional(f, 12, (n) => readOctetString(n, `${w}.e-data`))),
  };
}

/** A KDC answer is either a reply or a KRB-ERROR; anything else is a protocol error. */
export type KdcAnswer = { readonly kind: 'reply'; readonly reply: DecodedKdcRep } | { readonly kind: 'error'; readonly error: KrbErrorMessage };

export function decodeKdcAnswer(bytes: Uint8Array): KdcAnswer {
  const node = decodeDer(bytes);
  if (node.tag === applicationTag(MessageType.KRB_ERROR)) return { kind: 'error', error: decodeKrbError(node) };
  return { kind: 'reply', reply: decodeKdcRep(node) };
}

// ---------------------------------------------------------------------------------------------
// Pre-authentication data

export interface PaEncTsEnc {
  readonly timestamp: Date;
  readonly usec?: number;
}

export function encodePaEncTsEnc(p: PaEncTsEnc): Buffer {
  return encodeSequence(ctx(0, time(p.timestamp)), ctx(1, opt(p.usec, int)));
}

export function decodePaEncTsEnc(bytes: Uint8Array): PaEncTsEnc {
  const w = 'PA-ENC-TS-ENC';
  const f = sequenceFields(decodeDer(bytes), w);
  return { timestamp: readKerberosTime(required(f, 0, w), `${w}.patimestamp`), ...maybe('usec', optional(f, 1, (n) => readInteger(n, `${w}.pausec`))) };
}

export interface EtypeInfo2Entry {
  readonly etype: number;
  readonly salt?: string;
  readonly s2kparams?: Buffer;
}

export function encodeEtypeInfo2(entries: readonly EtypeInfo2Entry[]): Buffer {
  return seqOf(entries.map((e) => encodeSequence(ctx(0, int(e.etype)), ctx(1, opt(e.salt, str)), ctx(2, opt(e.s2kparams, octets)))));
}

export function decodeEtypeInfo2(bytes: Uint8Array): EtypeInfo2Entry[] {
  const w = 'ETYPE-INFO2';
  return readSequenceOf(decodeDer(bytes), w).map((n) => {
    const f = sequenceFields(n, w);
    return {
      etype: readInteger(required(f, 0, w), `${w}.etype`),
      ...maybe('salt', optional(f, 1, (s) => readKerberosString(s, `${w}.salt`))),
      ...maybe('s2kparams', optional(f, 2, (s) => Buffer.from(readOctetString(s, `${w}.s2kparams`)))),
    };
  });
}

/** ETYPE-INFO (11), the older hint: salt is an OCTET STRING and there are no s2kparams. */
export function decodeEtypeInfo(bytes: Uint8Array): EtypeInfo2Entry[] {
  const w = 'ETYPE-INFO';
  return readSequenceOf(decodeDer(bytes), w).map((n) => {
    const f = sequenceFields(n, w);
    return {
      etype: readInteger(required(f, 0, w), `${w}.etype`),
      ...maybe('salt', optional(f, 1, (s) => readOctetString(s, `${w}.salt`).toString('utf8'))),
    };
  });
}

/** PA-PAC-REQUEST (MS-KILE 2.2.3): KERB-PA-PAC-REQUEST ::= SEQUENCE { include-pac[0] BOOLEAN }. */
export function encodePaPacRequest(include: boolean): Buffer {
  return encodeSequence(ctx(0, tlv(0x01, Buffer.from([include ? 0xff : 0x00]))));
}
