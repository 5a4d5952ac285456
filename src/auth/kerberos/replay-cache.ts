/**
 * Acceptor replay cache (RFC 4120 3.2.3): an authenticator seen once within the clock-skew window
 * is refused the second time. Keyed by a hash of the authenticator ciphertext, as MIT's rcache is;
 * entries expire with the window and the cache is bounded so a flood cannot grow it without limit.
 */
import { createHash } from 'node:crypto';

export class ReplayCache {
  readonly #entries = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(maxEntries = 100_000) {
    this.#maxEntries = maxEntries;
  }

  /** Record `authenticatorCipher`; false if it was already recorded and has not expired. */
  checkAndRecord(authenticatorCipher: Uint8Array, expiresAtMs: number, nowMs: number): boolean {
    const id = createHash('sha256').update(authenticatorCipher).digest('base64');
    const until = this.#entries.get(id);
    if (until !== undefined && until >= nowMs) return false;
    if (this.#entries.size >= this.#maxEntries) this.#prune(nowMs);
    this.#entries.set(id, expiresAtMs);
    return true;
  }

  #prune(nowMs: number): void {
    for (const [id, until] of this.#entries) if (until < nowMs) this.#entries.delete(id);
    // Still full: drop the oldest insertions (Map keeps insertion order).
    for (const id of this.#entries.keys()) {
      if (this.#entries.size < this.#maxEntries) break;
      this.#entries.delete(id);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
