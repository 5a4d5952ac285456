/**
 * Connection flags shared by every command, named as Ansible's winrm options are. The password
 * never comes from argv: HYPERV_WSMAN_PASSWORD, --password-stdin or --password-file.
 */
import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { InvalidOptionError } from '../errors.js';
import type { ConnectionOptions, TraceEvent } from '../options.js';
import type { CliIo } from './io.js';

export const PASSWORD_ENV = 'HYPERV_WSMAN_PASSWORD';

export interface ConnectionArgs {
  host?: string;
  port?: number;
  scheme?: string;
  path?: string;
  transport?: string;
  user?: string;
  'password-stdin'?: boolean;
  'password-file'?: string;
  'message-encryption'?: string;
  'server-cert-validation'?: string;
  'ca-trust-path'?: string;
  'send-cbt'?: boolean;
  'allow-unencrypted'?: boolean;
  'operation-timeout'?: number;
  'read-timeout'?: number;
  'connect-timeout'?: number;
  json?: boolean;
  verbose?: boolean;
  debug?: boolean;
}

const GROUP = 'Connection:';

export function withConnectionOptions<T>(y: Argv<T>): Argv<T & ConnectionArgs> {
  return y
    .option('host', { type: 'string', group: GROUP, describe: 'Hyper-V host name or address' })
    .option('port', { type: 'number', group: GROUP, describe: 'WinRM port (default 5985 for http, 5986 for https)' })
    .option('scheme', { type: 'string', choices: ['http', 'https'], group: GROUP, describe: 'http or https (default https, or http when --port 5985)' })
    .option('path', { type: 'string', group: GROUP, describe: 'WS-Man path', default: '/wsman' })
    .option('transport', { type: 'string', choices: ['basic', 'ntlm'], group: GROUP, describe: 'Authentication (default ntlm)' })
    .option('user', { type: 'string', group: GROUP, describe: 'User: DOMAIN\\user, user@domain or user' })
    .option('password-stdin', { type: 'boolean', group: GROUP, describe: 'Read the password from standard input' })
    .option('password-file', { type: 'string', group: GROUP, describe: `Read the password from a file (else $${PASSWORD_ENV})` })
    .option('message-encryption', { type: 'string', choices: ['auto', 'always', 'never'], group: GROUP, describe: 'WinRM message encryption (auto: on http only)' })
    .option('server-cert-validation', { type: 'string', choices: ['validate', 'ignore'], group: GROUP, describe: 'TLS certificate checks (default validate)' })
    .option('ca-trust-path', { type: 'string', group: GROUP, describe: 'PEM file of CA certificates to trust' })
    .option('send-cbt', { type: 'boolean', group: GROUP, describe: 'NTLM channel binding over https (default true; --no-send-cbt)' })
    .option('allow-unencrypted', { type: 'boolean', group: GROUP, describe: 'Allow clear-text SOAP/credentials over http (lab hosts only)' })
    .option('operation-timeout', { type: 'number', group: GROUP, describe: 'WS-Man OperationTimeout in seconds (default 20)' })
    .option('read-timeout', { type: 'number', group: GROUP, describe: 'HTTP read timeout in seconds (default operation timeout + 10)' })
    .option('connect-timeout', { type: 'number', group: GROUP, describe: 'TCP/TLS connect timeout in seconds (default 30)' })
    .option('json', { type: 'boolean', describe: 'Machine-readable JSON output' })
    .option('verbose', { type: 'boolean', describe: 'Print each request/response (credentials redacted) to stderr' })
    .option('debug', { type: 'boolean', describe: 'Show stack traces on errors' }) as Argv<T & ConnectionArgs>;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Password from stdin, a file or the environment; trailing newline trimmed. */
export async function resolvePassword(args: ConnectionArgs, io: CliIo): Promise<string> {
  const sources = [args['password-stdin'] ? 'stdin' : '', args['password-file'] ? 'file' : ''].filter(Boolean);
  if (sources.length > 1) throw new InvalidOptionError('Give only one of --password-stdin and --password-file.');
  if (args['password-stdin']) return (await readAll(io.stdin)).replace(/\r?\n$/, '');
  if (args['password-file']) {
    try {
      return readFileSync(args['password-file'], 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new InvalidOptionError(`Cannot read --password-file: ${(err as Error).message}`);
    }
  }
  const env = io.env[PASSWORD_ENV];
  if (env !== undefined) return env;
  throw new InvalidOptionError(`No password: set ${PASSWORD_ENV}, or use --password-stdin or --password-file (never on the command line).`);
}

export function traceTo(io: CliIo): (e: TraceEvent) => void {
  return (e) => {
    const head = e.direction === 'request' ? `>>> ${e.label}` : `<<< ${e.label} HTTP ${e.status ?? ''}`;
    const hdrs = Object.entries(e.headers).map(([k, v]) => `${k}: ${v}`).join('\n');
    io.stderr.write(`${head}${e.encrypted ? ' (encrypted on the wire)' : ''}\n${hdrs}\n\n${e.body}\n\n`);
  };
}

export async function connectionOptions(args: ConnectionArgs, io: CliIo): Promise<ConnectionOptions> {
  if (!args.host) throw new InvalidOptionError('--host is required.');
  if (!args.user) throw new InvalidOptionError('--user is required.');
  const password = await resolvePassword(args, io);
  return {
    host: args.host,
    user: args.user,
    password,
    ...(args.port !== undefined ? { port: args.port } : {}),
    ...(args.scheme !== undefined ? { scheme: args.scheme as 'http' | 'https' } : {}),
    ...(args.path !== undefined ? { path: args.path } : {}),
    ...(args.transport !== undefined ? { transport: args.transport as 'basic' | 'ntlm' } : {}),
    ...(args['message-encryption'] !== undefined ? { messageEncryption: args['message-encryption'] as 'auto' | 'always' | 'never' } : {}),
    ...(args['server-cert-validation'] !== undefined ? { serverCertValidation: args['server-cert-validation'] as 'validate' | 'ignore' } : {}),
    ...(args['ca-trust-path'] !== undefined ? { caTrustPath: args['ca-trust-path'] } : {}),
    ...(args['send-cbt'] !== undefined ? { sendCbt: args['send-cbt'] } : {}),
    ...(args['allow-unencrypted'] !== undefined ? { allowUnencrypted: args['allow-unencrypted'] } : {}),
    ...(args['operation-timeout'] !== undefined ? { operationTimeoutSec: args['operation-timeout'] } : {}),
    ...(args['read-timeout'] !== undefined ? { readTimeoutSec: args['read-timeout'] } : {}),
    ...(args['connect-timeout'] !== undefined ? { connectTimeoutSec: args['connect-timeout'] } : {}),
    ...(args.verbose ? { trace: traceTo(io) } : {}),
  };
}
