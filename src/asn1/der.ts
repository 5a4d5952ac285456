/**
 * The project's one DER (X.690) codec: the bounded reader Kerberos, GSS-API and SPNEGO decode
 * untrusted bytes with, and the encoders those and the X.509 writer (src/x509/writer.ts) build
 * messages and certificates with. The subset: low tag numbers, definite lengths, BOOLEAN, INTEGER,
 * BIT STRING, OCTET STRING, NULL, OID, ENUMERATED, UTF8String, GeneralString, UTCTime,
 * GeneralizedTime, SEQUENCE, SET and context/application wrappers.
 *
 * Our own rather than asn1js/@peculiar: the subset is tiny, and the decoder must be bounded in size,
 * depth and node count on untrusted KDC/HTTP input. Decoding builds the whole tree up front so every
 * later accessor works on checked bounds. Failures are DerError; Kerberos re-types them
 * (src/auth/kerberos/der.ts).
 */
import { ErrorCodes, HypervWsmanError } from '../errors.js';

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  GENERAL_STRING: 0x1b,
} as const;

/** First octet of a constructed context-specific tag [n]. */
export const contextTag = (n: number): number => 0xa0 + n;
/** First octet of a constructed application tag [APPLICATION n]. */
export const applicationTag = (n: number): number => 0x60 + n;

export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  readonly tag: number;
  /** Content octets (a view into the input). */
  readonly content: Buffer;
  /** The whole TLV encoding (a view into the input), for hashing or re-use. */
  readonly raw: Buffer;
  /** Parsed children when the constructed bit is set. */
  readonly children: readonly DerNode[];
}

export interface DerLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxNodes: number;
}

/** Large enough for Kerberos tickets carrying a big PAC and for certificates, small enough to refuse floods. */
export const DEFAULT_DER_LIMITS: DerLimits = { maxBytes: 1 << 20, maxDepth: 32, maxNodes: 20_000 };

const CONSTRUCTED = 0x20;

/** Bytes that are not the DER this module reads, or a limit exceeded; callers may re-type it (Kerberos does). */
export class DerError extends HypervWsmanError {
  constructor(message: string) {
    super(ErrorCodes.DER, message);
  }
}

function fail(what: string): never {
  throw new DerError(`Malformed DER: ${what}.`);
}

/** Decode exactly one DER value occupying all of `input`. */
export function decodeDer(input: Uint8Array, limits: DerLimits = DEFAULT_DER_LIMITS): DerNode {
  if (input.length > limits.maxBytes) fail(`input of ${input.length} bytes exceeds the ${limits.maxBytes}-byte limit`);
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const state = { nodes: 0 };
  const [node, end] = readNode(buf, 0, buf.length, 0, limits, state);
  if (end !== buf.length) fail(`${buf.length - end} trailing bytes after the value`);
  return node;
}

/** Decode one DER value at the start of `input`, returning it and the number of bytes it used. */
export function decodeDerPrefix(input: Uint8Array, limits: DerLimits = DEFAULT_DER_LIMITS): { node: DerNode; length: number } {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const [node, end] = readNode(buf, 0, Math.min(buf.length, limits.maxBytes), 0, limits, { nodes: 0 });
  return { node, length: end };
}

/** Tag and length of the TLV at `at`, checked against `limit`; returns where content starts and ends. */
function readHeader(buf: Buffer, at: number, limit: number): { tag: number; pos: number; end: number } {
  if (at + 2 > limit) fail('truncated header');
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) fail('high tag numbers (31 and up) are not supported');
  let pos = at + 1;
  const first = buf[pos++]!;
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0) fail('indefinite length');
    if (count > 4) fail('length field longer than 4 bytes');
    if (pos + count > limit) fail('truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[pos++]!;
  }
  const end = pos + length;
  if (end > limit) fail(`length ${length} runs past the end of its container`);
  return { tag, pos, end };
}

/**
 * Only the outer tag and length of the value at the start of `input`, without parsing the content:
 * for GSS framing, whose content (TOK_ID ‖ message) is not itself DER. Returns the content view.
 */
export function decodeOuterHeader(input: Uint8Array): { tag: number; content: Buffer; length: number } {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const { tag, pos, end } = readHeader(buf, 0, buf.length);
  return { tag, content: buf.subarray(pos, end), length: end };
}

function readNode(buf: Buffer, at: number, limit: number, depth: number, limits: DerLimits, state: { nodes: number }): [DerNode, number] {
  if (depth > limits.maxDepth) fail(`nesting deeper than ${limits.maxDepth}`);
  if (++state.nodes > limits.maxNodes) fail(`more than ${limits.maxNodes} values`);
  const { tag, pos, end } = readHeader(buf, at, limit);
  const content = buf.subarray(pos, end);
  const children: DerNode[] = [];
  if (tag & CONSTRUCTED) {
    let child = pos;
    while (child < end) {
      const [node, next] = readNode(buf, child, end, depth + 1, limits, state);
      children.push(node);
      child = next;
    }
  }
  return [{ tag, content, raw: buf.subarray(at, end), children }, end];
}

// ---------------------------------------------------------------------------------------------
// Typed readers. `what` names the field in error messages.

export function expectTag(node: DerNode, tag: number, what: string): DerNode {
  if (node.tag !== tag) fail(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return node;
}

/** The only child of an explicit wrapper ([n] or [APPLICATION n]). */
export function unwrap(node: DerNode, tag: number, what: string): DerNode {
  expectTag(node, tag, what);
  if (node.children.length !== 1) fail(`${what}: explicit tag must hold exactly one value`);
  return node.children[0]!;
}

/**
 * Fields of a SEQUENCE whose members are all explicitly tagged [0], [1], ... (the Kerberos style):
 * a map from tag number to the inner value. Tags must ascend; unknown ones are kept (extensibility).
 */
export function sequenceFields(node: DerNode, what: string): Map<number, DerNode> {
  expectTag(node, Tag.SEQUENCE, what);
  const fields = new Map<number, DerNode>();
  let last = -1;
  for (const child of node.children) {
    if ((child.tag & 0xe0) !== 0xa0) fail(`${what}: member with tag 0x${child.tag.toString(16)} is not context-tagged`);
    const n = child.tag & 0x1f;
    if (n <= last) fail(`${what}: member [${n}] out of order or repeated`);
    last = n;
    fields.set(n, unwrap(child, child.tag, `${what}[${n}]`));
  }
  return fields;
}

export function required(fields: Map<number, DerNode>, n: number, what: string): DerNode {
  const node = fields.get(n);
  if (node === undefined) fail(`${what}: missing field [${n}]`);
  return node;
}

export function readInteger(node: DerNode, what: string): number {
  expectTag(node, Tag.INTEGER, what);
  return integerContent(node.content, what);
}

export function readEnumerated(node: DerNode, what: string): number {
  expectTag(node, Tag.ENUMERATED, what);
  return integerContent(node.content, what);
}

function integerContent(c: Buffer, what: string): number {
  if (c.length === 0) fail(`${what}: empty INTEGER`);
  // Only integers that fit Int32 or UInt32 (Kerberos' range, RFC 4120 5.2.4): at most 5 content octets.
  if (c.length > 5) fail(`${what}: INTEGER too large`);
  let value = 0;
  for (const b of c) value = value * 256 + b;
  if (c[0]! & 0x80) value -= 256 ** c.length; // two's complement
  if (value < -0x80000000 || value > 0xffffffff) fail(`${what}: INTEGER outside 32 bits`);
  return value;
}

export function readOctetString(node: DerNode, what: string): Buffer {
  return expectTag(node, Tag.OCTET_STRING, what).content;
}

/** KerberosString (GeneralString restricted to IA5 in practice; RFC 4120 5.2.1); read as UTF-8 as MIT and Windows do. */
export function readGeneralString(node: DerNode, what: string): string {
  if (node.tag !== Tag.GENERAL_STRING && node.tag !== Tag.UTF8_STRING) fail(`${what}: expected GeneralString, found 0x${node.tag.toString(16)}`);
  return node.content.toString('utf8');
}

/** GeneralizedTime "YYYYMMDDHHMMSSZ" (fractions ignored), as Kerberos (RFC 4120 5.2.3) and X.509 after 2049 use it. */
export function readGeneralizedTime(node: DerNode, what: string): Date {
  const s = expectTag(node, Tag.GENERALIZED_TIME, what).content.toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s);
  if (m === null) fail(`${what}: not a GeneralizedTime`);
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, se);
  if (Number.isNaN(t)) fail(`${what}: invalid date`);
  return new Date(t);
}

/** A BIT STRING of up to 32 named bits read as an unsigned integer, bit 0 = MSB (KerberosFlags, RFC 4120 5.2.8). */
export function readBitFlags(node: DerNode, what: string): number {
  const c = expectTag(node, Tag.BIT_STRING, what).content;
  if (c.length < 1) fail(`${what}: empty BIT STRING`);
  let value = 0;
  for (let i = 0; i < 4; i++) value = value * 256 + (c[1 + i] ?? 0);
  return value >>> 0;
}

export function readOid(node: DerNode, what: string): string {
  const c = expectTag(node, Tag.OID, what).content;
  if (c.length === 0 || c.length > 64) fail(`${what}: bad OID length`);
  const arcs: number[] = [];
  let value = 0;
  for (const byte of c) {
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) fail(`${what}: OID arc too large`);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  if (c[c.length - 1]! & 0x80) fail(`${what}: truncated OID`);
  const first = arcs.shift()!;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

export function readSequenceOf(node: DerNode, what: string): readonly DerNode[] {
  return expectTag(node, Tag.SEQUENCE, what).children;
}

// ---------------------------------------------------------------------------------------------
// Encoders: each returns a complete TLV.

function lengthOctets(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthOctets(content.length), content]);
}

/** SEQUENCE of the members given; undefined members (absent OPTIONAL fields) are left out. */
export function encodeSequence(...members: readonly (Uint8Array | undefined)[]): Buffer {
  return tlv(Tag.SEQUENCE, Buffer.concat(members.filter((m): m is Uint8Array => m !== undefined)));
}

/** SET of the members in the order given (callers order them; DER's SET OF sorting is theirs). */
export function encodeSet(...members: readonly Uint8Array[]): Buffer {
  return tlv(Tag.SET, Buffer.concat(members));
}

/** Explicit [n] wrapper; undefined passes through so optional fields can be written inline. */
export function encodeContext(n: number, inner: Uint8Array): Buffer;
export function encodeContext(n: number, inner: Uint8Array | undefined): Buffer | undefined;
export function encodeContext(n: number, inner: Uint8Array | undefined): Buffer | undefined {
  return inner === undefined ? undefined : tlv(contextTag(n), inner);
}

export function encodeApplication(n: number, inner: Uint8Array): Buffer {
  return tlv(applicationTag(n), inner);
}

/** INTEGER from a safe integer, minimal two's complement. */
export function encodeInteger(value: number): Buffer {
  if (!Number.isSafeInteger(value)) throw new DerError(`Cannot encode ${value} as an INTEGER.`);
  const bytes: number[] = [];
  let v = value;
  // Emit low octets until the sign is captured.
  do {
    bytes.unshift(((v % 256) + 256) % 256);
    v = Math.floor(v / 256);
  } while (!(v === 0 && (bytes[0]! & 0x80) === 0) && !(v === -1 && (bytes[0]! & 0x80) !== 0));
  return tlv(Tag.INTEGER, Buffer.from(bytes));
}

/** A non-negative INTEGER from big-endian bytes of any length (serial numbers): leading zeros dropped, one added when the top bit is set. */
export function encodeUnsignedInteger(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const b = Buffer.from(bytes.subarray(i));
  return tlv(Tag.INTEGER, b.length > 0 && b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}

export function encodeEnumerated(value: number): Buffer {
  const int = encodeInteger(value);
  int[0] = Tag.ENUMERATED;
  return int;
}

export const DER_NULL: Buffer = Buffer.from([Tag.NULL, 0x00]);

export function encodeBoolean(value: boolean): Buffer {
  return Buffer.from([Tag.BOOLEAN, 0x01, value ? 0xff : 0x00]);
}

export function encodeOctetString(bytes: Uint8Array): Buffer {
  return tlv(Tag.OCTET_STRING, bytes);
}

export function encodeUtf8String(text: string): Buffer {
  return tlv(Tag.UTF8_STRING, Buffer.from(text, 'utf8'));
}

/** GeneralString (Kerberos' KerberosString), written as UTF-8 as MIT and Windows do. */
export function encodeGeneralString(text: string): Buffer {
  return tlv(Tag.GENERAL_STRING, Buffer.from(text, 'utf8'));
}

/** YYYYMMDDHHMMSSZ of `date` (whole seconds, UTC). */
function timeDigits(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
}

/** GeneralizedTime "YYYYMMDDHHMMSSZ" (no fraction: Kerberos, RFC 4120 5.2.3; X.509, RFC 5280 4.1.2.5.2). */
export function encodeGeneralizedTime(date: Date): Buffer {
  return tlv(Tag.GENERALIZED_TIME, Buffer.from(timeDigits(date), 'latin1'));
}

/** UTCTime "YYMMDDHHMMSSZ" (X.509 dates through 2049, RFC 5280 4.1.2.5.1). */
export function encodeUtcTime(date: Date): Buffer {
  return tlv(Tag.UTC_TIME, Buffer.from(timeDigits(date).slice(2), 'latin1'));
}

/** BIT STRING of whole octets (no unused bits): signatures, keys, Kerberos' 32-bit flags. */
export function encodeBitString(bytes: Uint8Array): Buffer {
  return tlv(Tag.BIT_STRING, Buffer.concat([Buffer.from([0]), bytes]));
}

/** BIT STRING of named bits (bit 0 = MSB of the first octet), as DER wants for named bit lists: no trailing zero bits (X.690 11.2.2). */
export function encodeNamedBits(bits: readonly number[]): Buffer {
  if (bits.length === 0) return Buffer.from([Tag.BIT_STRING, 0x01, 0x00]);
  const bytes = Buffer.alloc(Math.floor(Math.max(...bits) / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  const last = bytes[bytes.length - 1]!;
  let unused = 0;
  while (unused < 7 && !(last & (1 << unused))) unused++;
  return tlv(Tag.BIT_STRING, Buffer.concat([Buffer.from([unused]), bytes]));
}

export function encodeOid(oid: string): Buffer {
  const arcs = oid.split('.').map((a) => Number(a));
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new DerError(`Bad OID ${oid}.`);
  const out: number[] = [];
  const all = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  for (const arc of all) {
    const group: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) group.unshift((v & 0x7f) | 0x80);
    out.push(...group);
  }
  return tlv(Tag.OID, Buffer.from(out));
}
