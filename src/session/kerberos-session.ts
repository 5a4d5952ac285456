/**
 * Kerberos over HTTP(S) as WinRM does it ([MS-WSMV] 2.2.9.1.2; RFC 4559), under the `Kerberos`
 * scheme (bare krb5 token) or `Negotiate` (SPNEGO), on the connection-bound session
 * (connection-auth-session.ts). Like NTLM, the context authenticates the TCP connection; a new
 * connection authenticates again with a fresh AP-REQ from the same service ticket.
 * - HTTPS: the AP-REQ travels with the first real request (no extra round trip); channel bindings
 *   name the certificate of the connection (learnt from an unauthenticated probe the first time).
 * - HTTP: the context key is the acceptor's AP-REP subkey, so nothing can be sealed before the
 *   AP-REP: the AP-REQ goes with an empty body (pywinrm does the same), then every body is sealed.
 * - The AP-REP is verified before any reply is trusted (mutual authentication); a reply without it
 *   is refused.
 * - The service ticket, when not cached, is fetched within the call's deadline and AbortSignal.
 */
import { KerberosInitiator } from '../auth/kerberos/gss-context.js';
import type { KerberosTicketSource } from '../auth/kerberos-tickets.js';
import { KERBEROS_ENCRYPTED_PROTOCOL, SPNEGO_ENCRYPTED_PROTOCOL } from '../auth/message-encryption.js';
import { kerberosMessageSecurity, type ClientSecurityContext, type KerberosHttpScheme } from '../auth/security-context.js';
import { SpnegoInitiator } from '../auth/kerberos/spnego-context.js';
import { principalToString } from '../auth/kerberos/types.js';
import { KerberosError } from '../auth/kerberos/errors.js';
import { AuthenticationError } from '../errors.js';
import type { TraceEvent } from '../options.js';
import type { HttpTransport } from '../transport/http-transport.js';
import { ConnectionAuthSession, type ConnectionAuthMechanism, type Refusal } from './connection-auth-session.js';
import { offeredSchemes } from './session.js';

export interface KerberosSessionOptions {
  readonly scheme: KerberosHttpScheme;
  readonly tickets: KerberosTicketSource;
  readonly encrypt: boolean;
  readonly sendCbt: boolean;
  /** Whole-call deadline, from when the call gets the connection; shared by every leg of the call. */
  readonly callTimeoutMs: number;
  readonly trace?: (e: TraceEvent) => void;
}

export function kerberosMechanism(opts: KerberosSessionOptions): ConnectionAuthMechanism {
  return {
    name: 'Kerberos',
    schemes: [opts.scheme],
    protocol: opts.scheme === 'Kerberos' ? KERBEROS_ENCRYPTED_PROTOCOL : SPNEGO_ENCRYPTED_PROTOCOL,
    bindsFirstToken: true,
    messageAfterHandshake: false,
    async start(x, channelBindings) {
      // The KDC exchange (when the ticket is not cached) is part of this call: same deadline, same signal.
      const call = { deadline: x.deadline, ...(x.signal ? { signal: x.signal } : {}) };
      const credential = await opts.tickets.serviceTicket(call);
      // With --kerberos-delegation every AP-REQ carries the forwarded TGT (each connection authenticates anew).
      const delegate = await opts.tickets.forwardedTgt(call);
      return kerberosSecurityContext(new KerberosInitiator({ credential, ...(delegate ? { delegate } : {}), ...(channelBindings ? { channelBindings } : {}) }), opts.scheme);
    },
    refused: (r) => kerberosRefusal(r, opts),
    error: (message, cause) => new KerberosError(message, cause === undefined ? undefined : { cause }),
  };
}

function kerberosRefusal(r: Refusal, opts: KerberosSessionOptions): AuthenticationError {
  const offered = offeredSchemes(r.res.headers['www-authenticate']);
  const spn = principalToString(opts.tickets.spn('REALM')).replace(/@REALM$/, '');
  const https = r.url.protocol === 'https:';
  const hints = [
    `the host may not hold the key of ${spn} (SPN registered on another account, or a stale keytab)`,
    offered.some((s) => s.toLowerCase() === opts.scheme.toLowerCase()) ? '' : `the server does not offer ${opts.scheme}; try --transport ${opts.scheme === 'Kerberos' ? 'negotiate' : 'ntlm'}`,
    https && !r.cbtSent ? 'if the host has CbtHardeningLevel=Strict, channel binding is required (do not pass --no-send-cbt)' : '',
  ].filter(Boolean);
  return new AuthenticationError(
    `The server rejected the Kerberos ticket (HTTP ${r.res.status}) at ${r.url.origin}; tried ${opts.scheme} with a ticket for ${spn} from the ${opts.tickets.source}` +
      `${https ? `, channel binding ${r.cbtSent ? 'sent' : 'not sent'}` : ', with message encryption' + (opts.encrypt ? '' : ' off')}; server offers: ${offered.join(', ') || 'nothing'}. Hints: ${hints.join('; ')}.`,
    { attempted: 'kerberos', offered, user: '', channelBindingSent: r.cbtSent, endpoint: r.url.href },
  );
}

export class KerberosHttpSession extends ConnectionAuthSession {
  constructor(transport: HttpTransport, opts: KerberosSessionOptions) {
    super(transport, kerberosMechanism(opts), opts);
  }
}

/** Kerberos (bare under `Kerberos`, in SPNEGO under `Negotiate`): one AP-REQ, one AP-REP, verified. */
function kerberosSecurityContext(krb: KerberosInitiator, scheme: KerberosHttpScheme): ClientSecurityContext {
  const security = kerberosMessageSecurity(krb, scheme);
  const spnego = scheme === 'Negotiate' ? new SpnegoInitiator(krb) : undefined;
  return {
    initialToken: () => ({ bytes: spnego ? spnego.initialToken() : krb.initialToken(), expect: 'mutual', name: 'AP-REQ', replyName: 'AP-REP' }),
    next: () => {
      throw new KerberosError('Kerberos expects no further round after the AP-REQ.');
    },
    finish: (token) => (spnego ? spnego.acceptReply(token) : krb.acceptReply(token)),
    get canProtect() {
      return krb.established;
    },
    security,
  };
}
