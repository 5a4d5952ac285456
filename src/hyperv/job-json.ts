/**
 * Stable JSON shapes for job results, shared by the CLI (--json), the Ansible modules and library
 * users. Field names here are a public contract: add, never rename.
 */
import { cimValueToJson, setOwn, type JsonValue } from '../cim/types.js';
import type { GetErrorExResult, GetErrorResult, HypervJob } from './jobs.js';
import { jobOutcome, type ErrorMethod, type JobOutcome, type JobOutcomeSource, type JobOutcomeStatus } from './job-outcome.js';
import { msvmErrorToJson } from './msvm-error.js';
import type { AffectedElement } from './affected-elements.js';

export type MsvmErrorJson = ReturnType<typeof msvmErrorToJson>;

/** Did the job fail, and why (see job-outcome.ts); the Msvm_Error instances themselves are beside it. */
export interface JobOutcomeJson {
  readonly status: JobOutcomeStatus;
  readonly reason: string | null;
  readonly source: JobOutcomeSource;
  readonly summary: string;
  readonly jobState: number | null;
  readonly jobStateName: string | null;
  readonly errorCode: number | null;
  readonly errorDescription: string | null;
  readonly errorSummaryDescription: string | null;
  readonly operationalStatus: readonly number[];
  readonly operationalStatusNames: readonly string[];
  /** GetError or GetErrorEx when asked, else null (e.g. in `jobs`). */
  readonly method: ErrorMethod | null;
  readonly returnValue: number | null;
  readonly returnValueName: string | null;
  /** The method answered 0: its error instances (possibly none) are the host's whole word. */
  readonly errorRead: boolean;
  readonly errorCount: number;
  readonly notes: readonly string[];
}

export function outcomeToJson(o: JobOutcome): JobOutcomeJson {
  const j = o.job;
  return {
    status: o.status,
    reason: o.reason,
    source: o.source,
    summary: o.summary,
    jobState: j?.jobState ?? null,
    jobStateName: j?.jobStateName ?? null,
    errorCode: j?.errorCode ?? null,
    errorDescription: j?.errorDescription ?? null,
    errorSummaryDescription: j?.errorSummaryDescription ?? null,
    operationalStatus: j?.operationalStatus ?? [],
    operationalStatusNames: j?.operationalStatusNames ?? [],
    method: o.method,
    returnValue: o.returnValue,
    returnValueName: o.returnValueName,
    errorRead: o.errorRead,
    errorCount: o.errors.length,
    notes: o.notes,
  };
}

export interface GetErrorJson {
  readonly jobClass: string;
  readonly instanceId: string;
  readonly returnValue: number;
  readonly returnValueName: string;
  /** null when the host returned no instance: read `outcome`, which says whether the job failed anyway. */
  readonly error: MsvmErrorJson | null;
  readonly method: 'GetError';
  readonly outcome: JobOutcomeJson;
}

export interface GetErrorExJson {
  readonly jobClass: string;
  readonly instanceId: string;
  readonly returnValue: number;
  readonly returnValueName: string;
  readonly errors: readonly MsvmErrorJson[];
  readonly method: 'GetErrorEx';
  readonly outcome: JobOutcomeJson;
}

export function getErrorToJson(r: GetErrorResult): GetErrorJson {
  return {
    jobClass: r.jobClass,
    instanceId: r.instanceId,
    returnValue: r.returnValue,
    returnValueName: r.returnValueName,
    error: r.error ? msvmErrorToJson(r.error) : null,
    method: 'GetError',
    outcome: outcomeToJson(r.outcome),
  };
}

export function getErrorExToJson(r: GetErrorExResult): GetErrorExJson {
  return {
    jobClass: r.jobClass,
    instanceId: r.instanceId,
    returnValue: r.returnValue,
    returnValueName: r.returnValueName,
    errors: r.errors.map(msvmErrorToJson),
    method: 'GetErrorEx',
    outcome: outcomeToJson(r.outcome),
  };
}

export interface JobJson {
  readonly jobClass: string;
  readonly instanceId: string;
  readonly jobState: number | null;
  readonly jobStateName: string | null;
  readonly percentComplete: number | null;
  readonly operationalStatus: readonly number[];
  readonly operationalStatusNames: readonly string[];
  readonly errorCode: number | null;
  readonly errorDescription: string | null;
  readonly errorSummaryDescription: string | null;
  readonly jobType: number | null;
  readonly jobTypeName: string | null;
  readonly elementName: string | null;
  readonly startTime: JsonValue;
  readonly elapsedTime: JsonValue;
  readonly migration?: HypervJob['migration'];
  readonly properties: Record<string, JsonValue>;
}

export function jobToJson(j: HypervJob): JobJson {
  const properties: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(j.instance.properties)) setOwn(properties, k, cimValueToJson(v));
  return {
    jobClass: j.className,
    instanceId: j.instanceId,
    jobState: j.jobState,
    jobStateName: j.jobStateName,
    percentComplete: j.percentComplete,
    operationalStatus: j.operationalStatus,
    operationalStatusNames: j.operationalStatusNames,
    errorCode: j.errorCode,
    errorDescription: j.errorDescription,
    errorSummaryDescription: j.errorSummaryDescription,
    jobType: j.jobType,
    jobTypeName: j.jobTypeName,
    elementName: j.elementName,
    startTime: cimValueToJson(j.startTime),
    elapsedTime: cimValueToJson(j.elapsedTime),
    ...(j.migration ? { migration: j.migration } : {}),
    properties,
  };
}

/** A `jobs` line: the job and its outcome as its own properties tell it (no GetError asked). */
export function jobWithOutcomeToJson(j: HypervJob): JobJson & { readonly outcome: JobOutcomeJson } {
  return { ...jobToJson(j), outcome: outcomeToJson(jobOutcome(j)) };
}

/** An element a job affects (Msvm_AffectedJobElement), e.g. the VM: its class, Name (a VM's GUID) and ElementName. */
export interface AffectedElementJson {
  readonly className: string;
  readonly name: string | null;
  readonly elementName: string | null;
}

export function affectedElementToJson(e: AffectedElement): AffectedElementJson {
  return { className: e.className, name: e.name, elementName: e.elementName };
}
