/**
 * Where a WinRM session's Kerberos service ticket comes from, as kerberos-environment.md describes:
 * a password (AS exchange), else a keytab, else the credential cache (a service ticket already in
 * it, or its TGT and a TGS exchange). The SPN is `<service>/<host>@<realm of host>` built from the
 * endpoint host or the hostname override; KDCs from the override, krb5.conf or DNS. One ticket
 * serves every connection of the session until shortly before it expires.
 * With delegation the TGT must be forwardable (asked for in the AS exchange; a cached one is
 * checked), and a forwarded TGT is fetched beside the service ticket for every AP-REQ to carry.
 */
import { KdcClient, issuingRealm, referralTarget, tgsPrincipal } from './kerberos/kdc-client.js';
import { KerberosError } from './kerberos/errors.js';
import type { KdcCallOptions } from './kerberos/kdc-transport.js';
import { KdcError, KrbErrorCode } from './kerberos/kdc-errors.js';
import { loadKrb5Config, type Krb5Config } from './kerberos/krb5-conf.js';
import { kdcClientSettings } from './kerberos/krb5-client-settings.js';
import { locateKdcs, realmForHost } from './kerberos/kdc-locator.js';
import { TicketFlags } from './kerberos/messages.js';
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
  /** Delegate the user's credentials (a forwarded TGT) to the host, for a second hop. */
  readonly delegation?: boolean;
  /** One-line notes about what was decided (e.g. delegation to a host not marked ok-as-delegate). */
  readonly notice?: (message: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** The KDC does not know the SPN: say which, and how to name the host differently. */
export class KerberosServiceUnknownError extends HypervWsmanError {
  readonly spn: string;
  constructor(spn: string, options?: { cause?: unknown }) {
    super(
      ErrorCodes.KERBEROS_KDC,
      `Kerberos: the KDC has no service principal ${spn}. Connect by the host name the computer is registered under (usually its FQDN), ` +
        'or give that name with kerberosHostnameOverride (--kerberos-hostname-override); the service class is set with kerberosService (--kerberos-service), HTTP or WSMAN.',
      options,
    );
    this.spn = spn;
  }
}

/**
 * Delegation was asked for, but the TGT at hand is not forwardable. Not a "no ticket" failure:
 * Negotiate does not fall back to NTLM, which could not delegate either.
 */
export class KerberosDelegationError extends HypervWsmanError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.KERBEROS, message, options);
  }
}

/** Renew this long before the ticket ends, so a ticket never expires between AP-REQ and reply. */
const RENEW_MARGIN_MS = 60_000;

export type TicketSource = 'password' | 'keytab' | 'ccache';

/** The service ticket and, with delegation, the forwarded TGT that goes with it. */
interface TicketPair {
  readonly service: KerberosCredential;
  readonly forwarded?: KerberosCredential;
}

export class KerberosTicketSource {
  readonly #o: KerberosTicketOptions;
  readonly #config: Krb5Config;
  #ticket?: TicketPair;

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
    return parseUserPrincipal(this.#o.user, { defaultRealm: this.#config.defaultRealm, knownRealms: [...this.#config.realms.keys()], what: '--user' });
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
    return new KdcClient(kdcClientSettings(this.#config, kdcs, { forwardable: this.#o.delegation === true }));
  }

  /**
   * A service ticket for the endpoint, from cache while it is comfortably valid. `call` is the
   * WinRM call's deadline and AbortSignal: KDC location and every KDC exchange stay within them.
   */
  async serviceTicket(call: KdcCallOptions = {}): Promise<KerberosCredential> {
    return (await this.#pair(call)).service;
  }

  /** With delegation: the forwarded TGT to put in each AP-REQ (fetched with the service ticket); else undefined. */
  async forwardedTgt(call: KdcCallOptions = {}): Promise<KerberosCredential | undefined> {
    return (await this.#pair(call)).forwarded;
  }

  async #pair(call: KdcCallOptions): Promise<TicketPair> {
    const t = this.#ticket;
    const fresh = (c: KerberosCredential | undefined): boolean => c === undefined || c.endTime.getTime() - RENEW_MARGIN_MS > Date.now();
    if (t !== undefined && fresh(t.service) && fresh(t.forwarded)) return t;
    this.#ticket = await this.#fetch(call);
    return this.#ticket;
  }

  async #fetch(call: KdcCallOptions): Promise<TicketPair> {
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
        if (cached !== undefined && this.#o.delegation !== true) return { service: toKerberosCredential(cached) };
        const tgt = findTgt(cache);
        if (tgt === undefined) throw new InvalidOptionError(`The credential cache ${location.name} has no valid ticket-granting ticket for ${principalToString(cache.principal)}; run kinit, or give a password or --keytab.`);
        const credential = toKerberosCredential(tgt);
        if (this.#o.delegation === true && (credential.flags & TicketFlags.FORWARDABLE) === 0) {
          throw new KerberosDelegationError(
            `Kerberos delegation (--kerberos-delegation) needs a forwardable TGT, but the TGT in KRB5CCNAME (${location.name}) for ${principalToString(credential.client)} is not forwardable; run kinit -f, or give a password or --keytab.`,
          );
        }
        if (cached !== undefined) return { service: toKerberosCredential(cached), ...(await this.#forwarded(credential, toKerberosCredential(cached), call)) };
        return this.#serviceTicketWith(credential, call);
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

  async #withTgt(realm: string, call: KdcCallOptions, getTgt: (kdc: KdcClient) => Promise<KerberosCredential>): Promise<TicketPair> {
    const tgt = await getTgt(await this.#kdcClient(realm, call));
    if (this.#o.delegation === true && (tgt.flags & TicketFlags.FORWARDABLE) === 0) {
      throw new KerberosDelegationError(
        `Kerberos delegation (--kerberos-delegation) needs a forwardable TGT, but the KDC of ${tgt.server.realm} issued ${principalToString(tgt.client)} a TGT that is not forwardable (account or realm policy); ask the domain admin, or drop --kerberos-delegation.`,
      );
    }
    return this.#serviceTicketWith(tgt, call);
  }

  async #serviceTicketWith(tgt: KerberosCredential, call: KdcCallOptions): Promise<TicketPair> {
    let spn = this.spn(this.#serviceRealm(tgt.client.realm));
    let asked = spn;
    let service: KerberosCredential;
    try {
      service = await followReferrals(tgt, spn, async (ticket, server) => {
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
    return { service, ...(await this.#forwarded(tgt, service, call)) };
  }

  /**
   * With delegation, the forwarded TGT. We delegate whenever asked, as MIT's GSS_C_DELEG_FLAG and
   * pywinrm do, even when the KDC did not mark the host OK-AS-DELEGATE (that mark is the domain's
   * "trusted for delegation"; Windows' SSPI would not delegate without it): say so in a notice.
   */
  async #forwarded(tgt: KerberosCredential, service: KerberosCredential, call: KdcCallOptions): Promise<{ forwarded?: KerberosCredential }> {
    if (this.#o.delegation !== true) return {};
    let forwarded: KerberosCredential;
    try {
      forwarded = await (await this.#kdcClient(tgt.server.realm, call)).getForwardedTgt(tgt, call);
    } catch (err) {
      if (!(err instanceof KdcError) || (err.krbErrorCode !== KrbErrorCode.KDC_ERR_BADOPTION && err.krbErrorCode !== KrbErrorCode.KDC_ERR_POLICY)) throw err;
      throw new KerberosDelegationError(
        `Kerberos delegation (--kerberos-delegation): the KDC of ${tgt.server.realm} refused a forwarded TGT for ${principalToString(tgt.client)} (${err.message}); ` +
          'the account may be marked "sensitive and cannot be delegated" or be in Protected Users. Ask the domain admin, or drop --kerberos-delegation.',
        { cause: err },
      );
    }
    if ((service.flags & TicketFlags.OK_AS_DELEGATE) === 0) {
      this.#o.notice?.(
        `Kerberos: the KDC did not mark ${principalToString(service.server)} ok-as-delegate (not trusted for delegation in the domain); delegating ${principalToString(tgt.client)}'s TGT anyway because --kerberos-delegation asks for it.`,
      );
    } else {
      this.#o.notice?.(`Kerberos: delegating ${principalToString(tgt.client)}'s forwarded TGT to ${principalToString(service.server)} (ok-as-delegate).`);
    }
    return { forwarded };
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
