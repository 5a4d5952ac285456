/**
 * AES in CBC mode with ciphertext stealing as Kerberos uses it (RFC 3962 5): CBC over the input
 * zero-padded to whole blocks, last two ciphertext blocks swapped, the final one truncated to the
 * length of the last plaintext block. A single block is plain CBC. The IV is always zero for
 * Kerberos messages (RFC 3961 5.3), but tests pass others.
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
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

/**
 * A CBC cipher object kept for one key across messages (per-message createCipheriv is most of the
 * cost of sealing a WinRM message). It is never finalised, so OpenSSL keeps chaining from the last
 * ciphertext block it saw (`chain`); XOR-ing `chain ^ iv` into the first block (before encrypting,
 * after decrypting) makes each message start from `iv` as if the object were new. Every use is
 * synchronous, so messages never interleave.
 */
class ChainedCbc {
  readonly #c: Cipher | Decipher;
  readonly #chain = Buffer.alloc(BLOCK);
  readonly #decrypt: boolean;

  constructor(key: Uint8Array, decrypt: boolean) {
    this.#decrypt = decrypt;
    this.#c = (decrypt ? createDecipheriv(algorithm(key, 'cbc'), key, ZERO_IV) : createCipheriv(algorithm(key, 'cbc'), key, ZERO_IV)).setAutoPadding(false);
  }

  /** CBC of whole blocks from `iv`; `data` (a buffer of ours) is overwritten when encrypting. */
  run(iv: Uint8Array, data: Buffer): Buffer {
    if (data.length === 0 || data.length % BLOCK !== 0) throw new KerberosError(`AES-CBC input must be whole blocks, got ${data.length} bytes.`);
    const chain = this.#chain;
    if (this.#decrypt) {
      const out = this.#c.update(data);
      if (out.length !== data.length) throw new KerberosError('AES-CBC decryption returned a short block count.');
      for (let i = 0; i < BLOCK; i++) out[i] = out[i]! ^ chain[i]! ^ iv[i]!;
      data.copy(chain, 0, data.length - BLOCK);
      return out;
    }
    for (let i = 0; i < BLOCK; i++) data[i] = data[i]! ^ chain[i]! ^ iv[i]!;
    const out = this.#c.update(data);
    if (out.length !== data.length) throw new KerberosError('AES-CBC encryption returned a short block count.');
    out.copy(chain, 0, out.length - BLOCK);
    return out;
  }
}

const ENCRYPTORS = new WeakMap<Uint8Array, ChainedCbc>();
const DECRYPTORS = new WeakMap<Uint8Array, ChainedCbc>();

function chained(key: Uint8Array, decrypt: boolean): ChainedCbc {
  const map = decrypt ? DECRYPTORS : ENCRYPTORS;
  let c = map.get(key);
  if (c === undefined) {
    c = new ChainedCbc(key, decrypt);
    map.set(key, c);
  }
  return c;
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
  const cbc = chained(key, false).run(iv, padded);
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
  const dec = chained(key, true);
  if (n === BLOCK) return dec.run(iv, ct);
  const blocks = Math.ceil(n / BLOCK);
  const last = n - (blocks - 1) * BLOCK;
  const head = ct.subarray(0, (blocks - 2) * BLOCK); // C1 .. C(n-2)
  const cn = ct.subarray((blocks - 2) * BLOCK, (blocks - 1) * BLOCK); // the real last CBC block
  const tail = ct.subarray((blocks - 1) * BLOCK); // C(n-1) truncated
  // D(Cn) = Pn(zero-padded) XOR C(n-1): its tail octets are C(n-1)'s stolen ones.
  const d = dec.run(ZERO_IV, Buffer.from(cn));
  const cPrev = Buffer.concat([tail, d.subarray(last)]);
  const pLast = Buffer.alloc(last);
  for (let i = 0; i < last; i++) pLast[i] = d[i]! ^ tail[i]!;
  const front = dec.run(iv, Buffer.concat([head, cPrev]));
  return Buffer.concat([front, pLast]);
}
