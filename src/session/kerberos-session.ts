/**
 * Kerberos over HTTP(S) as WinRM does it ([MS-WSMV] 2.2.9.1.2; RFC 4559), under the `Kerberos`
 * scheme (bare krb5 token) or `Negotiate` (SPNEGO). Like NTLM, the context authenticates the TCP
 * connection, so calls are serialised on one connection and a new connection authenticates again
 * with a fresh AP-REQ from the same service ticket.
 * - HTTPS: the AP-REQ travels with the first real request (no extra round trip); channel bindings
 *   name the certificate of the connection (learnt from an unauthenticated probe the first time).
 * - HTTP: the context key is the acceptor's AP-REP subkey, so nothing can be sealed before the
 *   AP-REP: the AP-REQ goes with an empty body (pywinrm does the same), then every body is sealed.
 * - The AP-REP is verified before any reply is trusted (mutual authentication); a reply without it
 *   is refused.
 * Per-message protection goes through the same MessageSecurity interface as NTLM's.
 */
import { KerberosInitiator } from '../auth/kerberos/gss-context.js';
import { SpnegoInitiator } from '../auth/kerberos/spnego-context.js';
import type { KerberosTicketSource } from '../auth/kerberos-tickets.js';
import { encryptedContentType, encryptMessage } from '../auth/message-encryption.js';
import { channelBindingApplicationData } from '../auth/ntlm/channel-binding.js';
import { kerberosMessageSecurity, type KerberosHttpScheme, type MessageSecurity } from '../auth/security-context.js';
import { principalToString } from '../auth/kerberos/types.js';
import { KerberosError } from '../auth/kerberos/errors.js';
import { AbortedError, AuthenticationError } from '../errors.js';
import type { TraceEvent } from '../options.js';
import { isRetryableConnectionError, type HttpResponse, type HttpTransport } from '../transport/http-transport.js';
import { SerialQueue } from './serial-queue.js';
import { openReply } from './sealed-reply.js';
import { emitTrace, offeredSchemes, redactHeaders, SOAP_CONTENT_TYPE, type Session, type SoapExchange, type SoapReply } from './session.js';

export interface KerberosSessionOptions {
  readonly scheme: KerberosHttpScheme;
  readonly tickets: KerberosTicketSource;
  readonly encrypt: boolean;
  readonly sendCbt: boolean;
  /** Whole-call deadline, from when the call gets the connection; shared by every leg of the call. */
  readonly callTimeoutMs: number;
  readonly trace?: (e: TraceEvent) => void;
}

/** An exchange with its whole-call deadline fixed when it got the connection. */
type Timed = SoapExchange & { readonly deadline: number };

interface Established {
  readonly security: MessageSecurity;
  readonly connection: number;
}

/** A context whose AP-REQ is out: finish() checks the server's reply token. */
interface Pending {
  readonly authorization: string;
  readonly security: MessageSecurity;
  finish(token: Uint8Array): void;
}

export class KerberosHttpSession implements Session {
  private auth: Established | undefined;
  private readonly queue = new SerialQueue();

  constructor(
    private readonly transport: HttpTransport,
    private readonly opts: KerberosSessionOptions,
  ) {}

  exchange(x: SoapExchange): Promise<SoapReply> {
    return this.queue.run(x.signal, () => this.exchangeNow({ ...x, deadline: Date.now() + this.opts.callTimeoutMs }));
  }

  close(): Promise<void> {
    this.auth = undefined;
    return this.transport.close();
  }

  private async exchangeNow(x: Timed): Promise<SoapReply> {
    if (x.signal?.aborted) throw new AbortedError(undefined, { cause: x.signal.reason });
    const soap = Buffer.from(x.xml, 'utf8');
    if (this.auth && !this.transport.isConnectionOpen(this.auth.connection)) this.auth = undefined;
    const auth = this.auth;
    if (!auth) return this.handshakeAndSend(x, soap);
    let res: HttpResponse;
    try {
      res = await this.post(x, soap, auth.security, undefined);
    } catch (err) {
      this.invalidate();
      if (!x.idempotent || !isRetryableConnectionError(err)) throw err;
      return this.handshakeAndSend(x, soap);
    }
    if (res.status === 401) {
      // The server forgot the context; it did not run the request.
      this.invalidate();
      return this.handshakeAndSend(x, soap);
    }
    return this.guardedReply(x, res, auth.security);
  }

  private invalidate(): void {
    this.auth = undefined;
    this.transport.reset();
  }

  private async start(x: Timed, channelBindings: Uint8Array | undefined): Promise<Pending> {
    // The KDC exchange (when the ticket is not cached) is part of this call: same deadline, same signal.
    const credential = await this.opts.tickets.serviceTicket({ deadline: x.deadline, ...(x.signal ? { signal: x.signal } : {}) });
    const krb = new KerberosInitiator({ credential, ...(channelBindings ? { channelBindings } : {}) });
    const security = kerberosMessageSecurity(krb, this.opts.scheme);
    if (this.opts.scheme === 'Kerberos') return { authorization: `Kerberos ${krb.initialToken().toString('base64')}`, security, finish: (t) => krb.acceptReply(t) };
    const spnego = new SpnegoInitiator(krb);
    return { authorization: `Negotiate ${spnego.initialToken().toString('base64')}`, security, finish: (t) => spnego.acceptReply(t) };
  }

  /** Channel-binding data for the connection the AP-REQ will travel on (HTTPS only). */
  private async channelBindings(x: Timed): Promise<Uint8Array | undefined> {
    if (this.transport.url.protocol !== 'https:' || !this.opts.sendCbt) return undefined;
    if (this.transport.peerCertificate === undefined) {
      // No connection yet: open one with an unauthenticated probe (answered 401) to learn its certificate.
      const probe = await this.transport.post({ headers: { 'content-type': SOAP_CONTENT_TYPE, 'accept-encoding': 'identity' }, body: '', timeoutMs: x.timeoutMs, deadline: x.deadline, signal: x.signal });
      emitTrace(this.opts.trace, () => ({ direction: 'response', label: `${x.label} (TLS probe)`, status: probe.status, headers: redactHeaders(probe.headers), body: '', encrypted: false }));
    }
    const cert = this.transport.peerCertificate;
    if (cert === undefined) {
      this.invalidate();
      throw new KerberosError('No server certificate is available for channel binding on this HTTPS connection. Retry; if it persists, report it (or pass sendCbt: false knowingly).');
    }
    try {
      return channelBindingApplicationData(cert);
    } catch {
      return undefined; // e.g. Ed25519: RFC 5929 defines no hash, so no binding (as for NTLM)
    }
  }

  private async handshakeAndSend(x: Timed, soap: Buffer): Promise<SoapReply> {
    const cbt = await this.channelBindings(x);
    const pending = await this.start(x, cbt);
    const boundCert = this.transport.peerCertificate;
    let res: HttpResponse;
    try {
      // HTTP: AP-REQ with an empty body first (nothing can be sealed before the AP-REP); HTTPS: with the request.
      res = this.opts.encrypt ? await this.postToken(x, pending.authorization) : await this.post(x, soap, undefined, pending.authorization);
    } catch (err) {
      this.invalidate();
      throw err;
    }
    if (cbt !== undefined && boundCert !== undefined && !boundCert.equals(this.transport.peerCertificate ?? Buffer.alloc(0))) {
      this.invalidate();
      throw new KerberosError('The server certificate changed between connections while authenticating with channel binding; refusing the reply (man in the middle?).');
    }
    if (res.status === 401) throw this.authError(res, cbt !== undefined);
    const token = this.replyToken(res);
    try {
      if (token === undefined) throw new KerberosError(`The server answered the Kerberos AP-REQ with HTTP ${res.status} but no ${this.opts.scheme} reply token, so it could not be authenticated (mutual authentication); refusing its reply.`);
      pending.finish(token);
    } catch (err) {
      this.invalidate();
      throw err;
    }
    const auth: Established = { security: pending.security, connection: res.connection };
    this.auth = auth;
    if (!this.opts.encrypt) return this.guardedReply(x, res, auth.security);
    if (res.status < 200 || res.status > 299) {
      this.invalidate();
      throw new KerberosError(`The server answered the Kerberos handshake with HTTP ${res.status} instead of 2xx.`);
    }
    let sealed: HttpResponse;
    try {
      sealed = await this.post(x, soap, auth.security, undefined);
    } catch (err) {
      this.invalidate();
      throw err;
    }
    if (sealed.status === 401) throw this.authError(sealed, false);
    return this.guardedReply(x, sealed, auth.security);
  }

  private replyToken(res: HttpResponse): Uint8Array | undefined {
    const values = res.headers['www-authenticate'];
    for (const v of Array.isArray(values) ? values : values ? [values] : []) {
      const m = /^\s*(Kerberos|Negotiate)\s+([A-Za-z0-9+/=]+)\s*$/i.exec(v);
      if (m && m[1]!.toLowerCase() === this.opts.scheme.toLowerCase()) return Buffer.from(m[2]!, 'base64');
    }
    return undefined;
  }

  private async postToken(x: Timed, authorization: string): Promise<HttpResponse> {
    const headers = { authorization, 'content-type': this.contentType(), 'accept-encoding': 'identity' };
    emitTrace(this.opts.trace, () => ({ direction: 'request', label: `${x.label} (Kerberos AP-REQ)`, headers: redactHeaders(headers), body: '', encrypted: false }));
    const res = await this.transport.post({ headers, body: '', timeoutMs: x.timeoutMs, deadline: x.deadline, signal: x.signal });
    emitTrace(this.opts.trace, () => ({ direction: 'response', label: `${x.label} (Kerberos AP-REP)`, status: res.status, headers: redactHeaders(res.headers), body: '', encrypted: false }));
    return res;
  }

  private contentType(): string {
    return this.opts.encrypt ? encryptedContentType(this.opts.scheme === 'Kerberos' ? 'application/HTTP-Kerberos-session-encrypted' : 'application/HTTP-SPNEGO-session-encrypted') : SOAP_CONTENT_TYPE;
  }

  private async post(x: Timed, soap: Buffer, security: MessageSecurity | undefined, authorization: string | undefined): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'accept-encoding': 'identity', 'content-type': this.contentType() };
    if (authorization) headers.authorization = authorization;
    const body = this.opts.encrypt ? encryptMessage(security!, soap) : soap;
    emitTrace(this.opts.trace, () => ({ direction: 'request', label: x.label, headers: redactHeaders(headers), body: soap.toString('utf8'), encrypted: this.opts.encrypt }));
    return this.transport.post({ headers, body, timeoutMs: x.timeoutMs, deadline: x.deadline, signal: x.signal });
  }

  private guardedReply(x: SoapExchange, res: HttpResponse, security: MessageSecurity): SoapReply {
    try {
      return this.reply(x, res, security);
    } catch (err) {
      this.invalidate();
      throw err;
    }
  }

  private reply(x: SoapExchange, res: HttpResponse, security: MessageSecurity): SoapReply {
    return openReply(x, res, security, this.opts.encrypt, this.opts.trace);
  }

  private authError(res: HttpResponse, cbtSent: boolean): AuthenticationError {
    this.invalidate();
    const offered = offeredSchemes(res.headers['www-authenticate']);
    const spn = principalToString(this.opts.tickets.spn('REALM')).replace(/@REALM$/, '');
    const https = this.transport.url.protocol === 'https:';
    const hints = [
      `the host may not hold the key of ${spn} (SPN registered on another account, or a stale keytab)`,
      offered.some((s) => s.toLowerCase() === this.opts.scheme.toLowerCase()) ? '' : `the server does not offer ${this.opts.scheme}; try --transport ${this.opts.scheme === 'Kerberos' ? 'negotiate' : 'ntlm'}`,
      https && !cbtSent ? 'if the host has CbtHardeningLevel=Strict, channel binding is required (do not pass --no-send-cbt)' : '',
    ].filter(Boolean);
    return new AuthenticationError(
      `The server rejected the Kerberos ticket (HTTP ${res.status}) at ${this.transport.url.origin}; tried ${this.opts.scheme} with a ticket for ${spn} from the ${this.opts.tickets.source}` +
        `${https ? `, channel binding ${cbtSent ? 'sent' : 'not sent'}` : ', with message encryption' + (this.opts.encrypt ? '' : ' off')}; server offers: ${offered.join(', ') || 'nothing'}. Hints: ${hints.join('; ')}.`,
      { attempted: 'kerberos', offered, user: '', channelBindingSent: cbtSent, endpoint: this.transport.url.href },
    );
  }
}

