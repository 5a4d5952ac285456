/**
 * RFC 3961 simplified-profile key derivation for the AES enctypes of RFC 3962:
 * DR(K, C) = k-truncate(E(K, n-fold(C, 128)) ‖ E(K, that) ‖ ...), DK = random-to-key(DR), and
 * AES random-to-key is the identity (RFC 3962 6).
 */
import { aesBlockEncrypt } from './aes-cts.js';
import { nfold } from './nfold.js';

// n-fold of the few public constants (usage ‖ 99/AA/55, "kerberos") is computed once each.
const NFOLD_CACHE = new Map<string, Buffer>();
const NFOLD_CACHE_MAX = 256;

function nfold128(constant: Uint8Array): Buffer {
  const id = Buffer.from(constant).toString('hex');
  let folded = NFOLD_CACHE.get(id);
  if (folded === undefined) {
    folded = nfold(constant, 128);
    if (NFOLD_CACHE.size >= NFOLD_CACHE_MAX) NFOLD_CACHE.clear();
    NFOLD_CACHE.set(id, folded);
  }
  return folded;
}

/**
 * Derived keys per base key, held only as long as the base key's buffer lives (WeakMap), so a
 * context's per-message Ke/Ki/Kc are derived once, not per message.
 */
const DERIVED = new WeakMap<Uint8Array, Map<string | number, Buffer>>();

export function memoDerived(key: Uint8Array, label: string | number, compute: () => Buffer): Buffer {
  let perKey = DERIVED.get(key);
  if (perKey === undefined) {
    perKey = new Map();
    DERIVED.set(key, perKey);
  }
  let derived = perKey.get(label);
  if (derived === undefined) {
    derived = compute();
    perKey.set(label, derived);
  }
  return derived;
}

export function deriveRandom(key: Uint8Array, constant: Uint8Array, outBytes: number): Buffer {
  const parts: Buffer[] = [];
  let block = nfold128(constant);
  let have = 0;
  while (have < outBytes) {
    block = aesBlockEncrypt(key, block);
    parts.push(block);
    have += block.length;
  }
  return Buffer.concat(parts).subarray(0, outBytes);
}

export function deriveKey(key: Uint8Array, constant: Uint8Array): Buffer {
  return memoDerived(key, `dk:${Buffer.from(constant).toString('hex')}`, () => deriveRandom(key, constant, key.length));
}

/**
 * DK(key, usage ‖ kind) of a key usage (RFC 3961 5.3), memoised under a numeric label so a
 * per-message lookup builds no constant and no string (usage < 2^32, so usage * 256 + kind is exact).
 */
export function usageKey(key: Uint8Array, usage: number, kind: 0x99 | 0xaa | 0x55): Buffer {
  return memoDerived(key, (usage >>> 0) * 256 + kind, () => deriveRandom(key, usageConstant(usage, kind), key.length));
}

/** Usage constant: usage (4 octets BE) ‖ 0x99 (Kc), 0xAA (Ke) or 0x55 (Ki) (RFC 3961 5.3). */
export function usageConstant(usage: number, kind: 0x99 | 0xaa | 0x55): Buffer {
  const c = Buffer.alloc(5);
  c.writeUInt32BE(usage >>> 0, 0);
  c[4] = kind;
  return c;
}
