/**
 * aes128-cts-hmac-sha1-96 (17) and aes256-cts-hmac-sha1-96 (18), RFC 3962 on the RFC 3961
 * simplified profile: PBKDF2-HMAC-SHA1 string-to-key then DK(tkey, "kerberos"); encryption
 * AES-CTS(Ke, conf ‖ plaintext) ‖ HMAC-SHA1-96(Ki, conf ‖ plaintext); checksum HMAC-SHA1-96(Kc, data).
 */
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { OneShotHmac } from '../../one-shot-hmac.js';
import { randomOctets } from './confounder.js';
import { KerberosError, KerberosIntegrityError } from '../errors.js';
import type { EncryptionKey } from '../types.js';
import { ctsDecrypt, ctsEncryptBlocks, paddedBlocks } from './aes-cts.js';
import type { EnctypeProfile } from './profile.js';
import { deriveKey, usageKey } from './rfc3961.js';

const CONFOUNDER = 16;
const HMAC_BYTES = 12;
export const AES_SHA1_DEFAULT_ITERATIONS = 4096;
/** MIT refuses counts at or above 2^24 to bound the work a hostile KDC can make us do. */
const MAX_ITERATIONS = 0x1000000;

export function iterationsFrom(params: Uint8Array | undefined, fallback: number): number {
  if (params === undefined || params.length === 0) return fallback;
  if (params.length !== 4) throw new KerberosError(`s2kparams must be 4 bytes, got ${params.length}.`);
  const n = Buffer.from(params).readUInt32BE(0);
  if (n === 0 || n >= MAX_ITERATIONS) throw new KerberosError(`Refusing a string-to-key iteration count of ${n === 0 ? '2^32' : n} (limit ${MAX_ITERATIONS - 1}).`);
  return n;
}

export function saltBytes(salt: string | Uint8Array): Buffer {
  return typeof salt === 'string' ? Buffer.from(salt, 'utf8') : Buffer.from(salt);
}

/** HMAC-SHA1 state per derived key (the memoised Ki/Kc buffers), so a context's messages share it. */
const HMACS = new WeakMap<Uint8Array, OneShotHmac>();

function hmacSha1(key: Uint8Array, data: Uint8Array): Buffer {
  let h = HMACS.get(key);
  if (h === undefined) {
    h = new OneShotHmac('sha1', key);
    HMACS.set(key, h);
  }
  return h.digest(data).subarray(0, HMAC_BYTES);
}

function checkKey(key: EncryptionKey, etype: number, bytes: number): void {
  if (key.etype !== etype || key.value.length !== bytes) {
    throw new KerberosError(`Key of enctype ${key.etype} (${key.value.length} bytes) used with enctype ${etype}.`);
  }
}

function aesSha1(etype: 17 | 18): EnctypeProfile {
  const keyBytes = etype === 17 ? 16 : 32;
  return {
    etype,
    name: etype === 17 ? 'aes128-cts-hmac-sha1-96' : 'aes256-cts-hmac-sha1-96',
    keyBytes,
    checksumType: etype === 17 ? 15 : 16,
    checksumBytes: HMAC_BYTES,
    overhead: CONFOUNDER + HMAC_BYTES,
    hmacBytes: HMAC_BYTES,
    stringToKey(password, salt, params) {
      const iterations = iterationsFrom(params, AES_SHA1_DEFAULT_ITERATIONS);
      const tkey = pbkdf2Sync(Buffer.from(password, 'utf8'), saltBytes(salt), iterations, keyBytes, 'sha1');
      return { etype, value: deriveKey(tkey, Buffer.from('kerberos', 'latin1')) };
    },
    encrypt(key, usage, plaintext, confounder = randomOctets(CONFOUNDER)) {
      checkKey(key, etype, keyBytes);
      // conf ‖ plaintext is built once, zero-padded to whole blocks, MAC'd, then encrypted where it lies.
      const { blocks, length } = paddedBlocks(plaintext, confounder);
      const mac = hmacSha1(usageKey(key.value, usage, 0x55), blocks.subarray(0, length));
      const c = ctsEncryptBlocks(usageKey(key.value, usage, 0xaa), blocks, length);
      const out = Buffer.allocUnsafe(length + HMAC_BYTES);
      c.copy(out, 0);
      mac.copy(out, length);
      return out;
    },
    decrypt(key, usage, ciphertext) {
      checkKey(key, etype, keyBytes);
      if (ciphertext.length < CONFOUNDER + HMAC_BYTES) throw new KerberosIntegrityError(`Ciphertext of ${ciphertext.length} bytes is too short for ${this.name}.`);
      const c = ciphertext.subarray(0, ciphertext.length - HMAC_BYTES);
      const h = ciphertext.subarray(ciphertext.length - HMAC_BYTES);
      const input = ctsDecrypt(usageKey(key.value, usage, 0xaa), c);
      if (!timingSafeEqual(hmacSha1(usageKey(key.value, usage, 0x55), input), h)) throw new KerberosIntegrityError(`Integrity check failed (${this.name}, key usage ${usage}): wrong key or tampered data.`);
      return input.subarray(CONFOUNDER);
    },
    checksum(key, usage, data) {
      checkKey(key, etype, keyBytes);
      return hmacSha1(usageKey(key.value, usage, 0x99), data);
    },
    randomKey() {
      return { etype, value: randomBytes(keyBytes) };
    },
  };
}

export const aes128CtsHmacSha196 = aesSha1(17);
export const aes256CtsHmacSha196 = aesSha1(18);
