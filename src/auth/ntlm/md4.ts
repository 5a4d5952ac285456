/**
 * MD4 (RFC 1320), needed only for NTOWFv1 = MD4(UNICODE(password)) (MS-NLMP 3.3.1).
 * Node 20's OpenSSL 3 no longer ships MD4 in its default provider, so this is a plain implementation.
 */

const INITIAL_STATE = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476] as const;

// Round constants and per-step rotations (RFC 1320 section 3.4).
const ROUND2_K = 0x5a827999;
const ROUND3_K = 0x6ed9eba1;
const ROUND1_SHIFTS = [3, 7, 11, 19] as const;
const ROUND2_SHIFTS = [3, 5, 9, 13] as const;
const ROUND3_SHIFTS = [3, 9, 11, 15] as const;
// Word order for round 2 walks columns, round 3 walks bit-reversed indices.
const ROUND2_ORDER = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15] as const;
const ROUND3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15] as const;

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

const F = (x: number, y: number, z: number): number => (x & y) | (~x & z);
const G = (x: number, y: number, z: number): number => (x & y) | (x & z) | (y & z);
const H = (x: number, y: number, z: number): number => x ^ y ^ z;

function padded(message: Uint8Array): Uint8Array {
  // Append 0x80, zero-fill to 56 mod 64, then the bit length as a 64-bit little-endian integer.
  const blocks = Math.ceil((message.length + 9) / 64);
  const out = new Uint8Array(blocks * 64);
  out.set(message);
  out[message.length] = 0x80;
  const dv = new DataView(out.buffer);
  const bitLength = message.length * 8;
  dv.setUint32(out.length - 8, bitLength >>> 0, true);
  dv.setUint32(out.length - 4, Math.floor(bitLength / 0x100000000), true);
  return out;
}

export function md4(message: Uint8Array): Uint8Array {
  const data = padded(message);
  const dv = new DataView(data.buffer);
  const state: number[] = [...INITIAL_STATE];
  const x = new Array<number>(16);

  for (let block = 0; block < data.length; block += 64) {
    for (let i = 0; i < 16; i++) x[i] = dv.getUint32(block + i * 4, true);
    let [a, b, c, d] = state as [number, number, number, number];

    for (let i = 0; i < 16; i++) {
      const t = rotl((a + F(b, c, d) + x[i]!) | 0, ROUND1_SHIFTS[i % 4]!);
      [a, b, c, d] = [d, t, b, c];
    }
    for (let i = 0; i < 16; i++) {
      const t = rotl((a + G(b, c, d) + x[ROUND2_ORDER[i]!]! + ROUND2_K) | 0, ROUND2_SHIFTS[i % 4]!);
      [a, b, c, d] = [d, t, b, c];
    }
    for (let i = 0; i < 16; i++) {
      const t = rotl((a + H(b, c, d) + x[ROUND3_ORDER[i]!]! + ROUND3_K) | 0, ROUND3_SHIFTS[i % 4]!);
      [a, b, c, d] = [d, t, b, c];
    }

    state[0] = (state[0]! + a) | 0;
    state[1] = (state[1]! + b) | 0;
    state[2] = (state[2]! + c) | 0;
    state[3] = (state[3]! + d) | 0;
  }

  const digest = new Uint8Array(16);
  const out = new DataView(digest.buffer);
  state.forEach((word, i) => out.setUint32(i * 4, word >>> 0, true));
  return digest;
}
