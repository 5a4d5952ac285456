/**
 * The CLI's config file: connection settings a user would otherwise type every time, under the same
 * names as the command-line flags. Format (documented in docs/cli-json.md, "Config file"):
 *
 *   {
 *     "defaults": { "transport": "ntlm" },
 *     "profiles": {
 *       "lab": { "host": "hv01.lab", "user": "LAB\\op", "scheme": "https",
 *                "ca-trust-path": "lab-ca.pem", "password-file": "~/.config/hyperv-wsman/lab.pw" }
 *     }
 *   }
 *
 * Found at --config, else $HYPERV_WSMAN_CONFIG, else $XDG_CONFIG_HOME/hyperv-wsman/config.json
 * (~/.config/... when XDG_CONFIG_HOME is unset). A profile is picked with --profile or
 * $HYPERV_WSMAN_PROFILE. Precedence (connection.ts): flags > HYPERV_WSMAN_* variables > profile >
 * defaults. Passwords are refused: the file is a settings file, and a password belongs in a file of
 * its own (password-file) or the environment. A profile is checked only when it is used, so a typo in
 * one profile does not stop the others from working; the defaults apply to every profile and are
 * always checked.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InvalidOptionError } from '../errors.js';
import { readSmallTextFile, warnIfShared } from './file-safety.js';
import { emptyPathMessage, PATH_FLAGS } from './path-flags.js';
import { refuseWorldWritable } from '../file-trust.js';
import type { CliIo } from './io.js';

export const CONFIG_ENV = 'HYPERV_WSMAN_CONFIG';
export const PROFILE_ENV = 'HYPERV_WSMAN_PROFILE';

type ValueKind = 'string' | 'number' | 'boolean';

/** Keys a config section may hold, with their JSON type: the connection flags, by the same names. */
export const CONFIG_KEYS = {
  host: 'string',
  port: 'number',
  scheme: 'string',
  path: 'string',
  transport: 'string',
  user: 'string',
  'password-file': 'string',
  'message-encryption': 'string',
  'server-cert-validation': 'string',
  'ca-trust-path': 'string',
  'send-cbt': 'boolean',
  'ntlm-empty-authenticate-body': 'boolean',
  'allow-unencrypted': 'boolean',
  'operation-timeout': 'number',
  'read-timeout': 'number',
  'connect-timeout': 'number',
  'call-timeout': 'number',
  'max-envelope-size': 'number',
  'cert-fingerprint': 'string',
  'cert-pem': 'string',
  'cert-key-pem': 'string',
  'cert-key-password-file': 'string',
  'client-cert-negotiation': 'string',
  proxy: 'string',
  'proxy-from-env': 'boolean',
  'kerberos-service': 'string',
  'kerberos-hostname-override': 'string',
  'kerberos-delegation': 'boolean',
  kdc: 'string',
  keytab: 'string',
  'krb5-config': 'string',
  dialect: 'string',
} as const satisfies Readonly<Record<string, ValueKind>>;

export type ConfigKey = keyof typeof CONFIG_KEYS;
type KindType = { string: string; number: number; boolean: boolean };
export type ConfigValues = { -readonly [K in ConfigKey]?: KindType[(typeof CONFIG_KEYS)[K]] };

/** Keys naming files: `~/` is expanded and relative paths are taken from the config file's folder. */
const PATH_KEYS: ReadonlySet<ConfigKey> = new Set((Object.keys(CONFIG_KEYS) as ConfigKey[]).filter((k) => PATH_FLAGS.has(k)));

/** Keys refused with a pointer to the safe alternative. */
const REFUSED_KEYS: Readonly<Record<string, string>> = {
  password:
    'a config file must not hold a password (it is a settings file, often shared or backed up). Put the password alone in a file only you can read (chmod 600) and name it with "password-file", or set HYPERV_WSMAN_PASSWORD.',
  'password-stdin': '"password-stdin" is a command-line choice, not a setting; use "password-file".',
};

export interface LoadedConfig {
  /** The file read, or undefined when there is none. */
  readonly path: string | undefined;
  /** The profile applied, if any. */
  readonly profile: string | undefined;
  /** defaults overlaid with the profile. */
  readonly values: ConfigValues;
  /** Where each value came from: 'config defaults' or 'profile "<name>"'. */
  readonly sources: Readonly<Partial<Record<ConfigKey, string>>>;
  /** Names of every profile in the file. */
  readonly profiles: readonly string[];
}

export interface ConfigSelection {
  readonly config?: string;
  readonly profile?: string;
}

function homeOf(env: CliIo['env']): string {
  return env.HOME ?? homedir();
}

/** Where the config file is looked for when neither --config nor $HYPERV_WSMAN_CONFIG names one. */
export function defaultConfigPath(env: CliIo['env']): string {
  const base = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(homeOf(env), '.config');
  return join(base, 'hyperv-wsman', 'config.json');
}

function expandPath(value: string, configDir: string, env: CliIo['env']): string {
  if (value === '~') return homeOf(env);
  if (value.startsWith('~/')) return join(homeOf(env), value.slice(2));
  return resolve(configDir, value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseSection(raw: unknown, where: string, file: string, env: CliIo['env']): ConfigValues {
  if (!isPlainObject(raw)) throw new InvalidOptionError(`${file}: ${where} must be an object of settings.`);
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(raw)) {
    const refused = REFUSED_KEYS[key];
    if (refused !== undefined) throw new InvalidOptionError(`${file}: ${where}.${key}: ${refused}`);
    if (!Object.hasOwn(CONFIG_KEYS, key)) {
      throw new InvalidOptionError(`${file}: ${where}.${key} is not a known setting. Known settings: ${Object.keys(CONFIG_KEYS).join(', ')}.`);
    }
    const kind = CONFIG_KEYS[key as ConfigKey];
    if (typeof value !== kind) {
      // JSON has its own true/false; a quoted word ("maybe", "yes") is refused rather than guessed at.
      const wanted = kind === 'boolean' ? 'true or false (JSON true/false, unquoted)' : `a ${kind}`;
      throw new InvalidOptionError(`${file}: ${where}.${key} must be ${wanted}, got ${JSON.stringify(value)}.`);
    }
    if (value === '' && PATH_KEYS.has(key as ConfigKey)) throw new InvalidOptionError(`${file}: ${emptyPathMessage(`${where}.${key}`)}`);
    out[key] = PATH_KEYS.has(key as ConfigKey) ? expandPath(value as string, dirname(file), env) : (value as string | number | boolean);
  }
  return out as ConfigValues;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readSmallTextFile(file, 1024 * 1024, 'Config file');
  } catch (err) {
    if (err instanceof InvalidOptionError) throw err;
    throw new InvalidOptionError(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InvalidOptionError(`Config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

const TOP_LEVEL_KEYS = new Set(['defaults', 'profiles']);

/**
 * Read the config file and pick the profile. No file at the default place is fine (no settings);
 * a file named explicitly (--config, $HYPERV_WSMAN_CONFIG) must exist, and so must a named profile.
 */
export function loadConfig(sel: ConfigSelection, io: CliIo): LoadedConfig {
  const explicit = sel.config ?? (io.env[CONFIG_ENV] || undefined);
  const profileName = sel.profile ?? (io.env[PROFILE_ENV] || undefined);
  const file = resolve(explicit ?? defaultConfigPath(io.env));
  if (!existsSync(file)) {
    if (explicit !== undefined) throw new InvalidOptionError(`Config file ${file} does not exist (named by ${sel.config !== undefined ? '--config' : `$${CONFIG_ENV}`}).`);
    if (profileName !== undefined) throw new InvalidOptionError(`Profile "${profileName}" was asked for, but there is no config file at ${file}.`);
    return { path: undefined, profile: undefined, values: {}, sources: {}, profiles: [] };
  }
  refuseWorldWritable(file, 'Config file');
  warnIfShared(file, 'config file', io);
  const doc = readJson(file);
  if (!isPlainObject(doc)) throw new InvalidOptionError(`${file}: the top level must be an object with "defaults" and/or "profiles".`);
  for (const k of Object.keys(doc)) {
    if (REFUSED_KEYS[k] !== undefined) throw new InvalidOptionError(`${file}: ${k}: ${REFUSED_KEYS[k]}`);
    if (!TOP_LEVEL_KEYS.has(k)) throw new InvalidOptionError(`${file}: unknown top-level key "${k}"; expected "defaults" and/or "profiles".`);
  }
  const defaults = doc.defaults === undefined ? {} : parseSection(doc.defaults, 'defaults', file, io.env);
  const profiles = doc.profiles === undefined ? {} : doc.profiles;
  if (!isPlainObject(profiles)) throw new InvalidOptionError(`${file}: "profiles" must be an object of named profiles.`);
  const known = Object.keys(profiles);
  // A password is refused wherever it sits, used or not: the file itself is the leak.
  for (const [name, section] of Object.entries(profiles)) {
    if (isPlainObject(section) && Object.hasOwn(section, 'password')) throw new InvalidOptionError(`${file}: profiles.${name}.password: ${REFUSED_KEYS.password}`);
  }
  const sourcesOf = (values: ConfigValues, source: string): Partial<Record<ConfigKey, string>> => Object.fromEntries(Object.keys(values).map((k) => [k, source]));
  if (profileName === undefined) return { path: file, profile: undefined, values: defaults, sources: sourcesOf(defaults, 'config defaults'), profiles: known };
  if (!Object.hasOwn(profiles, profileName)) {
    throw new InvalidOptionError(`No profile "${profileName}" in ${file}. ${known.length ? `Profiles: ${known.join(', ')}.` : 'It defines no profiles.'}`);
  }
  // Only the profile in use is checked: a mistake in another one is reported when that one is used.
  const chosen = parseSection(profiles[profileName], `profiles.${profileName}`, file, io.env);
  return {
    path: file,
    profile: profileName,
    values: { ...defaults, ...chosen },
    sources: { ...sourcesOf(defaults, 'config defaults'), ...sourcesOf(chosen, `profile "${profileName}"`) },
    profiles: known,
  };
}
