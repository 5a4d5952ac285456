/**
 * RFC 4121 per-message tokens for the "newer" enctypes (AES): Wrap (4.2.6.2) sealed or
 * integrity-only, with Right Rotation Count handling, and MIC (4.2.6.1). Sequence numbers are
 * checked strictly in order, as WinRM's request/response exchange guarantees.
 */
import { timingSafeEqual } from 'node:crypto';
import { enctypeProfile } from './crypto/index.js';
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

function rotateLeft(data: Buffer, n: number): Buffer {
  if (data.length === 0) return data;
  return rotateRight(data, data.length - (n % data.length));
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
  #sendSeq: bigint;
  #recvSeq: bigint;

  constructor(state: WrapState, sendSeq: number, recvSeq: number) {
    if (!NEWER_ENCTYPES.has(state.key.etype) && state.key.etype !== RC4_HMAC) {
      throw new KerberosError(`GSS message protection with enctype ${state.key.etype} is not supported; enable AES for the account and the service.`);
    }
    this.#state = state;
    this.#sendSeq = BigInt(sendSeq >>> 0);
    this.#recvSeq = BigInt(recvSeq >>> 0);
  }

  get #rc4(): boolean {
    return this.#state.key.etype === RC4_HMAC;
  }

  get #profile() {
    return enctypeProfile(this.#state.key.etype);
  }

  #flags(sealed: boolean): number {
    return (this.#state.isAcceptor ? WrapFlags.SENT_BY_ACCEPTOR : 0) | (sealed ? WrapFlags.SEALED : 0) | (this.#state.acceptorSubkey ? WrapFlags.ACCEPTOR_SUBKEY : 0);
  }

  #header(id: number, flags: number, ec: number, rrc: number, seq: bigint): Buffer {
    const h = Buffer.alloc(HEADER);
    h.writeUInt16BE(id, 0);
    h[2] = flags;
    h[3] = 0xff;
    h.writeUInt16BE(ec, 4);
    h.writeUInt16BE(rrc, 6);
    writeSeq(h, 8, seq);
    return h;
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
      const ec = 0;
      const encrypted = this.#profile.encrypt(this.#state.key, usage, Buffer.concat([plaintext, this.#header(WRAP_ID, flags, ec, 0, seq)]));
      return Buffer.concat([this.#header(WRAP_ID, flags, ec, rrc, seq), rotateRight(encrypted, rrc)]);
    }
    const cksum = this.#profile.checksum(this.#state.key, usage, Buffer.concat([plaintext, this.#header(WRAP_ID, flags, 0, 0, seq)]));
    return Buffer.concat([this.#header(WRAP_ID, flags, cksum.length, rrc, seq), rotateRight(Buffer.concat([plaintext, cksum]), rrc)]);
  }

  /** Wrap for WinRM message encryption: the token split into header part and data part (MS-WSMV 2.2.9.1.2.2). */
  wrapWinrm(plaintext: Uint8Array): { header: Buffer; data: Buffer } {
    // RC4: the data part is the plaintext plus its one padding octet (MIT's PADDING buffer).
    if (this.#rc4) return rc4Wrap(this.#state.key.value, Number(this.#sendSeq++ & 0xffffffffn), !this.#state.isAcceptor, plaintext);
    const token = this.wrap(plaintext, { confidential: true, rrc: this.#rrcForWinrm });
    const cut = token.length - plaintext.length;
    return { header: token.subarray(0, cut), data: token.subarray(cut) };
  }

  unwrapWinrm(header: Uint8Array, data: Uint8Array): Buffer {
    return this.unwrap(Buffer.concat([header, data]));
  }

  unwrap(token: Uint8Array): Buffer {
    if (this.#rc4) {
      const plaintext = rc4Unwrap(this.#state.key.value, Number(this.#recvSeq & 0xffffffffn), this.#state.isAcceptor, token);
      this.#recvSeq++;
      return plaintext;
    }
    const t = Buffer.from(token);
    if (t.length < HEADER) throw new KerberosError(`GSS wrap token of ${t.length} bytes is shorter than its header.`);
    if (t.readUInt16BE(0) !== WRAP_ID) throw new KerberosError(`Not a GSS wrap token (TOK_ID 0x${t.readUInt16BE(0).toString(16)}).`);
    const flags = t[2]!;
    if (t[3] !== 0xff) throw new KerberosError('GSS wrap token filler octet is not 0xFF.');
    this.#checkDirection(flags);
    const ec = t.readUInt16BE(4);
    const rrc = t.readUInt16BE(6);
    const seq = t.readBigUInt64BE(8);
    this.#checkSequence(seq);
    const usage = this.#state.isAcceptor ? KeyUsage.INITIATOR_SEAL : KeyUsage.ACCEPTOR_SEAL;
    const body = t.subarray(HEADER);
    let plaintext: Buffer;
    if (flags & WrapFlags.SEALED) {
      plaintext = this.#openSealed(body, rrc, ec, usage, t.subarray(0, HEADER));
    } else {
      const size = this.#profile.checksumBytes;
      if (ec !== size) throw new KerberosError(`GSS integrity-only wrap token has EC ${ec}, expected the checksum size ${size}.`);
      const unrotated = rotateLeft(body, rrc);
      if (unrotated.length < size) throw new KerberosError('GSS wrap token is shorter than its checksum.');
      plaintext = unrotated.subarray(0, unrotated.length - size);
      const zeroed = Buffer.from(t.subarray(0, HEADER));
      zeroed.writeUInt32BE(0, 4); // EC and RRC are zero in the checksummed header copy
      const expected = this.#profile.checksum(this.#state.key, usage, Buffer.concat([plaintext, zeroed]));
      if (!macEqual(expected, unrotated.subarray(unrotated.length - size))) throw new KerberosIntegrityError('GSS wrap token checksum does not verify: tampered or wrong key.');
    }
    this.#recvSeq++;
    return plaintext;
  }

  #openSealed(body: Buffer, rrc: number, ec: number, usage: number, header: Buffer): Buffer {
    let decrypted: Buffer;
    try {
      decrypted = this.#profile.decrypt(this.#state.key, usage, rotateLeft(body, rrc));
    } catch (err) {
      // Windows' documented layout rotates by RRC + EC (MS-KILE 3.4.5.4.1); only differs when EC > 0.
      if (!(err instanceof KerberosIntegrityError) || ec === 0) throw err;
      decrypted = this.#profile.decrypt(this.#state.key, usage, rotateLeft(body, rrc + ec));
    }
    if (decrypted.length < ec + HEADER) throw new KerberosError('GSS sealed wrap token is too short for its filler and header copy.');
    const copy = decrypted.subarray(decrypted.length - HEADER);
    const expected = Buffer.from(header);
    expected.writeUInt16BE(0, 6); // the encrypted copy has RRC 0
    if (!copy.equals(expected)) throw new KerberosIntegrityError('GSS wrap token header does not match its encrypted copy: tampered token.');
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
