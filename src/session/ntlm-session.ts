/**
 * NTLM over HTTP(S) as WinRM does it ([MS-WSMV] 2.2.9.1, 3.1.4.1.29), on the connection-bound
 * session (connection-auth-session.ts):
 * - The NEGOTIATE token goes with the first request (empty body), so servers that never 401 an
 *   anonymous request still work; AUTHENTICATE goes with the real (sealed, on http) message:
 *   an authenticated connection then costs exactly one round trip per call.
 * - `Negotiate` first (raw NTLMSSP, which WinRM accepts), plain `NTLM` once when the server offers
 *   only that.
 * - Over https, the channel binding token is taken from the certificate of the very socket that
 *   carries the handshake, after NEGOTIATE opened it.
 * - With message encryption a CHALLENGE that cannot seal is refused before AUTHENTICATE is built.
 */
import { SPNEGO_ENCRYPTED_PROTOCOL } from '../auth/message-encryption.js';
import { NtlmClientContext, parseNtlmUser } from '../auth/ntlm/client-context.js';
import { ntlmSecurityContext } from '../auth/security-context.js';
import { AuthenticationError, NtlmError } from '../errors.js';
import type { TraceEvent } from '../options.js';
import type { HttpTransport } from '../transport/http-transport.js';
import { ConnectionAuthSession, type ConnectionAuthMechanism, type Refusal } from './connection-auth-session.js';
import { offeredSchemes } from './session.js';

export interface NtlmSessionOptions {
  readonly user: string;
  readonly password: string;
  readonly encrypt: boolean;
  readonly sendCbt: boolean;
  /** Send AUTHENTICATE with an empty body, then the message (pywinrm's way; OMI requires it). */
  readonly emptyAuthenticateBody?: boolean;
  /** Whole-call deadline, from when the call gets the connection; shared by every leg of the call. */
  readonly callTimeoutMs: number;
  readonly trace?: (e: TraceEvent) => void;
}

const REFUSALS: Readonly<Record<Refusal['stage'], string>> = {
  'first-token': 'The server did not answer NEGOTIATE with an NTLM challenge',
  credentials: 'The server rejected the NTLM credentials',
  message: 'The server rejected the first message after NTLM authentication',
};

export function ntlmMechanism(opts: NtlmSessionOptions): ConnectionAuthMechanism {
  const creds = { user: opts.user, password: opts.password };
  return {
    name: 'NTLM',
    schemes: ['Negotiate', 'NTLM'],
    protocol: SPNEGO_ENCRYPTED_PROTOCOL,
    bindsFirstToken: false,
    messageAfterHandshake: opts.emptyAuthenticateBody === true,
    start: () => ntlmSecurityContext(new NtlmClientContext(creds, { requireSealing: opts.encrypt })),
    refused: (r) => ntlmRefusal(r, opts),
    error: (message, cause) => new NtlmError(message, cause === undefined ? undefined : { cause }),
  };
}

function ntlmRefusal(r: Refusal, opts: NtlmSessionOptions): AuthenticationError {
  const offered = offeredSchemes((r.first ?? r.res).headers['www-authenticate']);
  const details = { attempted: 'ntlm', offered, user: opts.user, channelBindingSent: r.cbtSent, endpoint: r.url.href };
  // No NTLM on offer: nothing about the user, password or channel binding was tried, so no hint about them applies.
  if (r.stage === 'first-token' && !offered.some((s) => /^(negotiate|ntlm)$/i.test(s))) {
    const use = offered.some((s) => /^basic$/i.test(s)) ? 'use transport basic (over https), which it offers, or ' : offered.some((s) => /^kerberos$/i.test(s)) ? 'use Kerberos, which it offers, or ' : '';
    return new AuthenticationError(
      `The server at ${r.url.origin} does not offer NTLM (HTTP ${r.res.status}; it offers ${offered.join(', ') || 'no scheme'}): ${use}enable Negotiate on the host (winrm set winrm/config/service/auth @{Negotiate="true"}).`,
      details,
    );
  }
  const form = parseNtlmUser(opts.user).form;
  // How the name was read, in words: "(form user)" meant nothing to the person who typed it.
  const asRead = form === 'user' ? 'no domain given: a local account of the host' : `read as ${form}`;
  const https = r.url.protocol === 'https:';
  const hints = [
    'check the user name and password',
    form === 'user' ? 'for a domain account use DOMAIN\\user or user@domain' : '',
    'a local account other than the built-in Administrator needs LocalAccountTokenFilterPolicy=1 for remote administration',
    // Only when binding was switched off: a refusal before AUTHENTICATE has sent no binding either.
    https && !r.cbtSent && !opts.sendCbt ? 'if the host has CbtHardeningLevel=Strict, channel binding is required (do not pass --no-send-cbt)' : '',
  ].filter(Boolean);
  return new AuthenticationError(
    `${REFUSALS[r.stage]} (HTTP ${r.res.status}) at ${r.url.origin} for user "${opts.user}" (${asRead}); ` +
      `tried ${r.scheme}/NTLMv2${https ? `, channel binding ${r.cbtSent ? 'sent' : 'not sent'}` : ', with message encryption' + (opts.encrypt ? '' : ' off')}; ` +
      `server offers: ${offered.join(', ') || 'nothing'}. Hints: ${hints.join('; ')}.`,
    details,
  );
}

export class NtlmHttpSession extends ConnectionAuthSession {
  constructor(transport: HttpTransport, opts: NtlmSessionOptions) {
    super(transport, ntlmMechanism(opts), opts);
  }
}
