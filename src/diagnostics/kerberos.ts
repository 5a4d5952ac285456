/**
 * Steps `kerberos-config`, `kerberos-kdc`, `kerberos-tgt` and `kerberos-service-ticket`: which
 * krb5.conf, realm, principal and credential (password, keytab, cache) the session would use, which
 * KDCs serve the realm (--kdc, krb5.conf or DNS SRV) and whether one answers on TCP, then the
 * tickets, got by the library's own KerberosTicketSource, with the typed KDC errors' messages.
 */
import { KerberosServiceUnknownError, KerberosTicketSource } from '../auth/kerberos-tickets.js';
import { findTgt, readCcacheFile, resolveCcacheName } from '../auth/kerberos/ccache.js';
import { KdcError } from '../auth/kerberos/kdc-errors.js';
import { locateKdcs, realmForHost, type LocatedKdc } from '../auth/kerberos/kdc-locator.js';
import { readKeytabFile } from '../auth/kerberos/keytab.js';
import { loadKrb5Config, krb5ConfigFiles, type Krb5Config } from '../auth/kerberos/krb5-conf.js';
import { parseUserPrincipal } from '../auth/kerberos/principal-name.js';
import { principalToString, type Principal } from '../auth/kerberos/types.js';
import { ErrorCodes } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import { endpointHost, tryConnect } from './network.js';
import { failureOf } from './step-runner.js';
import { isNoKerberosTicket } from '../session/negotiate-session.js';

/** Failures where Kerberos said no (wrong password, skew, refused): Negotiate does not fall back to NTLM on them. */
const refusals = new WeakSet<StepOutcome>();

export function isKerberosRefusal(outcome: StepOutcome): boolean {
  return refusals.has(outcome);
}

function kerberosFailure(err: unknown, facts: StepOutcome['facts']): StepOutcome {
  const r = failureOf(err, facts);
  if (!isNoKerberosTicket(err)) refusals.add(r);
  return r;
}
import type { FactValue, StepOutcome } from './types.js';

/** A KDC that takes longer than this to accept a TCP connection counts as unreachable here. */
const KDC_PROBE_TIMEOUT_MS = 5000;

export interface KerberosContext {
  readonly config: Krb5Config;
  readonly tickets: KerberosTicketSource;
  readonly principal: Principal;
  readonly spn: string;
  /** A ticket source like `tickets` that also fetches the forwarded TGT (--kerberos-delegation), for the delegation step. */
  readonly delegating: () => KerberosTicketSource;
}

export function checkKerberosConfig(o: ResolvedOptions, env: NodeJS.ProcessEnv): { outcome: StepOutcome; ctx?: KerberosContext } {
  const k = o.kerberos!;
  const facts: Record<string, FactValue> = {};
  try {
    const files = k.krb5Config !== undefined ? [k.krb5Config] : krb5ConfigFiles(env);
    const config = loadKrb5Config({ env, files });
    facts.krb5ConfigLooked = files;
    facts.krb5ConfigRead = [...config.files];
    if (config.defaultRealm !== undefined) facts.defaultRealm = config.defaultRealm;
    // The ticket steps get tickets as a session without delegation would; the delegation step asks again with it.
    const source = (delegation: boolean): KerberosTicketSource =>
      new KerberosTicketSource({
        host: o.host,
        user: o.user,
        password: o.password,
        service: k.service,
        env,
        delegation,
        ...(k.hostnameOverride !== undefined ? { hostnameOverride: k.hostnameOverride } : {}),
        ...(k.kdc !== undefined ? { kdc: k.kdc } : {}),
        ...(k.keytab !== undefined ? { keytab: k.keytab } : {}),
        ...(k.ccache !== undefined ? { ccache: k.ccache } : {}),
        ...(k.krb5Config !== undefined ? { krb5Config: k.krb5Config } : {}),
      });
    const tickets = source(false);
    const credential = tickets.source;
    facts.credential = credential;
    let principal: Principal;
    if (credential === 'ccache') {
      const location = resolveCcacheName(k.ccache !== undefined ? { ...env, KRB5CCNAME: k.ccache } : env, config.defaultCcacheName);
      facts.ccache = location.name;
      const cache = readCcacheFile(location.path);
      principal = o.user !== '' ? parseUserPrincipal(o.user, { defaultRealm: config.defaultRealm, knownRealms: [...config.realms.keys()], what: '--user' }) : cache.principal;
      const tgt = findTgt(cache);
      if (tgt === undefined) {
        return {
          outcome: {
            status: 'fail',
            summary: `the credential cache ${location.name} holds no valid ticket-granting ticket for ${principalToString(cache.principal)}`,
            facts: { ...facts, principal: principalToString(cache.principal) },
            fix: 'Run kinit (or kinit -R to renew), or give a password (HYPERV_WSMAN_PASSWORD, --password-file, --password-stdin) or --keytab.',
            code: ErrorCodes.KRB5_CCACHE,
          },
        };
      }
      facts.cachedTgtExpires = new Date(tgt.endtime * 1000).toISOString();
    } else if (credential === 'keytab' && o.user === '' && k.keytab !== undefined) {
      const first = readKeytabFile(k.keytab).entries[0]?.principal;
      if (first === undefined) return { outcome: { status: 'fail', summary: `keytab ${k.keytab} has no entries`, facts, fix: 'Add the user\'s keys to the keytab (ktutil, or kadmin ktadd).', code: ErrorCodes.KRB5_KEYTAB } };
      principal = first;
      facts.keytab = k.keytab;
    } else {
      principal = parseUserPrincipal(o.user, { defaultRealm: config.defaultRealm, knownRealms: [...config.realms.keys()], what: '--user' });
      if (credential === 'keytab') facts.keytab = k.keytab ?? env.KRB5_CLIENT_KTNAME ?? '';
    }
    facts.principal = principalToString(principal);
    const hostName = k.hostnameOverride ?? endpointHost(o);
    const serviceRealm = realmForHost(hostName, { domainRealm: config.domainRealm, defaultRealm: undefined }) ?? principal.realm;
    const spn = principalToString(tickets.spn(serviceRealm));
    facts.spn = spn;
    const noFile = config.files.length === 0;
    const summary = `principal ${facts.principal as string} (${credential}), SPN ${spn}; krb5.conf ${noFile ? 'not found' : (config.files as string[]).join(', ')}`;
    const ctx: KerberosContext = { config, tickets, principal, spn, delegating: () => source(true) };
    if (noFile && k.kdc === undefined) {
      return { ctx, outcome: { status: 'warn', summary, facts, fix: `No krb5.conf was found (looked at ${files.join(', ')}; KRB5_CONFIG or --krb5-config name another): KDCs will come from DNS SRV records (_kerberos._tcp.${principal.realm}); if there are none, pass --kdc <host[:port]>.` } };
    }
    return { ctx, outcome: { status: 'pass', summary, facts } };
  } catch (err) {
    return { outcome: failureOf(err, facts) };
  }
}

export async function checkKdc(o: ResolvedOptions, ctx: KerberosContext): Promise<StepOutcome> {
  const realm = ctx.principal.realm;
  let kdcs: LocatedKdc[];
  try {
    kdcs = await locateKdcs(realm, { config: ctx.config, ...(o.kerberos?.kdc !== undefined && o.kerberos.kdc.length > 0 ? { override: o.kerberos.kdc } : {}) });
  } catch (err) {
    return failureOf(err, { realm });
  }
  const listed = kdcs.map((k) => `${k.transport !== undefined ? `${k.transport}/` : ''}${k.host}:${k.port} (${k.source})`);
  const tried: string[] = [];
  const probed = kdcs.filter((k) => k.transport !== 'udp').slice(0, 3);
  for (const kdc of probed) {
    const r = await tryConnect(kdc.host, kdc.port, Math.min(KDC_PROBE_TIMEOUT_MS, o.connectTimeoutMs));
    if (r === 'connected') return { status: 'pass', summary: `realm ${realm}: KDC ${kdc.host}:${kdc.port} accepts TCP (from ${kdc.source})`, facts: { realm, kdcs: listed, reachable: `${kdc.host}:${kdc.port}` } };
    tried.push(`${kdc.host}:${kdc.port} (${r})`);
  }
  if (tried.length === 0) {
    return { status: 'warn', summary: `realm ${realm}: KDCs ${listed.join(', ')} are UDP only; not probed (the ticket steps below show whether one answers)`, facts: { realm, kdcs: listed } };
  }
  return {
    status: 'fail',
    summary: `realm ${realm}: no KDC accepted a TCP connection: ${tried.join(', ')}`,
    facts: { realm, kdcs: listed, tried },
    fix: `Check the KDC names in krb5.conf ([realms] ${realm} kdc) or --kdc, DNS, and that a KDC listens at ${probed.map((k) => `${k.host}:${k.port}`).join(', ')} and the firewall lets TCP through to it.`,
    code: ErrorCodes.KERBEROS_KDC,
  };
}

/**
 * The service ticket through the library (AS + TGS, or the cache's TGT + TGS). Which exchange failed
 * is read from the typed error: a KDC error naming a krbtgt/ server is the AS exchange (the TGT).
 */
export async function checkTickets(ctx: KerberosContext, now: () => Date = () => new Date()): Promise<{ tgt: StepOutcome; service: StepOutcome | undefined }> {
  const before = now();
  try {
    const ticket = await ctx.tickets.serviceTicket();
    const facts: Record<string, FactValue> = { spn: ctx.spn, expires: ticket.endTime.toISOString() };
    const source = ctx.tickets.source;
    const tgt: StepOutcome =
      source === 'ccache'
        ? { status: 'pass', summary: `using the credential cache's ticket-granting ticket for ${principalToString(ctx.principal)}`, facts: { principal: principalToString(ctx.principal) } }
        : tgtFromAuthTime(ctx, ticket.authTime, before, source);
    return { tgt, service: { status: 'pass', summary: `service ticket for ${ctx.spn}, valid until ${ticket.endTime.toISOString()}`, facts } };
  } catch (err) {
    const asExchange = err instanceof KdcError && !(err instanceof KerberosServiceUnknownError) && err.server !== undefined && /^krbtgt\//i.test(err.server);
    const skew: Record<string, FactValue> = err instanceof KdcError && err.skewSeconds !== undefined ? { clockDifferenceSeconds: err.skewSeconds } : {};
    if (err instanceof KerberosServiceUnknownError || (err instanceof KdcError && !asExchange)) {
      return {
        tgt: { status: 'pass', summary: `ticket-granting ticket obtained for ${principalToString(ctx.principal)}`, facts: { principal: principalToString(ctx.principal) } },
        service: kerberosFailure(err, { spn: ctx.spn, ...skew }),
      };
    }
    return { tgt: kerberosFailure(err, { principal: principalToString(ctx.principal), ...skew }), service: undefined };
  }
}

function tgtFromAuthTime(ctx: KerberosContext, authTime: Date, before: Date, source: string): StepOutcome {
  // The KDC stamps authtime with its own clock: the difference from ours is the skew Kerberos tolerates up to 5 minutes.
  const skew = Math.round((authTime.getTime() - before.getTime()) / 1000);
  const facts = { principal: principalToString(ctx.principal), credential: source, clockDifferenceSeconds: skew };
  const summary = `ticket-granting ticket obtained for ${principalToString(ctx.principal)} with the ${source}; KDC clock ${skew >= 0 ? '+' : ''}${skew} s from ours`;
  if (Math.abs(skew) > 120) return { status: 'warn', summary, facts, fix: `The KDC's clock is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} this machine's; Kerberos refuses beyond ${ctx.config.clockskew} s: fix time synchronisation (NTP).` };
  return { status: 'pass', summary, facts };
}
