/**
 * HTTP/1.1 over one socket this transport owns (node:net / node:tls, no HTTP library): NTLM
 * authenticates the TCP connection, so an auth context must never share or hop sockets, and owning
 * the socket makes every bound exact:
 * - a whole-call deadline (connect + send + headers + body) on top of the idle read timeout;
 * - the reply size cap, checked while bytes stream in, before anything is parsed;
 * - on any failure or expiry the socket is destroyed at once; close() never waits on the network.
 * TLS is verified unless the caller opts out by name, and certificates can be pinned (connect.ts).
 * Redirects are never followed: a 3xx is returned to the caller like any other status.
 * It exposes the peer certificate of the current socket (for channel binding) and a connection
 * counter so the auth layer can tell when it is talking over a new connection.
 */
import type { Socket } from 'node:net';
import { AbortedError, ConnectionError, HypervWsmanError, InvalidOptionError, TimeoutError } from '../errors.js';
import { openSocket, type ConnectTarget } from './connect.js';
import { DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_INTERIM_RESPONSES, ResponseReader, type ResponseHeaders } from './http1-response.js';
import { parseProxyUrl } from './proxy-tunnel.js';
import { normaliseFingerprint } from './tls-verify.js';

export interface TransportTlsOptions {
  /** PEM CA bundle(s) to trust instead of Node's default store. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** 'ignore' disables chain and name checks; only when asked for by name. Default 'validate'. */
  readonly serverCertValidation?: 'validate' | 'ignore';
  /** SNI / name to verify, when it differs from the URL host. */
  readonly servername?: string;
  /** SHA-256 fingerprint the server certificate must have (sha256:AB:CD:...), checked in addition to the chain unless validation is 'ignore'. */
  readonly certFingerprint?: string;
  /** A client certificate to present (certificate authentication), and the highest TLS version to offer with it. */
  readonly clientCertificate?: ClientCertificateTls;
}

export interface ClientCertificateTls {
  readonly cert: string;
  readonly key: string;
  readonly passphrase: string | undefined;
  readonly maxVersion: 'TLSv1.2' | 'TLSv1.3';
}

export interface HttpTransportOptions {
  readonly url: string;
  readonly tls?: TransportTlsOptions;
  /** Default 30 s. */
  readonly connectTimeoutMs?: number;
  /** Cap on one reply body, enforced while it streams. Default 16 MiB (sessions pass one derived from MaxEnvelopeSize). */
  readonly maxResponseBytes?: number;
  /** How long an idle kept-alive socket is kept. Default 60 s (WinRM's own idle timeout is longer). */
  readonly keepAliveTimeoutMs?: number;
  /** Whole-call deadline used when a request carries none. Default connect timeout + read timeout + 30 s. */
  readonly callTimeoutMs?: number;
  /** http://[user:pass@]host:port of an HTTP CONNECT proxy. */
  readonly proxy?: string;
}

export interface HttpRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | string;
  /** Idle read timeout: the longest silence allowed while waiting for the reply. */
  readonly timeoutMs: number;
  /** Absolute time (Date.now() ms) by which the whole exchange must be done; shared by every leg of one call. */
  readonly deadline?: number;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<ResponseHeaders>;
  readonly body: Buffer;
  /** The connection generation the response arrived on. */
  readonly connection: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 60_000;
/** Added to connect + read timeouts for the default whole-call deadline. */
export const CALL_TIMEOUT_MARGIN_MS = 30_000;

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}`;

export class HttpTransport {
  readonly url: URL;
  private readonly target: ConnectTarget;
  private readonly keepAliveTimeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly callTimeoutMs: number | undefined;
  private readonly hostHeader: string;
  private readonly path: string;
  private closed = false;
  private generation = 0;
  private socket: Socket | undefined;
  private peerCertDer: Buffer | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private busy = false;
  private tail: Promise<unknown> = Promise.resolve();

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
    this.hostHeader = url.host;
    this.path = url.pathname + url.search;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
    this.callTimeoutMs = options.callTimeoutMs;
    const tls = options.tls ?? {};
    this.target = {
      url,
      verify: tls.serverCertValidation !== 'ignore',
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
      ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
      ...(tls.certFingerprint !== undefined ? { fingerprint: normaliseFingerprint(tls.certFingerprint) } : {}),
      ...(tls.clientCertificate !== undefined ? { clientCertificate: tls.clientCertificate } : {}),
      ...(options.proxy !== undefined ? { proxy: parseProxyUrl(options.proxy) } : {}),
    };
    if (this.target.fingerprint !== undefined && url.protocol !== 'https:') throw new InvalidOptionError('certFingerprint (--cert-fingerprint) only applies to https.');
  }

  /**
   * Drop the current connection; the next request opens a new one. Used when the state bound to the
   * connection (an NTLM sealing context) can no longer be trusted.
   */
  reset(): void {
    this.dropSocket();
  }

  /** Whether connection `generation` is still open (so a context bound to it is still valid). */
  isConnectionOpen(generation: number): boolean {
    return generation === this.generation && this.socket !== undefined && !this.socket.destroyed;
  }

  /** Number of TCP connections opened so far; changes when the previous one was dropped. */
  get connectionGeneration(): number {
    return this.generation;
  }

  /** DER of the server certificate on the most recent connection (HTTPS only). */
  get peerCertificate(): Buffer | undefined {
    return this.peerCertDer;
  }

  /** One request/response. Requests on one transport run one at a time, in order. */
  post(req: HttpRequest): Promise<HttpResponse> {
    if (this.closed) return Promise.reject(new AbortedError('This client was closed; create a new one to make more calls.'));
    const run = this.tail.then(() => this.exchange(req));
    this.tail = run.then(noop, noop);
    return run;
  }

  /** Refuse new requests from now on and destroy the connection (after the request in flight, which its own deadline bounds). Never waits on the network. */
  close(): Promise<void> {
    this.closed = true;
    if (!this.busy) this.dropSocket();
    return Promise.resolve();
  }

  private dropSocket(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
  }

  private exchange(req: HttpRequest): Promise<HttpResponse> {
    if (this.closed) return Promise.reject(new AbortedError('This client was closed while the call was waiting; create a new one to make more calls.'));
    if (req.signal?.aborted) return Promise.reject(new AbortedError(undefined, { cause: req.signal.reason }));
    const where = this.url.origin;
    const started = Date.now();
    const deadline = req.deadline ?? started + (this.callTimeoutMs ?? this.target.connectTimeoutMs + req.timeoutMs + CALL_TIMEOUT_MARGIN_MS);
    this.busy = true;
    clearTimeout(this.idleTimer);
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      let socket: Socket | undefined;
      // Only a call that opens a connection needs to cancel the connect.
      let connecting: AbortController | undefined;
      const reader = new ResponseReader({ maxBodyBytes: this.maxResponseBytes, maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES, maxInterimResponses: DEFAULT_MAX_INTERIM_RESPONSES });

      const cleanup = (): void => {
        clearTimeout(deadlineTimer);
        req.signal?.removeEventListener('abort', onAbort);
        if (socket) {
          socket.off('data', onData);
          socket.off('end', onEnd);
          socket.off('close', onEnd);
          socket.off('error', onError);
          socket.off('timeout', onIdle);
          socket.setTimeout(0);
        }
        this.busy = false;
      };
      const fail = (err: HypervWsmanError): void => {
        if (settled) return;
        settled = true;
        cleanup();
        connecting?.abort(err);
        // Whatever state the connection is in now, it cannot carry another request.
        if (socket && this.socket === socket) this.dropSocket();
        else socket?.destroy();
        reject(err);
      };
      const succeed = (res: HttpResponse, reusable: boolean): void => {
        if (settled) return;
        settled = true;
        cleanup();
        if (!reusable || this.closed) this.dropSocket();
        else this.parkSocket();
        resolve(res);
      };

      const onDeadline = (): void =>
        fail(
          new TimeoutError(
            `The call to ${where} did not complete within ${seconds(deadline - started)} s (callTimeoutSec / --call-timeout); the connection was closed. The server may be overloaded or misbehaving.`,
            { kind: 'call' },
          ),
        );
      const deadlineTimer = setTimeout(onDeadline, Math.max(0, deadline - started));
      const onAbort = (): void => fail(new AbortedError(undefined, { cause: req.signal?.reason }));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const onIdle = (): void =>
        fail(
          new TimeoutError(
            `No data from ${where} for ${seconds(req.timeoutMs)} s (readTimeoutSec / --read-timeout); the connection was closed. Raise the read timeout if the operation is slow.`,
            { kind: 'read' },
          ),
        );
      const onData = (chunk: Buffer): void => {
        try {
          reader.push(chunk);
        } catch (err) {
          return fail(this.inExchange(err));
        }
        const r = reader.result;
        if (r) succeed({ status: r.status, headers: r.headers, body: r.body, connection: this.generation }, r.reusable);
      };
      const onEnd = (): void => {
        try {
          reader.end();
        } catch (err) {
          return fail(this.inExchange(err));
        }
        const r = reader.result!;
        succeed({ status: r.status, headers: r.headers, body: r.body, connection: this.generation }, false);
      };
      const onError = (err: NodeJS.ErrnoException): void => {
        // A reset after the whole reply arrived is harmless; before, it is a dropped connection.
        fail(new ConnectionError(`Connection to ${where} failed (${err.code ?? err.message}) ${reader.started ? 'while reading the reply' : 'before any reply'}.`, { cause: err }));
      };

      const send = (s: Socket): void => {
        socket = s;
        this.unpark();
        this.unpark = noop;
        s.ref();
        s.on('data', onData);
        s.once('end', onEnd);
        s.once('close', onEnd);
        s.on('error', onError);
        s.setTimeout(req.timeoutMs, onIdle);
        const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
        let head = `POST ${this.path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\nContent-Length: ${body.length}\r\n`;
        for (const [k, v] of Object.entries(req.headers)) {
          if (/[\r\n]/.test(k) || /[\r\n]/.test(v)) return fail(new InvalidOptionError(`HTTP header ${JSON.stringify(k)} contains a line break.`));
          head += `${k}: ${v}\r\n`;
        }
        head += '\r\n';
        // One buffer, one write: cheaper than cork/writev of two chunks.
        const headLength = Buffer.byteLength(head, 'latin1');
        const out = Buffer.allocUnsafe(headLength + body.length);
        out.write(head, 0, 'latin1');
        out.set(body, headLength);
        s.write(out);
      };

      const existing = this.socket;
      if (existing && !existing.destroyed && existing.writable && !existing.readableEnded) return send(existing);
      this.dropSocket();
      connecting = new AbortController();
      openSocket(this.target, connecting.signal).then(
        ({ socket: s, peerCertificate }) => {
          if (settled) return void s.destroy();
          this.socket = s;
          this.generation++;
          this.peerCertDer = peerCertificate;
          // Errors while idle (a reset of a parked connection) only retire it; they belong to no call.
          s.on('error', noop);
          s.once('close', () => {
            if (this.socket === s) this.socket = undefined;
          });
          send(s);
        },
        (err: unknown) => fail(err instanceof HypervWsmanError ? err : new ConnectionError(`Connection to ${where} failed: ${(err as Error).message}`, { cause: err })),
      );
    });
  }

  /** Keep the connection for the next request, without keeping the process alive for it. */
  private parkSocket(): void {
    const s = this.socket;
    if (!s) return;
    s.unref();
    // Bytes nobody asked for on an idle connection: it is out of step; retire it.
    s.once('data', retire);
    this.idleTimer = setTimeout(() => this.dropSocket(), this.keepAliveTimeoutMs);
    this.idleTimer.unref();
    function retire(): void {
      s!.destroy();
    }
    // The next exchange removes the guard before reading.
    this.unpark = () => s.off('data', retire);
  }

  private unpark: () => void = noop;

  private inExchange(err: unknown): HypervWsmanError {
    if (err instanceof ConnectionError) return new ConnectionError(`${this.url.origin} ${err.message}.`);
    if (err instanceof HypervWsmanError) return err;
    return new ConnectionError(`HTTP exchange with ${this.url.origin} failed: ${(err as Error).message}`, { cause: err });
  }
}

const noop = (): void => undefined;

/** True when a failure happened before or while the socket carried the request, so an idempotent retry is safe. */
export function isRetryableConnectionError(err: unknown): boolean {
  return err instanceof ConnectionError;
}
