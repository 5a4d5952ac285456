/**
 * RFC 3961 simplified-profile key derivation for the AES enctypes of RFC 3962:
 * DR(K, C) = k-truncate(E(K, n-fold(C, 128)) ‖ E(K, that) ‖ ...), DK = random-to-key(DR), and
 * AES random-to-key is the identity (RFC 3962 6).
 */
import { aesBlockEncrypt } from './aes-cts.js';
import { nfold } from './nfold.js';

export function deriveRandom(key: Uint8Array, constant: Uint8Array, outBytes: number): Buffer {
  const parts: Buffer[] = [];
  let block = nfold(constant, 128);
  let have = 0;
  while (have < outBytes) {
    block = aesBlockEncrypt(key, block);
    parts.push(block);
    have += block.length;
  }
  return Buffer.concat(parts).subarray(0, outBytes);
}

export function deriveKey(key: Uint8Array, constant: Uint8Array): Buffer {
  return deriveRandom(key, constant, key.length);
}

/** Usage constant: usage (4 octets BE) ‖ 0x99 (Kc), 0xAA (Ke) or 0x55 (Ki) (RFC 3961 5.3). */
export function usageConstant(usage: number, kind: 0x99 | 0xaa | 0x55): Buffer {
  const c = Buffer.alloc(5);
  c.writeUInt32BE(usage >>> 0, 0);
  c[4] = kind;
  return c;
}
