/**
 * krb5.conf as a typed value: where the files are (KRB5_CONFIG), and the [libdefaults], [realms]
 * and [domain_realm] relations a Kerberos client needs, with MIT's defaults
 * [krb5 doc/admin/conf_files/krb5_conf.rst; kerberos-facts.md §12]. A value that cannot be read
 * (a boolean that is neither yes nor no, a bad duration) is a Krb5ConfigError naming file and line,
 * not a silent default.
 */
import { Krb5ConfigError } from '../../errors.js';
import {
  loadProfile,
  nodeProfileFs,
  parseProfileText,
  profileSectionRelations,
  profileSubsections,
  profileValues,
  type Krb5Profile,
  type ProfileFs,
  type ProfileValue,
} from './krb5-profile.js';

export const DEFAULT_KRB5_CONFIG = '/etc/krb5.conf';

/** Names krb5.conf accepts for each enctype, lower case [krb5 doc/admin/conf_files/kdc_conf.rst "Encryption types"]. */
const ENCTYPE_NAMES: Readonly<Record<string, number>> = {
  'des-cbc-crc': 1,
  'des-cbc-md4': 2,
  'des-cbc-md5': 3,
  'des3-cbc-sha1': 16,
  'des3-hmac-sha1': 16,
  'des3-cbc-sha1-kd': 16,
  'aes128-cts-hmac-sha1-96': 17,
  'aes128-cts': 17,
  'aes128-sha1': 17,
  'aes256-cts-hmac-sha1-96': 18,
  'aes256-cts': 18,
  'aes256-sha1': 18,
  'aes128-cts-hmac-sha256-128': 19,
  'aes128-sha2': 19,
  'aes256-cts-hmac-sha384-192': 20,
  'aes256-sha2': 20,
  'arcfour-hmac': 23,
  'rc4-hmac': 23,
  'arcfour-hmac-md5': 23,
  'arcfour-hmac-exp': 24,
  'rc4-hmac-exp': 24,
  'arcfour-hmac-md5-exp': 24,
  'camellia128-cts-cmac': 25,
  'camellia128-cts': 25,
  'camellia256-cts-cmac': 26,
  'camellia256-cts': 26,
};

/** Enctype families [kdc_conf.rst "Encryption types"]; `des` alone names the family there too. */
const ENCTYPE_FAMILIES: Readonly<Record<string, readonly number[]>> = {
  des: [1, 3, 2],
  des3: [16],
  aes: [18, 17, 20, 19],
  rc4: [23],
  camellia: [26, 25],
};

/** `DEFAULT` in an enctype list: MIT's default permitted_enctypes [krb5 doc/conf.py `defetypes`]. */
export const MIT_DEFAULT_ENCTYPES: readonly number[] = [18, 17, 20, 19, 16, 23, 26, 25];

/** Single DES and export RC4: dropped unless allow_weak_crypto [krb5_conf.rst allow_weak_crypto]. */
const WEAK_ENCTYPES: ReadonlySet<number> = new Set([1, 2, 3, 24]);

export interface RealmConfig {
  /** `kdc` values as written: host, host:port, [v6]:port, optionally `tcp/` or `udp/` prefixed. */
  readonly kdc: readonly string[];
  readonly adminServer: readonly string[];
}

export interface Krb5Config {
  /** Files read, in order; empty when none exists (MIT then runs on defaults and DNS). */
  readonly files: readonly string[];
  readonly defaultRealm: string | undefined;
  readonly dnsLookupKdc: boolean;
  readonly dnsLookupRealm: boolean;
  /** Messages longer than this go over TCP first; 1 = always TCP. Capped at 32700. */
  readonly udpPreferenceLimit: number;
  readonly defaultTktEnctypes: readonly number[];
  readonly defaultTgsEnctypes: readonly number[];
  readonly permittedEnctypes: readonly number[];
  readonly allowWeakCrypto: boolean;
  readonly rdns: boolean;
  readonly dnsCanonicalizeHostname: boolean | 'fallback';
  readonly forwardable: boolean;
  /** Seconds. */
  readonly clockskew: number;
  /** Seconds. */
  readonly ticketLifetime: number;
  /** Seconds; 0 = no renewable tickets requested. */
  readonly renewLifetime: number;
  readonly defaultCcacheName: string | undefined;
  readonly defaultKeytabName: string | undefined;
  readonly defaultClientKeytabName: string | undefined;
  /** By realm name (case-sensitive, as MIT). */
  readonly realms: ReadonlyMap<string, RealmConfig>;
  /** [domain_realm] tag (lower-cased) -> realm, first definition wins. */
  readonly domainRealm: ReadonlyMap<string, string>;
  /** Values MIT would ignore and so do we (unknown enctype names), with file:line. */
  readonly warnings: readonly string[];
}

/** The KRB5_CONFIG list (colon-separated), else /etc/krb5.conf. */
export function krb5ConfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = env.KRB5_CONFIG;
  if (list === undefined || list === '') return [DEFAULT_KRB5_CONFIG];
  return list.split(':').filter((f) => f !== '');
}

/** Expands the `%{...}` tokens MIT allows in default_ccache_name / keytab names (the ones that make sense here). */
export function expandKrb5Path(name: string, ids: { uid: number; euid?: number; tmpdir?: string }): string {
  return name.replace(/%\{(\w+)\}/g, (whole, token: string) => {
    switch (token) {
      case 'uid':
      case 'USERID':
        return String(ids.uid);
      case 'euid':
        return String(ids.euid ?? ids.uid);
      case 'TEMP':
        return ids.tmpdir ?? '/tmp';
      case 'null':
        return '';
      default:
        return whole;
    }
  });
}

/** Reads and interprets the configuration the environment names. */
export function loadKrb5Config(options: { env?: NodeJS.ProcessEnv; files?: readonly string[]; fs?: ProfileFs } = {}): Krb5Config {
  const files = options.files ?? krb5ConfigFiles(options.env);
  return krb5ConfigFromProfile(loadProfile(files, options.fs ?? nodeProfileFs));
}

/** Interprets one krb5.conf text (tests, `--krb5-config` given as content). */
export function parseKrb5Conf(text: string, file = '<krb5.conf>'): Krb5Config {
  return krb5ConfigFromProfile(parseProfileText(text, file));
}

export function krb5ConfigFromProfile(profile: Krb5Profile): Krb5Config {
  const warnings: string[] = [];
  const first = (name: string): ProfileValue | undefined => profileValues(profile, ['libdefaults', name])[0];
  const bool = (name: string, dflt: boolean): boolean => {
    const v = first(name);
    return v === undefined ? dflt : parseBoolean(v);
  };
  const str = (name: string): string | undefined => first(name)?.value;
  const duration = (name: string, dflt: number): number => {
    const v = first(name);
    return v === undefined ? dflt : parseDuration(v);
  };
  const allowWeakCrypto = bool('allow_weak_crypto', false);
  const enctypes = (name: string, dflt: readonly number[]): number[] => {
    const v = first(name);
    return v === undefined ? filterWeak([...dflt], allowWeakCrypto) : parseEnctypeList(v, allowWeakCrypto, warnings);
  };

  const dnsFallback = bool('dns_fallback', true);
  const permittedEnctypes = enctypes('permitted_enctypes', MIT_DEFAULT_ENCTYPES);
  const udp = first('udp_preference_limit');
  const canon = first('dns_canonicalize_hostname');

  const realms = new Map<string, { kdc: string[]; adminServer: string[] }>();
  for (const { name, node } of profileSubsections(profile, ['realms'])) {
    let realm = realms.get(name);
    if (realm === undefined) realms.set(name, (realm = { kdc: [], adminServer: [] }));
    for (const r of node.relations) {
      if (typeof r.value !== 'string') continue;
      if (r.name === 'kdc') realm.kdc.push(r.value);
      else if (r.name === 'admin_server') realm.adminServer.push(r.value);
    }
  }
  const domainRealm = new Map<string, string>();
  for (const r of profileSectionRelations(profile, 'domain_realm')) {
    const tag = r.name.toLowerCase();
    if (!domainRealm.has(tag)) domainRealm.set(tag, r.value as string);
  }

  return {
    files: profile.files,
    defaultRealm: str('default_realm'),
    dnsLookupKdc: bool('dns_lookup_kdc', dnsFallback),
    dnsLookupRealm: bool('dns_lookup_realm', false),
    // MIT caps the limit at 32700 (sendto_kdc.c HARD_UDP_LIMIT).
    udpPreferenceLimit: udp === undefined ? 1465 : Math.min(parseInteger(udp, 0), 32700),
    permittedEnctypes,
    // Since krb5 1.18 both default to permitted_enctypes.
    defaultTktEnctypes: enctypes('default_tkt_enctypes', permittedEnctypes),
    defaultTgsEnctypes: enctypes('default_tgs_enctypes', permittedEnctypes),
    allowWeakCrypto,
    rdns: bool('rdns', true),
    dnsCanonicalizeHostname: canon === undefined ? true : canon.value.trim().toLowerCase() === 'fallback' ? 'fallback' : parseBoolean(canon),
    forwardable: bool('forwardable', false),
    clockskew: duration('clockskew', 300),
    ticketLifetime: duration('ticket_lifetime', 86_400),
    renewLifetime: duration('renew_lifetime', 0),
    defaultCcacheName: str('default_ccache_name'),
    defaultKeytabName: str('default_keytab_name'),
    defaultClientKeytabName: str('default_client_keytab_name'),
    realms,
    domainRealm,
    warnings,
  };
}

/** MIT's profile booleans [krb5 src/util/profile/prof_get.c conf_yes / conf_no]. */
const TRUE_WORDS = new Set(['y', 'yes', 'true', 't', '1', 'on']);
const FALSE_WORDS = new Set(['n', 'no', 'false', 'nil', '0', 'off']);

export function parseBoolean(v: ProfileValue): boolean {
  const word = v.value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new Krb5ConfigError(v.file, v.line, `"${v.value}" is not a boolean; use true or false.`);
}

function parseInteger(v: ProfileValue, min: number): number {
  const t = v.value.trim();
  if (!/^\d{1,9}$/.test(t) || Number(t) < min) throw new Krb5ConfigError(v.file, v.line, `"${v.value}" is not a whole number >= ${min}.`);
  return Number(t);
}

/**
 * krb5 durations [krb5_conf.rst "Time duration"]: seconds ("3600"), `h:m[:s]`, or any of
 * `<n>d <n>h <n>m <n>s` in that order ("1d", "10h30m"). Returns seconds.
 */
export function parseDuration(v: ProfileValue): number {
  const t = v.value.trim().toLowerCase();
  let seconds: number | undefined;
  if (/^\d{1,10}$/.test(t)) seconds = Number(t);
  const colon = /^(?:(\d{1,6})d\s*)?(\d{1,6}):(\d{1,2})(?::(\d{1,2}))?$/.exec(t);
  if (colon) seconds = Number(colon[1] ?? 0) * 86_400 + Number(colon[2]) * 3600 + Number(colon[3]) * 60 + Number(colon[4] ?? 0);
  const units = /^(?:(\d{1,6})d)?\s*(?:(\d{1,6})h)?\s*(?:(\d{1,6})m)?\s*(?:(\d{1,9})s)?$/.exec(t);
  if (seconds === undefined && units && t !== '') {
    seconds = Number(units[1] ?? 0) * 86_400 + Number(units[2] ?? 0) * 3600 + Number(units[3] ?? 0) * 60 + Number(units[4] ?? 0);
  }
  if (seconds === undefined || seconds > 0x7fffffff) throw new Krb5ConfigError(v.file, v.line, `"${v.value}" is not a duration; use seconds or e.g. 10h, 1d, 5m, 1:30:00.`);
  return seconds;
}

/**
 * An enctype list: names, family names, `DEFAULT`, and `-name` to remove, separated by spaces or
 * commas [kdc_conf.rst "Encryption types"]. Unknown names are ignored with a warning, as MIT does.
 */
export function parseEnctypeList(v: ProfileValue, allowWeakCrypto: boolean, warnings: string[] = []): number[] {
  let out: number[] = [];
  for (const word of v.value.split(/[\s,]+/).filter((w) => w !== '')) {
    const remove = word.startsWith('-');
    const name = (remove || word.startsWith('+') ? word.slice(1) : word).toLowerCase();
    const ids = name === 'default' ? MIT_DEFAULT_ENCTYPES : ENCTYPE_FAMILIES[name] ?? (ENCTYPE_NAMES[name] !== undefined ? [ENCTYPE_NAMES[name]!] : /^\d{1,5}$/.test(name) ? [Number(name)] : undefined);
    if (ids === undefined) {
      warnings.push(`${v.file}:${v.line}: unknown enctype "${word}" ignored.`);
      continue;
    }
    if (remove) out = out.filter((e) => !ids.includes(e));
    else for (const e of ids) if (!out.includes(e)) out.push(e);
  }
  return filterWeak(out, allowWeakCrypto);
}

function filterWeak(list: number[], allowWeak: boolean): number[] {
  return allowWeak ? list : list.filter((e) => !WEAK_ENCTYPES.has(e));
}

/** The krb5.conf name of an enctype as `klist -e` prints it (e.g. 18 -> aes256-cts-hmac-sha1-96). */
export function enctypeName(etype: number): string {
  return KLIST_NAMES[etype] ?? `etype ${etype}`;
}

/** First (canonical) name per enctype, as MIT's `klist -e` prints them. */
const KLIST_NAMES: Readonly<Record<number, string>> = {
  1: 'des-cbc-crc',
  2: 'des-cbc-md4',
  3: 'des-cbc-md5',
  16: 'des3-cbc-sha1',
  17: 'aes128-cts-hmac-sha1-96',
  18: 'aes256-cts-hmac-sha1-96',
  19: 'aes128-cts-hmac-sha256-128',
  20: 'aes256-cts-hmac-sha384-192',
  23: 'arcfour-hmac',
  24: 'arcfour-hmac-exp',
  25: 'camellia128-cts-cmac',
  26: 'camellia256-cts-cmac',
};
