/**
 * `Negotiate` as Windows clients use it: Kerberos (SPNEGO) when a ticket can be had, else NTLM
 * (raw NTLMSSP under Negotiate, which WinRM accepts). The choice is made once, at the first call:
 * no KDC found or reachable, no usable credential cache, or a KDC that does not know the SPN (an
 * IP address or alias, the usual reason) fall back to NTLM when a password was given. A wrong
 * password, a locked account or clock skew are reported, never papered over by NTLM. The ticket
 * request is bounded by the first call's deadline (callTimeoutMs) and signal; a KDC silent past
 * that deadline is reported (KdcTimeoutError), not papered over either: the call's time is spent.
 */
import { KerberosServiceUnknownError } from '../auth/kerberos-tickets.js';
import type { KerberosTicketSource } from '../auth/kerberos-tickets.js';
import { AbortedError, CredentialCacheError, InvalidOptionError, KdcNotFoundError, KdcUnreachableError, KeytabError } from '../errors.js';
import type { Session, SoapExchange, SoapReply } from './session.js';

/** Failures that mean "no Kerberos ticket for this host", as opposed to "Kerberos said no" (no NTLM fallback then). */
export function isNoKerberosTicket(err: unknown): boolean {
  return (
    err instanceof KdcNotFoundError ||
    err instanceof KerberosServiceUnknownError ||
    err instanceof CredentialCacheError ||
    err instanceof KeytabError ||
    err instanceof InvalidOptionError ||
    err instanceof KdcUnreachableError
  );
}

export class NegotiateSession implements Session {
  #chosen: Promise<Session> | undefined;

  constructor(
    private readonly tickets: KerberosTicketSource,
    private readonly kerberos: () => Session,
    /** Absent when no password was given: then there is nothing to fall back to. */
    private readonly ntlm: (() => Session) | undefined,
    private readonly callTimeoutMs: number,
  ) {}

  /** 'kerberos' or 'ntlm' once decided (for tests and --verbose). */
  mechanism: 'kerberos' | 'ntlm' | undefined;

  #choose(x: SoapExchange): Promise<Session> {
    this.#chosen ??= this.tickets.serviceTicket({ deadline: Date.now() + this.callTimeoutMs, ...(x.signal ? { signal: x.signal } : {}) }).then(
      () => {
        this.mechanism = 'kerberos';
        return this.kerberos();
      },
      (err: unknown) => {
        if (this.ntlm === undefined || !isNoKerberosTicket(err)) {
          this.#chosen = undefined; // a later call may try again (e.g. after kinit)
          throw err;
        }
        this.mechanism = 'ntlm';
        return this.ntlm();
      },
    );
    return this.#chosen;
  }

  async exchange(x: SoapExchange): Promise<SoapReply> {
    let chosen: Session;
    try {
      chosen = await this.#choose(x);
    } catch (err) {
      // Another call's abort ended the shared choice: this call, not aborted, tries again.
      if (!(err instanceof AbortedError) || x.signal?.aborted === true || this.#closed) throw err;
      chosen = await this.#choose(x);
    }
    return chosen.exchange(x);
  }

  #closed = false;

  async close(): Promise<void> {
    this.#closed = true;
    const chosen = this.#chosen;
    this.#chosen = Promise.reject(new AbortedError('This client was closed; create a new one to make more calls.'));
    this.#chosen.catch(() => undefined);
    if (chosen) await (await chosen.catch(() => undefined))?.close();
  }
}
