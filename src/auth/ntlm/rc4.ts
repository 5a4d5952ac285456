/**
 * RC4 stream cipher, used by NTLM for KXKEY wrapping (RC4K) and for sealing (MS-NLMP 3.4.3).
 * Node 20's OpenSSL 3 moved RC4 to the legacy provider, so this is a plain implementation.
 */
import { uninitialisedBytes } from './bytes.js';

/** A keyed RC4 stream. Keystream state carries over between update() calls, as NTLM requires. */
export class Rc4 {
  readonly #s = new Uint8Array(256);
  #i = 0;
  #j = 0;

  constructor(key: Uint8Array) {
    if (key.length === 0 || key.length > 256) throw new RangeError(`RC4 key must be 1..256 bytes, got ${key.length}`);
    const s = this.#s;
    for (let i = 0; i < 256; i++) s[i] = i;
    let j = 0;
    for (let i = 0; i < 256; i++) {
      j = (j + s[i]! + key[i % key.length]!) & 0xff;
      [s[i], s[j]] = [s[j]!, s[i]!];
    }
  }

  /** XOR `data` with the next data.length keystream bytes; returns a new array. */
  update(data: Uint8Array): Uint8Array {
    return this.updateInto(data, uninitialisedBytes(data.length));
  }

  /** The same, written to `out` (which may be `data` itself: RC4 works in place). Returns `out`. */
  updateInto(data: Uint8Array, out: Uint8Array): Uint8Array {
    this.cryptRange(data, out, 0, data.length);
    return out;
  }

  /**
   * out[from..to) = data[from..to) XOR the next (to - from) keystream bytes: a part of an array
   * (the 8-byte checksum of an NTLM signature) without a subarray view for it.
   */
  cryptRange(data: Uint8Array, out: Uint8Array, from: number, to: number): void {
    // The loop only ever sees plain Uint8Arrays: Buffers (bodies from the socket, framing buffers)
    // mixed in made its element accesses polymorphic, measured at up to twice the time per byte.
    const d = plain(data);
    const o = data === out ? d : plain(out);
    const s = this.#s;
    let i = this.#i;
    let j = this.#j;
    for (let n = from; n < to; n++) {
      i = (i + 1) & 0xff;
      const si = s[i]!;
      j = (j + si) & 0xff;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      o[n] = d[n]! ^ s[(si + sj) & 0xff]!;
    }
    this.#i = i;
    this.#j = j;
  }
}

/** `bytes` as a plain Uint8Array: a Buffer (or other subclass) is re-viewed, nothing is copied. */
function plain(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** RC4K(key, data): one-shot encryption with a fresh key schedule (MS-NLMP 6 "RC4K"). */
export function rc4k(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Rc4(key).update(data);
}
