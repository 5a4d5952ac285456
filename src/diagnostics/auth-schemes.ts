/**
 * Step `auth-schemes`: one POST without credentials; the 401's WWW-Authenticate headers list the
 * schemes the host accepts. The chosen --transport must be among them; when it is not, the fix is
 * the host setting that turns it on (winrm/config/service/auth) or the transport that is offered.
 */
import { ConnectionError, ErrorCodes, TimeoutError } from '../errors.js';
import type { AuthTransport, ResolvedOptions } from '../options.js';
import { createTransport } from '../session/create-session.js';
import { offeredSchemes, SOAP_CONTENT_TYPE } from '../session/session.js';
import { buildIdentifyRequest } from '../wsman/requests.js';
import { failureOf } from './step-runner.js';
import type { StepOutcome } from './types.js';

/**
 * WWW-Authenticate schemes each transport can use (lower case) and the WinRM service setting that
 * offers them. Sources: [MS-WSMV] 3.1.4.1.29 (auth schemes), `winrm get winrm/config/service/auth`.
 * Certificate authentication is not announced in WWW-Authenticate (it rides on the https/mutual header).
 */
const SCHEMES_FOR: Readonly<Record<AuthTransport, { readonly accepts: readonly string[]; readonly enable: string }>> = {
  basic: { accepts: ['basic'], enable: 'winrm set winrm/config/service/auth @{Basic="true"}' },
  ntlm: { accepts: ['negotiate', 'ntlm'], enable: 'winrm set winrm/config/service/auth @{Negotiate="true"}' },
  kerberos: { accepts: ['kerberos'], enable: 'winrm set winrm/config/service/auth @{Kerberos="true"}' },
  negotiate: { accepts: ['negotiate'], enable: 'winrm set winrm/config/service/auth @{Negotiate="true"}' },
  certificate: { accepts: [], enable: 'winrm set winrm/config/service/auth @{Certificate="true"}' },
};

/** What to suggest when the chosen transport is not offered, by what is offered (first match). */
const ALTERNATIVES: ReadonlyArray<readonly [string, string]> = [
  ['negotiate', '--transport ntlm (NTLM under Negotiate), or --transport negotiate (Kerberos, else NTLM)'],
  ['kerberos', '--transport kerberos'],
  ['ntlm', '--transport ntlm'],
  ['basic', '--transport basic (over https)'],
];

export interface OfferedSchemes {
  readonly outcome: StepOutcome;
  /** Schemes as the host wrote them; undefined when the host sent no challenge. */
  readonly offered: readonly string[] | undefined;
}

/**
 * A 401 comes back at once (HTTP.sys writes it before any WS-Man work), so the probe waits at most
 * this long: OMI never answers a request without credentials and only closes the connection when its
 * idle timer expires (60 s with OMI 1.0.8-6), which the read timeout alone would wait out.
 */
export const AUTH_PROBE_TIMEOUT_MS = 10_000;

export async function checkAuthSchemes(o: ResolvedOptions): Promise<OfferedSchemes> {
  const transport = createTransport(o);
  let status: number;
  let offered: string[];
  const timeoutMs = Math.min(o.readTimeoutMs, AUTH_PROBE_TIMEOUT_MS);
  try {
    const res = await transport.post({ headers: { 'content-type': SOAP_CONTENT_TYPE }, body: buildIdentifyRequest().xml, timeoutMs, deadline: Date.now() + o.callTimeoutMs });
    status = res.status;
    offered = offeredSchemes(res.headers['www-authenticate']);
  } catch (err) {
    // OMI answers a request without credentials with nothing at all (http.c), then closes the
    // connection; so may a proxy in between. Either way the schemes are unknown, not refused.
    const silent = err instanceof TimeoutError && err.kind === 'read' ? `sent no answer within ${timeoutMs / 1000} s` : err instanceof ConnectionError ? `closed the connection (${err.message})` : undefined;
    if (silent !== undefined) {
      return {
        offered: undefined,
        outcome: {
          status: 'warn',
          summary: `the host ${silent} instead of answering a request without credentials with 401; offered schemes unknown`,
          facts: {},
          fix: `Microsoft OMI (Linux) behaves this way: it answers only requests that carry credentials; Windows WinRM answers 401 with its schemes. The next steps try --transport ${o.transport} anyway.`,
        },
      };
    }
    return { offered: undefined, outcome: failureOf(err) };
  } finally {
    void transport.close();
  }
  const facts = { httpStatus: status, offered };
  if (status !== 401) {
    return {
      offered,
      outcome:
        status === 200
          ? { status: 'warn', summary: 'the host answered a request without credentials (HTTP 200): it does not ask for authentication', facts, fix: 'A WinRM service that needs no credentials is unusual; check that --host and --port point at the intended host.' }
          : { status: 'fail', summary: `expected HTTP 401 with the offered schemes, got HTTP ${status}`, facts, fix: 'Check --path (WinRM serves /wsman) and --port: something other than WinRM may answer there.', code: ErrorCodes.HTTP_STATUS },
    };
  }
  const want = SCHEMES_FOR[o.transport];
  const lower = offered.map((s) => s.toLowerCase());
  if (o.transport === 'certificate') {
    return { offered, outcome: { status: 'pass', summary: `host offers ${offered.join(', ') || 'no scheme'}; certificate authentication is not announced there (it answers the https/mutual header; see identify)`, facts } };
  }
  if (want.accepts.some((s) => lower.includes(s))) {
    return { offered, outcome: { status: 'pass', summary: `host offers ${offered.join(', ')}; --transport ${o.transport} can use ${offered.filter((s) => want.accepts.includes(s.toLowerCase())).join(' or ')}`, facts } };
  }
  const alternative = ALTERNATIVES.find(([scheme]) => lower.includes(scheme))?.[1];
  const http = o.scheme === 'http';
  const extra =
    o.transport === 'basic' && http
      ? ' Over http, WinRM offers Basic only with AllowUnencrypted: winrm set winrm/config/service @{AllowUnencrypted="true"} (lab hosts only; the password then crosses the network in clear text), and this client needs --allow-unencrypted; prefer https (--scheme https).'
      : '';
  return {
    offered,
    outcome: {
      status: 'fail',
      summary: `host offers ${offered.join(', ') || 'no scheme'}, not what --transport ${o.transport} needs (${want.accepts.map(cap).join(' or ')})`,
      facts,
      fix: `On the host: ${want.enable}.${extra}${alternative !== undefined ? ` Or use what it offers: ${alternative}.` : ''}`,
      code: ErrorCodes.AUTH,
    },
  };
}

const cap = (s: string): string => (s === 'ntlm' ? 'NTLM' : s[0]!.toUpperCase() + s.slice(1));
