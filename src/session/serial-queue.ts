/**
 * One call at a time on a session's connection, in arrival order. A call waiting for its turn can
 * still be aborted; the next one waits for the call ahead all the same.
 */
import { AbortedError } from '../errors.js';

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** Calls queued or running: with none, a call starts at once instead of behind `tail`. */
  private pending = 0;
  private readonly done = (): void => {
    this.pending--;
  };

  run<T>(signal: AbortSignal | undefined, body: () => Promise<T>): Promise<T> {
    const turn = this.tail;
    let result: Promise<T>;
    if (this.pending === 0) {
      // Nothing ahead: no turn to wait for (the common case of one caller making call after call).
      if (signal?.aborted) return Promise.reject(new AbortedError(undefined, { cause: signal.reason }));
      try {
        result = body();
      } catch (err) {
        result = Promise.reject(err);
      }
    } else result = waitForTurn(turn, signal).then(body);
    this.pending++;
    const settled = result.then(this.done, this.done);
    this.tail = this.pending === 1 ? settled : turn.then(() => settled);
    return result;
  }
}

const noop = (): void => undefined;

/** Resolves when `turn` settles, or rejects at once if `signal` aborts first. */
function waitForTurn(turn: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return turn.then(noop);
  if (signal.aborted) return Promise.reject(new AbortedError(undefined, { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new AbortedError(undefined, { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    void turn.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
