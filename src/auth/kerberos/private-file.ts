/**
 * Reading and writing files that hold keys or tickets (credential caches, keytabs): reads are
 * capped before the bytes are loaded; writes go to a new 0600 file in the same directory that is
 * then renamed over the target, so a reader never sees half a file and the secret is never
 * world-readable, whatever the umask.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fstatSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync, constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Reads `path` if it is a regular file of at most `cap` bytes; `fail` builds the caller's typed error. */
export function readCappedFile(path: string, cap: number, fail: (message: string, cause?: unknown) => Error): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(code === 'ENOENT' ? 'does not exist' : `cannot be opened (${(err as Error).message})`, err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw fail('is not a regular file');
    if (st.size > cap) throw fail(`is ${st.size} bytes, more than the ${cap}-byte limit`);
    // Read at most cap + 1 bytes so a file that grows while we read is still caught.
    const buf = Buffer.alloc(Math.min(st.size, cap) + 1);
    let len = 0;
    for (;;) {
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
      if (len > cap) throw fail(`grew past the ${cap}-byte limit while being read`);
      if (len === buf.length) break;
    }
    return buf.subarray(0, len);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with `bytes`, mode 0600, atomically (temp file + rename in the same directory). */
export function writePrivateFile(path: string, bytes: Buffer | string): void {
  writeFileAtomically(path, bytes, 0o600);
}

/**
 * Replaces `path` with `bytes` in a new file of exactly `mode`: never through a symlink or into a
 * file someone else created there (O_EXCL temp file, then rename, which replaces the name itself),
 * and never with the mode of a file it replaces.
 */
export function writeFileAtomically(path: string, bytes: Buffer | string, mode: number): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    // The umask may have narrowed `mode` (harmless) but never widens it; fchmod makes it exact.
    fchmodSync(fd, mode);
    if (typeof bytes === 'string') bytes = Buffer.from(bytes, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
    throw err;
  }
}
