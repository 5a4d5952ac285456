/**
 * NTLMv2 response computation (MS-NLMP 3.3.2) and the keys derived from it (3.4.5.1), plus the MIC
 * (3.1.5.1.2). LM and NTLMv1 are deliberately absent.
 */
import { createHash, createHmac } from 'node:crypto';
import { NtlmError } from '../../errors.js';
import { md4 } from './md4.js';
import { concatBytes, utf16le, view } from './bytes.js';
import { decodeAvPairs, type AvPair } from './messages.js';

export function md5(...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function hmacMd5(key: Uint8Array, ...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHmac('md5', key);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/**
 * Uppercase one UTF-16 code unit at a time, the way Windows does (RtlUpcaseUnicodeString never
 * changes the length, so 'ß' stays 'ß' where String#toUpperCase would give 'SS').
 */
export function windowsUppercase(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charAt(i); // a lone surrogate half uppercases to itself
    const upper = unit.toUpperCase();
    out += upper.length === 1 ? upper : unit;
  }
  return out;
}

/** NTOWFv1 = MD4(UNICODE(Passwd)) (3.3.1); the NT hash, also the key for NTOWFv2. */
export function ntowfv1(password: string): Uint8Array {
  return md4(utf16le(password));
}

/** NTOWFv2 = HMAC_MD5(MD4(UNICODE(Passwd)), UNICODE(ConcatenationOf(Uppercase(User), UserDom))) (3.3.2). */
export function ntowfv2(password: string, user: string, domain: string): Uint8Array {
  return hmacMd5(ntowfv1(password), utf16le(windowsUppercase(user) + domain));
}

const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n; // 1601-01-01 to 1970-01-01

/** A Date as a Windows FILETIME (100 ns ticks since 1601, little-endian 64-bit), as in MsvAvTimestamp. */
export function filetime(date: Date): Uint8Array {
  const ticks = (BigInt(date.getTime()) + FILETIME_EPOCH_OFFSET_MS) * 10_000n;
  const out = new Uint8Array(8);
  view(out).setBigUint64(0, ticks, true);
  return out;
}

export function filetimeToDate(bytes: Uint8Array): Date {
  const ticks = view(bytes).getBigUint64(0, true);
  return new Date(Number(ticks / 10_000n - FILETIME_EPOCH_OFFSET_MS));
}

/**
 * The NTLMv2_CLIENT_CHALLENGE ("temp" in 3.3.2): RespType 1, HiRespType 1, Z(6), Time, ClientChallenge,
 * Z(4), the client's AV pairs (already EOL-terminated), Z(4).
 */
export function ntlmv2ClientChallenge(time: Uint8Array, clientChallenge: Uint8Array, avPairs: Uint8Array): Uint8Array {
  if (time.length !== 8) throw new NtlmError('NTLMv2 time stamp must be 8 bytes.');
  if (clientChallenge.length !== 8) throw new NtlmError('NTLMv2 client challenge must be 8 bytes.');
  const head = new Uint8Array(28);
  head[0] = 1;
  head[1] = 1;
  head.set(time, 8);
  head.set(clientChallenge, 16);
  return concatBytes(head, avPairs, new Uint8Array(4));
}

export interface ParsedNtlmv2Response {
  readonly ntProofStr: Uint8Array;
  /** Everything after NTProofStr: the bytes NTProofStr was computed over (with the server challenge). */
  readonly clientChallengeBlob: Uint8Array;
  readonly time: Uint8Array;
  readonly clientChallenge: Uint8Array;
  readonly avPairs: readonly AvPair[];
}

/** Length of a v1 NtChallengeResponse; anything this short is NTLMv1 (3.3.1). */
export const NTLMV1_RESPONSE_LENGTH = 24;

/** Split an NTLMv2_RESPONSE (2.2.2.8) into NTProofStr and its NTLMv2_CLIENT_CHALLENGE (2.2.2.7). */
export function parseNtlmv2Response(nt: Uint8Array): ParsedNtlmv2Response {
  if (nt.length < 16 + 28 + 4) throw new NtlmError(`NtChallengeResponse of ${nt.length} bytes is too short for NTLMv2.`);
  const blob = nt.slice(16);
  if (blob[0] !== 1 || blob[1] !== 1) throw new NtlmError(`Unknown NTLMv2 response version ${blob[0]}.${blob[1]}.`);
  return {
    ntProofStr: nt.slice(0, 16),
    clientChallengeBlob: blob,
    time: blob.slice(8, 16),
    clientChallenge: blob.slice(16, 24),
    avPairs: decodeAvPairs(blob.subarray(28)),
  };
}

/** NTProofStr = HMAC_MD5(ResponseKeyNT, ConcatenationOf(CHALLENGE_MESSAGE.ServerChallenge, temp)) (3.3.2). */
export function ntProofStr(responseKeyNT: Uint8Array, serverChallenge: Uint8Array, temp: Uint8Array): Uint8Array {
  return hmacMd5(responseKeyNT, serverChallenge, temp);
}

/** LmChallengeResponse = HMAC_MD5(ResponseKeyLM, ServerChallenge ‖ ClientChallenge) ‖ ClientChallenge (3.3.2). */
export function lmv2Response(responseKeyLM: Uint8Array, serverChallenge: Uint8Array, clientChallenge: Uint8Array): Uint8Array {
  return concatBytes(hmacMd5(responseKeyLM, serverChallenge, clientChallenge), clientChallenge);
}

/** SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr) (3.3.2). */
export function sessionBaseKey(responseKeyNT: Uint8Array, proof: Uint8Array): Uint8Array {
  return hmacMd5(responseKeyNT, proof);
}

/** KXKEY for NTLMv2: "KeyExchangeKey MUST be set to the given 128-bit SessionBaseKey value" (3.4.5.1). */
export function keyExchangeKey(baseKey: Uint8Array): Uint8Array {
  return baseKey.slice();
}

/** MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE with MIC zeroed) (3.1.5.1.2). */
export function computeMic(exportedSessionKey: Uint8Array, negotiate: Uint8Array, challenge: Uint8Array, authenticateZeroMic: Uint8Array): Uint8Array {
  return hmacMd5(exportedSessionKey, negotiate, challenge, authenticateZeroMic);
}
