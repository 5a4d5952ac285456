/**
 * Text from a server (fault reasons, Msvm_Error messages, NTLM names, WWW-Authenticate, KDC e-text)
 * reaches the terminal. Control characters in it could move the cursor, erase a [FAIL] line or set
 * the window title, so every string the CLI writes has them shown as \u00XX instead. The same escape
 * is valid inside a JSON string and decodes to the same character, so --json output stays exact.
 * Kept: tab and newline (our own layout), and the progress bar's redraw, written as a chunk of its own.
 */
import type { CliIo } from './io.js';

/**
 * C0 controls but tab and newline, DEL, and the C1 controls (ECMA-48 CSI is also U+009B); and the
 * bidirectional marks, embeddings, overrides and isolates (Unicode UAX #9: U+061C, U+200E-U+200F,
 * U+202A-U+202E, U+2066-U+2069), with which text from a server could show a line reordered
 * ("failed" read as "deliaf" written backwards).
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Carriage return + erase line (CSI K): the progress bar redraws in place with exactly this chunk. */
export const REDRAW = '\r\u001b[K';

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function guarded<S extends NodeJS.WritableStream>(stream: S): S {
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') {
        return (chunk: unknown, ...rest: unknown[]): boolean =>
          (target.write as (c: unknown, ...r: unknown[]) => boolean).call(target, typeof chunk === 'string' && chunk !== REDRAW ? printable(chunk) : chunk, ...rest);
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The io with stdout and stderr writing only printable text. */
export function terminalSafeIo(io: CliIo): CliIo {
  return { ...io, stdout: guarded(io.stdout), stderr: guarded(io.stderr) };
}
