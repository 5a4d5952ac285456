/**
 * Byte helpers shared by the NTLM modules. Everything binary stays in Uint8Array; text only becomes
 * bytes through the explicit encoders here (NTLM strings are UTF-16LE or, rarely, OEM).
 */
import { timingSafeEqual } from 'node:crypto';

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = uninitialisedBytes(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A plain Uint8Array of `length` bytes that the caller fills completely: Node's pool backs small ones
 * and nothing is zero-filled (a fresh ArrayBuffer per KB-sized result is what made the GC busy).
 */
export function uninitialisedBytes(length: number): Uint8Array {
  const b = Buffer.allocUnsafe(length);
  return new Uint8Array(b.buffer, b.byteOffset, length);
}

export function utf16le(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf16le'));
}

/** OEM code page stand-in: NTLM peers that negotiate OEM only ever send ASCII names in practice. */
export function oem(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

export function ascii(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'ascii'));
}

export function decodeUtf16le(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf16le');
}

export function decodeOem(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function uint32le(value: number): Uint8Array {
  const out = new Uint8Array(4);
  view(out).setUint32(0, value >>> 0, true);
  return out;
}

/** Constant-time comparison for MACs and proofs; lengths are not secret. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function isAllZero(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === 0);
}

