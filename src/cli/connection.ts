/**
 * Connection flags shared by every command, named as Ansible's winrm options are, and their
 * resolution: command-line flags win over HYPERV_WSMAN_* environment variables, which win over the
 * config profile, which wins over the config defaults. `--host` may be a URL (scheme, port, path).
 * The password never comes from argv or the config file: --password-stdin, --password-file,
 * HYPERV_WSMAN_PASSWORD, or the profile's password-file, in that order.
 */
import type { Argv } from 'yargs';
import { StringDecoder } from 'node:string_decoder';
import { InvalidOptionError } from '../errors.js';
import { resolveOptions, type AuthTransport, type ClientCertNegotiation, type ConnectionOptions, type TraceEvent } from '../options.js';
import { isEncryptedKeyPem, MAX_PEM_BYTES } from '../auth/certificate/client-certificate.js';
import { proxyFromEnv } from '../transport/proxy-tunnel.js';
import type { UnauthenticatedIdentifyOptions } from '../wsman/identify-unauthenticated.js';
import { BOOLEAN_WORDS_TEXT, booleanWord } from './boolean-words.js';
import { CONFIG_ENV, CONFIG_KEYS, PROFILE_ENV, loadConfig, type ConfigKey, type ConfigValues, type LoadedConfig } from './config-file.js';
import { readSmallTextFile, warnIfShared } from './file-safety.js';
import { givenNumber } from './number-text.js';
import type { CliIo } from './io.js';
import { checkTransportSettings } from './transport-flags.js';
import { maskUrlCredentials } from '../transport/proxy-tunnel.js';

export const PASSWORD_ENV = 'HYPERV_WSMAN_PASSWORD';
/** Passphrase of an encrypted --cert-key-pem. */
export const CERT_KEY_PASSWORD_ENV = 'HYPERV_WSMAN_CERT_KEY_PASSWORD';

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
  'ntlm-empty-authenticate-body'?: boolean;
  'allow-unencrypted'?: boolean;
  'operation-timeout'?: number;
  'read-timeout'?: number;
  'connect-timeout'?: number;
  'call-timeout'?: number;
  'max-envelope-size'?: number;
  'cert-fingerprint'?: string;
  'cert-pem'?: string;
  'cert-key-pem'?: string;
  'cert-key-password-file'?: string;
  'client-cert-negotiation'?: string;
  proxy?: string;
  'proxy-from-env'?: boolean;
  'kerberos-service'?: string;
  'kerberos-hostname-override'?: string;
  'kerberos-delegation'?: boolean;
  kdc?: string;
  keytab?: string;
  'krb5-config'?: string;
  config?: string;
  profile?: string;
  json?: boolean;
  verbose?: boolean;
  debug?: boolean;
}

const GROUP = 'Connection:';
const OUTPUT_GROUP = 'Output:';

export function withConnectionOptions<T>(y: Argv<T>): Argv<T & ConnectionArgs> {
  return y
    .option('host', { type: 'string', group: GROUP, describe: 'Hyper-V host name or address' })
    .option('port', { type: 'number', group: GROUP, describe: 'WinRM port (default 5985 for http, 5986 for https)' })
    .option('scheme', { type: 'string', choices: ['http', 'https'], group: GROUP, describe: 'http or https (default https, or http when --port 5985)' })
    .option('path', { type: 'string', group: GROUP, describe: 'WS-Man path (default /wsman)' })
    .option('transport', { type: 'string', choices: ['basic', 'ntlm', 'kerberos', 'negotiate', 'certificate'], group: GROUP, describe: 'Authentication (default ntlm; negotiate = Kerberos, else NTLM; certificate: a client certificate over https, no password)' })
    .option('user', { type: 'string', group: GROUP, describe: 'User: DOMAIN\\user, user@domain or user' })
    .option('password-stdin', { type: 'boolean', group: GROUP, describe: 'Read the password from standard input' })
    .option('password-file', { type: 'string', group: GROUP, describe: `Read the password from a file (else $${PASSWORD_ENV}, else the profile's password-file)` })
    .option('message-encryption', { type: 'string', choices: ['auto', 'always', 'never'], group: GROUP, describe: 'WinRM message encryption (auto: on http only)' })
    .option('server-cert-validation', { type: 'string', choices: ['validate', 'ignore'], group: GROUP, describe: 'TLS certificate checks (default validate)' })
    .option('ca-trust-path', { type: 'string', group: GROUP, describe: 'PEM file of CA certificates to trust' })
    .option('send-cbt', { type: 'boolean', group: GROUP, describe: 'NTLM channel binding over https (default true; --no-send-cbt)' })
    .option('ntlm-empty-authenticate-body', { type: 'boolean', group: GROUP, describe: 'Send NTLM AUTHENTICATE with an empty body (for OMI / non-Windows WS-Man servers)' })
    .option('allow-unencrypted', { type: 'boolean', group: GROUP, describe: 'Allow clear-text SOAP/credentials over http (lab hosts only)' })
    .option('operation-timeout', { type: 'number', group: GROUP, describe: 'WS-Man OperationTimeout in seconds (default 20)' })
    .option('read-timeout', { type: 'number', group: GROUP, describe: 'HTTP read timeout in seconds (default operation timeout + 10)' })
    .option('connect-timeout', { type: 'number', group: GROUP, describe: 'TCP/TLS connect timeout in seconds (default 30)' })
    .option('call-timeout', { type: 'number', group: GROUP, describe: 'Whole-call deadline in seconds: connect, send and the complete reply (default connect + read timeout + 30)' })
    .option('max-envelope-size', { type: 'number', group: GROUP, describe: 'MaxEnvelopeSize in bytes asked of the server, and the reply size cap (default 153600); raise for bigger pages' })
    .option('cert-fingerprint', { type: 'string', group: GROUP, describe: 'Pin the server certificate: sha256:AB:CD:... (with --server-cert-validation ignore, the only check)' })
    .option('cert-pem', { type: 'string', group: GROUP, describe: '--transport certificate: PEM file of the client certificate' })
    .option('cert-key-pem', { type: 'string', group: GROUP, describe: `--transport certificate: PEM file of its private key (if encrypted, the passphrase from $${CERT_KEY_PASSWORD_ENV}, --cert-key-password-file or a prompt)` })
    .option('cert-key-password-file', { type: 'string', group: GROUP, describe: 'File holding the passphrase of an encrypted --cert-key-pem' })
    .option('client-cert-negotiation', { type: 'string', choices: ['renegotiation', 'handshake'], group: GROUP, describe: 'When the host asks for the client certificate: renegotiation (default, TLS 1.2) or handshake (host has clientcertnegotiation=enable; TLS 1.3 allowed)' })
    .option('proxy', { type: 'string', group: GROUP, describe: 'HTTP CONNECT proxy, http://host:port (environment proxies are ignored unless --proxy-from-env)' })
    .option('proxy-from-env', { type: 'boolean', group: GROUP, describe: 'Use HTTPS_PROXY/HTTP_PROXY/NO_PROXY from the environment (the place for proxy credentials)' })
    .option('kerberos-service', { type: 'string', group: GROUP, describe: 'Kerberos SPN service class (default HTTP; or WSMAN)' })
    .option('kerberos-hostname-override', { type: 'string', group: GROUP, describe: 'Host name for the Kerberos SPN when --host is an IP address or alias' })
    .option('kerberos-delegation', { type: 'boolean', group: GROUP, describe: 'Delegate your Kerberos credentials (a forwarded TGT) to the host, for a second hop (SMB share, live migration); needs a forwardable TGT (kinit -f)' })
    .option('kdc', { type: 'string', group: GROUP, describe: 'KDC host[:port], comma-separated (else krb5.conf, else DNS)' })
    .option('keytab', { type: 'string', group: GROUP, describe: 'Client keytab for Kerberos without a password (else the credential cache, $KRB5CCNAME)' })
    .option('krb5-config', { type: 'string', group: GROUP, describe: 'krb5.conf to read (else $KRB5_CONFIG, else /etc/krb5.conf)' })
    .option('config', { type: 'string', group: GROUP, describe: `Config file (default $${CONFIG_ENV}, else ~/.config/hyperv-wsman/config.json)` })
    .option('profile', { type: 'string', group: GROUP, describe: `Named profile of the config file (else $${PROFILE_ENV}); flags win over it` })
    .option('json', { type: 'boolean', group: OUTPUT_GROUP, describe: 'Machine-readable JSON output (NDJSON for streams; see docs/cli-json.md)' })
    .option('verbose', { type: 'boolean', group: OUTPUT_GROUP, describe: 'Print each request/response (credentials redacted) to stderr' })
    .option('debug', { type: 'boolean', group: OUTPUT_GROUP, describe: 'Show stack traces on errors' }) as Argv<T & ConnectionArgs>;
}

/**
 * On a terminal, --password-stdin prompts on stderr and reads one line with echo off (raw mode), so
 * the password is not shown on screen; from a pipe it reads everything.
 */
async function readPasswordFromStdin(io: CliIo, prompt = 'Password: '): Promise<string> {
  const tty = io.stdin as NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  if (!tty.isTTY || typeof tty.setRawMode !== 'function') return (await readAll(io.stdin)).replace(/\r?\n$/, '');
  io.stderr.write(prompt);
  tty.setRawMode(true);
  // Decode as a stream so a multi-byte character split across reads stays whole.
  const decoder = new StringDecoder('utf8');
  try {
    let typed: string[] = [];
    for await (const chunk of io.stdin) {
      for (const ch of typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer)) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return typed.join('');
        if (ch === '\u0003') throw new InvalidOptionError('Cancelled.');
        // Backspace removes one whole character (a code point, not half a surrogate pair).
        typed = ch === '\u007f' || ch === '\b' ? typed.slice(0, -1) : [...typed, ch];
      }
    }
    return typed.join('');
  } finally {
    tty.setRawMode(false);
    io.stderr.write('\n');
  }
}

/** The largest password read from a pipe or file: a password, not a stream. */
const MAX_PASSWORD_BYTES = 64 * 1024;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const chunk = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    size += chunk.length;
    if (size > MAX_PASSWORD_BYTES) throw new InvalidOptionError(`The password on standard input (--password-stdin) is larger than the ${MAX_PASSWORD_BYTES} bytes expected. Is the right thing piped in?`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function readPasswordFile(path: string, origin: string, io: CliIo): string {
  warnIfShared(path, 'password file', io);
  try {
    return readSmallTextFile(path, MAX_PASSWORD_BYTES, 'Password file').replace(/\r?\n$/, '');
  } catch (err) {
    if (err instanceof InvalidOptionError) throw err;
    throw new InvalidOptionError(`Cannot read ${origin}: ${(err as Error).message}`);
  }
}

/**
 * --transport certificate: the files, and the key's passphrase when it is encrypted, from
 * $HYPERV_WSMAN_CERT_KEY_PASSWORD, --cert-key-password-file, or a prompt on a terminal. Never argv;
 * without a terminal, a clear error at once rather than a prompt nobody answers.
 */
async function certificateSettings(s: ConfigValues, args: ConnectionArgs, io: CliIo): Promise<Partial<ConnectionOptions>> {
  if (s['cert-pem'] === undefined) throw new InvalidOptionError('--transport certificate needs --cert-pem (the client certificate PEM file).');
  if (s['cert-key-pem'] === undefined) throw new InvalidOptionError('--transport certificate needs --cert-key-pem (its private key PEM file).');
  let keyText = '';
  try {
    keyText = readSmallTextFile(s['cert-key-pem'], MAX_PEM_BYTES, '--cert-key-pem');
  } catch (err) {
    if (err instanceof InvalidOptionError) throw err;
    throw new InvalidOptionError(`Cannot read --cert-key-pem ${s['cert-key-pem']}: ${(err as Error).message}`);
  }
  warnIfShared(s['cert-key-pem'], 'private key file', io);
  let certKeyPassword: string | undefined;
  if (isEncryptedKeyPem(keyText)) {
    const file = s['cert-key-password-file'];
    const env = io.env[CERT_KEY_PASSWORD_ENV];
    if (file !== undefined) certKeyPassword = readPasswordFile(file, '--cert-key-password-file', io);
    else if (env !== undefined) certKeyPassword = env;
    else if ((io.stdin as { isTTY?: boolean }).isTTY && !args['password-stdin']) certKeyPassword = await readPasswordFromStdin(io, 'Passphrase of the client key: ');
    else throw new InvalidOptionError(`The private key in --cert-key-pem is encrypted: set $${CERT_KEY_PASSWORD_ENV} or use --cert-key-password-file (no terminal to prompt on).`);
  }
  return {
    certPem: s['cert-pem'],
    certKeyPem: s['cert-key-pem'],
    ...(certKeyPassword !== undefined ? { certKeyPassword } : {}),
    ...(s['client-cert-negotiation'] !== undefined ? { clientCertNegotiation: s['client-cert-negotiation'] as ClientCertNegotiation } : {}),
  };
}

/**
 * Password from --password-stdin, --password-file, $HYPERV_WSMAN_PASSWORD or the config's
 * password-file, first found wins; one trailing newline trimmed.
 */
export async function resolvePassword(args: ConnectionArgs, io: CliIo, configPasswordFile?: string): Promise<string> {
  if (args['password-stdin'] && args['password-file'] !== undefined) throw new InvalidOptionError('Give only one of --password-stdin and --password-file.');
  if (args['password-stdin']) return nonEmptyPassword(await readPasswordFromStdin(io), 'standard input (--password-stdin)');
  if (args['password-file'] !== undefined) return nonEmptyPassword(readPasswordFile(args['password-file'], '--password-file', io), `--password-file ${args['password-file']}`);
  // An empty variable means "not set", as for every HYPERV_WSMAN_* variable.
  const env = io.env[PASSWORD_ENV];
  if (env !== undefined && env !== '') return env;
  if (configPasswordFile !== undefined) return nonEmptyPassword(readPasswordFile(configPasswordFile, `the config's password-file ${configPasswordFile}`, io), `the config's password-file ${configPasswordFile}`);
  throw new InvalidOptionError(`No password: set ${PASSWORD_ENV}, or use --password-stdin or --password-file, or "password-file" in a config profile (never on the command line).`);
}

/** An empty password would be sent and refused as a wrong one, which sends the user to check the wrong thing. */
function nonEmptyPassword(password: string, source: string): string {
  if (password === '') throw new InvalidOptionError(`The password from ${source} is empty; give the account's password there.`);
  return password;
}

export function traceTo(io: CliIo): (e: TraceEvent) => void {
  return (e) => {
    const head = e.direction === 'request' ? `>>> ${e.label}` : `<<< ${e.label} HTTP ${e.status ?? ''}`;
    const hdrs = Object.entries(e.headers).map(([k, v]) => `${k}: ${v}`).join('\n');
    io.stderr.write(`${head}${e.encrypted ? ' (encrypted on the wire)' : ''}\n${hdrs}\n\n${e.body}\n\n`);
  };
}

/** Prefix of the environment variables that carry settings: HYPERV_WSMAN_HOST, HYPERV_WSMAN_CA_TRUST_PATH, ... */
export const ENV_PREFIX = 'HYPERV_WSMAN_';

/** The environment variable of a setting: its flag name upper-cased, `-` as `_`. */
export function envNameOf(key: ConfigKey): string {
  return ENV_PREFIX + key.toUpperCase().replace(/-/g, '_');
}

/** Settings from HYPERV_WSMAN_* variables (empty ones ignored), typed as the flags are. */
function envSettings(env: CliIo['env']): ConfigValues {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, kind] of Object.entries(CONFIG_KEYS) as Array<[ConfigKey, string]>) {
    const name = envNameOf(key);
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (kind === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new InvalidOptionError(`$${name} must be a number, got "${raw}".`);
      out[key] = n;
    } else if (kind === 'boolean') {
      const value = booleanWord(raw);
      if (value === undefined) throw new InvalidOptionError(`$${name} must be ${BOOLEAN_WORDS_TEXT}, got "${raw}".`);
      out[key] = value;
    } else out[key] = raw;
  }
  return out as ConfigValues;
}

function flagSettings(args: ConnectionArgs): ConfigValues {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    let v = (args as Record<string, unknown>)[key];
    // yargs makes a repeated flag an array: the same value twice is harmless, two values a contradiction.
    if (Array.isArray(v)) {
      const values = [...new Set(v.map(String))];
      if (values.length > 1) throw new InvalidOptionError(`--${key} was given ${v.length} times (${values.map((x) => JSON.stringify(x)).join(', ')}); give it once.`);
      v = v[0];
    }
    if (v !== undefined) out[key] = v;
  }
  return out as ConfigValues;
}

/**
 * `--host https://hv01:5986/wsman`: the scheme, port and path come from the URL. Giving one of them
 * again, differently, in the same place (flags, environment, profile) is a contradiction, not a
 * preference. `label(key)` names a setting as the user wrote it (--port, $HYPERV_WSMAN_PORT, ...).
 */
function expandHostUrl(layer: ConfigValues, label: (key: ConfigKey) => string): ConfigValues {
  const given = layer.host;
  if (given === undefined) return layer;
  // Quoted back in messages with anything up to its last @ masked: a user:password@ typed there must not be repeated.
  const host = maskHostCredentials(given);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(given)) return expandHostPort(layer, given, host, label);
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new InvalidOptionError(`${label('host')} "${host}" is not a valid URL; give a host name, or a URL such as https://hv01:5986/wsman.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidOptionError(`${label('host')} must be a host name or an http:// or https:// URL, got ${url.protocol}//...`);
  if (url.username || url.password) throw new InvalidOptionError(`${label('host')}: credentials are not taken from a URL (they would leak like a password on the command line). Use --user and ${PASSWORD_ENV}, --password-stdin or --password-file.`);
  if (url.search || url.hash) throw new InvalidOptionError(`${label('host')} "${host}": a WS-Man endpoint URL has no query or fragment.`);
  const fromUrl: ConfigValues = {
    scheme: url.protocol.slice(0, -1),
    ...(url.port !== '' ? { port: Number(url.port) } : {}),
    ...(url.pathname !== '/' ? { path: url.pathname } : {}),
  };
  for (const key of ['scheme', 'port', 'path'] as const) {
    const given = layer[key];
    const implied = fromUrl[key];
    if (given !== undefined && implied !== undefined && given !== implied) {
      throw new InvalidOptionError(`${label('host')} ${host} says ${key} ${String(implied)}, but ${label(key)} says ${String(given)}; give it once.`);
    }
  }
  return { ...layer, ...fromUrl, host: url.hostname.replace(/^\[(.*)\]$/, '$1') };
}

/** `host` for messages: everything up to its last @ (a user:password typed there) masked. */
function maskHostCredentials(host: string): string {
  return host.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^]*@/i, '$1***@');
}

/**
 * `--host hv01:5986`, `--host [fe80::1]:5986`, `--host hv01/wsman`, `--host hv01:5985/wsman`: a port
 * and/or a path after the name, as people type them for other tools (a URL without the scheme). A
 * bare IPv6 address (several colons, no brackets) is left alone.
 */
function expandHostPort(layer: ConfigValues, given: string, host: string, label: (key: ConfigKey) => string): ConfigValues {
  if (given.includes('@')) throw new InvalidOptionError(`${label('host')} "${host}": credentials are not taken from the host (they would leak like a password on the command line). Use --user and ${PASSWORD_ENV}, --password-stdin or --password-file.`);
  const m = /^([^:/[\]\s]+|\[[^\]\s]+\])(?::(\d{1,5}))?(\/\S*)?$/.exec(given);
  if (!m || (m[2] === undefined && m[3] === undefined)) {
    // One colon: a name and a port that is not a number (an IPv6 address has several).
    if (/^[^:[\]\s/]+:[^:]*$/.test(given)) throw new InvalidOptionError(`${label('host')} "${host}": the port after the colon must be a number (1-65535).`);
    return layer;
  }
  const name = m[1]!.replace(/^\[(.*)\]$/, '$1');
  const port = m[2] === undefined ? undefined : Number(m[2]);
  const path = m[3];
  if (port !== undefined && (port < 1 || port > 65535)) throw new InvalidOptionError(`${label('host')} "${host}": port ${port} is out of range (1-65535).`);
  if (port !== undefined && layer.port !== undefined && layer.port !== port) {
    throw new InvalidOptionError(`${label('host')} ${host} says port ${port}, but ${label('port')} says ${String(layer.port)}; give it once.`);
  }
  if (path !== undefined && layer.path !== undefined && layer.path !== path) {
    throw new InvalidOptionError(`${label('host')} ${host} says path ${path}, but ${label('path')} says ${layer.path}; give it once.`);
  }
  // 5985 is WinRM's http listener: without a scheme, https on it would fail with a puzzling TLS error.
  const scheme = layer.scheme === undefined && port === 5985 ? { scheme: 'http' } : {};
  return { ...layer, ...scheme, host: name, ...(port !== undefined ? { port } : {}), ...(path !== undefined ? { path } : {}) };
}

/** Each setting's value, and where it came from (for `config show` and error messages). */
export interface ResolvedSettings {
  readonly values: ConfigValues;
  readonly sources: Readonly<Partial<Record<ConfigKey, string>>>;
  readonly config: LoadedConfig;
}

/**
 * The settings in force, by precedence: flag > HYPERV_WSMAN_* variable > config profile > config
 * defaults > (the library's defaults, not filled in here).
 */
export function resolveSettings(args: ConnectionArgs, io: CliIo): ResolvedSettings {
  const config = loadConfig({ ...(args.config !== undefined ? { config: args.config } : {}), ...(args.profile !== undefined ? { profile: args.profile } : {}) }, io);
  // A key the host URL implied is sourced where the host was.
  const configSource = (key: ConfigKey): string => config.sources[key] ?? config.sources.host ?? 'config file';
  const envLabel = (key: ConfigKey): string => `$${envNameOf(key)}`;
  const layers: Array<readonly [ConfigValues, (key: ConfigKey) => string]> = [
    [expandHostUrl(config.values, (key) => `"${key}" (${configSource(key)})`), configSource],
    [expandHostUrl(envSettings(io.env), envLabel), envLabel],
    [expandHostUrl(flagSettings(args), (key) => `--${key}`), () => 'flag'],
  ];
  const values: Record<string, unknown> = {};
  const sources: Partial<Record<ConfigKey, string>> = {};
  for (const [layer, sourceOf] of layers) {
    for (const [key, v] of Object.entries(layer) as Array<[ConfigKey, unknown]>) {
      values[key] = v;
      sources[key] = sourceOf(key);
    }
  }
  return { values: values as ConfigValues, sources, config };
}

const TIMEOUT_KEYS = ['operation-timeout', 'read-timeout', 'connect-timeout', 'call-timeout'] as const;

function checkNumbers(s: ConfigValues): void {
  for (const k of TIMEOUT_KEYS) {
    const v = s[k];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new InvalidOptionError(`--${k} must be a positive number of seconds, got ${givenNumber(v)}.`);
  }
  if (s.port !== undefined && !Number.isInteger(s.port)) throw new InvalidOptionError(`--port must be an integer 1-65535, got ${givenNumber(s.port)}.`);
  const envelope = s['max-envelope-size'];
  if (envelope !== undefined && !(Number.isInteger(envelope) && envelope >= 8192)) throw new InvalidOptionError(`--max-envelope-size must be an integer >= 8192 (WinRM refuses less), got ${givenNumber(envelope)}.`);
}

/**
 * The proxy, if any: --proxy as given, or with --proxy-from-env the one HTTPS_PROXY/HTTP_PROXY/NO_PROXY
 * (of the CLI's environment) name for this endpoint. Environment proxies are never used unasked.
 * Credentials in --proxy or the config file are refused, as a password on argv would be.
 */
function proxyFor(s: ConfigValues, base: ConnectionOptions, io: CliIo): { proxy?: string } {
  const explicit = s.proxy;
  if (explicit !== undefined && s['proxy-from-env'] === true) throw new InvalidOptionError('Give either --proxy or --proxy-from-env, not both.');
  if (explicit !== undefined) {
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(explicit)) {
      throw new InvalidOptionError('Proxy credentials are not taken from the command line or the config file (they would leak like a password). Put the proxy URL in HTTPS_PROXY or HTTP_PROXY and use --proxy-from-env.');
    }
    return { proxy: explicit };
  }
  if (s['proxy-from-env'] !== true) return {};
  // Only the endpoint matters here, so auth settings cannot make this lookup fail.
  const endpoint = new URL(resolveOptions({ ...base, transport: 'basic', messageEncryption: 'auto', allowUnencrypted: true }).endpoint);
  const fromEnv = proxyFromEnv(endpoint, io.env);
  return fromEnv === undefined ? {} : { proxy: fromEnv };
}

function proxyDisplay(url: string): string {
  return maskUrlCredentials(url);
}

/** The Kerberos settings; the credential cache comes from the CLI's $KRB5CCNAME. */
function kerberosOptions(s: ConfigValues, io: CliIo): Partial<ConnectionOptions> {
  // A keytab is a password's equal: readable by others, anyone can log in as its principal.
  if (s.keytab !== undefined) warnIfShared(s.keytab, 'keytab', io);
  const kdcs = s.kdc?.split(',').map((k) => k.trim()).filter((k) => k !== '');
  // An empty list would quietly mean "krb5.conf, then DNS": more likely an unset shell variable.
  if (kdcs !== undefined && kdcs.length === 0) throw new InvalidOptionError(`--kdc "${s.kdc}" names no KDC; give host[:port], comma-separated, or leave it out (then krb5.conf, then DNS).`);
  return {
    ...(s['kerberos-service'] !== undefined ? { kerberosService: s['kerberos-service'] } : {}),
    ...(s['kerberos-hostname-override'] !== undefined ? { kerberosHostnameOverride: s['kerberos-hostname-override'] } : {}),
    ...(s['kerberos-delegation'] !== undefined ? { kerberosDelegation: s['kerberos-delegation'] } : {}),
    ...(kdcs !== undefined ? { kdc: kdcs } : {}),
    ...(s.keytab !== undefined ? { keytab: s.keytab } : {}),
    ...(s['krb5-config'] !== undefined ? { krb5Config: s['krb5-config'] } : {}),
    ...(io.env.KRB5CCNAME !== undefined && io.env.KRB5CCNAME !== '' ? { ccache: io.env.KRB5CCNAME } : {}),
  };
}

/** Connection options from flags, config file and password sources (a password is required). */
export function connectionOptions(args: ConnectionArgs, io: CliIo): Promise<ConnectionOptions> {
  return buildConnection(args, io, true);
}

/** Endpoint, TLS, timeout and proxy settings only, for calls that send no credentials (identify --unauthenticated). */
export async function endpointOptions(args: ConnectionArgs, io: CliIo): Promise<UnauthenticatedIdentifyOptions> {
  const o = await buildConnection(args, io, false);
  const { user: _user, password: _password, transport: _transport, messageEncryption: _me, sendCbt: _cbt, allowUnencrypted: _au, ntlmEmptyAuthenticateBody: _empty, trace: _trace, ...rest } = o;
  const { notice: _notice, kerberosService: _ks, kerberosHostnameOverride: _kh, kerberosDelegation: _kd, kdc: _kdc, keytab: _kt, ccache: _cc, krb5Config: _kc, ...endpoint } = rest;
  return endpoint;
}

/**
 * Connection options for several hosts (`jobs --host a --host b`, `--inventory`): every setting as for
 * one host, each host in any form --host takes (name, address, URL). Secrets are read once (a
 * password on stdin cannot be read twice, a key passphrase is asked once) and notes are printed once.
 */
export async function connectionOptionsForHosts(args: ConnectionArgs, hosts: readonly string[], io: CliIo): Promise<ConnectionOptions[]> {
  const out: ConnectionOptions[] = [];
  for (const host of hosts) out.push(await buildConnection({ ...args, host }, io, true, out[0]));
  // Settings shared by a mix of http and https hosts: the TLS ones apply where there is TLS.
  return hosts.length > 1 ? out.map(withoutTlsSettingsOnHttp) : out;
}

function withoutTlsSettingsOnHttp(o: ConnectionOptions): ConnectionOptions {
  const scheme = o.scheme ?? (o.port === 5985 ? 'http' : 'https');
  if (scheme !== 'http') return o;
  const { caTrustPath: _ca, certFingerprint: _fp, ...rest } = o;
  return rest;
}

/**
 * Where a connection goes, normalised: scheme, host (lower case; IPv6 in one spelling), port and path
 * with the library's defaults filled in, so `hv01`, `HV01/wsman` and `https://hv01:5986/wsman` are one
 * endpoint. Only the endpoint settings reach resolveOptions: no file is read, no credential checked.
 */
export function endpointKey(o: ConnectionOptions): string {
  const endpointOnly: ConnectionOptions = {
    host: o.host,
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.scheme !== undefined ? { scheme: o.scheme } : {}),
    ...(o.path !== undefined ? { path: o.path } : {}),
    user: 'endpoint',
    password: '',
    transport: 'basic',
    allowUnencrypted: true,
  };
  let url: URL;
  try {
    url = new URL(resolveOptions(endpointOnly).endpoint);
  } catch {
    // A host the library refuses keeps its own key: it fails on its own line, not the whole fleet.
    return `unresolved:${o.host}`;
  }
  // URL drops a scheme's default port (https on 443); put it back so the key always has one.
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return `${url.protocol}//${url.hostname}:${port}${url.pathname}`;
}

/** What a further host of a fleet takes from the first one instead of asking again. */
const SECRET_KEYS = ['password', 'certPem', 'certKeyPem', 'certKeyPassword', 'clientCertNegotiation'] as const;

async function buildConnection(args: ConnectionArgs, io: CliIo, credentials: boolean, first?: ConnectionOptions): Promise<ConnectionOptions> {
  const resolved = resolveSettings(args, io);
  const { config } = resolved;
  const io1 = first === undefined;
  if (io1 && args.verbose && config.path !== undefined) io.stderr.write(`hyperv-wsman: config ${config.path}${config.profile !== undefined ? `, profile "${config.profile}"` : ''}\n`);
  // Settings of another transport: refused from flags and variables, left out (with a warning) from the config file.
  const s = credentials ? checkTransportSettings(resolved.values, (k) => resolved.sources[k], io, io1) : resolved.values;
  if (!s.host) throw new InvalidOptionError(`--host is required (or $${envNameOf('host')}, or "host" in a config profile).`);
  const kerberos = s.transport === 'kerberos' || s.transport === 'negotiate';
  const certificate = s.transport === 'certificate';
  // Kerberos can take the user from the credential cache or keytab; a certificate needs none.
  if (credentials && !certificate && !kerberos && !s.user) throw new InvalidOptionError(`--user is required (or $${envNameOf('user')}, or "user" in a config profile).`);
  checkNumbers(s);
  // --password-stdin, --password-file and $HYPERV_WSMAN_PASSWORD come before a password-file of the environment or the profile.
  // Kerberos without any password source uses --keytab or the credential cache.
  const passwordGiven = args['password-stdin'] === true || args['password-file'] !== undefined || (io.env[PASSWORD_ENV] ?? '') !== '' || s['password-file'] !== undefined;
  const password = first !== undefined ? first.password : credentials && !certificate && (passwordGiven || !kerberos) ? await resolvePassword(args, io, s['password-file']) : '';
  const secrets = first !== undefined ? Object.fromEntries(SECRET_KEYS.filter((k) => k !== 'password' && first[k] !== undefined).map((k) => [k, first[k]])) : credentials && certificate ? await certificateSettings(s, args, io) : {};
  const options: ConnectionOptions = {
    host: s.host,
    user: s.user ?? '',
    password,
    ...secrets,
    ...(s.port !== undefined ? { port: s.port } : {}),
    ...(s.scheme !== undefined ? { scheme: s.scheme as 'http' | 'https' } : {}),
    ...(s.path !== undefined ? { path: s.path } : {}),
    ...(s.transport !== undefined ? { transport: s.transport as AuthTransport } : {}),
    ...(kerberos ? kerberosOptions(s, io) : {}),
    ...(s['message-encryption'] !== undefined ? { messageEncryption: s['message-encryption'] as 'auto' | 'always' | 'never' } : {}),
    ...(s['server-cert-validation'] !== undefined ? { serverCertValidation: s['server-cert-validation'] as 'validate' | 'ignore' } : {}),
    ...(s['ca-trust-path'] !== undefined ? { caTrustPath: s['ca-trust-path'] } : {}),
    ...(s['send-cbt'] !== undefined ? { sendCbt: s['send-cbt'] } : {}),
    ...(s['ntlm-empty-authenticate-body'] !== undefined ? { ntlmEmptyAuthenticateBody: s['ntlm-empty-authenticate-body'] } : {}),
    ...(s['allow-unencrypted'] !== undefined ? { allowUnencrypted: s['allow-unencrypted'] } : {}),
    ...(s['operation-timeout'] !== undefined ? { operationTimeoutSec: s['operation-timeout'] } : {}),
    ...(s['read-timeout'] !== undefined ? { readTimeoutSec: s['read-timeout'] } : {}),
    ...(s['connect-timeout'] !== undefined ? { connectTimeoutSec: s['connect-timeout'] } : {}),
    ...(s['call-timeout'] !== undefined ? { callTimeoutSec: s['call-timeout'] } : {}),
    ...(s['max-envelope-size'] !== undefined ? { maxEnvelopeSize: s['max-envelope-size'] } : {}),
    ...(s['cert-fingerprint'] !== undefined ? { certFingerprint: s['cert-fingerprint'] } : {}),
    ...(args.verbose ? { trace: traceTo(io), notice: (m: string) => io.stderr.write(`hyperv-wsman: note: ${m}\n`) } : {}),
  };
  // Opting out of verification is allowed, but never silently (it may come from a config file).
  if (io1 && s['server-cert-validation'] === 'ignore') {
    io.stderr.write(
      s['cert-fingerprint'] !== undefined
        ? 'hyperv-wsman: note: CA and host-name checks are off (server-cert-validation ignore); only the pinned --cert-fingerprint is checked.\n'
        : 'hyperv-wsman: warning: TLS certificate verification is off (server-cert-validation ignore); the connection can be intercepted.\n',
    );
  }
  const proxy = proxyFor(s, options, io);
  if (io1 && args.verbose && proxy.proxy !== undefined) io.stderr.write(`hyperv-wsman: proxy ${proxyDisplay(proxy.proxy)}\n`);
  return { ...options, ...proxy };
}

/** The boolean flags of withConnectionOptions, which main.ts also accepts before the command name. */
export function globalBooleanFlags(): string[] {
  const flags: string[] = [];
  // A stand-in for yargs that records .option(name, { type: 'boolean' }) and lets any other call chain on.
  const probe: object = new Proxy(
    {},
    {
      get: (_t, method) => (name: unknown, o?: { type?: string }) => {
        if (method === 'option' && typeof name === 'string' && o?.type === 'boolean') flags.push(name);
        return probe;
      },
    },
  );
  withConnectionOptions(probe as Argv<object>);
  return flags;
}
