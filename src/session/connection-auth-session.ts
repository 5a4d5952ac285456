/**
 * A session whose authentication is bound to its TCP connection, as WinRM's NTLM and Kerberos
 * (bare or in SPNEGO) are ([MS-WSMV] 2.2.9.1, 3.1.4.1.29; RFC 4559). One implementation for every
 * such mechanism; the mechanism (ntlm-session.ts, kerberos-session.ts) supplies a fresh
 * ClientSecurityContext per connection and its own words for refusals.
 * - The handshake and every later message use one dedicated connection (HttpTransport owns one
 *   socket) and calls are serialised: seal order, send order and sequence numbers must agree.
 * - Tokens that expect a further server token go with an empty body. The real message rides on the
 *   last token when the context can already protect it (NTLM's AUTHENTICATE, Kerberos' AP-REQ over
 *   HTTPS): an authenticated connection then costs exactly one round trip per call. Otherwise
 *   (Kerberos over HTTP: no key before the AP-REP; NTLM's emptyAuthenticateBody) it follows the
 *   handshake on the same connection.
 * - A final server token (Kerberos' AP-REP) is verified before any reply is trusted.
 * - With message encryption every body is sealed and every reply must be sealed and verified; an
 *   unsealed 200 reply is refused (downgrade).
 * - Over HTTPS the channel bindings name the certificate of the very connection that carries the
 *   handshake: learnt by an unauthenticated probe when the first token needs them (Kerberos), else
 *   from the connection the first leg opened (NTLM). They are never dropped silently.
 * - A new connection (keep-alive dropped) is re-authenticated transparently; a 401 on an
 *   established context means the server did not run the request, so it is re-sent once after a
 *   new handshake. Authentication failures are never retried (account lockout).
 */
import { channelBindingApplicationData } from '../auth/ntlm/channel-binding.js';
import { encryptedContentType, encryptMessage, type EncryptedProtocol, type MessageSecurity } from '../auth/message-encryption.js';
import type { ClientSecurityContext, OutgoingToken } from '../auth/security-context.js';
import { AbortedError, type AuthenticationError, type HypervWsmanError } from '../errors.js';
import type { TraceEvent } from '../options.js';
import { isRetryableConnectionError, type HttpResponse, type HttpTransport } from '../transport/http-transport.js';
import { openReply } from './sealed-reply.js';
import { SerialQueue } from './serial-queue.js';
import { emitTrace, offeredSchemes, redactHeaders, SOAP_CONTENT_TYPE, type Session, type SoapExchange, type SoapReply } from './session.js';

/** An exchange with its whole-call deadline fixed when it got the connection. */
export type TimedExchange = SoapExchange & { readonly deadline: number };

/** Where in the handshake the server said no (HTTP 401 or no token where one was due). */
export type RefusalStage = 'first-token' | 'credentials' | 'message';

export interface Refusal {
  readonly res: HttpResponse;
  readonly stage: RefusalStage;
  readonly cbtSent: boolean;
  /** The server's answer to the first token, when there was a later leg. */
  readonly first: HttpResponse | undefined;
  /** The HTTP scheme the handshake ran under. */
  readonly scheme: string;
  readonly url: URL;
}

/** One connection-bound mechanism, as the session needs it. */
export interface ConnectionAuthMechanism {
  /** `NTLM`, `Kerberos`: in traces and messages. */
  readonly name: string;
  /** HTTP schemes, in order of preference; the next is tried once when the server offers only it. */
  readonly schemes: readonly string[];
  /** Protocol value of sealed bodies (MS-WSMV 2.2.9.1). */
  readonly protocol: EncryptedProtocol;
  /** The first token carries the channel bindings (Kerberos), so they are learnt before it. */
  readonly bindsFirstToken: boolean;
  /** Send the message after the handshake even when the last token could carry it (NTLM emptyAuthenticateBody). */
  readonly messageAfterHandshake: boolean;
  /** A context for a new connection (Kerberos: gets the service ticket within the call's deadline). */
  start(x: TimedExchange, channelBindings: Uint8Array | undefined): Promise<ClientSecurityContext> | ClientSecurityContext;
  /** The error for a refusal, in the mechanism's words. */
  refused(r: Refusal): AuthenticationError;
  /** The mechanism's error class for a handshake that cannot go on. */
  error(message: string, cause?: unknown): HypervWsmanError;
}

export interface ConnectionAuthOptions {
  readonly encrypt: boolean;
  readonly sendCbt: boolean;
  /** Whole-call deadline, from when the call gets the connection; shared by every leg of the call. */
  readonly callTimeoutMs: number;
  readonly trace?: (e: TraceEvent) => void;
}

interface Established {
  readonly security: MessageSecurity;
  readonly connection: number;
}

export class ConnectionAuthSession implements Session {
  private auth: Established | undefined;
  private readonly queue = new SerialQueue();
  /** Index into mechanism.schemes; once the server made us switch, later handshakes keep the switch. */
  private schemeIndex = 0;
  private readonly contentType: string;

  constructor(
    private readonly transport: HttpTransport,
    private readonly mech: ConnectionAuthMechanism,
    private readonly opts: ConnectionAuthOptions,
  ) {
    this.contentType = opts.encrypt ? encryptedContentType(mech.protocol) : SOAP_CONTENT_TYPE;
  }

  /** A call waiting for its turn can still be aborted; the next one waits for the call ahead all the same. */
  exchange(x: SoapExchange): Promise<SoapReply> {
    return this.queue.run(x.signal, () => this.exchangeNow({ ...x, deadline: Date.now() + this.opts.callTimeoutMs }));
  }

  close(): Promise<void> {
    this.auth = undefined;
    // The transport refuses new requests and reconnects from here on; calls in flight finish or fail.
    return this.transport.close();
  }

  private async exchangeNow(x: TimedExchange): Promise<SoapReply> {
    // Checked before sealing: a sealed message that is never sent would desynchronise the sequence numbers.
    if (x.signal?.aborted) throw new AbortedError(undefined, { cause: x.signal.reason });
    const soap = Buffer.from(x.xml, 'utf8');
    // The socket the context belongs to has closed: authenticate the next one up front.
    if (this.auth && !this.transport.isConnectionOpen(this.auth.connection)) this.auth = undefined;
    const auth = this.auth;
    if (!auth) return this.handshakeAndSend(x, soap);
    let res: HttpResponse;
    try {
      res = await this.post(x, soap, auth.security, undefined);
    } catch (err) {
      // Whether the sealed message arrived is unknown, so the context cannot be trusted any more.
      this.invalidate();
      if (!x.idempotent || !isRetryableConnectionError(err)) throw err;
      return this.handshakeAndSend(x, soap);
    }
    if (res.status === 401) {
      // The server forgot the context (new connection or it expired); it did not run the request.
      this.invalidate();
      return this.handshakeAndSend(x, soap);
    }
    return this.replyOrInvalidate(x, res, auth.security);
  }

  /**
   * Forget the context and the connection it is bound to. After any failure between sealing a
   * request and verifying its reply, the two sides' keystreams or sequence numbers may differ;
   * only a fresh connection with a fresh handshake is safe.
   */
  private invalidate(): void {
    this.auth = undefined;
    this.transport.reset();
  }

  private replyOrInvalidate(x: SoapExchange, res: HttpResponse, security: MessageSecurity): SoapReply {
    try {
      return openReply(x, res, security, this.opts.encrypt, this.opts.trace);
    } catch (err) {
      this.invalidate();
      throw err;
    }
  }

  private async handshakeAndSend(x: TimedExchange, soap: Buffer): Promise<SoapReply> {
    const mech = this.mech;
    let cbt = mech.bindsFirstToken ? await this.channelBindings(x, true) : undefined;
    const boundCert = cbt !== undefined ? this.transport.peerCertificate : undefined;
    let ctx = await this.guardedStep(() => mech.start(x, cbt));
    let token = this.guardedStep(() => ctx.initialToken());
    let first: HttpResponse | undefined;
    let connection: number | undefined;
    let switched = false;
    let res: HttpResponse;
    let carried: boolean;
    for (;;) {
      carried = token.expect !== 'continue' && !mech.messageAfterHandshake && (!this.opts.encrypt || ctx.canProtect);
      const authorization = `${this.scheme} ${Buffer.from(token.bytes).toString('base64')}`;
      const sent = token;
      res = await this.guarded(() => (carried ? this.post(x, soap, this.opts.encrypt ? ctx.security : undefined, authorization) : this.postToken(x, sent, authorization)));
      if (connection === undefined) connection = res.connection;
      else this.checkSameConnection(res, connection);
      if (boundCert !== undefined && !boundCert.equals(this.transport.peerCertificate ?? Buffer.alloc(0))) {
        this.invalidate();
        throw mech.error(`The server certificate changed between connections while authenticating with channel binding; refusing the reply (man in the middle?).`);
      }
      const serverToken = this.replyToken(res);
      if (token.expect !== 'continue') break;
      if (serverToken === undefined) {
        const next = mech.schemes[this.schemeIndex + 1];
        if (!switched && res.status === 401 && next !== undefined && offeredSchemes(res.headers['www-authenticate']).some((s) => s.toLowerCase() === next.toLowerCase())) {
          // The server offers only the next scheme (e.g. plain NTLM): try it once, with a fresh context.
          switched = true;
          this.schemeIndex++;
          connection = undefined;
          ctx = await this.guardedStep(() => mech.start(x, cbt));
          token = this.guardedStep(() => ctx.initialToken());
          continue;
        }
        throw this.refused(res, 'first-token', false, undefined);
      }
      first = res;
      if (!mech.bindsFirstToken) cbt = await this.channelBindings(x, false);
      const challenge = serverToken;
      token = this.guardedStep(() => ctx.next(challenge, cbt));
    }
    if (res.status === 401) throw this.refused(res, 'credentials', cbt !== undefined, first);
    if (token.expect === 'mutual') {
      const final = this.replyToken(res);
      this.guardedStep(() => {
        if (final === undefined) throw mech.error(`The server answered the ${mech.name} ${token.name} with HTTP ${res.status} but no ${this.scheme} reply token, so it could not be authenticated (mutual authentication); refusing its reply.`);
        ctx.finish(final);
      });
    }
    const auth: Established = { security: ctx.security, connection: connection! };
    if (carried) {
      this.auth = auth;
      return this.replyOrInvalidate(x, res, auth.security);
    }
    if (res.status < 200 || res.status > 299) {
      this.invalidate();
      throw mech.error(`The server answered the ${mech.name} ${token.name.toUpperCase()} message with HTTP ${res.status} instead of 2xx.`);
    }
    if (!this.transport.isConnectionOpen(auth.connection)) {
      this.invalidate();
      throw mech.error(`The server closed the connection right after ${mech.name} authentication; ${mech.name} needs the authenticated connection to stay open.`);
    }
    // The message goes exactly once after the handshake: no recovery loop back into a new handshake.
    const sealed = await this.guarded(() => this.post(x, soap, auth.security, undefined));
    this.checkSameConnection(sealed, auth.connection);
    if (sealed.status === 401) throw this.refused(sealed, 'message', cbt !== undefined, first);
    this.auth = auth;
    return this.replyOrInvalidate(x, sealed, auth.security);
  }

  private get scheme(): string {
    return this.mech.schemes[this.schemeIndex]!;
  }

  private refused(res: HttpResponse, stage: Refusal['stage'], cbtSent: boolean, first: HttpResponse | undefined): AuthenticationError {
    this.invalidate();
    return this.mech.refused({ res, stage, cbtSent, first, scheme: this.scheme, url: this.transport.url });
  }

  /** Any failure mid-handshake leaves the connection in an unknown state: drop both. */
  private async guarded(send: () => Promise<HttpResponse>): Promise<HttpResponse> {
    try {
      return await send();
    } catch (err) {
      this.invalidate();
      throw err;
    }
  }

  private guardedStep<T>(step: () => T): T {
    try {
      return step();
    } catch (err) {
      this.invalidate(); // the connection is mid-handshake: never reuse it
      throw err;
    }
  }

  private checkSameConnection(res: HttpResponse, connection: number): void {
    if (res.connection === connection) return;
    this.invalidate();
    throw this.mech.error(`The connection changed or closed in the middle of the ${this.mech.name} handshake (a proxy or load balancer that does not keep connections?). ${this.mech.name} needs one persistent connection.`);
  }

  /** The server's token under one of the mechanism's schemes (challenges may be comma-joined). */
  private replyToken(res: HttpResponse): Uint8Array | undefined {
    const values = res.headers['www-authenticate'];
    for (const v of Array.isArray(values) ? values : values ? [values] : []) {
      for (const part of v.split(',')) {
        const m = /^\s*([A-Za-z]+)\s+([A-Za-z0-9+/=]+)\s*$/.exec(part);
        if (m && this.mech.schemes.some((s) => s.toLowerCase() === m[1]!.toLowerCase())) return Buffer.from(m[2]!, 'base64');
      }
    }
    return undefined;
  }

  /**
   * Channel-binding data for the connection the handshake travels on (HTTPS only). `probe`: no
   * connection exists yet, so open one with an unauthenticated request (answered 401) to learn its
   * certificate. Never dropped silently: a strict host would refuse with a misleading error, and a
   * relaxed one would lose Extended Protection.
   */
  private async channelBindings(x: TimedExchange, probe: boolean): Promise<Uint8Array | undefined> {
    if (this.transport.url.protocol !== 'https:' || !this.opts.sendCbt) return undefined;
    if (probe && this.transport.peerCertificate === undefined) {
      const res = await this.guarded(() => this.transport.post({ headers: { 'content-type': SOAP_CONTENT_TYPE, 'accept-encoding': 'identity' }, body: '', timeoutMs: x.timeoutMs, deadline: x.deadline, signal: x.signal }));
      emitTrace(this.opts.trace, () => ({ direction: 'response', label: `${x.label} (TLS probe)`, status: res.status, headers: redactHeaders(res.headers), body: '', encrypted: false }));
    }
    const cert = this.transport.peerCertificate;
    if (cert === undefined) {
      this.invalidate();
      throw this.mech.error('No server certificate is available for channel binding on this HTTPS connection. Retry; if it persists, report it (or pass sendCbt: false knowingly).');
    }
    try {
      return channelBindingApplicationData(cert);
    } catch (err) {
      this.invalidate();
      throw this.mech.error(
        `Cannot compute the channel binding for the certificate of ${this.transport.url.origin}: ${(err as Error).message} ` +
          'Nothing was authenticated. Give the WinRM listener an RSA or ECDSA certificate, or, knowing that Extended Protection is then lost, pass sendCbt: false (--no-send-cbt).',
        err,
      );
    }
  }

  private async postToken(x: TimedExchange, token: OutgoingToken, authorization: string): Promise<HttpResponse> {
    const headers = { authorization, 'content-type': this.contentType, 'accept-encoding': 'identity' };
    emitTrace(this.opts.trace, () => ({ direction: 'request', label: `${x.label} (${this.mech.name} ${token.name})`, headers: redactHeaders(headers), body: '', encrypted: false }));
    const res = await this.transport.post({ headers, body: '', timeoutMs: x.timeoutMs, deadline: x.deadline, signal: x.signal });
    emitTrace(this.opts.trace, () => ({ direction: 'response', label: `${x.label} (${this.mech.name} ${token.replyName})`, status: res.status, headers: redactHeaders(res.headers), body: '', encrypted: false }));
    return res;
  }

  private async post(x: TimedExchange, soap: Buffer, security: MessageSecurity | undefined, authorization: string | undefined): Promise<HttpResponse> {
    const headers: Record<string, string> = authorization
      ? { 'accept-encoding': 'identity', authorization, 'content-type': this.contentType }
      : { 'accept-encoding': 'identity', 'content-type': this.contentType };
    const body = this.opts.encrypt ? encryptMessage(security!, soap) : soap;
    emitTrace(this.opts.trace, () => ({ direction: 'request', label: x.label, headers: redactHeaders(headers), body: soap.toString('utf8'), encrypted: this.opts.encrypt }));
    return this.transport.post({ headers, body, timeoutMs: x.timeoutMs, deadline: x.deadline, signal: x.signal });
  }
}
