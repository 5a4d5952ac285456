/** Runs a command body with a connected client, and turns errors into one line + an exit code. */
import { HypervWsmanError } from '../errors.js';
import { WsmanClient } from '../wsman/client.js';
import { connectionOptions, type ConnectionArgs } from './connection.js';
import { exitCodeFor } from './exit-codes.js';
import type { CliIo } from './io.js';
import { inFlagTerms } from './option-names.js';

export async function withClient(args: ConnectionArgs, io: CliIo, body: (client: WsmanClient) => Promise<number>): Promise<number> {
  let client: WsmanClient | undefined;
  try {
    client = new WsmanClient(await connectionOptions(args, io));
    for (const w of client.options.clientCertificate?.certificate.warnings ?? []) io.stderr.write(`hyperv-wsman: warning: ${inFlagTerms(w)}\n`);
    return await body(client);
  } catch (err) {
    return reportError(err, args, io);
  } finally {
    if (client) await settleWithin(client.close(), CLOSE_GRACE_MS);
  }
}

/** Closing never decides the exit code, and never holds it back: give it a moment, then move on. */
const CLOSE_GRACE_MS = 1000;

function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    p.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}

/**
 * Check and parse the arguments first (no password asked, no connection made), then run with a
 * client. `hintFor` may name what to change for an error of the body (shown after its message).
 */
export async function withPreparedClient<P>(
  args: ConnectionArgs,
  io: CliIo,
  prepare: () => P,
  body: (client: WsmanClient, prepared: P) => Promise<number>,
  hintFor?: (err: unknown, prepared: P) => string | undefined,
): Promise<number> {
  let prepared: P;
  try {
    prepared = prepare();
  } catch (err) {
    return reportError(err, args, io);
  }
  return withClient(args, io, async (client) => {
    try {
      return await body(client, prepared);
    } catch (err) {
      throw withHint(err, hintFor?.(err, prepared));
    }
  });
}

/** Hints attached to errors by the command that saw them, printed after the error's message. */
const HINTS = new WeakMap<object, string>();

/** `err`, with `hint` recorded for messageOf. */
export function withHint(err: unknown, hint: string | undefined): unknown {
  if (hint !== undefined && typeof err === 'object' && err !== null) HINTS.set(err, hint);
  return err;
}

export function errorCodeOf(err: unknown): string {
  return err instanceof HypervWsmanError ? err.code : 'ERR_INTERNAL';
}

/** The one stderr line every failure gets: `hyperv-wsman: CODE: message`, message on one line. */
export function writeErrorLine(err: unknown, io: CliIo): void {
  const message = messageOf(err);
  io.stderr.write(`hyperv-wsman: ${errorCodeOf(err)}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
}

/** The error's message in the words of the CLI: library option names become the flags that set them. */
export function messageOf(err: unknown): string {
  const hint = typeof err === 'object' && err !== null ? HINTS.get(err) : undefined;
  return inFlagTerms(err instanceof Error ? err.message : String(err)) + (hint !== undefined ? ` Hint: ${hint}` : '');
}

/** One line on stderr (code + message); the stack only with --debug. With --json, also a JSON error on stdout. */
export function reportError(err: unknown, args: { json?: boolean; debug?: boolean }, io: CliIo): number {
  writeErrorLine(err, io);
  if (args.debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
  if (args.json) io.stdout.write(JSON.stringify({ error: { code: errorCodeOf(err), message: messageOf(err) } }) + '\n');
  return exitCodeFor(err);
}
