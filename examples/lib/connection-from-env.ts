/**
 * Connection settings for the example scripts, read from HYPERV_WSMAN_* environment variables so the
 * same script runs against a real Hyper-V host or the emulated one (the tests point it at an emulator).
 * The password only ever comes from the environment, never from argv.
 */
import { InvalidOptionError, type ConnectionOptions } from '../../src/index.js';

/** Variable -> what it sets; printed when a required one is missing. */
export const CONNECTION_ENV = {
  HYPERV_WSMAN_HOST: 'host name or address (required)',
  HYPERV_WSMAN_USER: 'user: DOMAIN\\user, user@domain or user (required)',
  HYPERV_WSMAN_PASSWORD: 'password (required)',
  HYPERV_WSMAN_PORT: 'port (default 5985 for http, 5986 for https)',
  HYPERV_WSMAN_SCHEME: 'http or https (default https, or http with port 5985)',
  HYPERV_WSMAN_PATH: 'WS-Man path (default /wsman)',
  HYPERV_WSMAN_TRANSPORT: 'ntlm or basic (default ntlm)',
  HYPERV_WSMAN_MESSAGE_ENCRYPTION: 'auto, always or never (default auto: on for http)',
  HYPERV_WSMAN_SERVER_CERT_VALIDATION: 'validate or ignore (default validate)',
  HYPERV_WSMAN_CA_TRUST_PATH: 'PEM file of the CA(s) that issued the host certificate',
  HYPERV_WSMAN_OPERATION_TIMEOUT: 'WS-Man OperationTimeout in seconds (default 20)',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: keyof typeof CONNECTION_ENV): string {
  const v = env[name];
  if (v === undefined || v === '') {
    const help = Object.entries(CONNECTION_ENV).map(([k, what]) => `  ${k}: ${what}`).join('\n');
    throw new InvalidOptionError(`${name} is not set. The examples read their connection from the environment:\n${help}`);
  }
  return v;
}

function positiveNumber(env: Env, name: keyof typeof CONNECTION_ENV): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidOptionError(`${name} must be a positive number; got "${v}".`);
  return n;
}

/** Choice-valued variables are passed through as given: the library checks them and names the allowed values. */
function choice<T extends string>(env: Env, name: keyof typeof CONNECTION_ENV): T | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : (v as T);
}

/** `{ [key]: value }`, or nothing when the value is unset, so the library's defaults apply. */
const ifSet = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

export function connectionFromEnv(env: Env = process.env): ConnectionOptions {
  return {
    host: required(env, 'HYPERV_WSMAN_HOST'),
    user: required(env, 'HYPERV_WSMAN_USER'),
    password: required(env, 'HYPERV_WSMAN_PASSWORD'),
    ...ifSet('port', positiveNumber(env, 'HYPERV_WSMAN_PORT')),
    ...ifSet('scheme', choice<'http' | 'https'>(env, 'HYPERV_WSMAN_SCHEME')),
    ...ifSet('path', choice<string>(env, 'HYPERV_WSMAN_PATH')),
    ...ifSet('transport', choice<'ntlm' | 'basic'>(env, 'HYPERV_WSMAN_TRANSPORT')),
    ...ifSet('messageEncryption', choice<'auto' | 'always' | 'never'>(env, 'HYPERV_WSMAN_MESSAGE_ENCRYPTION')),
    ...ifSet('serverCertValidation', choice<'validate' | 'ignore'>(env, 'HYPERV_WSMAN_SERVER_CERT_VALIDATION')),
    ...ifSet('caTrustPath', choice<string>(env, 'HYPERV_WSMAN_CA_TRUST_PATH')),
    ...ifSet('operationTimeoutSec', positiveNumber(env, 'HYPERV_WSMAN_OPERATION_TIMEOUT')),
  };
}
