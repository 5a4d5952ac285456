/** Runs a command body with a connected client, and turns errors into one line + an exit code. */
import { HypervWsmanError } from '../errors.js';
import { WsmanClient } from '../wsman/client.js';
import { connectionOptions, type ConnectionArgs } from './connection.js';
import { exitCodeFor } from './exit-codes.js';
import type { CliIo } from './io.js';

export async function withClient(args: ConnectionArgs, io: CliIo, body: (client: WsmanClient) => Promise<number>): Promise<number> {
  let client: WsmanClient | undefined;
  try {
    client = new WsmanClient(await connectionOptions(args, io));
    return await body(client);
  } catch (err) {
    return reportError(err, args, io);
  } finally {
    await client?.close().catch(() => undefined);
  }
}

/** One line on stderr (code + message); the stack only with --debug. With --json, also a JSON error on stdout. */
export function reportError(err: unknown, args: { json?: boolean; debug?: boolean }, io: CliIo): number {
  const code = err instanceof HypervWsmanError ? err.code : 'ERR_INTERNAL';
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`hyperv-wsman: ${code}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  if (args.debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
  if (args.json) io.stdout.write(JSON.stringify({ error: { code, message } }) + '\n');
  return exitCodeFor(err);
}
