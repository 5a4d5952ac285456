/**
 * Where the KDCs of a realm are, and which realm a host belongs to. Order of sources, first that
 * gives an answer wins: an explicit override (`--kdc host[:port]`), `[realms] REALM = { kdc = ... }`
 * in krb5.conf, then DNS SRV `_kerberos._tcp.REALM` / `_kerberos._udp.REALM` when dns_lookup_kdc
 * is on [RFC 4120 §7.2.3.2; krb5 src/lib/krb5/os/locate_kdc.c]. The resolver is injectable.
 */
import { promises as dnsPromises } from 'node:dns';
import { InvalidOptionError, KdcNotFoundError } from '../../errors.js';
import type { Krb5Config } from './krb5-conf.js';
import type { KdcAddress } from './types.js';

export const KDC_PORT = 88;

/** A KDC address and where it came from; `transport` is absent when krb5.conf or `--kdc` named none. */
export interface LocatedKdc extends KdcAddress {
  readonly source: 'override' | 'krb5.conf' | 'dns';
}

export interface SrvRecordLike {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/** The part of node:dns/promises the locator uses. */
export interface SrvResolver {
  resolveSrv(name: string): Promise<SrvRecordLike[]>;
}

export const systemResolver: SrvResolver = { resolveSrv: (name) => dnsPromises.resolveSrv(name) };

/**
 * Parses `host`, `host:port`, `[v6]`, `[v6]:port`, optionally prefixed `tcp/` or `udp/` as MIT's
 * krb5.conf allows. `what` names the source for the error message (a CLI flag or file:line).
 */
export function parseKdcAddress(text: string, what: string): KdcAddress {
  let rest = text.trim();
  let transport: 'tcp' | 'udp' | undefined;
  const prefix = /^(tcp|udp)\//i.exec(rest);
  if (prefix) {
    transport = prefix[1]!.toLowerCase() as 'tcp' | 'udp';
    rest = rest.slice(prefix[0].length);
  }
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([0-9A-Fa-f:.%a-zA-Z]+)\](?::(\d+))?$/.exec(rest);
  if (v6) {
    host = v6[1]!;
    portText = v6[2];
  } else {
    const m = /^([A-Za-z0-9._-]+)(?::(\d+))?$/.exec(rest);
    if (!m) throw new InvalidOptionError(`${what}: "${text}" is not a KDC address; use host, host:port or [IPv6]:port.`);
    host = m[1]!;
    portText = m[2];
  }
  const port = portText === undefined ? KDC_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidOptionError(`${what}: port in "${text}" must be 1-65535.`);
  return transport === undefined ? { host, port } : { host, port, transport };
}

export interface LocateKdcOptions {
  readonly config: Krb5Config;
  /** `--kdc` values; when given, nothing else is consulted. */
  readonly override?: readonly string[];
  readonly resolver?: SrvResolver;
}

/** KDCs for `realm`, best first. Throws KdcNotFoundError (saying what to configure) when there are none. */
export async function locateKdcs(realm: string, options: LocateKdcOptions): Promise<LocatedKdc[]> {
  if (options.override && options.override.length > 0) {
    return options.override.map((o) => ({ ...parseKdcAddress(o, '--kdc'), source: 'override' as const }));
  }
  const configured = options.config.realms.get(realm)?.kdc ?? [];
  if (configured.length > 0) {
    // kdc values may be "host" or "host:port"; MIT also accepts a KKDCP https:// URL, which this client does not speak.
    const usable = configured.filter((k) => !/^https?:\/\//i.test(k));
    if (usable.length > 0) return usable.map((k) => ({ ...parseKdcAddress(k, `krb5.conf [realms] ${realm} kdc`), source: 'krb5.conf' as const }));
  }
  if (!options.config.dnsLookupKdc) {
    throw new KdcNotFoundError(realm, `No KDC for realm ${realm}: krb5.conf has no [realms] ${realm} kdc entry and dns_lookup_kdc is false; add "kdc = <host>" under [realms] ${realm} in krb5.conf or pass --kdc <host[:port]>.`);
  }
  const resolver = options.resolver ?? systemResolver;
  const errors: unknown[] = [];
  const lookup = async (transport: 'tcp' | 'udp'): Promise<LocatedKdc[]> => {
    try {
      return sortSrv(await resolver.resolveSrv(`_kerberos._${transport}.${realm}`))
        .filter((r) => r.name !== '' && r.name !== '.') // "." = service not offered [RFC 2782]
        .map((r) => ({ host: r.name.replace(/\.$/, ''), port: r.port, transport, source: 'dns' as const }));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTFOUND' && code !== 'ENODATA') errors.push(err);
      return [];
    }
  };
  const [tcp, udp] = await Promise.all([lookup('tcp'), lookup('udp')]);
  const found = [...tcp, ...udp];
  if (found.length > 0) return found;
  const why = errors.length > 0 ? ` (DNS: ${(errors[0] as Error).message})` : '';
  throw new KdcNotFoundError(
    realm,
    `No KDC for realm ${realm}: no [realms] ${realm} kdc entry in krb5.conf and no DNS SRV record _kerberos._tcp.${realm} or _kerberos._udp.${realm}${why}; add "kdc = <host>" under [realms] ${realm} in krb5.conf or pass --kdc <host[:port]>.`,
    errors.length > 0 ? { cause: errors[0] } : undefined,
  );
}

/** RFC 2782 order: priority ascending, then weight descending (deterministic instead of weighted-random). */
function sortSrv(records: readonly SrvRecordLike[]): SrvRecordLike[] {
  return [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight);
}

/**
 * The realm of `host` from [domain_realm], else the default realm, else undefined. Tags are tried
 * as MIT does (hostrealm_profile.c): the whole name, then for each parent domain `.parent` and
 * `parent`, so `.example.com` matches every host below example.com.
 */
export function realmForHost(host: string, config: Pick<Krb5Config, 'domainRealm' | 'defaultRealm'>): string | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  let p = name;
  for (;;) {
    const hit = config.domainRealm.get(p);
    if (hit !== undefined) return hit;
    if (p.startsWith('.')) {
      p = p.slice(1);
      continue;
    }
    const dot = p.indexOf('.');
    if (dot < 0) break;
    p = p.slice(dot);
  }
  return config.defaultRealm;
}
