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

/**
 * A Buffer of `length` whole blocks holding `plaintext` then zeros: CBC's input for CTS. Allocated
 * from Node's pool where it fits; only the padding is zeroed. `prefix` (a confounder) goes first.
 */
export function paddedBlocks(plaintext: Uint8Array, prefix?: Uint8Array): { blocks: Buffer; length: number } {
  const at = prefix?.length ?? 0;
  const length = at + plaintext.length;
  const blocks = Buffer.allocUnsafe(Math.max(1, Math.ceil(length / BLOCK)) * BLOCK);
  if (prefix !== undefined) blocks.set(prefix, 0);
  blocks.set(plaintext, at);
  blocks.fill(0, length);
  return { blocks, length };
}

export function ctsEncrypt(key: Uint8Array, plaintext: Uint8Array, iv: Uint8Array = ZERO_IV): Buffer {
  if (plaintext.length < BLOCK) throw new KerberosError(`AES-CTS needs at least one block, got ${plaintext.length} bytes.`);
  const { blocks } = paddedBlocks(plaintext);
  return ctsEncryptBlocks(key, blocks, plaintext.length, iv);
}

/**
 * CTS over the first `n` octets of `blocks` (zero-padded whole blocks, see paddedBlocks), which
 * it overwrites. The last two CBC blocks are swapped where they lie in the cipher's output and the
 * result is that output cut to `n` octets: no further copy.
 */
export function ctsEncryptBlocks(key: Uint8Array, blocks: Buffer, n: number, iv: Uint8Array = ZERO_IV): Buffer {
  if (n < BLOCK) throw new KerberosError(`AES-CTS needs at least one block, got ${n} bytes.`);
  const cbc = chained(key, false).run(iv, blocks);
  if (n === BLOCK) return cbc;
  const count = cbc.length / BLOCK;
  // Cn then C(n-1) truncated to the length of the last plaintext block (RFC 3962 5).
  const a = (count - 2) * BLOCK;
  const b = (count - 1) * BLOCK;
  for (let i = 0; i < BLOCK; i++) {
    const t = cbc[a + i]!;
    cbc[a + i] = cbc[b + i]!;
    cbc[b + i] = t;
  }
  return cbc.subarray(0, n);
}

export function ctsDecrypt(key: Uint8Array, ciphertext: Uint8Array, iv: Uint8Array = ZERO_IV): Buffer {
  const n = ciphertext.length;
  if (n < BLOCK) throw new KerberosError(`AES-CTS ciphertext shorter than one block (${n} bytes).`);
  const dec = chained(key, true);
  const ct = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, n); // a view: decryption only reads it
  if (n === BLOCK) return dec.run(iv, ct);
  const count = Math.ceil(n / BLOCK);
  const last = n - (count - 1) * BLOCK; // 1..16 octets in the final block
  const a = (count - 2) * BLOCK;
  const b = (count - 1) * BLOCK;
  // On the wire: C1 .. C(n-2), Cn, C(n-1) cut to `last`. D(Cn) = Pn(zero-padded) XOR C(n-1), so its
  // octets past `last` are the ones C(n-1) lost; with C(n-1) whole again, the blocks in CBC order
  // decrypt in one pass to P1 .. Pn (Pn zero-padded).
  const dn = dec.run(ZERO_IV, ct.subarray(a, b));
  const ordered = Buffer.allocUnsafe(count * BLOCK);
  ct.copy(ordered, 0, 0, a);
  ct.copy(ordered, a, b, n);
  dn.copy(ordered, a + last, last, BLOCK);
  ct.copy(ordered, b, a, b);
  return dec.run(iv, ordered).subarray(0, n);
}
