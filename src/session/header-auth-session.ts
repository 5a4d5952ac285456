/**
 * Authentication by a header sent with every request, with no handshake and no message protection:
 * Basic (the credentials themselves, so only over TLS unless the caller explicitly allowed
 * unencrypted traffic, checked in resolveOptions) and client certificates (the https/mutual profile
 * header; the certificate itself rides in the TLS handshake, see src/auth/certificate/). A 401 is
 * final: no retry loop that could lock the account.
 */
import { AuthenticationError, ConnectionError, type HypervWsmanError } from '../errors.js';
import type { TraceEvent } from '../options.js';
import type { HttpResponse, HttpTransport } from '../transport/http-transport.js';
import { isRetryableConnectionError } from '../transport/http-transport.js';
import {
  emitTrace,
  offeredSchemes,
  parseContentType,
  redactHeaders,
  SOAP_CONTENT_TYPE,
  type Session,
  type SoapExchange,
  type SoapReply,
} from './session.js';
import { SerialQueue } from './serial-queue.js';

/** What a header-authenticated session sends, and how it explains a refusal. */
export interface HeaderCredentials {
  /** The Authorization header value, sent with every request. */
  readonly authorization: string;
  /** The error for an HTTP 401, given the schemes the server offered. */
  refused(offered: readonly string[], endpoint: URL): AuthenticationError;
  /** Re-words a connection lost mid-request when this scheme can say why (a certificate the host would not take). */
  connectionLost?(err: ConnectionError, endpoint: URL): HypervWsmanError;
}

export function basicCredentials(user: string, password: string): HeaderCredentials {
  return {
    // RFC 7617: user-pass as UTF-8.
    authorization: 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64'),
    refused(offered, endpoint) {
      const hint = offered.some((s) => s.toLowerCase() === 'basic')
        ? 'Check the user name and password; Basic works only for local accounts (not domain accounts).'
        : 'The server does not offer Basic (WinRM Service/Auth/Basic is false by default); use transport ntlm.';
      return new AuthenticationError(`${endpoint.origin} refused Basic authentication for user "${user}" (HTTP 401; server offers: ${offered.join(', ') || 'nothing'}). ${hint}`, {
        attempted: 'basic',
        offered,
        user,
        endpoint: endpoint.href,
      });
    },
  };
}

export class HeaderAuthSession implements Session {
  private readonly authorization: string;
  private readonly queue = new SerialQueue();

  constructor(
    private readonly transport: HttpTransport,
    private readonly credentials: HeaderCredentials,
    /** Whole-call deadline, from when the call gets the connection (a retry shares it). */
    private readonly callTimeoutMs: number,
    private readonly trace?: (e: TraceEvent) => void,
  ) {
    this.authorization = credentials.authorization;
  }

  exchange(x: SoapExchange): Promise<SoapReply> {
    return this.queue.run(x.signal, () => this.exchangeNow(x, Date.now() + this.callTimeoutMs));
  }

  private async exchangeNow(x: SoapExchange, deadline: number): Promise<SoapReply> {
    const headers = { 'content-type': SOAP_CONTENT_TYPE, authorization: this.authorization, 'accept-encoding': 'identity' };
    emitTrace(this.trace, () => ({ direction: 'request', label: x.label, headers: redactHeaders(headers), body: x.xml, encrypted: false }));
    let res: HttpResponse;
    try {
      try {
        res = await this.transport.post({ headers, body: x.xml, timeoutMs: x.timeoutMs, deadline, signal: x.signal });
      } catch (err) {
        if (!x.idempotent || !isRetryableConnectionError(err)) throw err;
        // The kept-alive socket was dropped: one fresh attempt for operations that are safe to repeat.
        res = await this.transport.post({ headers, body: x.xml, timeoutMs: x.timeoutMs, deadline, signal: x.signal });
      }
    } catch (err) {
      if (err instanceof ConnectionError && this.credentials.connectionLost) throw this.credentials.connectionLost(err, this.transport.url);
      throw err;
    }
    const { mediaType, charset } = parseContentType(res.headers['content-type'] as string | undefined);
    emitTrace(this.trace, () => ({
      direction: 'response',
      label: x.label,
      status: res.status,
      headers: redactHeaders(res.headers),
      body: res.body.toString('utf8'),
      encrypted: false,
    }));
    if (res.status === 401) throw this.credentials.refused(offeredSchemes(res.headers['www-authenticate']), this.transport.url);
    return { status: res.status, mediaType, charset, body: res.body };
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
