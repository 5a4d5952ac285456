/**
 * aes128-cts-hmac-sha256-128 (19) and aes256-cts-hmac-sha384-192 (20), RFC 8009.
 * KDF-HMAC-SHA2(key, label, context, k) = first k bits of HMAC(key, 00000001 ‖ label ‖ 00 ‖ context ‖ k as
 * 4 BE octets), context empty except for the PRF;
 * encryption C = AES-CTS(Ke, conf ‖ plaintext), H = HMAC(Ki, IV ‖ C) truncated (IV = 16 zero octets).
 */
import { createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomOctets } from './confounder.js';
import { KerberosError, KerberosIntegrityError } from '../errors.js';
import type { EncryptionKey } from '../types.js';
import { iterationsFrom, saltBytes } from './aes-sha1.js';
import { ctsDecrypt, ctsEncryptBlocks, paddedBlocks } from './aes-cts.js';
import type { EnctypeProfile } from './profile.js';
import { memoDerived, usageConstant } from './rfc3961.js';

const CONFOUNDER = 16;
const ZERO_IV = Buffer.alloc(16);
export const AES_SHA2_DEFAULT_ITERATIONS = 32768;

interface Sha2Params {
  readonly etype: 19 | 20;
  readonly name: string;
  readonly hash: 'sha256' | 'sha384';
  readonly keyBytes: number;
  /** Truncated HMAC and Kc/Ki size (RFC 8009 5: 128 or 192 bits). */
  readonly macBytes: number;
  readonly checksumType: number;
}

export function kdfHmacSha2(hash: 'sha256' | 'sha384', key: Uint8Array, label: Uint8Array, bytes: number, context: Uint8Array = Buffer.alloc(0)): Buffer {
  const k = Buffer.alloc(4);
  k.writeUInt32BE(bytes * 8, 0);
  return createHmac(hash, key)
    .update(Buffer.from([0, 0, 0, 1]))
    .update(label)
    .update(Buffer.from([0]))
    .update(context)
    .update(k)
    .digest()
    .subarray(0, bytes);
}

function aesSha2(p: Sha2Params): EnctypeProfile {
  const check = (key: EncryptionKey): void => {
    if (key.etype !== p.etype || key.value.length !== p.keyBytes) {
      throw new KerberosError(`Key of enctype ${key.etype} (${key.value.length} bytes) used with enctype ${p.etype}.`);
    }
  };
  const derive = (key: EncryptionKey, usage: number, kind: 0x99 | 0xaa | 0x55, bytes: number): Buffer =>
    memoDerived(key.value, `kdf:${usage}:${kind}`, () => kdfHmacSha2(p.hash, key.value, usageConstant(usage, kind), bytes));
  const ke = (key: EncryptionKey, usage: number): Buffer => derive(key, usage, 0xaa, p.keyBytes);
  const ki = (key: EncryptionKey, usage: number): Buffer => derive(key, usage, 0x55, p.macBytes);
  const mac = (k: Uint8Array, ...parts: Uint8Array[]): Buffer => {
    const h = createHmac(p.hash, k);
    for (const part of parts) h.update(part);
    return h.digest().subarray(0, p.macBytes);
  };
  return {
    etype: p.etype,
    name: p.name,
    keyBytes: p.keyBytes,
    checksumType: p.checksumType,
    checksumBytes: p.macBytes,
    overhead: CONFOUNDER + p.macBytes,
    hmacBytes: p.macBytes,
    stringToKey(password, salt, params) {
      const iterations = iterationsFrom(params, AES_SHA2_DEFAULT_ITERATIONS);
      const saltp = Buffer.concat([Buffer.from(p.name, 'latin1'), Buffer.from([0]), saltBytes(salt)]);
      const tkey = pbkdf2Sync(Buffer.from(password, 'utf8'), saltp, iterations, p.keyBytes, p.hash);
      return { etype: p.etype, value: kdfHmacSha2(p.hash, tkey, Buffer.from('kerberos', 'latin1'), p.keyBytes) };
    },
    encrypt(key, usage, plaintext, confounder = randomOctets(CONFOUNDER)) {
      check(key);
      const { blocks, length } = paddedBlocks(plaintext, confounder);
      const c = ctsEncryptBlocks(ke(key, usage), blocks, length);
      const out = Buffer.allocUnsafe(length + p.macBytes);
      c.copy(out, 0);
      mac(ki(key, usage), ZERO_IV, c).copy(out, length);
      return out;
    },
    decrypt(key, usage, ciphertext) {
      check(key);
      if (ciphertext.length < CONFOUNDER + p.macBytes) throw new KerberosIntegrityError(`Ciphertext of ${ciphertext.length} bytes is too short for ${p.name}.`);
      const c = ciphertext.subarray(0, ciphertext.length - p.macBytes);
      const h = ciphertext.subarray(ciphertext.length - p.macBytes);
      // Verify before decrypting (encrypt-then-MAC).
      if (!timingSafeEqual(mac(ki(key, usage), ZERO_IV, c), h)) throw new KerberosIntegrityError(`Integrity check failed (${p.name}, key usage ${usage}): wrong key or tampered data.`);
      return ctsDecrypt(ke(key, usage), c).subarray(CONFOUNDER);
    },
    checksum(key, usage, data) {
      check(key);
      return mac(derive(key, usage, 0x99, p.macBytes), data);
    },
    randomKey() {
      return { etype: p.etype, value: randomBytes(p.keyBytes) };
    },
  };
}

export const aes128CtsHmacSha256128 = aesSha2({ etype: 19, name: 'aes128-cts-hmac-sha256-128', hash: 'sha256', keyBytes: 16, macBytes: 16, checksumType: 19 });
export const aes256CtsHmacSha384192 = aesSha2({ etype: 20, name: 'aes256-cts-hmac-sha384-192', hash: 'sha384', keyBytes: 32, macBytes: 24, checksumType: 20 });

/** RFC 8009 PRF: KDF-HMAC-SHA2(key, "prf", input) of 256 or 384 bits. */
export function prfAesSha2(etype: 19 | 20, key: Uint8Array, input: Uint8Array): Buffer {
  const hash = etype === 19 ? 'sha256' : 'sha384';
  return kdfHmacSha2(hash, key, Buffer.from('prf', 'latin1'), etype === 19 ? 32 : 48, input);
}
