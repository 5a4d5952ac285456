/**
 * WinRM message encryption over HTTP (MS-WSMV 2.2.9.1.1 NTLM/SPNEGO, 2.2.9.1.2 Kerberos): the SOAP
 * envelope is sealed and sent as a two-part multipart/encrypted body: part headers, a 4-byte
 * little-endian header length, the header (the 16-byte NTLM signature, or the RFC 4121 Wrap token
 * header), the sealed bytes, then the closing boundary with no CRLF before it.
 *
 * Part headers are written at column 0. MS-WSMV's grammar puts a TAB before them and pywinrm/pypsrp
 * send it; WinRb/WinRM sends them at column 0 to Windows (protocol-facts 6.2), so Windows takes
 * both, while OMI matches `Content-Type:` / `OriginalContent:` only at the start of a line and drops
 * the connection on a TAB-indented header (httpauth.c `Http_DecryptData`). Column 0 serves both.
 * Reading accepts either, blanks after `--`, and any whitespace after the closing boundary (OMI
 * adds a CRLF there).
 */
import { MessageEncryptionError } from '../errors.js';
import { uninitialisedBytes } from './ntlm/bytes.js';
import { SIGNATURE_LENGTH, type InPlaceSealing } from './ntlm/session-security.js';

/** protocolvalue for NTLM/Negotiate (2.2.9.1.1). */
export const SPNEGO_ENCRYPTED_PROTOCOL = 'application/HTTP-SPNEGO-session-encrypted';
/** protocolvalue under the `Kerberos` HTTP scheme (2.2.9.1.2); Kerberos inside Negotiate uses the SPNEGO one. */
export const KERBEROS_ENCRYPTED_PROTOCOL = 'application/HTTP-Kerberos-session-encrypted';
export type EncryptedProtocol = typeof SPNEGO_ENCRYPTED_PROTOCOL | typeof KERBEROS_ENCRYPTED_PROTOCOL;

/**
 * What the framing needs of an established security context, as negotiated under one HTTP scheme:
 * an NTLM session (ntlm/session-security.ts) as it is, or a Kerberos context through
 * kerberosMessageSecurity(). `signature` is the part the Length-Field counts (the NTLM signature,
 * the RFC 4121 Wrap token header).
 */
export interface MessageSecurity {
  seal(plaintext: Uint8Array): { signature: Uint8Array; sealed: Uint8Array };
  unseal(sealed: Uint8Array, signature: Uint8Array): Uint8Array;
  /** protocolvalue to write and expect; absent: SPNEGO (NTLM, Negotiate). */
  readonly protocol?: EncryptedProtocol;
  /** Largest header length to accept; absent: exactly an NTLM signature (16 bytes). */
  readonly maxHeaderLength?: number;
  /** The same sealing without copies, when the cipher keeps the length (NTLM's RC4). */
  readonly inPlace?: InPlaceSealing;
}
/** boundaryvalue "MUST be set to "Encrypted Boundary"" (2.2.9.1.1). */
export const ENCRYPTED_BOUNDARY = 'Encrypted Boundary';
export const ENCRYPTED_CONTENT_TYPE = encryptedContentType(SPNEGO_ENCRYPTED_PROTOCOL);

/** The request Content-Type for bodies framed under `protocol`. */
export function encryptedContentType(protocol: EncryptedProtocol): string {
  return `multipart/encrypted;protocol="${protocol}";boundary="${ENCRYPTED_BOUNDARY}"`;
}

/** RFC 2046 5.1.1 boundary length limit. */
const MAX_BOUNDARY_LENGTH = 70;

const SOAP_TYPE = 'application/soap+xml';
const OCTET_STREAM = 'application/octet-stream';
const ENCRYPTED_MEDIA_TYPES = new Set(['multipart/encrypted', 'multipart/x-multi-encrypted']);

export type OriginalCharset = 'UTF-8' | 'UTF-16';
const CHARSETS: ReadonlyMap<string, OriginalCharset> = new Map([
  ['utf-8', 'UTF-8'],
  ['utf-16', 'UTF-16'],
]);

/** Byte-level choices of the framing that peers differ on (both are read either way). */
export interface EncryptedFraming {
  /** Before each part header: '' (default; WinRb, OMI) or '\t' (the MS-WSMV grammar, pywinrm). */
  readonly partHeaderIndent?: '' | '\t';
  /** A CRLF after the closing boundary line, as OMI writes its replies. Default false. */
  readonly trailingCrlf?: boolean;
}

/** Seal `soap` and frame it as a multipart/encrypted body (send with ENCRYPTED_CONTENT_TYPE). */
export function encryptMessage(session: MessageSecurity, soap: Uint8Array, charset: OriginalCharset = 'UTF-8', framing: EncryptedFraming = {}): Uint8Array {
  const inPlace = session.inPlace;
  const sealed = inPlace === undefined ? session.seal(soap) : undefined;
  const signatureLength = sealed?.signature.length ?? inPlace!.signatureLength;
  const sealedLength = sealed?.sealed.length ?? soap.length;
  const indent = framing.partHeaderIndent ?? '';
  const head =
    `--${ENCRYPTED_BOUNDARY}\r\n` +
    `${indent}Content-Type: ${session.protocol ?? SPNEGO_ENCRYPTED_PROTOCOL}\r\n` +
    `${indent}OriginalContent: type=${SOAP_TYPE};charset=${charset};Length=${sealedLength}\r\n` +
    `--${ENCRYPTED_BOUNDARY}\r\n` +
    `${indent}Content-Type: ${OCTET_STREAM}\r\n`;
  const tail = `--${ENCRYPTED_BOUNDARY}--\r\n${framing.trailingCrlf ? '\r\n' : ''}`;
  // One buffer, written in place (the framing text is ASCII: one byte per character); with an
  // in-place cipher the envelope is copied once, into its slot, and encrypted there.
  const out = Buffer.allocUnsafe(head.length + 4 + signatureLength + sealedLength + tail.length);
  let at = out.write(head, 0, 'latin1');
  at = out.writeUInt32LE(signatureLength, at);
  const dataAt = at + signatureLength;
  if (sealed !== undefined) {
    out.set(sealed.signature, at);
    out.set(sealed.sealed, dataAt);
  } else {
    const data = out.subarray(dataAt, dataAt + sealedLength);
    data.set(soap);
    out.set(inPlace!.seal(data), at);
  }
  out.write(tail, dataAt + sealedLength, 'latin1');
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

// ---------------------------------------------------------------------------------------------
// Parsing

interface MediaType {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
}

/** The last Content-Type parsed: a session's replies repeat the same one. */
let lastContentType: { readonly value: string; readonly parsed: MediaType } | undefined;

/** parseMediaType for a reply's Content-Type header, remembering the last one. */
function contentMediaType(value: string): MediaType {
  if (lastContentType?.value === value) return lastContentType.parsed;
  const parsed = parseMediaType(value);
  lastContentType = { value, parsed };
  return parsed;
}

/** Parse `type/sub;name=value;name="quoted value"` (parameter names lower-cased). */
function parseMediaType(value: string): MediaType {
  const params = new Map<string, string>();
  const [type = '', ...rest] = value.match(/(?:[^;"]|"[^"]*")+/g) ?? [];
  for (const item of rest) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const raw = item.slice(eq + 1).trim();
    params.set(item.slice(0, eq).trim().toLowerCase(), raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw);
  }
  return { type: type.trim().toLowerCase(), params };
}

/** True for a multipart/encrypted (or multi-encrypted) Content-Type, i.e. a body to decrypt. */
export function isEncryptedContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && ENCRYPTED_MEDIA_TYPES.has(contentMediaType(contentType).type);
}

function boundaryOf(contentType: string, expected: EncryptedProtocol): string {
  const media = contentMediaType(contentType);
  if (media.type === 'multipart/x-multi-encrypted') {
    throw new MessageEncryptionError('multipart/x-multi-encrypted (CredSSP chunking) is not supported; only NTLM and Kerberos session encryption are.');
  }
  if (media.type !== 'multipart/encrypted') throw new MessageEncryptionError(`Expected a multipart/encrypted response, got Content-Type ${JSON.stringify(contentType)}.`);
  const protocol = media.params.get('protocol');
  if (protocol?.toLowerCase() !== expected.toLowerCase()) {
    throw new MessageEncryptionError(`Unsupported encryption protocol ${JSON.stringify(protocol)}; expected ${expected}.`);
  }
  const boundary = media.params.get('boundary');
  if (!boundary) throw new MessageEncryptionError('multipart/encrypted Content-Type has no boundary parameter.');
  // RFC 2046 5.1.1: a boundary is at most 70 characters. Checked here because the reader builds
  // regular expressions from it, and a huge one would fail as a SyntaxError ("Regular expression too large").
  if (boundary.length > MAX_BOUNDARY_LENGTH) {
    throw new MessageEncryptionError(`multipart/encrypted boundary of ${boundary.length} characters exceeds the ${MAX_BOUNDARY_LENGTH} RFC 2046 allows.`);
  }
  return boundary;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The expressions that find one boundary; the last ones built are kept (every reply of a session has the same boundary). */
interface BoundaryExpressions {
  readonly boundary: string;
  readonly line: RegExp;
  readonly closing: RegExp;
  readonly closingSearch: RegExp;
  /** The usual head in one match, per protocol value (see BodyReader.usualHead). */
  readonly usualHead: Map<string, RegExp>;
}

let lastBoundary: BoundaryExpressions | undefined;

function boundaryExpressions(boundary: string): BoundaryExpressions {
  if (lastBoundary?.boundary === boundary) return lastBoundary;
  // Exchange and some Windows builds write "-- Encrypted Boundary"; tolerate blanks after "--".
  const b = `--[ \\t]*${escapeRegExp(boundary)}`;
  lastBoundary = {
    boundary,
    line: new RegExp(`${b}[ \\t]*\\r\\n`, 'y'),
    // `--\s*$` rather than `--[ \t]*(?:\r\n)?\s*$` (same language): the overlapping whitespace runs
    // backtracked quadratically on a long run of blanks after the boundary.
    closing: new RegExp(`(?:\\r\\n)?${b}--\\s*$`, 'y'),
    closingSearch: new RegExp(`${b}--`, 'g'),
    usualHead: new Map(),
  };
  return lastBoundary;
}

/** One MIME part header line; sticky, so it matches only at the reader's position. */
const PART_HEADER = /[ \t]*([A-Za-z-]+)[ \t]*:[ \t]*([^\r\n]*)\r\n/y;

/**
 * Octets of the body read as text for the part headers: their boundary and header lines come to
 * ~200 octets in practice, so the first FIRST_HEAD_BYTES are read, and up to MAX_HEAD_BYTES when
 * they do not hold them all; the sealed data after them is never turned into a string.
 */
const FIRST_HEAD_BYTES = 512;
const MAX_HEAD_BYTES = 4096;

/** Latin-1 text of bytes[from, to): one character per octet, so text indices are byte offsets. */
function latin1(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
}

/** Reads the text parts of the body (the head, then the tail after the sealed data) as latin1, so indices line up with bytes. */
class BodyReader {
  /** The first FIRST_HEAD_BYTES (or up to MAX_HEAD_BYTES) octets as text. */
  head: string;
  pos = 0;
  readonly #re: BoundaryExpressions;

  constructor(
    readonly bytes: Uint8Array,
    boundary: string,
  ) {
    this.head = latin1(bytes, 0, Math.min(bytes.length, FIRST_HEAD_BYTES));
    this.#re = boundaryExpressions(boundary);
  }

  #malformed(what: string): MessageEncryptionError {
    // The line at pos runs past what was read as text: the head is too long, not malformed as such.
    const cut = this.head.length < this.bytes.length && this.head.indexOf('\r\n', this.pos) < 0 ? ` (part headers must end within the first ${MAX_HEAD_BYTES} bytes)` : '';
    return new MessageEncryptionError(`Encrypted message is malformed: ${what} at byte ${this.pos}${cut}.`);
  }

  /**
   * The head as Windows, OMI and we write it, in one sticky match from byte 0: both boundary lines,
   * the metadata part's Content-Type and OriginalContent ("type=application/soap+xml;charset=…;
   * Length=…", nothing else), the data part's Content-Type, in the letter case written here. It
   * accepts a subset of what the line-by-line reading (readHead) accepts, with the same result;
   * anything else (other casing or headers, quotes, spaces, a head cut by the first read) is left
   * to that reading. Moves `pos` past the head.
   */
  usualHead(protocol: string): { charset: OriginalCharset; length: number } | undefined {
    let re = this.#re.usualHead.get(protocol);
    if (re === undefined) {
      const line = `--[ \\t]*${escapeRegExp(this.#re.boundary)}[ \\t]*\\r\\n`;
      const header = (name: string, value: string): string => `[ \\t]*${name}[ \\t]*:[ \\t]*${value}\\r\\n`;
      const original = `type=${escapeRegExp(SOAP_TYPE)};charset=(UTF-8|UTF-16|utf-8|utf-16);Length=(\\d{1,15})`;
      re = new RegExp(`${line}${header('Content-Type', escapeRegExp(protocol))}${header('OriginalContent', original)}${line}${header('Content-Type', escapeRegExp(OCTET_STREAM))}`, 'y');
      this.#re.usualHead.set(protocol, re);
    }
    re.lastIndex = 0;
    const m = re.exec(this.head);
    if (m === null) return undefined;
    this.pos = re.lastIndex;
    return { charset: CHARSETS.get(m[1]!.toLowerCase())!, length: Number(m[2]) };
  }

  /** Read more of the head as text when what is read so far ends before its headers do; false when there is no more to read. */
  #extend(): boolean {
    const to = Math.min(this.bytes.length, MAX_HEAD_BYTES);
    if (this.head.length >= to) return false;
    this.head = latin1(this.bytes, 0, to);
    return true;
  }

  boundaryLine(what: string): void {
    const re = this.#re.line;
    re.lastIndex = this.pos;
    if (!re.test(this.head)) {
      re.lastIndex = this.pos;
      if (!this.#extend() || !re.test(this.head)) throw this.#malformed(`missing the ${what} boundary`);
    }
    this.pos = re.lastIndex;
  }

  /** Header lines ("\tName: value\r\n") up to the next boundary line or the given count. */
  headers(limit: number): Map<string, string> {
    const found = new Map<string, string>();
    const re = PART_HEADER;
    for (let i = 0; i < limit && !this.head.startsWith('--', this.pos); i++) {
      re.lastIndex = this.pos;
      let m = re.exec(this.head);
      if (m === null && this.#extend()) {
        // The head read so far may have cut this line, or a boundary line after it.
        if (this.head.startsWith('--', this.pos)) break;
        re.lastIndex = this.pos;
        m = re.exec(this.head);
      }
      if (m === null) throw this.#malformed('expected a part header');
      found.set(m[1]!.toLowerCase(), m[2]!.trim());
      this.pos = re.lastIndex;
    }
    return found;
  }

  /** The next `length` bytes, as a view of the body (no copy; nothing here writes to it). */
  take(length: number, what: string): Uint8Array {
    if (this.pos + length > this.bytes.length) throw new MessageEncryptionError(`Encrypted message is truncated: ${what} runs past the end of the body.`);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** The closing "--boundary--", optionally preceded by CRLF and followed by CRLF: all that may follow the data. */
  closingBoundary(): boolean {
    if (this.bytes.length - this.pos > MAX_HEAD_BYTES) return false; // far more than a boundary line and blanks
    const re = this.#re.closing;
    re.lastIndex = 0;
    return re.test(latin1(this.bytes, this.pos, this.bytes.length));
  }

  /** Where the closing boundary actually starts, for a useful Length-mismatch message (error path: reads the whole body). */
  closingBoundaryIndex(): number {
    const text = latin1(this.bytes, 0, this.bytes.length);
    const re = this.#re.closingSearch;
    re.lastIndex = 0;
    let last = -1;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) last = m.index;
    return last;
  }
}

/** The head line by line: boundary, metadata part headers (any order, up to 8), boundary, data part header. */
function readHead(reader: BodyReader, expected: EncryptedProtocol): { charset: OriginalCharset; length: number } {
  reader.boundaryLine('opening');
  const meta = reader.headers(8);
  const partType = meta.get('content-type');
  if (partType?.toLowerCase() !== expected.toLowerCase()) {
    throw new MessageEncryptionError(`Encrypted message metadata part has Content-Type ${JSON.stringify(partType)}; expected ${expected}.`);
  }
  const original = parseMediaType(meta.get('originalcontent') ?? '');
  // OriginalContent is "type=…;charset=…;Length=…": the first item is itself a parameter.
  const originalType = original.type.startsWith('type=') ? original.type.slice(5) : original.type;
  if (originalType !== SOAP_TYPE) throw new MessageEncryptionError(`Encrypted message OriginalContent type ${JSON.stringify(originalType)} is not ${SOAP_TYPE}.`);
  const charset = CHARSETS.get((original.params.get('charset') ?? '').toLowerCase());
  if (charset === undefined) throw new MessageEncryptionError(`Encrypted message has unsupported charset ${JSON.stringify(original.params.get('charset'))}.`);
  const lengthText = original.params.get('length') ?? '';
  if (!/^\d+$/.test(lengthText)) throw new MessageEncryptionError(`Encrypted message OriginalContent has no valid Length (${JSON.stringify(lengthText)}).`);
  const length = Number(lengthText);

  reader.boundaryLine('data');
  const dataType = reader.headers(1).get('content-type');
  if (dataType?.toLowerCase() !== OCTET_STREAM) throw new MessageEncryptionError(`Encrypted message data part has Content-Type ${JSON.stringify(dataType)}; expected ${OCTET_STREAM}.`);

  return { charset, length };
}

export interface DecryptedMessage {
  readonly plaintext: Uint8Array;
  /** From OriginalContent: the SOAP envelope's charset, needed to decode `plaintext`. */
  readonly charset: OriginalCharset;
}

/** Like decryptMessage, but also reports the original charset (UTF-8 or UTF-16). */
export function decryptMessageDetailed(session: MessageSecurity, body: Uint8Array, contentType: string): DecryptedMessage {
  const expected = session.protocol ?? SPNEGO_ENCRYPTED_PROTOCOL;
  const reader = new BodyReader(body, boundaryOf(contentType, expected));

  const { charset, length } = reader.usualHead(expected) ?? readHead(reader, expected);
  const lengthField = reader.take(4, 'the signature length');
  const signatureLength = (lengthField[0]! | (lengthField[1]! << 8) | (lengthField[2]! << 16) | (lengthField[3]! << 24)) >>> 0;
  if (session.maxHeaderLength === undefined && signatureLength !== SIGNATURE_LENGTH) {
    throw new MessageEncryptionError(`Encrypted message signature length is ${signatureLength}; an NTLM signature is ${SIGNATURE_LENGTH} bytes.`);
  }
  if (session.maxHeaderLength !== undefined && (signatureLength === 0 || signatureLength > session.maxHeaderLength)) {
    throw new MessageEncryptionError(`Encrypted message header length is ${signatureLength}; expected 1 to ${session.maxHeaderLength} bytes.`);
  }
  const signature = reader.take(signatureLength, 'the signature');
  const dataStart = reader.pos;
  const sealed = reader.take(Math.min(length, body.length - dataStart), 'the sealed data');
  if (sealed.length !== length || !reader.closingBoundary()) {
    const end = reader.closingBoundaryIndex();
    if (end < dataStart) throw new MessageEncryptionError('Encrypted message is truncated: no closing boundary.');
    // The data's length is right where the boundary starts (after an optional CRLF): what follows it is wrong.
    if (sealed.length === length && end - dataStart <= length + 2) {
      throw new MessageEncryptionError(`Encrypted message has unexpected bytes after its closing boundary (${body.length - end} bytes from the boundary to the end of the body).`);
    }
    throw new MessageEncryptionError(`Encrypted message OriginalContent Length=${length} but the sealed data is ${end - dataStart} bytes.`);
  }
  // `sealed` and `signature` are views of the caller's body, which stays as it was: an in-place
  // cipher decrypts into a buffer of ours (one copy, the decryption itself).
  const inPlace = session.inPlace;
  return { plaintext: inPlace ? inPlace.unseal(sealed, signature, uninitialisedBytes(sealed.length)) : session.unseal(sealed, signature), charset };
}

/** Verify and decrypt a multipart/encrypted body; returns the SOAP envelope bytes. */
export function decryptMessage(session: MessageSecurity, body: Uint8Array, contentType: string): Uint8Array {
  return decryptMessageDetailed(session, body, contentType).plaintext;
}
