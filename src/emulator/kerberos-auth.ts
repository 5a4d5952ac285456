/**
 * Kerberos on the emulated WinRM listener: `Authorization: Kerberos <AP-REQ>` or
 * `Negotiate <SPNEGO NegTokenInit | bare krb5 token>` ([MS-WSMV] 2.2.9.1.2; RFC 4559). The context
 * authenticates the TCP connection as NTLM's does; the AP-REP (or NegTokenResp) goes back in
 * `WWW-Authenticate` on the reply. Over HTTPS the channel-binding hash in the AP-REQ checksum is
 * held against the listener's certificate per CbtHardeningLevel ([MS-WSMV] 2.2.4.34): strict
 * requires it, relaxed checks it when sent, none ignores it. A delegated TGT (GSS_C_DELEG_FLAG) is
 * checked by the acceptor and recorded, never used: the emulated host makes no second hop.
 */
import { KerberosAcceptor } from '../auth/kerberos/gss-context.js';
import { channelBindingHash } from '../auth/kerberos/gss-framing.js';
import { SpnegoAcceptor } from '../auth/kerberos/spnego-context.js';
import type { ReplayCache } from '../auth/kerberos/replay-cache.js';
import { principalToString, type KeytabEntry } from '../auth/kerberos/types.js';
import { channelBindingApplicationData } from '../auth/ntlm/channel-binding.js';
import type { MessageSecurity } from '../auth/security-context.js';
import { kerberosMessageSecurity, type KerberosHttpScheme } from '../auth/kerberos-security-context.js';
import { HypervWsmanError } from '../errors.js';

export interface EmulatorKerberos {
  readonly realm: string;
  /** The service keys (HTTP/<host>, WSMAN/<host>) the listener accepts tickets for. */
  readonly keytab: readonly KeytabEntry[];
  /** One per host: an AP-REQ replayed on another connection is refused (KRB_AP_ERR_REPEAT). */
  readonly replayCache: ReplayCache;
  /** Delegated TGTs accepted AP-REQs carried, oldest first, the last MAX_DELEGATIONS_KEPT (tests assert on it). */
  readonly delegations: DelegatedCredential[];
}

/** A delegated credential as the host received it (names and flags only; the key stays out). */
export interface DelegatedCredential {
  /** The authenticated client, e.g. alice@EMULATOR.TEST. */
  readonly user: string;
  /** The delegated ticket's server, krbtgt/REALM@REALM. */
  readonly ticketFor: string;
  /** Its TicketFlags (FORWARDED 0x20000000, FORWARDABLE 0x40000000). */
  readonly flags: number;
  readonly endTime: Date;
}

export interface KerberosPolicy {
  readonly kerberos: EmulatorKerberos;
  readonly secure: boolean;
  readonly cbtHardeningLevel: 'none' | 'relaxed' | 'strict';
  readonly certificateDer: Uint8Array | undefined;
}

export type KerberosAcceptance =
  | { readonly ok: true; readonly user: string; readonly security: MessageSecurity; readonly wwwAuthenticate: string }
  | { readonly ok: false; readonly reason: string };

const ZERO_BINDINGS = channelBindingHash(undefined);

/** A long-running demo host must not grow without bound: older records are dropped. */
export const MAX_DELEGATIONS_KEPT = 1000;

export function acceptKerberos(scheme: KerberosHttpScheme, token: Buffer, policy: KerberosPolicy): KerberosAcceptance {
  const acceptor = new KerberosAcceptor({ keytab: policy.kerberos.keytab, replayCache: policy.kerberos.replayCache });
  let reply: Buffer;
  try {
    reply = scheme === 'Kerberos' ? acceptor.accept(token) : new SpnegoAcceptor(acceptor).accept(token);
  } catch (err) {
    if (err instanceof HypervWsmanError) return { ok: false, reason: `Kerberos rejected: ${err.message}` };
    throw err;
  }
  const accepted = acceptor.accepted;
  if (accepted === undefined) return { ok: false, reason: 'Kerberos rejected: SPNEGO offered no Kerberos mechanism' };
  const cbtFailure = channelBindingFailure(accepted.bnd, policy);
  if (cbtFailure !== undefined) return { ok: false, reason: cbtFailure };
  const d = accepted.delegated;
  if (d !== undefined) {
    const kept = policy.kerberos.delegations;
    kept.push({ user: principalToString(accepted.client), ticketFor: principalToString(d.server), flags: d.flags, endTime: d.endTime });
    if (kept.length > MAX_DELEGATIONS_KEPT) kept.splice(0, kept.length - MAX_DELEGATIONS_KEPT);
  }
  return { ok: true, user: principalToString(accepted.client), security: kerberosMessageSecurity(acceptor, scheme), wwwAuthenticate: `${scheme} ${reply.toString('base64')}` };
}

function channelBindingFailure(bnd: Buffer, policy: KerberosPolicy): string | undefined {
  if (!policy.secure || policy.certificateDer === undefined || policy.cbtHardeningLevel === 'none') return undefined;
  const sent = !bnd.equals(ZERO_BINDINGS);
  if (!sent) return policy.cbtHardeningLevel === 'strict' ? 'Kerberos AP-REQ carries no channel binding (CbtHardeningLevel=Strict)' : undefined;
  return bnd.equals(channelBindingHash(channelBindingApplicationData(policy.certificateDer))) ? undefined : 'Kerberos channel binding does not match this listener\'s certificate';
}
