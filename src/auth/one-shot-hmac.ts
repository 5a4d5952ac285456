/**
 * HMAC (RFC 2104) for per-message MACs under one long-lived key (NTLM's SigningKey, Kerberos' Ki),
 * as two one-shot hashes: inner = H(K ^ ipad ‖ text), MAC = H(K ^ opad ‖ inner), with both padded
 * keys computed once. Two crypto.hash() calls were measured 0.3-0.6 µs per message below
 * createHmac(), whose per-call object and key set-up is the difference. The inner input is
 * assembled in one scratch buffer shared by every key (hashing is synchronous, so no two messages
 * use it at once); text longer than the scratch goes through createHmac, where that fixed cost is
 * small beside the hashing.
 */
import { createHash, createHmac, hash } from 'node:crypto';

export type OneShotHmacAlgorithm = 'md5' | 'sha1';

/** Block and digest sizes (RFC 1321, FIPS 180-4): both hashes have 64-byte blocks. */
const SIZES: Readonly<Record<OneShotHmacAlgorithm, { readonly block: number; readonly digest: number }>> = {
  md5: { block: 64, digest: 16 },
  sha1: { block: 64, digest: 20 },
};

const MAX_BLOCK = 64;
const SCRATCH_TEXT_BYTES = 16 * 1024;
let scratch: Buffer | undefined;

export class OneShotHmac {
  readonly #algorithm: OneShotHmacAlgorithm;
  readonly #key: Buffer;
  readonly #block: number;
  readonly #innerPad: Buffer;
  /** K ^ opad, then room for the inner digest of the text at hand. */
  readonly #outer: Buffer;

  constructor(algorithm: OneShotHmacAlgorithm, key: Uint8Array) {
    const { block, digest } = SIZES[algorithm];
    this.#algorithm = algorithm;
    this.#key = Buffer.from(key);
    this.#block = block;
    // RFC 2104 2: a key longer than the block is hashed first; a shorter one is padded with zeros.
    const k = key.length > block ? createHash(algorithm).update(key).digest() : key;
    this.#innerPad = Buffer.alloc(block, 0x36);
    this.#outer = Buffer.alloc(block + digest, 0x5c);
    for (let i = 0; i < k.length; i++) {
      this.#innerPad[i] = k[i]! ^ 0x36;
      this.#outer[i] = k[i]! ^ 0x5c;
    }
  }

  /** HMAC(K, a ‖ b), the full digest (callers truncate). */
  digest(a: Uint8Array, b?: Uint8Array): Buffer {
    const block = this.#block;
    const length = a.length + (b?.length ?? 0);
    if (length > SCRATCH_TEXT_BYTES) {
      const h = createHmac(this.#algorithm, this.#key).update(a);
      if (b !== undefined) h.update(b);
      return h.digest();
    }
    const s = (scratch ??= Buffer.allocUnsafe(MAX_BLOCK + SCRATCH_TEXT_BYTES));
    this.#innerPad.copy(s, 0);
    s.set(a, block);
    if (b !== undefined) s.set(b, block + a.length);
    hash(this.#algorithm, s.subarray(0, block + length), 'buffer').copy(this.#outer, block);
    return hash(this.#algorithm, this.#outer, 'buffer');
  }
}
