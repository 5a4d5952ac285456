/**
 * AES in CBC mode with ciphertext stealing as Kerberos uses it (RFC 3962 5): CBC over the input
 * zero-padded to whole blocks, last two ciphertext blocks swapped, the final one truncated to the
 * length of the last plaintext block. A single block is plain CBC. The IV is always zero for
 * Kerberos messages (RFC 3961 5.3), but tests pass others.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { KerberosError } from '../errors.js';

const BLOCK = 16;
const ZERO_IV = Buffer.alloc(BLOCK);

function algorithm(key: Uint8Array, mode: 'cbc' | 'ecb'): string {
  if (key.length !== 16 && key.length !== 32) throw new KerberosError(`AES key must be 16 or 32 bytes, got ${key.length}.`);
  return `aes-${key.length * 8}-${mode}`;
}

function cbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Buffer): Buffer {
  const c = createCipheriv(algorithm(key, 'cbc'), key, iv).setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

function cbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Buffer): Buffer {
  const d = createDecipheriv(algorithm(key, 'cbc'), key, iv).setAutoPadding(false);
  return Buffer.concat([d.update(data), d.final()]);
}

/** One AES block encryption (ECB), the E() of RFC 3961 key derivation. */
export function aesBlockEncrypt(key: Uint8Array, block: Uint8Array): Buffer {
  return cbcEncrypt(key, ZERO_IV, Buffer.from(block));
}

export function ctsEncrypt(key: Uint8Array, plaintext: Uint8Array, iv: Uint8Array = ZERO_IV): Buffer {
  const n = plaintext.length;
  if (n < BLOCK) throw new KerberosError(`AES-CTS needs at least one block, got ${n} bytes.`);
  const padded = Buffer.alloc(Math.ceil(n / BLOCK) * BLOCK);
  padded.set(plaintext);
  const cbc = cbcEncrypt(key, iv, padded);
  if (n === BLOCK) return cbc;
  const blocks = cbc.length / BLOCK;
  const last = n - (blocks - 1) * BLOCK; // 1..16 octets in the final plaintext block
  return Buffer.concat([
    cbc.subarray(0, (blocks - 2) * BLOCK),
    cbc.subarray((blocks - 1) * BLOCK),
    cbc.subarray((blocks - 2) * BLOCK, (blocks - 2) * BLOCK + last),
  ]);
}

export function ctsDecrypt(key: Uint8Array, ciphertext: Uint8Array, iv: Uint8Array = ZERO_IV): Buffer {
  const ct = Buffer.from(ciphertext);
  const n = ct.length;
  if (n < BLOCK) throw new KerberosError(`AES-CTS ciphertext shorter than one block (${n} bytes).`);
  if (n === BLOCK) return cbcDecrypt(key, iv, ct);
  const blocks = Math.ceil(n / BLOCK);
  const last = n - (blocks - 1) * BLOCK;
  const head = ct.subarray(0, (blocks - 2) * BLOCK); // C1 .. C(n-2)
  const cn = ct.subarray((blocks - 2) * BLOCK, (blocks - 1) * BLOCK); // the real last CBC block
  const tail = ct.subarray((blocks - 1) * BLOCK); // C(n-1) truncated
  // D(Cn) = Pn(zero-padded) XOR C(n-1): its tail octets are C(n-1)'s stolen ones.
  const d = cbcDecrypt(key, ZERO_IV, Buffer.from(cn));
  const cPrev = Buffer.concat([tail, d.subarray(last)]);
  const pLast = Buffer.alloc(last);
  for (let i = 0; i < last; i++) pLast[i] = d[i]! ^ tail[i]!;
  const front = cbcDecrypt(key, iv, Buffer.concat([head, cPrev]));
  return Buffer.concat([front, pLast]);
}
