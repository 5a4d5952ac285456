/**
 * A session whose real implementation is loaded on the first call: the auth scheme's modules are
 * imported then, not when the client is constructed (a client that never calls loads nothing).
 */
import { AbortedError } from '../errors.js';
import type { Session, SoapExchange, SoapReply } from './session.js';

export class DeferredSession implements Session {
  #session: Promise<Session> | undefined;
  #closed = false;

  constructor(private readonly load: () => Promise<Session>) {}

  async exchange(x: SoapExchange): Promise<SoapReply> {
    if (this.#closed) throw new AbortedError('This client was closed; create a new one to make more calls.');
    this.#session ??= this.load();
    return (await this.#session).exchange(x);
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
