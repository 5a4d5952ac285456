/**
 * One call at a time on a session's connection, in arrival order. A call waiting for its turn can
 * still be aborted; the next one waits for the call ahead all the same.
 */
import { AbortedError } from '../errors.js';

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(signal: AbortSignal | undefined, body: () => Promise<T>): Promise<T> {
    const turn = this.tail;
    const result = waitForTurn(turn, signal).then(body);
    const settled = result.then(noop, noop);
    this.tail = turn.then(() => settled);
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
