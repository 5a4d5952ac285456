/**
 * Waiting for a job and saying how it ended, for `job-wait` and `invoke --wait`: progress while it
 * runs, then a result (completed / failed with GetError's Msvm_Error / timeout) and the exit code
 * that tells them apart.
 */
import type { Argv } from 'yargs';
import { InvalidOptionError } from '../errors.js';
import { getErrorToJson, jobToJson, outcomeToJson, type GetErrorJson, type JobJson, type JobOutcomeJson } from '../hyperv/job-json.js';
import { jobOutcome, type JobOutcome } from '../hyperv/job-outcome.js';
import { JOB_CLASSES, JobFailedError, JobTimeoutError, type HypervJob, type HypervJobs, type JobRef } from '../hyperv/jobs.js';
import { renderOutcome } from './commands/job-error.js';
import { EXIT, EXIT_ON_SIGNAL } from './exit-codes.js';
import type { CliIo } from './io.js';
import { writeJson } from './output.js';
import { givenNumber } from './number-text.js';
import { progressSink } from './progress.js';
import { errorCodeOf, messageOf, writeErrorLine } from './run.js';
import { AbortedError } from '../errors.js';

export interface WaitCliArgs {
  timeout?: number;
  'poll-interval'?: number;
  json?: boolean;
}

export type WaitStatus = 'completed' | 'failed' | 'timeout';

export interface WaitResultJson {
  readonly type: 'result';
  readonly status: WaitStatus;
  /** The job as last seen; null when a timeout came before the first successful poll. */
  readonly job: JobJson | null;
  /** GetError's answer for a failed job (null when it could not be fetched or for other statuses). */
  readonly error: GetErrorJson | null;
  /** Did the job fail, and why (also when GetError could not say); null when no poll succeeded. */
  readonly outcome: JobOutcomeJson | null;
  /** The same sentence as the stderr line. */
  readonly message: string;
}

export const DEFAULT_WAIT_TIMEOUT_SEC = 3600;
export const DEFAULT_POLL_INTERVAL_SEC = 0.25;
const GROUP = 'Waiting:';

export function withWaitOptions<T>(y: Argv<T>): Argv<T & WaitCliArgs> {
  return y
    .option('timeout', { type: 'number', group: GROUP, requiresArg: true, describe: `Give up after this many seconds (default ${DEFAULT_WAIT_TIMEOUT_SEC}); the job may still run` })
    .option('poll-interval', { type: 'number', group: GROUP, requiresArg: true, describe: `First poll interval in seconds (default ${DEFAULT_POLL_INTERVAL_SEC}); grows 1.5x per poll up to 5 s` }) as Argv<T & WaitCliArgs>;
}

function positiveSeconds(v: number | undefined, dflt: number, flag: string): number {
  if (v === undefined) return dflt;
  if (!(Number.isFinite(v) && v > 0)) throw new InvalidOptionError(`${flag} must be a positive number of seconds, got ${givenNumber(v)}.`);
  return v;
}

/** The timing options, checked; call before connecting so a typo costs no round trip. */
export function waitTiming(args: WaitCliArgs): { timeoutMs: number; pollIntervalMs: number } {
  return {
    timeoutMs: Math.round(positiveSeconds(args.timeout, DEFAULT_WAIT_TIMEOUT_SEC, '--timeout') * 1000),
    pollIntervalMs: Math.max(1, Math.round(positiveSeconds(args['poll-interval'], DEFAULT_POLL_INTERVAL_SEC, '--poll-interval') * 1000)),
  };
}

function describeJob(job: HypervJob): string {
  return `Job ${job.instanceId} (${job.className})`;
}

type StopSignal = keyof typeof EXIT_ON_SIGNAL;

/**
 * Ctrl-C (or SIGTERM) while waiting stops the wait, not the job: the first signal aborts the wait so
 * the command can end the progress line and say the job goes on; the listener is then gone, so a
 * second Ctrl-C ends the process the default way.
 */
function stopOnSignal(): { readonly signal: AbortSignal; received(): StopSignal | undefined; dispose(): void } {
  const controller = new AbortController();
  let got: StopSignal | undefined;
  const handlers = (Object.keys(EXIT_ON_SIGNAL) as StopSignal[]).map((name) => {
    const handler = (): void => {
      got = name;
      dispose();
      controller.abort();
    };
    process.once(name, handler);
    return [name, handler] as const;
  });
  function dispose(): void {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
  return { signal: controller.signal, received: () => got, dispose };
}

/** What an interrupted wait says: the job was not touched, where it stood, and how to cancel it if that was the intent. */
export function interruptedMessage(sig: StopSignal, job: JobRef | string, last: HypervJob | undefined): string {
  const id = last?.instanceId ?? (typeof job === 'string' ? job : (job.selectors.InstanceID ?? '?'));
  const cls = last?.className ?? (typeof job === 'string' ? undefined : job.className);
  const who = `job ${id}${cls ? ` (${cls})` : ''}`;
  const seen = last ? `, last seen ${last.jobStateName ?? `JobState ${last.jobState ?? '?'}`} at ${last.percentComplete ?? '?'}%` : ' before it was read';
  const how = sig === 'SIGINT' ? 'Interrupted (Ctrl-C)' : 'Stopped by SIGTERM';
  return (
    `${how}: stopped waiting for ${who}${seen}. Only the wait stopped: the job keeps running on the host ` +
    `(follow it again with: hyperv-wsman job-wait ${id}${cls && !(JOB_CLASSES as readonly string[]).includes(cls) ? ` --job-class ${cls}` : ''}; ` +
    `cancel it with: hyperv-wsman invoke ${cls ?? 'Msvm_ConcreteJob'} RequestStateChange --selector InstanceID=${id} --param RequestedState=4).`
  );
}

/** Wait for `job`; other errors (connection, auth, faults) are thrown for the caller's reportError. */
export async function waitAndReport(jobs: HypervJobs, job: JobRef | string, args: WaitCliArgs, io: CliIo): Promise<number> {
  const timing = waitTiming(args);
  const json = args.json === true;
  const sink = progressSink(io, json);
  const result = (status: WaitStatus, j: HypervJob | undefined, error: GetErrorJson | null, message: string, outcome: JobOutcome | null): void => {
    if (json) writeJson(io, { type: 'result', status, job: j ? jobToJson(j) : null, error, outcome: outcome && outcomeToJson(outcome), message } satisfies WaitResultJson);
  };
  const stop = stopOnSignal();
  let last: HypervJob | undefined;
  const onProgress = (j: HypervJob): void => {
    last = j;
    sink.update(j);
  };
  try {
    const done = await jobs.waitForJob(job, { ...timing, signal: stop.signal, onProgress });
    sink.end();
    const message = `${describeJob(done)} completed: ${done.jobStateName ?? done.jobState}.`;
    result('completed', done, null, message, jobOutcome(done));
    if (!json) io.stdout.write(message + '\n');
    return EXIT.OK;
  } catch (err) {
    sink.end();
    const sig = stop.received();
    if (sig !== undefined) {
      // Whatever the abort interrupted (a sleep, a request in flight), the answer is the same.
      const stopped = new AbortedError(interruptedMessage(sig, job, last), { cause: err });
      writeErrorLine(stopped, io);
      if (json) writeJson(io, { error: { code: errorCodeOf(stopped), message: messageOf(stopped) } });
      return EXIT_ON_SIGNAL[sig];
    }
    if (err instanceof JobFailedError) {
      result('failed', err.job, err.jobError ? getErrorToJson(err.jobError) : null, err.message, err.outcome);
      if (!json) io.stdout.write(renderOutcome(err.outcome));
      writeErrorLine(err, io);
      return EXIT.JOB_FAILED;
    }
    if (err instanceof JobTimeoutError) {
      result('timeout', err.job, null, err.message, err.job ? jobOutcome(err.job) : null);
      writeErrorLine(err, io);
      return EXIT.JOB_TIMEOUT;
    }
    throw err;
  } finally {
    stop.dispose();
  }
}
