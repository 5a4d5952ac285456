/** Warnings about files that hold connection secrets or settings but can be read by other users. */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { InvalidOptionError } from '../errors.js';
import type { CliIo } from './io.js';

/** Group-read and other-read bits. */
const SHARED_READ_BITS = 0o044;

/** Mode bits when the file is readable by group or others (POSIX only), else undefined. */
export function sharedReadMode(path: string): number | undefined {
  if (process.platform === 'win32') return undefined;
  try {
    const mode = statSync(path).mode & 0o777;
    return (mode & SHARED_READ_BITS) !== 0 ? mode : undefined;
  } catch {
    return undefined;
  }
}

/** One warning line on stderr when `path` is group/world-readable. Never fails the command. */
export function warnIfShared(path: string, what: string, io: CliIo): void {
  const mode = sharedReadMode(path);
  if (mode === undefined) return;
  io.stderr.write(`hyperv-wsman: warning: ${what} ${path} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 '${path}'\n`);
}

/** Read a small text file (config, password), refusing anything larger than `limit` bytes (e.g. a device or a wrong path). */
export function readSmallTextFile(path: string, limit: number, what: string): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > limit) throw new InvalidOptionError(`${what} ${path} is ${size} bytes; more than the ${limit} expected. Is it the right file?`);
    // Loop until EOF: a pipe (e.g. --password-file <(pass show hv)) may deliver in several reads.
    const buf = Buffer.alloc(limit + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, limit + 1 - n, null);
      if (got === 0) break;
      n += got;
      if (n > limit) throw new InvalidOptionError(`${what} ${path} is larger than the ${limit} bytes expected. Is it the right file?`);
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
