/**
 * HTTP(S) transport on undici: one dedicated keep-alive connection per transport (NTLM authenticates
 * the TCP connection, so an auth context must never share or hop sockets), TLS verified unless the
 * caller opts out by name, timeouts explicit, response bodies capped. It exposes the peer certificate
 * of the current socket (for channel binding) and a connection counter so the auth layer can tell
 * when it is talking over a new connection.
 */
import type { TLSSocket } from 'node:tls';
import { buildConnector, Client, errors as undiciErrors } from 'undici';
import {
  AbortedError,
  ConnectionError,
  HypervWsmanError,
  InvalidOptionError,
  ResponseTooLargeError,
  TimeoutError,
  TlsError,
} from '../errors.js';
import { parseProxyUrl, proxyConnector } from './proxy-tunnel.js';

export interface TransportTlsOptions {
  /** PEM CA bundle(s) to trust instead of Node's default store. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** 'ignore' disables certificate verification; only when asked for by name. Default 'validate'. */
  readonly serverCertValidation?: 'validate' | 'ignore';
  /** SNI / name to verify, when it differs from the URL host. */
  readonly servername?: string;
}

export interface HttpTransportOptions {
  readonly url: string;
  readonly tls?: TransportTlsOptions;
  /** Default 30 s. */
  readonly connectTimeoutMs?: number;
  /** Default 16 MiB. */
  readonly maxResponseBytes?: number;
  /** How long an idle kept-alive socket is kept. Default 60 s (WinRM's own idle timeout is longer). */
  readonly keepAliveTimeoutMs?: number;
  /** http://[user:pass@]host:port of an HTTP CONNECT proxy. */
  readonly proxy?: string;
}

export interface HttpRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | string;
  /** Time allowed for the whole response (headers and body). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  /** The connection generation the response arrived on. */
  readonly connection: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

// Node/OpenSSL error codes that mean "the certificate was not trusted".
const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
]);

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

export class HttpTransport {
  readonly url: URL;
  private client: Client;
  private readonly direct: buildConnector.connector;
  private closed = false;
  private readonly keepAliveTimeoutMs: number;
  private readonly maxResponseBytes: number;
  private generation = 0;
  private connected = false;
  private peerCertDer: Buffer | undefined;

  constructor(options: HttpTransportOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new InvalidOptionError(`Invalid endpoint URL "${options.url}".`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidOptionError(`Endpoint must be http or https, got ${url.protocol}`);
    if (url.username || url.password) throw new InvalidOptionError('Put credentials in the user/password options, not in the URL.');
    this.url = url;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 60_000;
    const tls = options.tls ?? {};
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const tlsOptions = {
      rejectUnauthorized: tls.serverCertValidation !== 'ignore',
      ...(tls.ca !== undefined ? { ca: tls.ca as string | Buffer | Array<string | Buffer> } : {}),
      ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
    };
    const direct =
      options.proxy !== undefined
        ? proxyConnector(parseProxyUrl(options.proxy), url, tlsOptions, connectTimeoutMs)
        : // No TLS session cache: a resumed session has no peer certificate to read, and channel
          // binding needs the certificate of every connection (RFC 5929).
          buildConnector({ timeout: connectTimeoutMs, maxCachedSessions: 0, ...tlsOptions });
    this.direct = direct;
    this.client = this.makeClient();
  }

  private makeClient(): Client {
    // Each client gets its own connector: a connect finishing for a client that reset() already
    // replaced must not count as the current connection (or lend it its certificate).
    const connect: buildConnector.connector = (opts, cb) => {
      this.direct(opts, (...args) => {
        const [err, socket] = args;
        if (!err && socket && this.client === client) {
          this.generation++;
          const tlsSocket = socket as Partial<TLSSocket>;
          this.peerCertDer = typeof tlsSocket.getPeerX509Certificate === 'function' ? tlsSocket.getPeerX509Certificate()?.raw : undefined;
        }
        cb(...args);
      });
    };
    const client: Client = new Client(this.url.origin, {
      connect,
      pipelining: 1,
      keepAliveTimeout: this.keepAliveTimeoutMs,
      keepAliveMaxTimeout: 600_000,
    });
    client.on('connect', () => {
      if (this.client === client) this.connected = true;
    });
    client.on('disconnect', () => {
      if (this.client === client) this.connected = false;
    });
    return client;
  }

  /**
   * Drop the current connection (and anything queued on it); the next request opens a new one.
   * Used when the state bound to the connection (an NTLM sealing context) can no longer be trusted.
   */
  reset(): void {
    if (this.closed) return;
    const old = this.client;
    this.connected = false;
    this.client = this.makeClient();
    void old.destroy().catch(() => undefined);
  }

  /** Whether connection `generation` is still open (so a context bound to it is still valid). */
  isConnectionOpen(generation: number): boolean {
    return this.connected && generation === this.generation;
  }

  /** Number of TCP connections opened so far; changes when the previous one was dropped. */
  get connectionGeneration(): number {
    return this.generation;
  }

  /** DER of the server certificate on the most recent connection (HTTPS only). */
  get peerCertificate(): Buffer | undefined {
    return this.peerCertDer;
  }

  async post(req: HttpRequest): Promise<HttpResponse> {
    if (this.closed) throw new AbortedError('This client was closed; create a new one to make more calls.');
    if (req.signal?.aborted) throw new AbortedError(undefined, { cause: req.signal.reason });
    let res: Awaited<ReturnType<Client['request']>>;
    try {
      res = await this.client.request({
        method: 'POST',
        path: this.url.pathname + this.url.search,
        headers: { ...req.headers, connection: 'keep-alive' },
        body: req.body,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
        signal: req.signal,
      });
    } catch (err) {
      // undici rejects with signal.reason, which can be any value the caller chose.
      if (req.signal?.aborted) throw new AbortedError(undefined, { cause: req.signal.reason });
      throw this.mapError(err, req.timeoutMs);
    }
    const connection = this.generation;
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
      res.body.destroy();
      throw new ResponseTooLargeError(this.maxResponseBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        size += b.length;
        if (size > this.maxResponseBytes) {
          res.body.destroy();
          throw new ResponseTooLargeError(this.maxResponseBytes);
        }
        chunks.push(b);
      }
    } catch (err) {
      if (err instanceof HypervWsmanError) throw err;
      if (req.signal?.aborted) throw new AbortedError(undefined, { cause: req.signal.reason });
      throw this.mapError(err, req.timeoutMs);
    }
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks, size), connection };
  }

  /** Refuse new requests (and reconnects) from now on; requests in flight may finish. */
  async close(): Promise<void> {
    this.closed = true;
    if (!this.client.closed && !this.client.destroyed) await this.client.close();
  }

  /** Turn undici/Node errors into our typed errors with advice. */
  private mapError(err: unknown, timeoutMs: number): HypervWsmanError {
    // Already ours (e.g. from the proxy connector): keep its specific message.
    if (err instanceof HypervWsmanError) return err;
    if (this.closed) return new AbortedError('This client was closed while the call was waiting; create a new one to make more calls.', { cause: err });
    const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
    const code = e.code ?? '';
    const causeCode = e.cause?.code ?? '';
    const where = this.url.origin;
    if (e.name === 'AbortError' || code === 'UND_ERR_ABORTED' || err instanceof undiciErrors.RequestAbortedError) {
      return new AbortedError(undefined, { cause: err });
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return new TimeoutError(`Timed out connecting to ${where}. Check the host, the port and firewalls.`, { cause: err });
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new TimeoutError(`No complete reply from ${where} within ${Math.round(timeoutMs / 1000)} s. Raise the read timeout if the operation is slow.`, { cause: err });
    }
    const tlsCode = TLS_VERIFY_CODES.has(code) ? code : TLS_VERIFY_CODES.has(causeCode) ? causeCode : '';
    if (tlsCode) {
      return new TlsError(
        `TLS certificate of ${where} was not trusted (${tlsCode}). Pass the CA that signed it (caTrustPath / --ca-trust-path), ` +
          `or, only for a lab host, disable verification with serverCertValidation: 'ignore'.`,
        { cause: err },
      );
    }
    if (/^ERR_SSL|^ERR_TLS|EPROTO/.test(code) || /^ERR_SSL|^ERR_TLS/.test(causeCode)) {
      return new TlsError(`TLS handshake with ${where} failed (${code || causeCode}): ${e.message ?? ''}. Is the port serving HTTPS?`, { cause: err });
    }
    if (CONNECTION_CODES.has(code) || CONNECTION_CODES.has(causeCode)) {
      return new ConnectionError(`Connection to ${where} failed (${code || causeCode}). Check that WinRM listens there (winrm enumerate winrm/config/listener).`, { cause: err });
    }
    return new ConnectionError(`HTTP request to ${where} failed: ${e.message ?? String(err)}`, { cause: err });
  }
}

/** True when a failure happened before or while the socket carried the request, so an idempotent retry is safe. */
export function isRetryableConnectionError(err: unknown): boolean {
  return err instanceof ConnectionError;
}
