/** Warnings about files that hold connection secrets or settings but can be read by other users. */
import { statSync } from 'node:fs';
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
