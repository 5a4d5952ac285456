/**
 * A session carries SOAP envelopes to one endpoint: it owns authentication (and, for NTLM,
 * message encryption) on top of one HttpTransport. The WS-Man client above it sees only
 * plaintext SOAP in and out.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { TraceEvent } from '../options.js';

export interface SoapExchange {
  /** SOAP envelope text. */
  readonly xml: string;
  /** Short name for logs and errors, e.g. "Invoke GetError". */
  readonly label: string;
  /** Safe to re-send after a dropped connection. */
  readonly idempotent: boolean;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface SoapReply {
  readonly status: number;
  /** Media type of the (decrypted) reply, lower-cased, without parameters. */
  readonly mediaType: string | undefined;
  readonly charset: string | undefined;
  readonly body: Uint8Array;
}

export interface Session {
  exchange(x: SoapExchange): Promise<SoapReply>;
  close(): Promise<void>;
}

export const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';

export function headerString(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * Distinct schemes kept from WWW-Authenticate, and the longest scheme name: a real server offers a
 * handful of short ones; a hostile one could fill 64 KB of header with them, all echoed in messages.
 */
const MAX_OFFERED_SCHEMES = 16;
const MAX_SCHEME_LENGTH = 40;

/** Auth schemes offered in WWW-Authenticate (values may be repeated headers or comma-joined); at most MAX_OFFERED_SCHEMES. */
export function offeredSchemes(v: string | string[] | undefined): string[] {
  const all = Array.isArray(v) ? v : v ? [v] : [];
  const out: string[] = [];
  for (const h of all) {
    // Split on commas that start a new challenge ("Negotiate, Basic realm=..."), not inside params.
    for (const part of h.split(/,(?=\s*[A-Za-z][A-Za-z0-9-]*(?:\s|$))/)) {
      const scheme = part.trim().split(/\s+/)[0];
      if (!scheme || scheme.length > MAX_SCHEME_LENGTH || out.some((s) => s.toLowerCase() === scheme.toLowerCase())) continue;
      out.push(scheme);
      if (out.length === MAX_OFFERED_SCHEMES) return out;
    }
  }
  return out;
}

export function parseContentType(v: string | undefined): { mediaType: string | undefined; charset: string | undefined } {
  if (!v) return { mediaType: undefined, charset: undefined };
  const [type, ...params] = v.split(';');
  let charset: string | undefined;
  for (const p of params) {
    const m = /^\s*charset\s*=\s*"?([^";]+)"?/i.exec(p);
    if (m) charset = m[1];
  }
  return { mediaType: type?.trim().toLowerCase(), charset };
}

/** Headers that carry our credentials: everything after the scheme is redacted. */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization']);
/** Headers that carry a server's challenges: tokens are redacted, parameters such as realm kept. */
const CHALLENGE_HEADERS: ReadonlySet<string> = new Set(['www-authenticate', 'proxy-authenticate']);
/** A new challenge starts at a comma followed by a scheme name and whitespace or the end (RFC 9110 11.6.1). */
const NEXT_CHALLENGE = /,(?=\s*[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*(?:\s|$))/;
/** An auth-param: name = token or quoted-string (a token68 with '=' padding is not one: no value). */
const AUTH_PARAM = /^\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^\s",=][^\s",]*)\s*$/;

/**
 * Authentication tokens never reach a trace, in either direction: Authorization and
 * Proxy-Authorization keep only their scheme; in WWW-Authenticate and Proxy-Authenticate every
 * token (an NTLM CHALLENGE, a Negotiate reply, anything not a name=value parameter) becomes
 * `<redacted>` while schemes and parameters such as `realm="WSMAN"` stay readable. Other headers are
 * shown as they are: they carry no secret of ours.
 */
export function redactHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const s = headerString(v)!;
    const lk = k.toLowerCase();
    out[k] = CREDENTIAL_HEADERS.has(lk) ? redactCredentials(s) : CHALLENGE_HEADERS.has(lk) ? redactChallenges(s) : s;
  }
  return out;
}

function redactCredentials(value: string): string {
  const m = /^\s*(\S+)\s+\S/.exec(value);
  return m ? `${m[1]} <redacted>` : value;
}

function redactChallenges(value: string): string {
  return value
    .split(NEXT_CHALLENGE)
    .map((challenge) => {
      const m = /^(\s*)(\S+)(\s+)([\s\S]*)$/.exec(challenge);
      if (!m) return challenge; // a bare scheme
      const [, lead, scheme, gap, rest] = m as unknown as [string, string, string, string, string];
      // Parameters are comma-separated; anything that is not name=value is (or may hide) a token.
      const params = rest.split(',').map((p) => (AUTH_PARAM.test(p) ? p : p.trim() === '' ? p : `${/^\s*/.exec(p)![0]}<redacted>`));
      return `${lead}${scheme}${gap}${params.join(',')}`;
    })
    .join(',');
}

/**
 * Trace events go to the caller's `trace` option and to the diagnostics channel
 * `hyperv-wsman:exchange` (for APMs and debuggers), already redacted. They are only built when
 * someone listens: the hot path pays nothing otherwise.
 */
export const exchangeChannel = diagnosticsChannel.channel('hyperv-wsman:exchange');

export function emitTrace(trace: ((e: TraceEvent) => void) | undefined, make: () => TraceEvent): void {
  if (!trace && !exchangeChannel.hasSubscribers) return;
  const event = make();
  if (exchangeChannel.hasSubscribers) exchangeChannel.publish(event);
  if (!trace) return;
  try {
    trace(event);
  } catch {
    // A broken trace sink must not break the call.
  }
}
