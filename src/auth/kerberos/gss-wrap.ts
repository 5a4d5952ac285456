/**
 * RFC 4121 per-message tokens for the "newer" enctypes (AES): Wrap (4.2.6.2) sealed or
 * integrity-only, with Right Rotation Count handling, and MIC (4.2.6.1). Sequence numbers are
 * checked strictly in order, as WinRM's request/response exchange guarantees.
 */
import { timingSafeEqual } from 'node:crypto';
import { enctypeProfile, type EnctypeProfile } from './crypto/index.js';
import { KerberosError, KerberosIntegrityError } from './errors.js';
import { KeyUsage } from './messages.js';
import { rc4GetMic, rc4Unwrap, rc4VerifyMic, rc4Wrap } from './gss-wrap-rc4.js';
import type { EncryptionKey } from './types.js';

const WRAP_ID = 0x0504;
const MIC_ID = 0x0404;
const HEADER = 16;

export const WrapFlags = {
  SENT_BY_ACCEPTOR: 0x01,
  SEALED: 0x02,
  ACCEPTOR_SUBKEY: 0x04,
} as const;

/** Enctypes that use RFC 4121 tokens; RC4 uses RFC 1964-style tokens (RFC 4121 1, gss-wrap-rc4.ts). */
const NEWER_ENCTYPES: ReadonlySet<number> = new Set([17, 18, 19, 20]);
const RC4_HMAC = 23;

export interface WrapState {
  readonly key: EncryptionKey;
  readonly isAcceptor: boolean;
  /** The context key is the acceptor's subkey (AP-REP subkey). */
  readonly acceptorSubkey: boolean;
}

function rotateRight(data: Buffer, n: number): Buffer {
  if (data.length === 0) return data;
  const r = n % data.length;
  return r === 0 ? data : Buffer.concat([data.subarray(data.length - r), data.subarray(0, data.length - r)]);
}

/**
 * The concatenation of `parts` rotated left by `n` octets, written into one new buffer: how a
 * token's body is un-rotated (RFC 4121 4.2.5) without first joining it to its header.
 */
function rotateLeftParts(parts: readonly Uint8Array[], n: number): Buffer {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = Buffer.allocUnsafe(total);
  if (total === 0) return out;
  const r = n % total;
  // Octet i of the joined parts lands at (i - r) mod total.
  let at = 0;
  for (const p of parts) {
    const to = (at - r + total) % total;
    const first = Math.min(p.length, total - to);
    out.set(p.subarray(0, first), to);
    if (first < p.length) out.set(p.subarray(first), 0);
    at += p.length;
  }
  return out;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function macEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function writeSeq(buf: Buffer, at: number, seq: bigint): void {
  buf.writeBigUInt64BE(seq & 0xffffffffffffffffn, at);
}

/** The per-direction token machinery of one established context. */
export class GssMessageProtection {
  readonly #state: WrapState;
  readonly #profile: EnctypeProfile;
  #sendSeq: bigint;
  #recvSeq: bigint;

  constructor(state: WrapState, sendSeq: number, recvSeq: number) {
    if (!NEWER_ENCTYPES.has(state.key.etype) && state.key.etype !== RC4_HMAC) {
      throw new KerberosError(`GSS message protection with enctype ${state.key.etype} is not supported; enable AES for the account and the service.`);
    }
    this.#state = state;
    this.#profile = enctypeProfile(state.key.etype);
    this.#sendSeq = BigInt(sendSeq >>> 0);
    this.#recvSeq = BigInt(recvSeq >>> 0);
  }

  get #rc4(): boolean {
    return this.#state.key.etype === RC4_HMAC;
  }

  #flags(sealed: boolean): number {
    return (this.#state.isAcceptor ? WrapFlags.SENT_BY_ACCEPTOR : 0) | (sealed ? WrapFlags.SEALED : 0) | (this.#state.acceptorSubkey ? WrapFlags.ACCEPTOR_SUBKEY : 0);
  }

  #header(id: number, flags: number, ec: number, rrc: number, seq: bigint): Buffer {
    const h = Buffer.allocUnsafe(HEADER);
    this.#writeHeader(h, id, flags, ec, rrc, seq);
    return h;
  }

  #writeHeader(h: Buffer, id: number, flags: number, ec: number, rrc: number, seq: bigint): void {
    h.writeUInt16BE(id, 0);
    h[2] = flags;
    h[3] = 0xff;
    h.writeUInt16BE(ec, 4);
    h.writeUInt16BE(rrc, 6);
    writeSeq(h, 8, seq);
  }

  /** Octets of the token a WinRM "header" part carries for RRC = 16 + h (60 for AES-SHA1). */
  get winrmHeaderLength(): number {
    if (this.#rc4) throw new KerberosError('The RC4 WinRM header length depends on the message length.');
    return HEADER + this.#rrcForWinrm + 16;
  }

  get #rrcForWinrm(): number {
    return HEADER + this.#profile.hmacBytes;
  }

  /**
   * Wrap token. `rrc` rotates the encrypted part right (Windows and gss_wrap_iov use 16 + h so
   * the trailer sits in the header part); EC is always 0, CTS needs no filler (RFC 4121 4.2.4).
   */
  wrap(plaintext: Uint8Array, options: { confidential?: boolean; rrc?: number } = {}): Buffer {
    const sealed = options.confidential ?? true;
    if (this.#rc4) {
      const { header, data } = rc4Wrap(this.#state.key.value, Number(this.#sendSeq++ & 0xffffffffn), !this.#state.isAcceptor, plaintext, { sealed });
      return Buffer.concat([header, data]);
    }
    const seq = this.#sendSeq++;
    const usage = this.#state.isAcceptor ? KeyUsage.ACCEPTOR_SEAL : KeyUsage.INITIATOR_SEAL;
    const flags = this.#flags(sealed);
    const rrc = options.rrc ?? 0;
    if (sealed) {
      return Buffer.concat([this.#header(WRAP_ID, flags, 0, rrc, seq), rotateRight(this.#seal(plaintext, flags, seq), rrc)]);
    }
    const cksum = this.#profile.checksum(this.#state.key, usage, Buffer.concat([plaintext, this.#header(WRAP_ID, flags, 0, 0, seq)]));
    return Buffer.concat([this.#header(WRAP_ID, flags, cksum.length, rrc, seq), rotateRight(Buffer.concat([plaintext, cksum]), rrc)]);
  }

  /** The encrypted part of a sealed Wrap token before rotation: E(plaintext ‖ header with RRC 0); EC is 0, CTS needs no filler. */
  #seal(plaintext: Uint8Array, flags: number, seq: bigint): Buffer {
    const usage = this.#state.isAcceptor ? KeyUsage.ACCEPTOR_SEAL : KeyUsage.INITIATOR_SEAL;
    return this.#profile.encrypt(this.#state.key, usage, Buffer.concat([plaintext, this.#header(WRAP_ID, flags, 0, 0, seq)]));
  }

  /**
   * Wrap for WinRM message encryption: the token split into header part and data part (MS-WSMV
   * 2.2.9.1.2.2), with RRC = 16 + h. Cut straight from the encrypted part E (no rotated token in
   * between): the rotated body is E[len-RRC..] ‖ E[..len-RRC], and the header part is the token
   * header and the first (len(E) - len(plaintext)) octets of it; the data part is the rest, a view of E.
   */
  wrapWinrm(plaintext: Uint8Array): { header: Buffer; data: Buffer } {
    // RC4: the data part is the plaintext plus its one padding octet (MIT's PADDING buffer).
    if (this.#rc4) return rc4Wrap(this.#state.key.value, Number(this.#sendSeq++ & 0xffffffffn), !this.#state.isAcceptor, plaintext);
    const seq = this.#sendSeq++;
    const flags = this.#flags(true);
    const rrc = this.#rrcForWinrm;
    const e = this.#seal(plaintext, flags, seq);
    const extra = e.length - plaintext.length; // confounder, header copy, h: 16 + 16 + h
    if (rrc > extra) throw new KerberosError(`GSS wrap RRC ${rrc} exceeds the ${extra} octets a WinRM header part holds.`);
    const header = Buffer.allocUnsafe(HEADER + extra);
    this.#writeHeader(header, WRAP_ID, flags, 0, rrc, seq);
    e.copy(header, HEADER, e.length - rrc);
    e.copy(header, HEADER + rrc, 0, extra - rrc);
    return { header, data: e.subarray(extra - rrc, e.length - rrc) };
  }

  /** The inverse of wrapWinrm: the body is un-rotated from the two parts into one buffer, without joining them first. */
  unwrapWinrm(header: Uint8Array, data: Uint8Array): Buffer {
    if (this.#rc4 || header.length < HEADER) return this.unwrap(Buffer.concat([header, data]));
    return this.#unwrapParts(asBuffer(header.subarray(0, HEADER)), [header.subarray(HEADER), data]);
  }

  unwrap(token: Uint8Array): Buffer {
    if (this.#rc4) {
      const plaintext = rc4Unwrap(this.#state.key.value, Number(this.#recvSeq & 0xffffffffn), this.#state.isAcceptor, token);
      this.#recvSeq++;
      return plaintext;
    }
    if (token.length < HEADER) throw new KerberosError(`GSS wrap token of ${token.length} bytes is shorter than its header.`);
    const t = asBuffer(token);
    return this.#unwrapParts(t.subarray(0, HEADER), [t.subarray(HEADER)]);
  }

  /** A Wrap token given as its 16-octet header and its body in parts (still rotated by RRC); nothing is written to them. */
  #unwrapParts(t: Buffer, body: readonly Uint8Array[]): Buffer {
    if (t.readUInt16BE(0) !== WRAP_ID) throw new KerberosError(`Not a GSS wrap token (TOK_ID 0x${t.readUInt16BE(0).toString(16)}).`);
    const flags = t[2]!;
    if (t[3] !== 0xff) throw new KerberosError('GSS wrap token filler octet is not 0xFF.');
    this.#checkDirection(flags);
    const ec = t.readUInt16BE(4);
    const rrc = t.readUInt16BE(6);
    const seq = t.readBigUInt64BE(8);
    this.#checkSequence(seq);
    const usage = this.#state.isAcceptor ? KeyUsage.INITIATOR_SEAL : KeyUsage.ACCEPTOR_SEAL;
    let plaintext: Buffer;
    if (flags & WrapFlags.SEALED) {
      plaintext = this.#openSealed(body, rrc, ec, usage, t);
    } else {
      const size = this.#profile.checksumBytes;
      if (ec !== size) throw new KerberosError(`GSS integrity-only wrap token has EC ${ec}, expected the checksum size ${size}.`);
      const unrotated = rotateLeftParts(body, rrc);
      if (unrotated.length < size) throw new KerberosError('GSS wrap token is shorter than its checksum.');
      plaintext = unrotated.subarray(0, unrotated.length - size);
      const zeroed = Buffer.from(t);
      zeroed.writeUInt32BE(0, 4); // EC and RRC are zero in the checksummed header copy
      const expected = this.#profile.checksum(this.#state.key, usage, Buffer.concat([plaintext, zeroed]));
      if (!macEqual(expected, unrotated.subarray(unrotated.length - size))) throw new KerberosIntegrityError('GSS wrap token checksum does not verify: tampered or wrong key.');
    }
    this.#recvSeq++;
    return plaintext;
  }

  #openSealed(body: readonly Uint8Array[], rrc: number, ec: number, usage: number, header: Buffer): Buffer {
    let decrypted: Buffer;
    try {
      decrypted = this.#profile.decrypt(this.#state.key, usage, rotateLeftParts(body, rrc));
    } catch (err) {
      // Windows' documented layout rotates by RRC + EC (MS-KILE 3.4.5.4.1); only differs when EC > 0.
      if (!(err instanceof KerberosIntegrityError) || ec === 0) throw err;
      decrypted = this.#profile.decrypt(this.#state.key, usage, rotateLeftParts(body, rrc + ec));
    }
    if (decrypted.length < ec + HEADER) throw new KerberosError('GSS sealed wrap token is too short for its filler and header copy.');
    const copy = decrypted.subarray(decrypted.length - HEADER);
    // The encrypted copy is the header with RRC 0: compare all but the RRC octets (6, 7).
    if (copy.compare(header, 0, 6, 0, 6) !== 0 || copy[6] !== 0 || copy[7] !== 0 || copy.compare(header, 8, HEADER, 8, HEADER) !== 0) {
      throw new KerberosIntegrityError('GSS wrap token header does not match its encrypted copy: tampered token.');
    }
    return decrypted.subarray(0, decrypted.length - HEADER - ec);
  }

  #checkDirection(flags: number): void {
    const fromAcceptor = (flags & WrapFlags.SENT_BY_ACCEPTOR) !== 0;
    if (fromAcceptor === this.#state.isAcceptor) throw new KerberosError('GSS token claims to come from our own side of the context (reflected token?).');
    if (this.#state.acceptorSubkey && (flags & WrapFlags.ACCEPTOR_SUBKEY) === 0) throw new KerberosError('GSS token was not protected with the acceptor subkey the context uses.');
  }

  #checkSequence(seq: bigint): void {
    if (seq !== this.#recvSeq) {
      throw new KerberosError(seq < this.#recvSeq ? `GSS token replayed or reordered (sequence ${seq}, expected ${this.#recvSeq}).` : `GSS token sequence gap (sequence ${seq}, expected ${this.#recvSeq}): a message was lost.`);
    }
  }

  getMic(message: Uint8Array): Buffer {
    if (this.#rc4) return rc4GetMic(this.#state.key.value, Number(this.#sendSeq++ & 0xffffffffn), !this.#state.isAcceptor, message);
    const seq = this.#sendSeq++;
    const h = Buffer.alloc(HEADER, 0xff);
    h.writeUInt16BE(MIC_ID, 0);
    h[2] = this.#flags(false);
    writeSeq(h, 8, seq);
    const usage = this.#state.isAcceptor ? KeyUsage.ACCEPTOR_SIGN : KeyUsage.INITIATOR_SIGN;
    return Buffer.concat([h, this.#profile.checksum(this.#state.key, usage, Buffer.concat([message, h]))]);
  }

  verifyMic(message: Uint8Array, token: Uint8Array): void {
    if (this.#rc4) {
      rc4VerifyMic(this.#state.key.value, Number(this.#recvSeq & 0xffffffffn), this.#state.isAcceptor, message, token);
      this.#recvSeq++;
      return;
    }
    const t = Buffer.from(token);
    if (t.length < HEADER || t.readUInt16BE(0) !== MIC_ID) throw new KerberosError('Not a GSS MIC token.');
    if (!t.subarray(3, 8).equals(Buffer.alloc(5, 0xff))) throw new KerberosError('GSS MIC token filler is not 0xFF.');
    this.#checkDirection(t[2]!);
    const seq = t.readBigUInt64BE(8);
    this.#checkSequence(seq);
    const usage = this.#state.isAcceptor ? KeyUsage.INITIATOR_SIGN : KeyUsage.ACCEPTOR_SIGN;
    const expected = this.#profile.checksum(this.#state.key, usage, Buffer.concat([message, t.subarray(0, HEADER)]));
    if (!macEqual(expected, t.subarray(HEADER))) throw new KerberosIntegrityError('GSS MIC does not verify: tampered or wrong key.');
    this.#recvSeq++;
  }
}
