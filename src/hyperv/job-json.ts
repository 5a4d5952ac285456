/**
 * Stable JSON shapes for job results, shared by the CLI (--json), the Ansible modules and library
 * users. Field names here are a public contract: add, never rename.
 */
import { cimValueToJson, setOwn, type JsonValue } from '../cim/types.js';
import type { GetErrorExResult, GetErrorResult, HypervJob } from './jobs.js';
import { msvmErrorToJson } from './msvm-error.js';

export type MsvmErrorJson = ReturnType<typeof msvmErrorToJson>;

export interface GetErrorJson {
  readonly jobClass: string;
  readonly instanceId: string;
  readonly returnValue: number;
  readonly returnValueName: string;
  readonly error: MsvmErrorJson | null;
}

export interface GetErrorExJson {
  readonly jobClass: string;
  readonly instanceId: string;
  readonly returnValue: number;
  readonly returnValueName: string;
  readonly errors: readonly MsvmErrorJson[];
}

export function getErrorToJson(r: GetErrorResult): GetErrorJson {
  return { jobClass: r.jobClass, instanceId: r.instanceId, returnValue: r.returnValue, returnValueName: r.returnValueName, error: r.error ? msvmErrorToJson(r.error) : null };
}

export function getErrorExToJson(r: GetErrorExResult): GetErrorExJson {
  return { jobClass: r.jobClass, instanceId: r.instanceId, returnValue: r.returnValue, returnValueName: r.returnValueName, errors: r.errors.map(msvmErrorToJson) };
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
