/**
 * Incremental HTTP/1.1 response reader (RFC 9112) for one request at a time on a socket we own.
 * Bounded everywhere a hostile server could make it grow: header block, header count, number of
 * interim (1xx) responses, chunk-size lines, trailers, and the body (capped while it streams, before
 * anything downstream sees it). Bytes are fed as they arrive; the caller learns when the response is
 * complete and whether the connection may be reused.
 */
import { ConnectionError, ProtocolError, ResponseTooLargeError } from '../errors.js';

export interface ResponseLimits {
  /** Largest body accepted (after de-chunking). */
  readonly maxBodyBytes: number;
  /** Largest status line + header block. */
  readonly maxHeaderBytes: number;
  /** Interim 1xx responses tolerated before the final one. */
  readonly maxInterimResponses: number;
}

export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
export const DEFAULT_MAX_HEADER_COUNT = 256;
export const DEFAULT_MAX_INTERIM_RESPONSES = 8;
const MAX_CHUNK_LINE = 1024;
const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

export type ResponseHeaders = Record<string, string | string[]>;

export interface ParsedResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly body: Buffer;
  /** False when the server asked to close, spoke HTTP/1.0, or delimited the body by closing. */
  readonly reusable: boolean;
}

type Stage = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'until-close' | 'done';

/** Headers repeated on the wire stay separate values only where they must (challenges). */
const LIST_HEADERS = new Set(['www-authenticate', 'proxy-authenticate', 'set-cookie']);

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;
const EMPTY = Buffer.alloc(0);

/** Index of the CR LF that ends the line starting at `from`, or the text's length. */
function lineEnd(text: string, from: number): number {
  const k = text.indexOf('\r\n', from);
  return k < 0 ? text.length : k;
}

/** What `\s` matched at the start of a header line (the check of RFC 9112 5.2, obsolete line folding). */
function isHeaderSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Header names in lower case, the few a server repeats on every reply from a small table: lower-casing
 * each one again was a visible share of reading a reply. Bounded: names past the table's size are
 * lower-cased each time.
 */
const LOWER_NAMES = new Map<string, string>();
const MAX_LOWER_NAMES = 64;
function lowerHeaderName(name: string): string {
  const hit = LOWER_NAMES.get(name);
  if (hit !== undefined) return hit;
  const lower = name.toLowerCase();
  if (LOWER_NAMES.size < MAX_LOWER_NAMES) LOWER_NAMES.set(name, lower);
  return lower;
}

export class ResponseReader {
  private stage: Stage = 'head';
  private pending: Buffer = EMPTY;
  /** Bytes received after `pending` that did not complete its line or header block (see stillWaiting). */
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  /** The last bytes of pending + waiting (at least a delimiter's length when there are that many). */
  private waitingTail: Buffer = EMPTY;
  private interim = 0;
  private status = 0;
  private headers: ResponseHeaders = {};
  private keepAlive = true;
  private chunks: Buffer[] = [];
  private size = 0;
  private remaining = 0;
  private trailerBytes = 0;
  /** Set once the whole response has been read. */
  result: ParsedResponse | undefined;
  /** Whether any byte of the response has arrived (a close before that is a dropped request). */
  started = false;

  constructor(
    private readonly limits: ResponseLimits,
    private readonly noBody = false,
  ) {}

  /** Feed bytes; throws typed errors for anything malformed or over a limit. Extra bytes after the response are an error. */
  push(data: Buffer): void {
    if (data.length === 0) return;
    this.started = true;
    if (this.pending.length > 0 && this.stillWaiting(data)) return;
    let buf = this.pending.length ? Buffer.concat([this.pending, ...this.waiting, data]) : data;
    this.pending = EMPTY;
    if (this.waitingBytes > 0) {
      this.waiting = [];
      this.waitingBytes = 0;
      this.waitingTail = EMPTY;
    }
    while (buf.length > 0) {
      switch (this.stage) {
        case 'head': {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) {
            if (buf.length > this.limits.maxHeaderBytes) throw new ProtocolError(`The server sent an HTTP header block larger than ${this.limits.maxHeaderBytes} bytes.`);
            this.pending = buf;
            return;
          }
          if (end > this.limits.maxHeaderBytes) throw new ProtocolError(`The server sent an HTTP header block larger than ${this.limits.maxHeaderBytes} bytes.`);
          this.parseHead(buf.subarray(0, end).toString('latin1'));
          buf = buf.subarray(end + 4);
          break;
        }
        case 'length': {
          const take = Math.min(this.remaining, buf.length);
          this.addBody(buf.subarray(0, take));
          this.remaining -= take;
          buf = buf.subarray(take);
          if (this.remaining === 0) this.finish();
          break;
        }
        case 'chunk-size': {
          const eol = buf.indexOf('\r\n');
          if (eol < 0) {
            if (buf.length > MAX_CHUNK_LINE) throw new ProtocolError('The server sent an over-long chunk-size line.');
            this.pending = buf;
            return;
          }
          const line = buf.subarray(0, eol).toString('latin1');
          const m = /^([0-9a-fA-F]{1,8})(?:[ \t]*;.*)?$/.exec(line);
          if (!m) throw new ProtocolError('The server sent a malformed chunked body.');
          this.remaining = parseInt(m[1]!, 16);
          buf = buf.subarray(eol + 2);
          this.stage = this.remaining === 0 ? 'trailer' : 'chunk-data';
          if (this.remaining > 0 && this.size + this.remaining > this.limits.maxBodyBytes) throw new ResponseTooLargeError(this.limits.maxBodyBytes);
          break;
        }
        case 'chunk-data': {
          const take = Math.min(this.remaining, buf.length);
          this.addBody(buf.subarray(0, take));
          this.remaining -= take;
          buf = buf.subarray(take);
          if (this.remaining === 0) this.stage = 'chunk-crlf';
          break;
        }
        case 'chunk-crlf': {
          if (buf.length < 2) {
            this.pending = buf;
            return;
          }
          if (buf[0] !== 0x0d || buf[1] !== 0x0a) throw new ProtocolError('The server sent a malformed chunked body.');
          buf = buf.subarray(2);
          this.stage = 'chunk-size';
          break;
        }
        case 'trailer': {
          const eol = buf.indexOf('\r\n');
          if (eol < 0) {
            this.pending = buf;
            if (this.trailerBytes + buf.length > this.limits.maxHeaderBytes) throw new ProtocolError('The server sent oversize HTTP trailers.');
            return;
          }
          this.trailerBytes += eol + 2;
          if (this.trailerBytes > this.limits.maxHeaderBytes) throw new ProtocolError('The server sent oversize HTTP trailers.');
          buf = buf.subarray(eol + 2);
          if (eol === 0) this.finish();
          break;
        }
        case 'until-close':
          this.addBody(buf);
          buf = buf.subarray(buf.length);
          break;
        case 'done':
          // Bytes nobody asked for: the connection is out of step and must not be reused.
          throw new ProtocolError('The server sent data after the end of its reply.');
      }
    }
  }

  /**
   * While a line or the header block is incomplete, bytes that do not complete it are only kept
   * (in `waiting`), not joined to what came before and searched again: a server dripping its headers
   * a byte at a time would otherwise cost time quadratic in their size. Returns false when `data`
   * may complete it (or the stage needs no delimiter): then everything is joined and parsed.
   */
  private stillWaiting(data: Buffer): boolean {
    const delimiter = this.stage === 'head' ? HEAD_END : this.stage === 'chunk-size' || this.stage === 'trailer' ? CRLF : undefined;
    if (delimiter === undefined) return false;
    // The delimiter may straddle what is kept and `data`: look at the kept tail too.
    const before = this.waiting.length > 0 ? this.waitingTail : this.pending.subarray(-HEAD_END.length);
    const tail = before.subarray(-(delimiter.length - 1));
    if (Buffer.concat([tail, data.subarray(0, delimiter.length - 1)]).includes(delimiter) || data.includes(delimiter)) return false;
    const total = this.pending.length + this.waitingBytes + data.length;
    if (this.stage === 'head' && total > this.limits.maxHeaderBytes) throw new ProtocolError(`The server sent an HTTP header block larger than ${this.limits.maxHeaderBytes} bytes.`);
    if (this.stage === 'chunk-size' && total > MAX_CHUNK_LINE) throw new ProtocolError('The server sent an over-long chunk-size line.');
    if (this.stage === 'trailer' && this.trailerBytes + total > this.limits.maxHeaderBytes) throw new ProtocolError('The server sent oversize HTTP trailers.');
    this.waiting.push(data);
    this.waitingBytes += data.length;
    this.waitingTail = data.length >= HEAD_END.length ? data.subarray(-HEAD_END.length) : Buffer.concat([before, data]).subarray(-HEAD_END.length);
    return true;
  }

  /** The peer closed the connection. Completes a close-delimited body; otherwise the reply was cut. */
  end(): void {
    if (this.stage === 'done') return;
    if (this.stage === 'until-close') {
      this.finish();
      return;
    }
    if (!this.started) throw new ConnectionError('closed the connection without answering');
    const detail = this.stage === 'head' ? 'in the middle of the HTTP headers' : `in the middle of the reply body (${this.size} bytes received${this.stage === 'length' ? `, ${this.remaining} missing` : ''})`;
    throw new ConnectionError(`closed the connection ${detail}`);
  }

  private parseHead(text: string): void {
    // Lines cut with indexOf, not split: this runs once per reply, on the hot path of every call.
    const statusEnd = lineEnd(text, 0);
    const statusLine = text.slice(0, statusEnd);
    const m = STATUS_LINE.exec(statusLine);
    if (!m) throw new ProtocolError(`The server did not answer with HTTP/1.x (status line ${JSON.stringify(statusLine.slice(0, 60))}).`);
    const status = Number(m[2]);
    const headers: ResponseHeaders = {};
    let count = 0;
    for (let start = statusEnd + 2; start <= text.length; ) {
      const end = lineEnd(text, start);
      if (++count > DEFAULT_MAX_HEADER_COUNT) throw new ProtocolError(`The server sent more than ${DEFAULT_MAX_HEADER_COUNT} HTTP headers.`);
      const colon = text.indexOf(':', start);
      // No name, no colon on this line, or a line starting with whitespace (obsolete folding).
      if (colon <= start || colon >= end || isHeaderSpace(text.charCodeAt(start))) throw new ProtocolError('The server sent a malformed HTTP header line.');
      const name = lowerHeaderName(text.slice(start, colon).trim());
      const value = text.slice(colon + 1, end).trim();
      start = end + 2;
      if (name === '__proto__') continue;
      const prev = headers[name];
      if (prev === undefined) headers[name] = value;
      else if (LIST_HEADERS.has(name)) headers[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
      else headers[name] = `${prev as string}, ${value}`;
    }
    if (status >= 100 && status < 200) {
      // 101 would switch protocols under us; other 1xx are interim and skipped, but only a few.
      if (status === 101) throw new ProtocolError('The server tried to switch protocols (HTTP 101).');
      if (++this.interim > this.limits.maxInterimResponses) throw new ProtocolError(`The server sent more than ${this.limits.maxInterimResponses} interim (1xx) responses.`);
      return;
    }
    this.status = status;
    this.headers = headers;
    const connection = String(headers['connection'] ?? '').toLowerCase();
    this.keepAlive = m[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (this.noBody || status === 204 || status === 304) {
      this.finish();
    } else if (te !== undefined) {
      // RFC 9112 6.3: chunked must be the final coding; anything else is not something we decode.
      if (String(te).toLowerCase().trim() !== 'chunked') throw new ProtocolError(`The server used Transfer-Encoding "${String(te)}", which this client does not decode.`);
      this.stage = 'chunk-size';
    } else if (cl !== undefined) {
      if (!/^\d{1,15}$/.test(String(cl))) throw new ProtocolError(`The server sent an invalid Content-Length (${String(cl).slice(0, 40)}).`);
      this.remaining = Number(cl);
      if (this.remaining > this.limits.maxBodyBytes) throw new ResponseTooLargeError(this.limits.maxBodyBytes);
      if (this.remaining === 0) this.finish();
      else this.stage = 'length';
    } else {
      this.keepAlive = false;
      this.stage = 'until-close';
    }
  }

  private addBody(b: Buffer): void {
    if (b.length === 0) return;
    this.size += b.length;
    if (this.size > this.limits.maxBodyBytes) throw new ResponseTooLargeError(this.limits.maxBodyBytes);
    this.chunks.push(b);
  }

  private finish(): void {
    this.stage = 'done';
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.result = { status: this.status, headers: this.headers, body, reusable: this.keepAlive };
  }
}
