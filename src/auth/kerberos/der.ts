/**
 * A small DER (X.690) codec for the subset Kerberos, GSS-API and SPNEGO use: low tag numbers,
 * definite lengths, INTEGER, BIT STRING, OCTET STRING, OID, ENUMERATED, GeneralString,
 * GeneralizedTime, SEQUENCE and context/application wrappers.
 *
 * Our own rather than asn1js/@peculiar: the subset is tiny, the decoder must be bounded in size,
 * depth and node count on untrusted KDC/HTTP input, and errors must be our typed KerberosError.
 * Decoding builds the whole tree up front so every later accessor works on checked bounds.
 */
import { KerberosError } from './errors.js';

export const Tag = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
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

/** Large enough for tickets carrying a big PAC, small enough to refuse floods. */
export const DEFAULT_DER_LIMITS: DerLimits = { maxBytes: 1 << 20, maxDepth: 32, maxNodes: 20_000 };

const CONSTRUCTED = 0x20;

function fail(what: string): never {
  throw new KerberosError(`Malformed DER: ${what}.`);
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
  if ((tag & 0x1f) === 0x1f) fail('high tag numbers are not used by Kerberos');
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
 * Fields of a SEQUENCE whose members are explicitly tagged [0], [1], ... (the Kerberos style):
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
  // Kerberos integers are Int32 or UInt32 (RFC 4120 5.2.4): at most 5 content octets.
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
export function readKerberosString(node: DerNode, what: string): string {
  if (node.tag !== Tag.GENERAL_STRING && node.tag !== Tag.UTF8_STRING) fail(`${what}: expected GeneralString, found 0x${node.tag.toString(16)}`);
  return node.content.toString('utf8');
}

/** KerberosTime: GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 4120 5.2.3). */
export function readKerberosTime(node: DerNode, what: string): Date {
  const s = expectTag(node, Tag.GENERALIZED_TIME, what).content.toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s);
  if (m === null) fail(`${what}: not a KerberosTime`);
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, se);
  if (Number.isNaN(t)) fail(`${what}: invalid date`);
  return new Date(t);
}

/** KerberosFlags: a BIT STRING read as a 32-bit integer, bit 0 = MSB (RFC 4120 5.2.8). */
export function readFlags(node: DerNode, what: string): number {
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

export function encodeSequence(...members: readonly (Buffer | undefined)[]): Buffer {
  return tlv(Tag.SEQUENCE, Buffer.concat(members.filter((m): m is Buffer => m !== undefined)));
}

/** Explicit [n] wrapper; undefined passes through so optional fields can be written inline. */
export function encodeContext(n: number, inner: Buffer | undefined): Buffer | undefined {
  return inner === undefined ? undefined : tlv(contextTag(n), inner);
}

export function encodeApplication(n: number, inner: Buffer): Buffer {
  return tlv(applicationTag(n), inner);
}

export function encodeInteger(value: number): Buffer {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) {
    throw new KerberosError(`Cannot encode ${value} as a Kerberos INTEGER.`);
  }
  const bytes: number[] = [];
  let v = value;
  // Minimal two's complement: emit low octets until the sign is captured.
  do {
    bytes.unshift(((v % 256) + 256) % 256);
    v = Math.floor(v / 256);
  } while (!(v === 0 && (bytes[0]! & 0x80) === 0) && !(v === -1 && (bytes[0]! & 0x80) !== 0));
  return tlv(Tag.INTEGER, Buffer.from(bytes));
}

export function encodeEnumerated(value: number): Buffer {
  const int = encodeInteger(value);
  int[0] = Tag.ENUMERATED;
  return int;
}

export function encodeOctetString(bytes: Uint8Array): Buffer {
  return tlv(Tag.OCTET_STRING, bytes);
}

export function encodeKerberosString(text: string): Buffer {
  return tlv(Tag.GENERAL_STRING, Buffer.from(text, 'utf8'));
}

export function encodeKerberosTime(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-12-07T13:59:43.123Z
  const s = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(Tag.GENERALIZED_TIME, Buffer.from(s, 'latin1'));
}

/** 32-bit KerberosFlags: always 32 bits, no unused bits (RFC 4120 5.2.8). */
export function encodeFlags(value: number): Buffer {
  const c = Buffer.alloc(5);
  c.writeUInt32BE(value >>> 0, 1);
  return tlv(Tag.BIT_STRING, c);
}

export function encodeOid(oid: string): Buffer {
  const arcs = oid.split('.').map((a) => Number(a));
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new KerberosError(`Bad OID ${oid}.`);
  const out: number[] = [];
  const all = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  for (const arc of all) {
    const group: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) group.unshift((v & 0x7f) | 0x80);
    out.push(...group);
  }
  return tlv(Tag.OID, Buffer.from(out));
}
