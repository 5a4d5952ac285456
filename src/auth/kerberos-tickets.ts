/**
 * Where a WinRM session's Kerberos service ticket comes from, as kerberos-environment.md describes:
 * a password (AS exchange), else a keytab, else the credential cache (a service ticket already in
 * it, or its TGT and a TGS exchange). The SPN is `<service>/<host>@<realm of host>` built from the
 * endpoint host or the hostname override; KDCs from the override, krb5.conf or DNS. One ticket
 * serves every connection of the session until shortly before it expires.
 */
import { KdcClient, issuingRealm, referralTarget, tgsPrincipal } from './kerberos/kdc-client.js';
import { KerberosError } from './kerberos/errors.js';
import type { KdcCallOptions } from './kerberos/kdc-transport.js';
import { KdcError, KrbErrorCode } from './kerberos/kdc-errors.js';
import { loadKrb5Config, type Krb5Config } from './kerberos/krb5-conf.js';
import { kdcClientSettings } from './kerberos/krb5-client-settings.js';
import { locateKdcs, realmForHost } from './kerberos/kdc-locator.js';
import { findServiceTicket, findTgt, readCcacheFile, resolveCcacheName, toKerberosCredential } from './kerberos/ccache.js';
import { findKeys, readKeytabFile, resolveClientKeytabName } from './kerberos/keytab.js';
import { parseUserPrincipal, servicePrincipal } from './kerberos/principal-name.js';
import { principalToString, type KerberosCredential, type Principal } from './kerberos/types.js';
import { AbortedError, HypervWsmanError, ErrorCodes, InvalidOptionError, KdcTimeoutError, KeytabError } from '../errors.js';

export interface KerberosTicketOptions {
  /** Host of the endpoint URL. */
  readonly host: string;
  /** `user@REALM`, `DOMAIN\user` or `user`; empty: the credential cache's principal. */
  readonly user: string;
  /** Empty or absent: use the keytab or the credential cache. */
  readonly password?: string;
  /** SPN service class; default HTTP. */
  readonly service?: string;
  /** Host name for the SPN when the endpoint is an IP address or alias. */
  readonly hostnameOverride?: string;
  /** host[:port] of KDCs; when given, nothing else is consulted. */
  readonly kdc?: readonly string[];
  /** Client keytab file (else KRB5_CLIENT_KTNAME when no password is given and it exists). */
  readonly keytab?: string;
  /** Credential cache name (else KRB5CCNAME, default_ccache_name, FILE:/tmp/krb5cc_<uid>). */
  readonly ccache?: string;
  /** krb5.conf path (else KRB5_CONFIG, /etc/krb5.conf). */
  readonly krb5Config?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** The KDC does not know the SPN: say which, and how to name the host differently. */
export class KerberosServiceUnknownError extends HypervWsmanError {
  readonly spn: string;
  constructor(spn: string, options?: { cause?: unknown }) {
    super(
      ErrorCodes.KERBEROS_KDC,
      `Kerberos: the KDC has no service principal ${spn}. Connect by the host name the computer is registered under (usually its FQDN), ` +
        'or give that name with --kerberos-hostname-override (library: kerberosHostnameOverride); the service class is set with --kerberos-service (HTTP or WSMAN).',
      options,
    );
    this.spn = spn;
  }
}

/** Renew this long before the ticket ends, so a ticket never expires between AP-REQ and reply. */
const RENEW_MARGIN_MS = 60_000;

export type TicketSource = 'password' | 'keytab' | 'ccache';

export class KerberosTicketSource {
  readonly #o: KerberosTicketOptions;
  readonly #config: Krb5Config;
  #ticket?: KerberosCredential;

  constructor(options: KerberosTicketOptions) {
    this.#o = options;
    this.#config = loadKrb5Config({ env: options.env ?? process.env, ...(options.krb5Config !== undefined ? { files: [options.krb5Config] } : {}) });
  }

  /** Which credential the session will use (for messages). */
  get source(): TicketSource {
    if (this.#o.password !== undefined && this.#o.password !== '') return 'password';
    return this.#keytabPath() !== undefined ? 'keytab' : 'ccache';
  }

  #keytabPath(): string | undefined {
    if (this.#o.keytab !== undefined) return this.#o.keytab;
    const env = this.#o.env ?? process.env;
    // The client keytab is only used when the environment names it: the Debian default path rarely exists.
    if (env.KRB5_CLIENT_KTNAME === undefined || env.KRB5_CLIENT_KTNAME === '') return undefined;
    return resolveClientKeytabName(env, this.#config.defaultClientKeytabName).path;
  }

  #userPrincipal(): Principal {
    return parseUserPrincipal(this.#o.user, { defaultRealm: this.#config.defaultRealm, knownRealms: [...this.#config.realms.keys()], what: '--username' });
  }

  /** The SPN for `realm`. */
  spn(realm: string): Principal {
    return servicePrincipal({ host: this.#o.host, ...(this.#o.hostnameOverride !== undefined ? { hostOverride: this.#o.hostnameOverride } : {}), service: this.#o.service ?? 'HTTP', realm });
  }

  /** The realm `--kdc` stands for: the first one asked (the user's); referral realms are located normally. */
  #overrideRealm: string | undefined;

  async #kdcClient(realm: string, call: KdcCallOptions): Promise<KdcClient> {
    this.#overrideRealm ??= realm.toUpperCase();
    const override = this.#o.kdc !== undefined && this.#o.kdc.length > 0 && this.#overrideRealm === realm.toUpperCase() ? this.#o.kdc : undefined;
    const located = locateKdcs(realm, { config: this.#config, ...(override !== undefined ? { override } : {}) });
    const kdcs = await withinCall(located, call, realm);
    return new KdcClient(kdcClientSettings(this.#config, kdcs));
  }

  /**
   * A service ticket for the endpoint, from cache while it is comfortably valid. `call` is the
   * WinRM call's deadline and AbortSignal: KDC location and every KDC exchange stay within them.
   */
  async serviceTicket(call: KdcCallOptions = {}): Promise<KerberosCredential> {
    if (this.#ticket !== undefined && this.#ticket.endTime.getTime() - RENEW_MARGIN_MS > Date.now()) return this.#ticket;
    this.#ticket = await this.#fetch(call);
    return this.#ticket;
  }

  async #fetch(call: KdcCallOptions): Promise<KerberosCredential> {
    switch (this.source) {
      case 'password': {
        const user = this.#userPrincipal();
        return this.#withTgt(user.realm, call, async (kdc) => kdc.getInitialTicket(user, { password: this.#o.password! }, undefined, call));
      }
      case 'keytab': {
        const path = this.#keytabPath()!;
        const keytab = readKeytabFile(path);
        const user = this.#o.user !== '' ? this.#userPrincipal() : keytab.entries[0]?.principal;
        if (user === undefined) throw new KeytabError(path, `Keytab ${path} has no entries; add the user's keys (ktutil or kadmin ktadd).`);
        const keys = findKeys(keytab, user);
        if (keys.length === 0) throw new KeytabError(path, `Keytab ${path} has no key for ${principalToString(user)}; check --username or the keytab.`);
        return this.#withTgt(user.realm, call, async (kdc) => kdc.getInitialTicket(user, { keys: keys.map((k) => k.key) }, undefined, call));
      }
      case 'ccache': {
        const env = this.#o.env ?? process.env;
        const location = resolveCcacheName(this.#o.ccache !== undefined ? { ...env, KRB5CCNAME: this.#o.ccache } : env, this.#config.defaultCcacheName);
        const cache = readCcacheFile(location.path);
        if (this.#o.user !== '') {
          const wanted = this.#userPrincipal();
          if (principalToString(wanted).toLowerCase() !== principalToString(cache.principal).toLowerCase()) {
            throw new InvalidOptionError(`The credential cache ${location.name} holds tickets for ${principalToString(cache.principal)}, not ${principalToString(wanted)}; kinit as that user, or give a password or --keytab.`);
          }
        }
        const cached = findServiceTicket(cache, this.spn(this.#serviceRealm(cache.principal.realm)));
        if (cached !== undefined) return toKerberosCredential(cached);
        const tgt = findTgt(cache);
        if (tgt === undefined) throw new InvalidOptionError(`The credential cache ${location.name} has no valid ticket-granting ticket for ${principalToString(cache.principal)}; run kinit, or give a password or --keytab.`);
        return this.#serviceTicketWith(toKerberosCredential(tgt), call);
      }
    }
  }

  /**
   * The host's realm from [domain_realm], else the user's own realm (as Windows clients do; MIT
   * would take default_realm, which is wrong whenever it differs from the user's realm).
   */
  #serviceRealm(userRealm: string): string {
    return realmForHost(this.#o.hostnameOverride ?? this.#o.host, { domainRealm: this.#config.domainRealm, defaultRealm: undefined }) ?? userRealm;
  }

  async #withTgt(realm: string, call: KdcCallOptions, getTgt: (kdc: KdcClient) => Promise<KerberosCredential>): Promise<KerberosCredential> {
    return this.#serviceTicketWith(await getTgt(await this.#kdcClient(realm, call)), call);
  }

  async #serviceTicketWith(tgt: KerberosCredential, call: KdcCallOptions): Promise<KerberosCredential> {
    let spn = this.spn(this.#serviceRealm(tgt.client.realm));
    let asked = spn;
    try {
      return await followReferrals(tgt, spn, async (ticket, server) => {
        asked = server;
        if (referralTarget(server) === undefined) spn = server;
        return (await this.#kdcClient(issuingRealm(ticket), call)).getServiceTicket(ticket, server, call, { allowReferral: true });
      });
    } catch (err) {
      if (err instanceof KdcError && err.krbErrorCode === KrbErrorCode.KDC_ERR_S_PRINCIPAL_UNKNOWN) {
        const target = referralTarget(asked);
        if (target !== undefined) {
          throw new KerberosError(
            `Kerberos: realm ${asked.realm} has no trust to ${target} (its KDC has no ${principalToString(asked)}), so ${principalToString(spn)} cannot be reached from it; ` +
              `check [domain_realm] in krb5.conf for ${this.#o.hostnameOverride ?? this.#o.host}, or the trust between the realms.`,
            { cause: err },
          );
        }
        throw new KerberosServiceUnknownError(principalToString(spn), { cause: err });
      }
      throw err;
    }
  }
}

/** Referrals followed for one service ticket before giving up (MIT's KRB5_REFERRAL_MAXHOPS is 10; a forest is rarely deeper than 3). */
export const MAX_REFERRAL_HOPS = 5;

/**
 * A service ticket for `spn` from `tgt`, across realms (RFC 4120 1.2, 3.3; RFC 6806): a service of
 * another realm R is reached by asking the current KDC for the cross-realm TGT krbtgt/R@HERE (as MIT
 * and Windows clients do), then R's KDC for the service; any answer that is a cross-realm TGT
 * krbtgt/NEXT@HERE is followed to NEXT's KDC, with the service asked for in NEXT when it was asked
 * for in HERE (AD's host-name referrals). At most MAX_REFERRAL_HOPS hops, never the same realm twice.
 */
export async function followReferrals(
  tgt: KerberosCredential,
  spn: Principal,
  ask: (tgt: KerberosCredential, server: Principal) => Promise<KerberosCredential>,
): Promise<KerberosCredential> {
  let ticket = tgt;
  let server = spn;
  const path = [issuingRealm(tgt)];
  for (let hop = 0; hop <= MAX_REFERRAL_HOPS; hop++) {
    const here = path.at(-1)!;
    const sameRealm = server.realm.toUpperCase() === here.toUpperCase();
    const answer = await ask(ticket, sameRealm ? server : { ...tgsPrincipal(server.realm), realm: here });
    const next = referralTarget(answer.server);
    if (next === undefined) return answer;
    if (path.some((r) => r.toUpperCase() === next.toUpperCase())) {
      throw new KerberosError(`Kerberos referral loop for ${principalToString(spn)}: ${[...path, next].join(' -> ')}; check the realms' trusts and [domain_realm] in krb5.conf.`);
    }
    if (hop === MAX_REFERRAL_HOPS) break;
    if (sameRealm) server = { ...server, realm: next };
    path.push(next);
    ticket = answer;
  }
  throw new KerberosError(`More than ${MAX_REFERRAL_HOPS} cross-realm referrals for ${principalToString(spn)} (${path.join(' -> ')}); giving up.`);
}

/** KDC location (DNS SRV may be slow) raced against the call's deadline and signal. */
function withinCall<T>(work: Promise<T>, call: KdcCallOptions, realm: string): Promise<T> {
  const { deadline, signal } = call;
  if (deadline === undefined && signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const stop = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      stop();
      reject(new AbortedError(undefined, { cause: signal?.reason }));
    };
    const timer =
      deadline === undefined
        ? undefined
        : setTimeout(() => {
            stop();
            reject(new KdcTimeoutError(realm, [], `Finding the KDCs of ${realm} (DNS SRV _kerberos._tcp.${realm}) did not finish within the call's deadline (callTimeoutSec / --call-timeout); name them in krb5.conf [realms] or with --kdc.`));
          }, Math.max(0, deadline - Date.now()));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        stop();
        resolve(v);
      },
      (err: unknown) => {
        stop();
        reject(err);
      },
    );
  });
}
