/**
 * Several authenticated connections to one endpoint, for callers that issue calls concurrently.
 * Each member is a full Session (its own connection and, for NTLM, its own context and sequence
 * numbers); a call goes to the member with the fewest calls in flight. Members are created lazily,
 * so a pool of N costs one handshake until concurrency actually needs more.
 */
import { AbortedError } from '../errors.js';
import type { Session, SoapExchange, SoapReply } from './session.js';

export class SessionPool implements Session {
  private readonly members: { session: Session; inFlight: number }[] = [];
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly create: () => Session,
  ) {}

  async exchange(x: SoapExchange): Promise<SoapReply> {
    if (this.closed) throw new AbortedError('This client was closed; create a new one to make more calls.');
    let m = this.members.reduce<(typeof this.members)[number] | undefined>((best, c) => (!best || c.inFlight < best.inFlight ? c : best), undefined);
    if (!m || (m.inFlight > 0 && this.members.length < this.size)) {
      m = { session: this.create(), inFlight: 0 };
      this.members.push(m);
    }
    m.inFlight++;
    try {
      return await m.session.exchange(x);
    } finally {
      m.inFlight--;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.members.splice(0).map((m) => m.session.close()));
  }
}
