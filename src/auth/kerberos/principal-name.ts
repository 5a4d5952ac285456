/**
 * Principal names as people type them (CLI `--user`) and as MIT prints them.
 *
 * String form [krb5 krb5_parse_name; RFC 1964 §2.1.1]: components separated by `/`, realm after
 * the last unescaped `@`; `\` escapes `/`, `@` and `\`, and `\n`, `\t`, `\b`, `\0` stand for
 * newline, tab, backspace and NUL.
 *
 * User names: `user@REALM`, `DOMAIN\user` or `user` (+ default realm). The realm is upper-cased
 * (AD realms are the upper-case DNS domain; MIT realms are upper case by convention) unless
 * `keepRealmCase`. `DOMAIN\user` maps the NetBIOS-style domain to a realm by this rule:
 *   1. DOMAIN contains a dot: it is a DNS domain, realm = DOMAIN upper-cased;
 *   2. else the default realm, or failing that the one [realms] entry, whose first label equals
 *      DOMAIN (case-insensitive): `CORP\alice` + default_realm CORP.EXAMPLE.COM -> CORP.EXAMPLE.COM;
 *   3. else DOMAIN upper-cased (right only when the realm really is a single label).
 */
import { InvalidOptionError } from '../../errors.js';
import { NameType, type Principal } from './types.js';

/** Same name (components and realm); name types are ignored, as MIT's krb5_principal_compare does. */
export function samePrincipal(a: Principal, b: Principal): boolean {
  return a.realm === b.realm && a.components.length === b.components.length && a.components.every((c, i) => c === b.components[i]);
}

const UNESCAPE: Readonly<Record<string, string>> = { n: '\n', t: '\t', b: '\b', '0': '\0' };

/**
 * Parses MIT's string form. `realm` is '' when the text has none (the caller applies a default).
 * `what` names the source in errors (e.g. "--user").
 */
export function parsePrincipalName(text: string, what = 'principal', nameType: number = NameType.PRINCIPAL): Principal {
  const components: string[] = [];
  let cur = '';
  let realm: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const e = text[++i];
      if (e === undefined) throw new InvalidOptionError(`${what}: "${text}" ends with a lone "\\".`);
      const decoded = UNESCAPE[e] ?? e;
      if (realm === undefined) cur += decoded;
      else realm += decoded;
    } else if (realm !== undefined) {
      if (c === '@' || c === '/') throw new InvalidOptionError(`${what}: "${text}" has an unescaped "${c}" in the realm.`);
      realm += c;
    } else if (c === '/') {
      components.push(cur);
      cur = '';
    } else if (c === '@') {
      components.push(cur);
      realm = '';
    } else {
      cur += c;
    }
  }
  if (realm === undefined) components.push(cur);
  if (components.some((c) => c === '')) throw new InvalidOptionError(`${what}: "${text}" has an empty name component.`);
  if (realm === '') throw new InvalidOptionError(`${what}: "${text}" has an empty realm after "@".`);
  return { nameType, components, realm: realm ?? '' };
}

function escapeComponent(s: string, inRealm: boolean): string {
  return s.replace(inRealm ? /[\\@\n\t\b\0]/g : /[\\/@\n\t\b\0]/g, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\t':
        return '\\t';
      case '\b':
        return '\\b';
      case '\0':
        return '\\0';
      default:
        return `\\${c}`;
    }
  });
}

/** MIT's string form (`HTTP/host.example.com@EXAMPLE.COM`), escaping as krb5_unparse_name does. */
export function formatPrincipal(p: Principal): string {
  const name = p.components.map((c) => escapeComponent(c, false)).join('/');
  return p.realm === '' ? name : `${name}@${escapeComponent(p.realm, true)}`;
}

export interface UserPrincipalOptions {
  /** krb5.conf default_realm. */
  readonly defaultRealm?: string;
  /** krb5.conf [realms] names, for `DOMAIN\user` (rule 2). */
  readonly knownRealms?: readonly string[];
  readonly keepRealmCase?: boolean;
  /** Flag name for error messages. */
  readonly what?: string;
}

/** `user@REALM`, `DOMAIN\user` or `user` to an NT-PRINCIPAL principal (see the module comment for the rules). */
export function parseUserPrincipal(text: string, options: UserPrincipalOptions = {}): Principal {
  const what = options.what ?? '--user';
  const upper = (r: string) => (options.keepRealmCase ? r : r.toUpperCase());
  const backslash = text.indexOf('\\');
  if (backslash > 0 && !text.includes('@')) {
    const domain = text.slice(0, backslash);
    const user = text.slice(backslash + 1);
    if (user === '' || user.includes('\\')) throw new InvalidOptionError(`${what}: "${text}" is not DOMAIN\\user.`);
    return { nameType: NameType.PRINCIPAL, components: [user], realm: netbiosDomainToRealm(domain, options) };
  }
  // "CORP\alice@CORP.COM" mixes both forms; read as MIT syntax it would silently become "CORPalice".
  if (/^[^\\@/]+\\[^@/\\]/.test(text) && text.includes('@')) {
    throw new InvalidOptionError(`${what}: "${text}" mixes DOMAIN\\user and user@REALM; give one of them.`);
  }
  const p = parsePrincipalName(text, what);
  if (p.components.length !== 1) throw new InvalidOptionError(`${what}: "${text}" names a service (it contains "/"); give a user as user@REALM.`);
  // An escaped "@" in the name (alice\@corp.example.com@REALM) makes it an enterprise name [RFC 6806 §5].
  const nameType = p.components[0]!.includes('@') ? NameType.ENTERPRISE : NameType.PRINCIPAL;
  if (p.realm !== '') return { ...p, nameType, realm: upper(p.realm) };
  if (options.defaultRealm === undefined || options.defaultRealm === '') {
    throw new InvalidOptionError(`${what}: "${text}" has no realm and krb5.conf sets no default_realm; use ${text}@REALM or DOMAIN\\${text}.`);
  }
  return { ...p, nameType, realm: options.defaultRealm };
}

function netbiosDomainToRealm(domain: string, options: UserPrincipalOptions): string {
  const upper = domain.toUpperCase();
  if (domain.includes('.')) return options.keepRealmCase ? domain : upper;
  const firstLabel = (r: string) => r.split('.')[0]!.toUpperCase();
  if (options.defaultRealm && firstLabel(options.defaultRealm) === upper) return options.defaultRealm;
  const matches = (options.knownRealms ?? []).filter((r) => firstLabel(r) === upper);
  if (matches.length === 1) return matches[0]!;
  return upper;
}

export interface ServicePrincipalOptions {
  /** The host from the endpoint URL. */
  readonly host: string;
  /** `--kerberos-hostname-override`: a different host name for the SPN (e.g. the FQDN when connecting by IP or alias). */
  readonly hostOverride?: string;
  /** Service class; WinRM accepts HTTP (default, RFC 4559) and WSMAN. */
  readonly service?: string;
  readonly realm: string;
}

/**
 * `<service>/<host>@<realm>`, host lower-cased without a trailing dot; no DNS canonicalization
 * (RFC 4120 §10: it is not secure). Name type NT-SRV-INST, as Windows clients send for HTTP (MIT's
 * krb5_sname_to_principal says NT-SRV-HST; KDCs compare the name, not the type).
 */
export function servicePrincipal(options: ServicePrincipalOptions): Principal {
  const host = (options.hostOverride ?? options.host).trim().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
  const service = options.service ?? 'HTTP';
  if (host === '' || /[/@\\\s]/.test(host)) throw new InvalidOptionError(`--kerberos-hostname-override: "${options.hostOverride ?? options.host}" is not a host name.`);
  if (service === '' || /[/@\\\s]/.test(service)) throw new InvalidOptionError(`--kerberos-service: "${service}" is not a service name (e.g. HTTP or WSMAN).`);
  return { nameType: NameType.SRV_INST, components: [service, host], realm: options.realm };
}
