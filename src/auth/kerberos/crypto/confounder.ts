/**
 * Random confounders (RFC 3961 5.3) and other per-message random octets, drawn from a pool the
 * CSPRNG refills: one randomFillSync per few hundred messages instead of one per message (that call
 * was a sixth of the CPU of sealing a WinRM message). Each octet is handed out once, as a copy.
 */
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.alloc(4096);
let used = POOL.length;

export function randomOctets(n: number): Buffer {
  if (n > POOL.length) return randomFillSync(Buffer.alloc(n));
  if (used + n > POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  const out = Buffer.from(POOL.subarray(used, used + n));
  POOL.fill(0, used, used + n);
  used += n;
  return out;
}
