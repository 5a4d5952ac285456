/**
 * A session whose real implementation is loaded on the first call: the auth scheme's modules are
 * imported then, not when the client is constructed (a client that never calls loads nothing).
 */
import { AbortedError } from '../errors.js';
import type { Session, SoapExchange, SoapReply } from './session.js';

export class DeferredSession implements Session {
  #session: Promise<Session> | undefined;
  /** The session once loaded: later calls go straight to it. */
  #loaded: Session | undefined;
  #closed = false;

  constructor(private readonly load: () => Promise<Session>) {}

  exchange(x: SoapExchange): Promise<SoapReply> {
    if (this.#closed) return Promise.reject(new AbortedError('This client was closed; create a new one to make more calls.'));
    if (this.#loaded !== undefined) return this.#loaded.exchange(x);
    return this.#firstExchange(x);
  }

  async #firstExchange(x: SoapExchange): Promise<SoapReply> {
    this.#session ??= this.load();
    const session = await this.#session;
    this.#loaded = session;
    return session.exchange(x);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#session === undefined) return;
    let session: Session;
    try {
      session = await this.#session;
    } catch {
      return; // it never came to be: nothing to close
    }
    await session.close();
  }
}
