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
  private current: Exchange | undefined;
  /** The idle read timeout last set on the current socket (0: none yet). */
  private socketTimeoutMs = 0;
  private readonly limits = { maxBodyBytes: 0, maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES, maxInterimResponses: DEFAULT_MAX_INTERIM_RESPONSES };
  private tail: Promise<unknown> = Promise.resolve();
  /** Requests posted and not yet settled: with none, a request starts at once instead of behind `tail`. */
  private pending = 0;

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
    this.limits.maxBodyBytes = this.maxResponseBytes;
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
    const run = this.pending === 0 ? this.exchange(req) : this.tail.then(() => this.exchange(req));
    this.pending++;
    this.tail = run.then(this.done, this.done);
    return run;
  }

  private readonly done = (): void => {
    this.pending--;
  };

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
    const started = Date.now();
    const deadline = req.deadline ?? started + (this.callTimeoutMs ?? this.target.connectTimeoutMs + req.timeoutMs + CALL_TIMEOUT_MARGIN_MS);
    this.busy = true;
    return new Promise<HttpResponse>((resolve, reject) => {
      const x = new Exchange(req, new ResponseReader(this.limits), resolve, reject, started, deadline);
      this.current = x;
      x.timer = setTimeout(this.onDeadline, Math.max(0, deadline - started), x);
      if (req.signal) {
        x.onAbort = () => this.fail(x, new AbortedError(undefined, { cause: req.signal?.reason }));
        req.signal.addEventListener('abort', x.onAbort, { once: true });
      }
      const existing = this.socket;
      if (existing && !existing.destroyed && existing.writable && !existing.readableEnded) return this.send(x, existing);
      this.dropSocket();
      // Only a call that opens a connection needs to cancel the connect.
      const connecting = (x.connecting = new AbortController());
      openSocket(this.target, connecting.signal).then(
        ({ socket: s, peerCertificate }) => {
          if (x.settled) return void s.destroy();
          this.socket = s;
          this.generation++;
          this.peerCertDer = peerCertificate;
          this.socketTimeoutMs = 0;
          this.listen(s);
          this.send(x, s);
        },
        (err: unknown) => this.fail(x, err instanceof HypervWsmanError ? err : new ConnectionError(`Connection to ${this.url.origin} failed: ${(err as Error).message}`, { cause: err })),
      );
    });
  }

  /**
   * The socket's listeners, attached once per connection: events go to the exchange in flight on this
   * socket; with none, bytes nobody asked for retire the connection (it is out of step), and errors or
   * timeouts while idle only end it.
   */
  private listen(s: Socket): void {
    const mine = (): Exchange | undefined => {
      const x = this.current;
      return x !== undefined && x.socket === s ? x : undefined;
    };
    s.on('data', (chunk: Buffer) => {
      const x = mine();
      if (x === undefined) return void s.destroy();
      try {
        x.reader.push(chunk);
      } catch (err) {
        return this.fail(x, this.inExchange(err));
      }
      const r = x.reader.result;
      if (r) this.succeed(x, { status: r.status, headers: r.headers, body: r.body, connection: this.generation }, r.reusable);
    });
    const onEnd = (): void => {
      const x = mine();
      if (x === undefined) return;
      try {
        x.reader.end();
      } catch (err) {
        return this.fail(x, this.inExchange(err));
      }
      const r = x.reader.result!;
      this.succeed(x, { status: r.status, headers: r.headers, body: r.body, connection: this.generation }, false);
    };
    s.on('end', onEnd);
    s.on('close', () => {
      if (this.socket === s) this.socket = undefined;
      onEnd();
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after the whole reply arrived is harmless; before, it is a dropped connection.
      const x = mine();
      if (x !== undefined) this.fail(x, new ConnectionError(`Connection to ${this.url.origin} failed (${err.code ?? err.message}) ${x.reader.started ? 'while reading the reply' : 'before any reply'}.`, { cause: err }));
    });
    s.on('timeout', () => {
      const x = mine();
      if (x !== undefined) {
        this.fail(
          x,
          new TimeoutError(
            `No data from ${this.url.origin} for ${seconds(x.req.timeoutMs)} s (readTimeoutSec / --read-timeout); the connection was closed. Raise the read timeout if the operation is slow.`,
            { kind: 'read' },
          ),
        );
      }
    });
  }

  private send(x: Exchange, s: Socket): void {
    x.socket = s;
    s.ref();
    // The idle read timeout; the socket's timer restarts on every read and write, so it is only set when it changes.
    if (this.socketTimeoutMs !== x.req.timeoutMs) {
      s.setTimeout(x.req.timeoutMs);
      this.socketTimeoutMs = x.req.timeoutMs;
    }
    const { req } = x;
    const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
    let head = `POST ${this.path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\nContent-Length: ${body.length}\r\n`;
    for (const k in req.headers) {
      const v = req.headers[k]!;
      if (LINE_BREAK.test(k) || LINE_BREAK.test(v)) return this.fail(x, new InvalidOptionError(`HTTP header ${JSON.stringify(k)} contains a line break.`));
      head += `${k}: ${v}\r\n`;
    }
    head += '\r\n';
    // One buffer, one write: cheaper than cork/writev of two chunks.
    const headLength = Buffer.byteLength(head, 'latin1');
    const out = Buffer.allocUnsafe(headLength + body.length);
    out.write(head, 0, 'latin1');
    out.set(body, headLength);
    s.write(out);
  }

  private readonly onDeadline = (x: Exchange): void =>
    this.fail(
      x,
      new TimeoutError(
        `The call to ${this.url.origin} did not complete within ${seconds(x.deadline - x.started)} s (callTimeoutSec / --call-timeout); the connection was closed. The server may be overloaded or misbehaving.`,
        { kind: 'call' },
      ),
    );

  /** Settle `x` (once): stop its timers and listeners, then the socket is parked or dropped. */
  private settle(x: Exchange): boolean {
    if (x.settled) return false;
    x.settled = true;
    clearTimeout(x.timer);
    if (x.onAbort) x.req.signal?.removeEventListener('abort', x.onAbort);
    if (this.current === x) this.current = undefined;
    this.busy = false;
    return true;
  }

  private fail(x: Exchange, err: HypervWsmanError): void {
    if (!this.settle(x)) return;
    x.connecting?.abort(err);
    // Whatever state the connection is in now, it cannot carry another request.
    const socket = x.socket;
    if (socket && this.socket === socket) this.dropSocket();
    else socket?.destroy();
    x.reject(err);
  }

  private succeed(x: Exchange, res: HttpResponse, reusable: boolean): void {
    if (!this.settle(x)) return;
    if (!reusable || this.closed) this.dropSocket();
    else this.parkSocket();
    x.resolve(res);
  }

  /** Keep the connection for the next request, without keeping the process alive for it. */
  private parkSocket(): void {
    const s = this.socket;
    if (!s) return;
    s.unref();
    // One timer per connection, restarted at each park; it fires harmlessly during a long call.
    if (this.idleTimer === undefined) {
      this.idleTimer = setTimeout(() => {
        if (!this.busy) this.dropSocket();
      }, this.keepAliveTimeoutMs);
      this.idleTimer.unref();
    } else this.idleTimer.refresh();
  }

  private inExchange(err: unknown): HypervWsmanError {
    if (err instanceof ConnectionError) return new ConnectionError(`${this.url.origin} ${err.message}.`);
    if (err instanceof HypervWsmanError) return err;
    return new ConnectionError(`HTTP exchange with ${this.url.origin} failed: ${(err as Error).message}`, { cause: err });
  }
}

const noop = (): void => undefined;
const LINE_BREAK = /[\r\n]/;

/** One request/response in flight: what its socket events and timers need. */
class Exchange {
  settled = false;
  socket: Socket | undefined;
  timer: NodeJS.Timeout | undefined;
  connecting: AbortController | undefined;
  onAbort: (() => void) | undefined;

  constructor(
    readonly req: HttpRequest,
    readonly reader: ResponseReader,
    readonly resolve: (res: HttpResponse) => void,
    readonly reject: (err: HypervWsmanError) => void,
    readonly started: number,
    readonly deadline: number,
  ) {}
}

/** True when a failure happened before or while the socket carried the request, so an idempotent retry is safe. */
export function isRetryableConnectionError(err: unknown): boolean {
  return err instanceof ConnectionError;
}
