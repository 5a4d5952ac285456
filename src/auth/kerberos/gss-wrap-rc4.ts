/**
 * GSS per-message tokens for rc4-hmac contexts (RFC 4757 7, RFC 1964 framing): Wrap with TOK_ID
 * 02 01, SGN_ALG HMAC-MD5 (11 00), SEAL_ALG RC4 (10 00) or none (ff ff), an encrypted 8-byte
 * sequence field, an 8-byte checksum and an 8-byte confounder, then the data padded with one 01;
 * MIC (RFC 4757 7.2) with TOK_ID 01 01, SGN_ALG HMAC-MD5, four filler octets, the encrypted
 * sequence field and the checksum (salt 15) over header ‖ message, in the same framing.
 * Constants follow the MS-KILE 4.5 example, which reproduces with checksum salt 13 and direction
 * 00000000 from the initiator (ffffffff from the acceptor, as MIT writes it).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { randomOctets } from './crypto/confounder.js';
import { rc4k } from '../ntlm/rc4.js';
import { KerberosError, KerberosIntegrityError } from './errors.js';
import { KRB5_OID } from './gss-framing.js';
import { decodeOuterHeader, encodeOid } from './der.js';

const TOK_WRAP = Buffer.from('0201', 'hex');
const SGN_ALG_HMAC_MD5 = Buffer.from('1100', 'hex');
const SEAL_ALG_RC4 = Buffer.from('1000', 'hex');
const SEAL_ALG_NONE = Buffer.from('ffff', 'hex');
const FILLER = Buffer.from('ffff', 'hex');
/** Key usage salts of RFC 4757 7.3 (wrap) as the MS-KILE example computes them. */
const WRAP_SALT = 13;
/** RFC 4757 7.2: the MIC checksum salt. */
const MIC_SALT = 15;
const TOK_MIC = Buffer.from('0101', 'hex');
const MIC_FILLER = Buffer.from('ffffffff', 'hex');
const KRB5_OID_DER = encodeOid(KRB5_OID);

function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('md5', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

function le32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

function checksum(key: Buffer, header8: Buffer, confounder: Buffer, data: Uint8Array, salt = WRAP_SALT): Buffer {
  const ksign = hmacMd5(key, Buffer.from('signaturekey\0', 'latin1'));
  const md5 = createHash('md5').update(le32(salt)).update(header8).update(confounder).update(data).digest();
  return hmacMd5(ksign, md5).subarray(0, 8);
}

/** SND_SEQ in clear: the 32-bit sequence number big-endian, then the direction (00 from the initiator, ff from the acceptor). */
function sequenceField(seq: number, fromInitiator: boolean): Buffer {
  const plain = Buffer.alloc(8, fromInitiator ? 0x00 : 0xff);
  plain.writeUInt32BE(seq >>> 0, 0);
  return plain;
}

const NO_CONFOUNDER = Buffer.alloc(0);

/** RFC 4757 7.2 MIC token over `message`, framed as RFC 1964 tokens are. */
export function rc4GetMic(key: Buffer, seq: number, fromInitiator: boolean, message: Uint8Array): Buffer {
  const header8 = Buffer.concat([TOK_MIC, SGN_ALG_HMAC_MD5, MIC_FILLER]);
  const cksum = checksum(key, header8, NO_CONFOUNDER, message, MIC_SALT);
  const encSeq = Buffer.from(rc4k(seqKey(key, cksum), sequenceField(seq, fromInitiator)));
  const body = Buffer.concat([header8, encSeq, cksum]);
  return Buffer.concat([framing(body.length), body]);
}

/** Verifies an RC4 MIC token for `message` from the peer (`fromInitiator`: the peer is the initiator) at `expectedSeq`. */
export function rc4VerifyMic(key: Buffer, expectedSeq: number, fromInitiator: boolean, message: Uint8Array, token: Uint8Array): void {
  const { tag, content, length } = decodeOuterHeader(token);
  if (tag !== 0x60 || length !== token.length || !content.subarray(0, KRB5_OID_DER.length).equals(KRB5_OID_DER)) throw new KerberosError('RC4 GSS MIC token framing is wrong.');
  const body = content.subarray(KRB5_OID_DER.length);
  if (body.length !== 24) throw new KerberosError(`RC4 GSS MIC token has ${body.length} octets after the framing, expected 24.`);
  const header8 = body.subarray(0, 8);
  if (!header8.subarray(0, 2).equals(TOK_MIC) || !header8.subarray(2, 4).equals(SGN_ALG_HMAC_MD5) || !header8.subarray(4, 8).equals(MIC_FILLER)) throw new KerberosError('Not an RC4-HMAC GSS MIC token.');
  const cksum = body.subarray(16, 24);
  if (!timingSafeEqual(checksum(key, header8, NO_CONFOUNDER, message, MIC_SALT), cksum)) throw new KerberosIntegrityError('RC4 GSS MIC does not verify: tampered or wrong key.');
  const seqPlain = Buffer.from(rc4k(seqKey(key, cksum), body.subarray(8, 16)));
  if (!seqPlain.subarray(4).equals(Buffer.alloc(4, fromInitiator ? 0x00 : 0xff))) throw new KerberosError('RC4 GSS token direction is wrong (reflected token?).');
  const seq = seqPlain.readUInt32BE(0);
  if (seq !== expectedSeq >>> 0) throw new KerberosError(`GSS token out of sequence (sequence ${seq}, expected ${expectedSeq >>> 0}).`);
}

function cryptKey(key: Buffer, seqPlain4: Buffer): Buffer {
  const klocal = Buffer.from(key.map((b) => b ^ 0xf0));
  return hmacMd5(hmacMd5(klocal, le32(0)), seqPlain4);
}

function seqKey(key: Buffer, cksum: Buffer): Buffer {
  return hmacMd5(hmacMd5(key, le32(0)), cksum);
}

/** GSS framing length over the whole token: the data counts, even when sent apart (WinRM). */
function framing(bodyLength: number): Buffer {
  const inner = KRB5_OID_DER.length + bodyLength;
  const len = inner < 0x80 ? Buffer.from([inner]) : inner < 0x100 ? Buffer.from([0x81, inner]) : inner < 0x10000 ? Buffer.from([0x82, inner >> 8, inner & 0xff]) : Buffer.from([0x83, inner >> 16, (inner >> 8) & 0xff, inner & 0xff]);
  return Buffer.concat([Buffer.from([0x60]), len, KRB5_OID_DER]);
}

export interface Rc4WrapResult {
  /** Framing ‖ 02 01 … ‖ confounder: the WinRM header part. */
  readonly header: Buffer;
  /** Encrypted data ‖ padding. */
  readonly data: Buffer;
}

export function rc4Wrap(key: Buffer, seq: number, fromInitiator: boolean, plaintext: Uint8Array, options: { sealed?: boolean; confounder?: Buffer } = {}): Rc4WrapResult {
  const sealed = options.sealed ?? true;
  const confounder = options.confounder ?? randomOctets(8);
  const padded = Buffer.concat([plaintext, Buffer.from([1])]);
  const header8 = Buffer.concat([TOK_WRAP, SGN_ALG_HMAC_MD5, sealed ? SEAL_ALG_RC4 : SEAL_ALG_NONE, FILLER]);
  const cksum = checksum(key, header8, confounder, padded);
  const seqPlain = sequenceField(seq, fromInitiator);
  const encSeq = Buffer.from(rc4k(seqKey(key, cksum), seqPlain));
  let confOut = confounder;
  let dataOut = padded;
  if (sealed) {
    const stream = Buffer.from(rc4k(cryptKey(key, seqPlain.subarray(0, 4)), Buffer.concat([confounder, padded])));
    confOut = stream.subarray(0, 8);
    dataOut = stream.subarray(8);
  }
  const body = Buffer.concat([header8, encSeq, cksum, confOut]);
  return { header: Buffer.concat([framing(body.length + dataOut.length), body]), data: dataOut };
}

/** Unwrap a whole token or a WinRM header/data pair; checks direction and the expected sequence number. */
export function rc4Unwrap(key: Buffer, expectedSeq: number, fromInitiator: boolean, header: Uint8Array, data: Uint8Array = Buffer.alloc(0)): Buffer {
  const whole = Buffer.concat([header, data]);
  const { tag, content, length } = decodeOuterHeader(whole);
  if (tag !== 0x60 || length !== whole.length || !content.subarray(0, KRB5_OID_DER.length).equals(KRB5_OID_DER)) throw new KerberosError('RC4 GSS wrap token framing is wrong.');
  const body = content.subarray(KRB5_OID_DER.length);
  if (body.length < 32 + 1) throw new KerberosError('RC4 GSS wrap token is too short.');
  const header8 = body.subarray(0, 8);
  if (!header8.subarray(0, 2).equals(TOK_WRAP) || !header8.subarray(2, 4).equals(SGN_ALG_HMAC_MD5) || !header8.subarray(6, 8).equals(FILLER)) {
    throw new KerberosError('Not an RC4-HMAC GSS wrap token.');
  }
  const sealed = header8.subarray(4, 6).equals(SEAL_ALG_RC4);
  if (!sealed && !header8.subarray(4, 6).equals(SEAL_ALG_NONE)) throw new KerberosError('RC4 GSS wrap token has an unknown SEAL_ALG.');
  const cksum = body.subarray(16, 24);
  const seqPlain = Buffer.from(rc4k(seqKey(key, cksum), body.subarray(8, 16)));
  if (!seqPlain.subarray(4).equals(Buffer.alloc(4, fromInitiator ? 0x00 : 0xff))) throw new KerberosError('RC4 GSS token direction is wrong (reflected token?).');
  let confounder = body.subarray(24, 32);
  let padded = body.subarray(32);
  if (sealed) {
    const stream = Buffer.from(rc4k(cryptKey(key, seqPlain.subarray(0, 4)), body.subarray(24)));
    confounder = stream.subarray(0, 8);
    padded = stream.subarray(8);
  }
  if (!timingSafeEqual(checksum(key, header8, confounder, padded), cksum)) throw new KerberosIntegrityError('RC4 GSS wrap token checksum does not verify: tampered or wrong key.');
  const seq = seqPlain.readUInt32BE(0);
  if (seq !== expectedSeq >>> 0) throw new KerberosError(`GSS token out of sequence (sequence ${seq}, expected ${expectedSeq >>> 0}).`);
  const pad = padded[padded.length - 1]!;
  if (pad < 1 || pad > 8 || pad > padded.length) throw new KerberosError('RC4 GSS wrap token padding is invalid.');
  return padded.subarray(0, padded.length - pad);
}
