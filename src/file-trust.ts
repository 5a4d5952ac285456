/**
 * Files whose content decides whom the client trusts or talks to (a CA bundle, the CLI's config
 * file) must not be writable by every user of the machine: anyone could add their own CA, or point
 * a profile at their own host with certificate checks off, and read the traffic (and the password).
 */
import { statSync } from 'node:fs';
import { InvalidOptionError } from './errors.js';

const OTHERS_WRITE = 0o002;

/** Throws when `path` (a file that exists) is writable by others, naming it as `what` and the chmod that fixes it. POSIX only. */
export function refuseWorldWritable(path: string, what: string): void {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return; // the reader reports a missing or unreadable file in its own words
  }
  if ((mode & OTHERS_WRITE) === 0) return;
  throw new InvalidOptionError(
    `${what} ${path} is writable by every user (mode ${mode.toString(8).padStart(4, '0')}), so anyone on this machine could change whom this client trusts; refusing it. Run: chmod o-w '${path}'`,
  );
}
