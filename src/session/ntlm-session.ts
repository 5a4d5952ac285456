/**
 * NTLM over HTTP(S) as WinRM does it ([MS-WSMV] 2.2.9.1, 3.1.4.1.29):
 * - NTLM authenticates the TCP connection, so the handshake and every later message use one
 *   dedicated connection (HttpTransport owns one socket) and calls are serialised.
 * - The NEGOTIATE token goes with the first request (empty body), so servers that never 401 an
 *   anonymous request still work; AUTHENTICATE goes with the real (sealed, on http) message:
 *   an authenticated connection then costs exactly one round trip per call.
 * - With message encryption every body is sealed and every reply must be sealed and verified;
 *   an unsealed 200 reply is refused (downgrade).
 * - Over https, the channel binding token is taken from the certificate of the very socket that
 *   carries the handshake.
 * - A new connection (keep-alive dropped) is re-authenticated transparently; a 401 means the
 *   server did not run the request, so the request is re-sent once after re-authenticating.
 *   Authentication failures are never retried (account lockout).
 */
import { ENCRYPTED_CONTENT_TYPE, encryptMessage } from '../auth/message-encryption.js';
import { channelBindingApplicationData } from '../auth/ntlm/channel-binding.js';
import { NtlmClientContext, parseNtlmUser } from '../auth/ntlm/client-context.js';
import type { NtlmSession as NtlmSecurity } from '../auth/ntlm/session-security.js';
import { AbortedError, AuthenticationError, NtlmError } from '../errors.js';
import type { TraceEvent } from '../options.js';
import { isRetryableConnectionError, type HttpResponse, type HttpTransport } from '../transport/http-transport.js';
import {
  emitTrace,
  offeredSchemes,
  redactHeaders,
  SOAP_CONTENT_TYPE,
  type Session,
  type SoapExchange,
  type SoapReply,
} from './session.js';
import { SerialQueue } from './serial-queue.js';
import { openReply } from './sealed-reply.js';

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

interface Authenticated {
  readonly security: NtlmSecurity;
  readonly connection: number;
}

type Scheme = 'Negotiate' | 'NTLM';

export class NtlmHttpSession implements Session {
  private auth: Authenticated | undefined;
  private readonly queue = new SerialQueue();
  private scheme: Scheme = 'Negotiate';

  constructor(
    private readonly transport: HttpTransport,
    private readonly opts: NtlmSessionOptions,
  ) {}

  /**
   * Calls are serialised: seal order, send order and sequence numbers must agree. A call waiting
   * for its turn can still be aborted; the next one waits for the call ahead all the same.
   */
  exchange(x: SoapExchange): Promise<SoapReply> {
    return this.queue.run(x.signal, () => this.exchangeNow({ ...x, deadline: Date.now() + this.opts.callTimeoutMs }));
  }

  close(): Promise<void> {
    this.auth = undefined;
    // The transport refuses new requests and reconnects from here on; calls in flight finish or fail.
    return this.transport.close();
  }

  private async exchangeNow(x: Timed): Promise<SoapReply> {
    // Checked before sealing: a sealed message that is never sent would desynchronise the sequence numbers.
    if (x.signal?.aborted) throw new AbortedError(undefined, { cause: x.signal.reason });
    const soap = Buffer.from(x.xml, 'utf8');
    // The socket the context belongs to has closed: authenticate the next one up front.
    if (this.auth && !this.transport.isConnectionOpen(this.auth.connection)) this.auth = undefined;
    const auth = this.auth;
    if (!auth) return this.handshakeAndSend(x, soap);
    let res: HttpResponse;
    try {
      res = await this.post(x, auth, soap, undefined);
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
    return this.replyOrInvalidate(x, res, auth);
  }

  /**
   * Forget the NTLM context and the connection it is bound to. After any failure between sealing a
   * request and verifying its reply, the RC4 streams and sequence numbers of the two sides may
   * differ; only a fresh connection with a fresh handshake is safe.
   */
  private invalidate(): void {
    this.auth = undefined;
    this.transport.reset();
  }

  private replyOrInvalidate(x: Timed, res: HttpResponse, auth: Authenticated): SoapReply {
    try {
      return this.reply(x, res, auth);
    } catch (err) {
      this.invalidate();
      throw err;
    }
  }

  private async handshakeAndSend(x: Timed, soap: Buffer): Promise<SoapReply> {
    const creds = { user: this.opts.user, password: this.opts.password };
    // With message encryption, a CHALLENGE that cannot seal is refused before AUTHENTICATE is built.
    const ctxOptions = { requireSealing: this.opts.encrypt };
    let ctx = new NtlmClientContext(creds, ctxOptions);
    // Leg 1: NEGOTIATE with an empty body on the connection that will carry everything else.
    let first = await this.postToken(x, ctx.createNegotiate(), this.scheme);
    let challenge = this.challengeFrom(first);
    if (!challenge && first.status === 401) {
      const offered = offeredSchemes(first.headers['www-authenticate']);
      const alt: Scheme | undefined = offered.some((s) => s.toLowerCase() === 'ntlm') && this.scheme !== 'NTLM' ? 'NTLM' : undefined;
      if (alt) {
        // Some servers offer plain NTLM only; try that scheme once.
        this.scheme = alt;
        ctx = new NtlmClientContext(creds, ctxOptions);
        first = await this.postToken(x, ctx.createNegotiate(), alt);
        challenge = this.challengeFrom(first);
      }
    }
    if (!challenge) throw this.authError(first, 'The server did not answer NEGOTIATE with an NTLM challenge', false);
    const connection = first.connection;
    let cbt: Uint8Array | undefined;
    if (this.transport.url.protocol === 'https:' && this.opts.sendCbt) {
      const cert = this.transport.peerCertificate;
      if (!cert) {
        // Never drop channel binding silently: a strict host would refuse with a misleading error,
        // and a relaxed one would lose Extended Protection.
        this.invalidate();
        throw new NtlmError('No server certificate is available for channel binding on this HTTPS connection. Retry; if it persists, report it (or pass sendCbt: false knowingly).');
      }
      try {
        cbt = channelBindingApplicationData(cert);
      } catch (err) {
        // No AUTHENTICATE ever leaves without the binding asked for (requests-ntlm silently drops it:
        // a strict host then refuses with a misleading error, a relaxed one loses Extended Protection).
        this.invalidate();
        throw new NtlmError(
          `Cannot compute the channel binding for the certificate of ${this.transport.url.origin}: ${(err as Error).message} ` +
            'Nothing was authenticated. Give the WinRM listener an RSA or ECDSA certificate, or, knowing that Extended Protection is then lost, pass sendCbt: false (--no-send-cbt).',
          { cause: err },
        );
      }
    }
    // Leg 2: AUTHENTICATE, carrying the real message (or, in emptyAuthenticateBody mode, nothing).
    let authenticate: Uint8Array;
    try {
      authenticate = ctx.createAuthenticate(challenge, cbt);
    } catch (err) {
      this.invalidate(); // the connection is mid-handshake: never reuse it
      throw err;
    }
    const auth: Authenticated = { security: ctx.session, connection };
    const empty = this.opts.emptyAuthenticateBody === true;
    let res = await this.guarded(() => (empty ? this.postToken(x, authenticate, this.scheme, 'authenticate') : this.post(x, auth, soap, authenticate)));
    this.checkSameConnection(res, connection);
    if (res.status === 401) throw this.authError(res, 'The server rejected the NTLM credentials', cbt !== undefined, first);
    if (empty) {
      if (res.status < 200 || res.status > 299) {
        this.invalidate();
        throw new NtlmError(`The server answered the NTLM AUTHENTICATE message with HTTP ${res.status} instead of 2xx.`);
      }
      if (!this.transport.isConnectionOpen(connection)) {
        this.invalidate();
        throw new NtlmError('The server closed the connection right after NTLM authentication; NTLM needs the authenticated connection to stay open.');
      }
      // The message goes exactly once after the handshake: no recovery loop back into a new handshake.
      res = await this.guarded(() => this.post(x, auth, soap, undefined));
      this.checkSameConnection(res, connection);
      if (res.status === 401) throw this.authError(res, 'The server rejected the first message after NTLM authentication', cbt !== undefined, first);
    }
    this.auth = auth;
    return this.replyOrInvalidate(x, res, auth);
  }

  /** Any failure mid-handshake leaves the connection in an unknown NTLM state: drop both. */
  private async guarded(send: () => Promise<HttpResponse>): Promise<HttpResponse> {
    try {
      return await send();
    } catch (err) {
      this.invalidate();
      throw err;
    }
  }

  private checkSameConnection(res: HttpResponse, connection: number): void {
    if (res.connection === connection) return;
    this.invalidate();
    throw new NtlmError('The connection changed or closed in the middle of the NTLM handshake (a proxy or load balancer that does not keep connections?). NTLM needs one persistent connection.');
  }

  private challengeFrom(res: HttpResponse): Uint8Array | undefined {
    const values = res.headers['www-authenticate'];
    const all = Array.isArray(values) ? values : values ? [values] : [];
    for (const v of all) {
      for (const part of v.split(',')) {
        const m = /^\s*(Negotiate|NTLM)\s+([A-Za-z0-9+/=]+)\s*$/i.exec(part);
        if (m) return Buffer.from(m[2]!, 'base64');
      }
    }
    return undefined;
  }

  private async postToken(x: Timed, token: Uint8Array, scheme: Scheme, leg: 'negotiate' | 'authenticate' = 'negotiate'): Promise<HttpResponse> {
    const headers = {
      authorization: `${scheme} ${Buffer.from(token).toString('base64')}`,
      'content-type': this.opts.encrypt ? ENCRYPTED_CONTENT_TYPE : SOAP_CONTENT_TYPE,
      'accept-encoding': 'identity',
    };
    emitTrace(this.opts.trace, () => ({ direction: 'request', label: `${x.label} (NTLM ${leg})`, headers: redactHeaders(headers), body: '', encrypted: false }));
    const res = await this.transport.post({ headers, body: '', timeoutMs: x.timeoutMs, deadline: x.deadline, signal: x.signal });
    emitTrace(this.opts.trace, () => ({ direction: 'response', label: `${x.label} (NTLM ${leg === 'negotiate' ? 'challenge' : 'result'})`, status: res.status, headers: redactHeaders(res.headers), body: '', encrypted: false }));
    return res;
  }

  private async post(x: Timed, auth: Authenticated, soap: Buffer, authenticate: Uint8Array | undefined): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (authenticate) headers.authorization = `${this.scheme} ${Buffer.from(authenticate).toString('base64')}`;
    let body: Uint8Array;
    if (this.opts.encrypt) {
      headers['content-type'] = ENCRYPTED_CONTENT_TYPE;
      body = encryptMessage(auth.security, soap);
    } else {
      headers['content-type'] = SOAP_CONTENT_TYPE;
      body = soap;
    }
    emitTrace(this.opts.trace, () => ({ direction: 'request', label: x.label, headers: redactHeaders(headers), body: soap.toString('utf8'), encrypted: this.opts.encrypt }));
    return this.transport.post({ headers, body, timeoutMs: x.timeoutMs, deadline: x.deadline, signal: x.signal });
  }

  private reply(x: Timed, res: HttpResponse, auth: Authenticated): SoapReply {
    return openReply(x, res, auth.security, this.opts.encrypt, this.opts.trace);
  }

  private authError(res: HttpResponse, what: string, cbtSent: boolean, first?: HttpResponse): AuthenticationError {
    const offered = offeredSchemes((first ?? res).headers['www-authenticate']);
    const form = parseNtlmUser(this.opts.user).form;
    const hints = [
      'check the user name and password',
      form === 'user' ? 'for a domain account use DOMAIN\\user or user@domain' : '',
      'a local account other than the built-in Administrator needs LocalAccountTokenFilterPolicy=1 for remote administration',
      this.transport.url.protocol === 'https:' && !cbtSent ? 'if the host has CbtHardeningLevel=Strict, channel binding is required (do not pass --no-send-cbt)' : '',
    ].filter(Boolean);
    return new AuthenticationError(
      `${what} (HTTP ${res.status}) at ${this.transport.url.origin} for user "${this.opts.user}" (form ${form}); ` +
        `tried ${this.scheme}/NTLMv2${this.transport.url.protocol === 'https:' ? `, channel binding ${cbtSent ? 'sent' : 'not sent'}` : ', with message encryption' + (this.opts.encrypt ? '' : ' off')}; ` +
        `server offers: ${offered.join(', ') || 'nothing'}. Hints: ${hints.join('; ')}.`,
      { attempted: 'ntlm', offered, user: this.opts.user, channelBindingSent: cbtSent, endpoint: this.transport.url.href },
    );
  }
}

/** An exchange with its whole-call deadline fixed when it got the connection. */
type Timed = SoapExchange & { readonly deadline: number };
