/**
 * Did this job fail, and why: one answer built from the job's own properties (JobState, ErrorCode,
 * OperationalStatus, ErrorDescription) and what GetError / GetErrorEx returned. Every surface (the
 * CLI's job-error, job-wait and jobs, the Ansible modules, library callers) reports this one value,
 * so none can call a failed job fine because GetError had nothing to say: the host may have dropped
 * the Msvm_Error (ReturnValue 0, NULL Error) or refused the call (e.g. 32769 Access Denied).
 */
import type { HypervJob } from './jobs.js';
import type { MsvmError } from './msvm-error.js';
import { jobStateKind } from './value-maps.js';

/**
 * - `succeeded`: ended Completed (or Completed with Warnings), ErrorCode 0, OperationalStatus OK.
 * - `failed`: ended Terminated, Killed or Exception; or ended Completed with a non-zero ErrorCode or
 *   an OperationalStatus other than [OK]; or an Msvm_Error for a job whose state is unknown. (A
 *   Completed with Warnings job may come with Msvm_Error warnings: still succeeded.)
 * - `running`: has not ended (New, Starting, Running, Shutting Down, or waiting in Suspended,
 *   Service, Query Pending).
 * - `unknown`: the JobState is missing or outside the value map, and no error says otherwise.
 */
export type JobOutcomeStatus = 'succeeded' | 'failed' | 'running' | 'unknown';

/**
 * Where `reason` comes from: the Msvm_Error(s) GetError/GetErrorEx returned, the job's own
 * ErrorDescription / ErrorSummaryDescription / ErrorCode, its JobState alone, or nowhere.
 */
export type JobOutcomeSource = 'msvm-error' | 'job-properties' | 'job-state' | 'none';

export type ErrorMethod = 'GetError' | 'GetErrorEx';

/** What the job's error method answered; `failure` when the call itself did not get an answer. */
export interface ErrorAnswer {
  readonly method: ErrorMethod;
  readonly returnValue: number | null;
  readonly returnValueName: string | null;
  readonly errors: readonly MsvmError[];
  /** Why there is no ReturnValue at all (a fault, an undecodable reply), when that happened. */
  readonly failure?: string;
}

export interface JobOutcome {
  readonly jobClass: string;
  readonly instanceId: string;
  readonly status: JobOutcomeStatus;
  /** One line: why the job failed (or what is unknown); null when it succeeded or is still running. */
  readonly reason: string | null;
  readonly source: JobOutcomeSource;
  /** The job as read (null when only the error method was asked). */
  readonly job: HypervJob | null;
  /** GetError or GetErrorEx, when asked. */
  readonly method: ErrorMethod | null;
  readonly returnValue: number | null;
  readonly returnValueName: string | null;
  readonly errors: readonly MsvmError[];
  /** The error method answered 0, so `errors` is the host's whole word (possibly none). */
  readonly errorRead: boolean;
  /** Sentences that qualify the answer, e.g. that the host returned no error instance. */
  readonly notes: readonly string[];
  /** The headline: which job, how it ended, why. */
  readonly summary: string;
}

/** Success codes of GetError / GetErrorEx (Msvm_ConcreteJob: 0 Completed with No Error). */
const ERROR_READ = 0;

/** OperationalStatus [2] (OK) is what a healthy job reports; an empty array says nothing either way. */
function operationalStatusFaulty(job: HypervJob): boolean {
  const s = job.operationalStatus;
  return s.length > 0 && !(s.length === 1 && s[0] === 2);
}

function statusOf(job: HypervJob | null, errors: readonly MsvmError[]): JobOutcomeStatus {
  const kind = job?.jobState == null ? 'unknown' : jobStateKind(job.jobState);
  if (kind === 'failed') return 'failed';
  if (kind === 'running' || kind === 'waiting') return 'running';
  // A completed job's own ErrorCode and OperationalStatus decide: Completed with Warnings may still
  // come with Msvm_Error instances (the warnings), which do not make it a failure.
  if (kind === 'succeeded') return (job!.errorCode ?? 0) !== 0 || operationalStatusFaulty(job!) ? 'failed' : 'succeeded';
  return errors.length > 0 ? 'failed' : 'unknown';
}

function errorText(e: MsvmError): string {
  return e.message ?? e.errorTypeName ?? `${e.className} without a Message`;
}

function stateText(job: HypervJob | null): string {
  if (!job || job.jobState === null) return 'an unknown state';
  return job.jobStateName ?? `JobState ${job.jobState}`;
}

/** The job's own words about its failure, most specific first. */
function jobReason(job: HypervJob | null): { reason: string; source: JobOutcomeSource } {
  const text = job?.errorDescription?.trim() || job?.errorSummaryDescription?.trim();
  if (text) return { reason: text, source: 'job-properties' };
  if (job?.errorCode) return { reason: `ErrorCode ${job.errorCode} (the job gives no description)`, source: 'job-properties' };
  if (job && operationalStatusFaulty(job)) {
    return { reason: `OperationalStatus ${job.operationalStatusNames.join(', ')} although JobState is ${stateText(job)} (the job gives no description)`, source: 'job-properties' };
  }
  return { reason: `ended in ${stateText(job)} (the job gives no description)`, source: 'job-state' };
}

function reasonOf(status: JobOutcomeStatus, job: HypervJob | null, errors: readonly MsvmError[]): { reason: string | null; source: JobOutcomeSource } {
  if (status === 'succeeded' || status === 'running') return { reason: null, source: 'none' };
  if (errors.length > 0) return { reason: errors.map(errorText).join(' | '), source: 'msvm-error' };
  if (status === 'failed') return jobReason(job);
  if (status === 'unknown') return { reason: job ? `JobState ${job.jobState ?? 'missing'} does not say whether the job ended` : 'the job could not be read', source: job ? 'job-state' : 'none' };
  return { reason: null, source: 'none' };
}

function notesOf(status: JobOutcomeStatus, answer: ErrorAnswer | undefined, source: JobOutcomeSource): string[] {
  if (!answer) return [];
  const m = answer.method;
  if (answer.returnValue === null) return [`${m} could not be called (${answer.failure ?? 'no answer'}): the error instance could not be read.`];
  if (answer.returnValue !== ERROR_READ) return [`${m} returned ${answer.returnValue} (${answer.returnValueName}): the error instance could not be read.`];
  if (answer.errors.length === 0 && status === 'failed') {
    return [`${m} returned 0 but no Msvm_Error instance: the host no longer keeps the details${source === 'job-properties' ? "; the reason above is the job's own" : ''}.`];
  }
  if (answer.errors.length === 0 && status === 'running') return [`${m} has nothing to report until the job ends.`];
  if (answer.errors.length > 0 && status === 'succeeded') return [`The job completed; the ${answer.errors.length} Msvm_Error instance(s) ${m} returned are warnings, not a failure.`];
  return [];
}

function summaryOf(jobClass: string, instanceId: string, status: JobOutcomeStatus, job: HypervJob | null, reason: string | null): string {
  const who = `Job ${instanceId} (${jobClass})`;
  const state = job?.jobState == null ? '' : ` (${stateText(job)}${job.errorCode ? `, ErrorCode ${job.errorCode}` : ''})`;
  switch (status) {
    case 'failed':
      return `${who} failed${state}: ${reason}`;
    case 'succeeded':
      return `${who} succeeded${state}.`;
    case 'running':
      return `${who} has not ended${job ? ` (${stateText(job)}, ${job.percentComplete ?? '?'}%)` : ''}.`;
    default:
      return `${who}: outcome unknown: ${reason}`;
  }
}

/**
 * The outcome of a job from its properties and, when asked, what GetError/GetErrorEx answered.
 * `jobClass`/`instanceId` name the job when it could not be read.
 */
export function jobOutcome(job: HypervJob | null, answer?: ErrorAnswer, ids?: { jobClass: string; instanceId: string }): JobOutcome {
  const jobClass = job?.className ?? ids?.jobClass ?? '';
  const instanceId = job?.instanceId ?? ids?.instanceId ?? '';
  const errorRead = answer?.returnValue === ERROR_READ;
  // Errors that came with a refusal code are not the host's answer; do not build on them.
  const errors = errorRead ? answer.errors : [];
  const status = statusOf(job, errors);
  const { reason, source } = reasonOf(status, job, errors);
  return {
    jobClass,
    instanceId,
    status,
    reason,
    source,
    job,
    method: answer?.method ?? null,
    returnValue: answer?.returnValue ?? null,
    returnValueName: answer?.returnValueName ?? null,
    errors,
    errorRead,
    notes: notesOf(status, answer, source),
    summary: summaryOf(jobClass, instanceId, status, job, reason),
  };
}
