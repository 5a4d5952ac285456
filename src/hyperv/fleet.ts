/**
 * Fleets: the same work on many hosts, with a global limit on hosts in progress and a per-host
 * limit on calls in flight, results yielded as each host finishes. Memory stays bounded: a host's
 * client (and its sockets) exists only while that host is worked on, and no more than `concurrency`
 * results wait for the consumer (the generator does not start a host until one is taken).
 */
import { AbortedError, ErrorCodes, HypervWsmanError } from '../errors.js';
import type { ConnectionOptions } from '../options.js';
import { requirePositiveInteger } from '../positive-integer.js';
import { WsmanClient } from '../wsman/client.js';
import { DEFAULT_COLLECT_MAX_ITEMS, HypervJobs, type HypervJob, type ListJobsOptions } from './jobs.js';

export interface FleetTarget {
  /** How results name this host; default connection.host. */
  readonly name?: string;
  readonly connection: ConnectionOptions;
}

export interface FleetOptions {
  /** Hosts worked on at once. Default 16. */
  readonly concurrency?: number;
  /** Calls in flight on one host: the host's client gets this many connections (maxConnections). Default 1. */
  readonly perHostConcurrency?: number;
  readonly signal?: AbortSignal;
}

export type FleetResult<T> =
  | { readonly host: string; readonly ok: true; readonly value: T; readonly elapsedMs: number }
  | { readonly host: string; readonly ok: false; readonly error: HypervWsmanError; readonly elapsedMs: number };

export type FleetWork<T> = (client: WsmanClient, target: FleetTarget, signal: AbortSignal) => Promise<T>;

export const DEFAULT_FLEET_CONCURRENCY = 16;
/** Bounds of `concurrency` and `perHostConcurrency`: limits, not ways to turn the limit off. */
export const MAX_FLEET_CONCURRENCY = 4096;
export const MAX_PER_HOST_CONCURRENCY = 64;

/** A failure that is not one of ours (a bug in the caller's work function) still reaches the consumer typed. */
export class FleetWorkError extends HypervWsmanError {
  constructor(host: string, cause: unknown) {
    super(ErrorCodes.INTERNAL, `The work for host ${host} threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}


/**
 * Run `work` once per target and yield one result per target, in completion order. A host's failure
 * is a result, not an exception; the generator throws only when the caller's signal aborts.
 * Breaking out of the loop aborts hosts still in progress and closes their clients.
 */
export async function* runFleet<T>(targets: Iterable<FleetTarget>, work: FleetWork<T>, options: FleetOptions = {}): AsyncGenerator<FleetResult<T>, void, undefined> {
  const concurrency = requirePositiveInteger('concurrency', options.concurrency ?? DEFAULT_FLEET_CONCURRENCY, MAX_FLEET_CONCURRENCY);
  const perHost = requirePositiveInteger('perHostConcurrency', options.perHostConcurrency ?? 1, MAX_PER_HOST_CONCURRENCY);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();

  const inFlight = new Map<number, Promise<{ id: number; result: FleetResult<T> }>>();
  const iterator = targets[Symbol.iterator]();
  let nextId = 0;
  let exhausted = false;

  const start = (target: FleetTarget): void => {
    const id = nextId++;
    const host = target.name ?? target.connection.host;
    inFlight.set(id, runOne(host, target, perHost, work, stop.signal).then((result) => ({ id, result })));
  };
  const fill = (): void => {
    while (!exhausted && inFlight.size < concurrency && !stop.signal.aborted) {
      const n = iterator.next();
      if (n.done) exhausted = true;
      else start(n.value);
    }
  };

  try {
    fill();
    while (inFlight.size > 0) {
      const { id, result } = await Promise.race(inFlight.values());
      inFlight.delete(id);
      if (options.signal?.aborted) throw new AbortedError();
      yield result;
      fill();
    }
    if (options.signal?.aborted) throw new AbortedError();
  } finally {
    // Early exit (break, throw, abort): stop the rest and wait for their clients to close.
    stop.abort();
    options.signal?.removeEventListener('abort', onAbort);
    await Promise.allSettled(inFlight.values());
  }
}

async function runOne<T>(host: string, target: FleetTarget, perHost: number, work: FleetWork<T>, signal: AbortSignal): Promise<FleetResult<T>> {
  const t0 = performance.now();
  let client: WsmanClient | undefined;
  try {
    if (signal.aborted) throw new AbortedError();
    client = new WsmanClient({ ...target.connection, maxConnections: perHost });
    const value = await work(client, target, signal);
    return { host, ok: true, value, elapsedMs: performance.now() - t0 };
  } catch (err) {
    const error = err instanceof HypervWsmanError ? err : new FleetWorkError(host, err);
    return { host, ok: false, error, elapsedMs: performance.now() - t0 };
  } finally {
    await client?.close().catch(() => undefined);
  }
}

/**
 * Every job of every host (Msvm_ConcreteJob and Msvm_MigrationJob unless `classes` says otherwise), one
 * result per host. A host's jobs are collected in memory, so each class is bounded by `list.maxItems`
 * (default DEFAULT_COLLECT_MAX_ITEMS); a host past it fails with a ProtocolError.
 */
export function listFleetJobs(targets: Iterable<FleetTarget>, list: ListJobsOptions = {}, options: FleetOptions = {}): AsyncGenerator<FleetResult<HypervJob[]>, void, undefined> {
  const bounded: ListJobsOptions = { ...list, maxItems: list.maxItems ?? DEFAULT_COLLECT_MAX_ITEMS };
  return runFleet(
    targets,
    async (client, _target, signal) => {
      const jobs = new HypervJobs(client);
      const out: HypervJob[] = [];
      for await (const job of jobs.listJobs(bounded)) {
        if (signal.aborted) throw new AbortedError();
        out.push(job);
      }
      return out;
    },
    options,
  );
}
