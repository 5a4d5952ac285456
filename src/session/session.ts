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

/** Auth schemes offered in WWW-Authenticate (values may be repeated headers or comma-joined). */
export function offeredSchemes(v: string | string[] | undefined): string[] {
  const all = Array.isArray(v) ? v : v ? [v] : [];
  const out: string[] = [];
  for (const h of all) {
    // Split on commas that start a new challenge ("Negotiate, Basic realm=..."), not inside params.
    for (const part of h.split(/,(?=\s*[A-Za-z][A-Za-z0-9-]*(?:\s|$))/)) {
      const scheme = part.trim().split(/\s+/)[0];
      if (scheme && !out.some((s) => s.toLowerCase() === scheme.toLowerCase())) out.push(scheme);
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

/** Authorization header values never reach a trace: only the scheme (and NTLM message type) is shown. */
export function redactHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const s = headerString(v)!;
    const lk = k.toLowerCase();
    if (lk === 'authorization' || lk === 'proxy-authorization' || lk === 'www-authenticate') {
      out[k] = s.replace(/^(\s*\S+)\s+\S+/, (_m, scheme: string) => `${scheme} <redacted>`).replace(/(,\s*\S+)\s+[A-Za-z0-9+/=]{16,}/g, '$1 <redacted>');
    } else {
      out[k] = s;
    }
  }
  return out;
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
