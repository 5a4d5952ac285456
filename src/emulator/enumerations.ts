/**
 * Open WS-Enumeration contexts: the result set fixed at Enumerate time (WMI snapshots query results),
 * a cursor, and an expiry like WinRM's Enumeration Garbage Collection timer ([MS-WSMV] 3.1.4.1.36),
 * checked lazily so no timers keep the process alive.
 */
import { randomUUID } from 'node:crypto';
import type { JobClassName } from './model.js';
import type { ServiceInstance } from './services.js';

export type EnumerationMode = 'object' | 'epr' | 'objectAndEpr';

/** One item of a result set, read again when it is sent: a job, a VM, a job-to-VM Msvm_AffectedJobElement, or a service instance (fixed). */
export type EnumeratedRef =
  | { readonly kind: 'job'; readonly className: JobClassName; readonly instanceId: string }
  | { readonly kind: 'vm'; readonly name: string }
  | { readonly kind: 'affected'; readonly instanceId: string; readonly vmName: string }
  | { readonly kind: 'service'; readonly service: ServiceInstance };

export interface EnumerationState {
  readonly id: string;
  readonly refs: readonly EnumeratedRef[];
  /** WQL projection; undefined = all properties. */
  readonly select: readonly string[] | undefined;
  readonly mode: EnumerationMode;
  position: number;
  /** Every item was delivered; only Release is still accepted. */
  done: boolean;
  expiresAt: number;
}

/** Default EnumerationTimeoutms of WinRM (60 s). */
export const DEFAULT_ENUMERATION_TIMEOUT_MS = 60_000;

export class EnumerationStore {
  readonly #open = new Map<string, EnumerationState>();
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(timeoutMs = DEFAULT_ENUMERATION_TIMEOUT_MS, now: () => number = Date.now) {
    this.#timeoutMs = timeoutMs;
    this.#now = now;
  }

  create(refs: readonly EnumeratedRef[], select: readonly string[] | undefined, mode: EnumerationMode): EnumerationState {
    this.#purge();
    const state: EnumerationState = { id: `uuid:${randomUUID().toUpperCase()}`, refs, select, mode, position: 0, done: false, expiresAt: this.#now() + this.#timeoutMs };
    this.#open.set(state.id, state);
    return state;
  }

  /** An open context, its expiry pushed back (the timer restarts on each response). */
  get(id: string): EnumerationState | undefined {
    this.#purge();
    const state = this.#open.get(id.trim());
    if (state) state.expiresAt = this.#now() + this.#timeoutMs;
    return state;
  }

  release(id: string): boolean {
    this.#purge();
    return this.#open.delete(id.trim());
  }

  get size(): number {
    this.#purge();
    return this.#open.size;
  }

  #purge(): void {
    const now = this.#now();
    for (const [id, s] of this.#open) if (s.expiresAt <= now) this.#open.delete(id);
  }
}
