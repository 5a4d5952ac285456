/**
 * `Negotiate` as Windows clients use it: Kerberos (SPNEGO) when a ticket can be had, else NTLM
 * (raw NTLMSSP under Negotiate, which WinRM accepts). The choice is made once, at the first call:
 * no KDC found or reachable, no usable credential cache, or a KDC that does not know the SPN (an
 * IP address or alias, the usual reason) fall back to NTLM when a password was given. A wrong
 * password, a locked account or clock skew are reported, never papered over by NTLM.
 */
import { KerberosServiceUnknownError } from '../auth/kerberos-tickets.js';
import type { KerberosTicketSource } from '../auth/kerberos-tickets.js';
import { AbortedError, ConnectionError, CredentialCacheError, InvalidOptionError, KdcNotFoundError, KeytabError } from '../errors.js';
import type { Session, SoapExchange, SoapReply } from './session.js';

/** Failures that mean "no Kerberos ticket for this host", as opposed to "Kerberos said no". */
function noTicket(err: unknown): boolean {
  return (
    err instanceof KdcNotFoundError ||
    err instanceof KerberosServiceUnknownError ||
    err instanceof CredentialCacheError ||
    err instanceof KeytabError ||
    err instanceof InvalidOptionError ||
    (err instanceof ConnectionError && /KDC/.test(err.message))
  );
}

export class NegotiateSession implements Session {
  #chosen: Promise<Session> | undefined;

  constructor(
    private readonly tickets: KerberosTicketSource,
    private readonly kerberos: () => Session,
    /** Absent when no password was given: then there is nothing to fall back to. */
    private readonly ntlm: (() => Session) | undefined,
  ) {}

  /** 'kerberos' or 'ntlm' once decided (for tests and --verbose). */
  mechanism: 'kerberos' | 'ntlm' | undefined;

  #choose(): Promise<Session> {
    this.#chosen ??= this.tickets.serviceTicket().then(
      () => {
        this.mechanism = 'kerberos';
        return this.kerberos();
      },
      (err: unknown) => {
        if (this.ntlm === undefined || !noTicket(err)) {
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
    return (await this.#choose()).exchange(x);
  }

  async close(): Promise<void> {
    const chosen = this.#chosen;
    this.#chosen = Promise.reject(new AbortedError('This client was closed; create a new one to make more calls.'));
    this.#chosen.catch(() => undefined);
    if (chosen) await (await chosen.catch(() => undefined))?.close();
  }
}
