/**
 * Hyper-V jobs: Msvm_ConcreteJob and Msvm_MigrationJob (and whatever job class a method's Job
 * reference points at, e.g. Msvm_StorageJob). Get one, list with WQL, GetError / GetErrorEx,
 * extract the job from a method's output, and wait for it.
 */
import { decodeEmbeddedInstanceParam } from '../cim/ws-cim.js';
import { decodeEpr } from '../cim/epr.js';
import type { CimInstance, CimReference, CimValue } from '../cim/types.js';
import { AbortedError, CimDecodeError, ErrorCodes, HypervWsmanError, ProtocolError } from '../errors.js';
import type { WsmanClient } from '../wsman/client.js';
import { isNotFoundFault, isTimeoutFault, WsmanFaultError } from '../wsman/fault.js';
import { HYPERV_NAMESPACE, WMI_RESOURCE_PREFIX, wmiResourceUri } from '../wsman/namespaces.js';
import { outParams, type InvokeOutput } from '../wsman/responses.js';
import { askAffectedElements, readAffectedElements, type AffectedElement, type AffectedElementsAnswer } from './affected-elements.js';
import { MSVM_ERROR_SCHEMA, schemaFor } from './class-schemas.js';
import { jobOutcome, type ErrorAnswer, type ErrorMethod, type JobOutcome } from './job-outcome.js';
import { toMsvmError, type MsvmError } from './msvm-error.js';
import {
  CONCRETE_JOB_TYPE,
  GET_ERROR_RETURN_CODES,
  JOB_STATE,
  METHOD_RETURN_CODES,
  MIGRATION_TYPE,
  OPERATIONAL_STATUS,
  isTerminalJobState,
  nameOf,
} from './value-maps.js';

export const JOB_CLASSES = ['Msvm_ConcreteJob', 'Msvm_MigrationJob'] as const;
export type JobClass = (typeof JOB_CLASSES)[number];

/** "Method Parameters Checked - Job Started": the method's work continues in the returned Job. */
export const JOB_STARTED = 4096;

/** Where a job lives: taken from a Job EPR, or built from a class and InstanceID. */
export interface JobRef {
  readonly className: string;
  readonly resourceUri: string;
  readonly selectors: Readonly<Record<string, string>>;
}

export interface HypervJob {
  readonly className: string;
  readonly instanceId: string;
  readonly jobState: number | null;
  readonly jobStateName: string | null;
  readonly operationalStatus: readonly number[];
  readonly operationalStatusNames: readonly string[];
  readonly statusDescriptions: readonly string[];
  readonly percentComplete: number | null;
  readonly errorCode: number | null;
  readonly errorDescription: string | null;
  readonly errorSummaryDescription: string | null;
  readonly jobType: number | null;
  readonly jobTypeName: string | null;
  readonly elementName: string | null;
  readonly description: string | null;
  readonly timeSubmitted: CimValue;
  readonly startTime: CimValue;
  readonly elapsedTime: CimValue;
  readonly timeOfLastStateChange: CimValue;
  readonly cancellable: boolean | null;
  /** Msvm_MigrationJob only. */
  readonly migration?: {
    readonly migrationType: number | null;
    readonly migrationTypeName: string | null;
    readonly virtualSystemName: string | null;
    readonly destinationHost: string | null;
  };
  /** Every property, typed. */
  readonly instance: CimInstance;
  readonly ref: JobRef;
}

/** What GetError answered, typed, and nothing else: one request (see `HypervJobs.callGetError`). */
export interface GetErrorAnswer {
  readonly jobClass: string;
  readonly instanceId: string;
  readonly returnValue: number;
  readonly returnValueName: string;
  /**
   * The Msvm_Error; null when the out parameter was absent, empty or xsi:nil. That does NOT mean the
   * job is fine: the host may have dropped the details, or refused (returnValue != 0). Ask `outcome`.
   */
  readonly error: MsvmError | null;
}

export interface GetErrorResult extends GetErrorAnswer {
  /** Did the job fail, and why: its own state and error properties combined with this answer. */
  readonly outcome: JobOutcome;
}

/** What GetErrorEx answered, typed, and nothing else: one request (see `HypervJobs.callGetErrorEx`). */
export interface GetErrorExAnswer {
  readonly jobClass: string;
  readonly instanceId: string;
  readonly returnValue: number;
  readonly returnValueName: string;
  readonly errors: readonly MsvmError[];
}

export interface GetErrorExResult extends GetErrorExAnswer {
  /** Did the job fail, and why: its own state and error properties combined with this answer. */
  readonly outcome: JobOutcome;
}

/** WMI and CIM statuses and texts that mean the class or namespace itself is missing, not the instance. */
const MISSING_CLASS_OR_NAMESPACE = {
  // WBEM_E_INVALID_NAMESPACE, WBEM_E_INVALID_CLASS
  statusCodes: new Set([0x8004100e, 0x80041010]),
  // CIM_ERR_INVALID_NAMESPACE, CIM_ERR_INVALID_CLASS (DSP0200; OMI's CIM_Error)
  cimStatusCodes: new Set([3, 5]),
  messages: [/class does not exist/i, /invalid namespace/i, /invalid class/i, /namespace does not exist/i],
} as const;

export function isMissingClassOrNamespace(f: WsmanFaultError): boolean {
  if (f.cimStatusCode !== undefined && MISSING_CLASS_OR_NAMESPACE.cimStatusCodes.has(f.cimStatusCode)) return true;
  for (const inst of [f.extendedStatus, f.providerFault?.extendedError]) {
    const code = Number(inst?.properties.StatusCode);
    if (MISSING_CLASS_OR_NAMESPACE.statusCodes.has(code)) return true;
  }
  const text = [f.wsmanMessage, f.providerFault?.message, f.reason].filter(Boolean).join(' ');
  return MISSING_CLASS_OR_NAMESPACE.messages.some((r) => r.test(text));
}

/** No job with that InstanceID in the classes searched. */
export class JobNotFoundError extends HypervWsmanError {
  readonly instanceId: string;
  readonly searched: readonly string[];
  constructor(instanceId: string, searched: readonly string[], cause?: WsmanFaultError) {
    const said = cause?.providerFault?.message ?? cause?.wsmanMessage;
    super(
      ErrorCodes.NOT_FOUND,
      `No job with InstanceID "${instanceId}" in ${searched.join(' or ')}${said ? ` (server: ${said.trim()})` : ''}. Check the ID (jobs are removed some minutes after they end: TimeBeforeRemoval).`,
      { cause },
    );
    this.instanceId = instanceId;
    this.searched = searched;
  }
}

/** The job ended unsuccessfully; carries the final job, what GetError said, and the outcome of both. */
export class JobFailedError extends HypervWsmanError {
  readonly job: HypervJob;
  /** GetError's answer; undefined when it was not asked or the call failed (see outcome.notes). */
  readonly jobError: GetErrorResult | undefined;
  readonly outcome: JobOutcome;
  constructor(job: HypervJob, jobError: GetErrorResult | undefined, outcome: JobOutcome = jobError?.outcome ?? jobOutcome(job)) {
    super(ErrorCodes.JOB_FAILED, `Job ${job.instanceId} (${job.className}) ended in state ${job.jobStateName ?? job.jobState}: ${outcome.reason ?? 'no error detail'}`);
    this.job = job;
    this.jobError = jobError;
    this.outcome = outcome;
  }
}

/** The job did not finish before the caller's deadline (it may still be running). */
export class JobTimeoutError extends HypervWsmanError {
  readonly job: HypervJob | undefined;
  constructor(instanceId: string, timeoutMs: number, job: HypervJob | undefined) {
    super(ErrorCodes.JOB_TIMEOUT, `Job ${instanceId} did not finish within ${Math.round(timeoutMs / 1000)} s (last state: ${job?.jobStateName ?? 'unknown'}, ${job?.percentComplete ?? '?'}%). It may still be running.`);
    this.job = job;
  }
}

export interface WaitOptions {
  /** Overall deadline. Default 1 hour. */
  readonly timeoutMs?: number;
  /** First poll interval; grows by 1.5x up to maxPollIntervalMs. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Default 5 s. */
  readonly maxPollIntervalMs?: number;
  readonly onProgress?: (job: HypervJob) => void;
  readonly signal?: AbortSignal;
  /** Fetch GetError when the job fails (default true). */
  readonly fetchError?: boolean;
}

export interface ListJobsOptions {
  /** WQL condition (without WHERE), e.g. "JobState = 10". */
  readonly where?: string;
  readonly classes?: readonly string[];
  readonly maxElements?: number;
  /**
   * At most this many jobs of each class (each class is one enumeration); more throw a ProtocolError.
   * Default none here (the jobs stream one by one); listFleetJobs and the CLI `jobs`, which collect
   * them, default to DEFAULT_COLLECT_MAX_ITEMS.
   */
  readonly maxItems?: number;
}

/** The bound on jobs per class for callers that collect every job of a host (a hostile host can page forever). */
export const DEFAULT_COLLECT_MAX_ITEMS = 20_000;

const num = (v: CimValue | undefined): number | null => {
  if (v === null || v === undefined || Array.isArray(v)) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
};
const str = (v: CimValue | undefined): string | null => (typeof v === 'string' ? v : v === null || v === undefined ? null : Array.isArray(v) ? null : String(v));
const bool = (v: CimValue | undefined): boolean | null => (typeof v === 'boolean' ? v : typeof v === 'string' ? v.toLowerCase() === 'true' : null);
const arr = (v: CimValue | undefined): readonly unknown[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);

/** Typed view of a job instance. */
export function toHypervJob(instance: CimInstance, ref?: JobRef): HypervJob {
  const p = instance.properties;
  const className = instance.className;
  const jobState = num(p.JobState);
  const jobType = num(p.JobType);
  const operationalStatus = arr(p.OperationalStatus).map((x) => num(x as CimValue)).filter((x): x is number => x !== null);
  const instanceId = str(p.InstanceID) ?? '';
  // CIM class names are case-insensitive.
  const isMigration = className.toLowerCase() === 'msvm_migrationjob';
  const job: HypervJob = {
    className,
    instanceId,
    jobState,
    jobStateName: jobState === null ? null : nameOf(JOB_STATE, jobState),
    operationalStatus,
    operationalStatusNames: operationalStatus.map((s) => nameOf(OPERATIONAL_STATUS, s)),
    statusDescriptions: arr(p.StatusDescriptions).map((x) => String(x)),
    percentComplete: num(p.PercentComplete),
    errorCode: num(p.ErrorCode),
    errorDescription: str(p.ErrorDescription),
    errorSummaryDescription: str(p.ErrorSummaryDescription),
    jobType,
    // Each job class has its own JobType list (Msvm_StorageJob: VHD Creation, ...); unknown classes get Msvm_ConcreteJob's.
    jobTypeName: jobType === null ? null : nameOf(schemaFor(className)?.JobType?.valueMap ?? CONCRETE_JOB_TYPE, jobType),
    elementName: str(p.ElementName),
    description: str(p.Description),
    timeSubmitted: p.TimeSubmitted ?? null,
    startTime: p.StartTime ?? null,
    elapsedTime: p.ElapsedTime ?? null,
    timeOfLastStateChange: p.TimeOfLastStateChange ?? null,
    cancellable: bool(p.Cancellable),
    instance,
    ref: ref ?? jobRefFor(className, instanceId),
  };
  if (!isMigration) return job;
  const mt = num(p.MigrationType);
  return {
    ...job,
    migration: {
      migrationType: mt,
      migrationTypeName: mt === null ? null : nameOf(MIGRATION_TYPE, mt),
      virtualSystemName: str(p.VirtualSystemName),
      destinationHost: str(p.DestinationHost),
    },
  };
}

export function jobRefFor(className: string, instanceId: string, namespace = HYPERV_NAMESPACE): JobRef {
  return { className, resourceUri: wmiResourceUri(namespace, className), selectors: { InstanceID: instanceId } };
}

/** Job reference from an EPR (e.g. a method's Job out parameter). */
export function jobRefFromReference(ref: CimReference): JobRef {
  const resourceUri = ref.resourceUri;
  if (!resourceUri) throw new ProtocolError('The job reference carries no ResourceURI.');
  const className = ref.className ?? resourceUri.slice(resourceUri.lastIndexOf('/') + 1);
  // A WMI resource URI already names the namespace; sending __cimnamespace back with it is at best
  // redundant and faults when they differ ([MS-WSMV] 3.1.4.1.1, note <46>).
  const selectors = resourceUri.startsWith(WMI_RESOURCE_PREFIX)
    ? Object.fromEntries(Object.entries(ref.selectors).filter(([k]) => k.toLowerCase() !== '__cimnamespace'))
    : ref.selectors;
  return { className, resourceUri, selectors };
}

/**
 * The job a method started: present when ReturnValue is 4096 and the method has a Job out parameter.
 * The class and selectors come from the reference itself, since services return different job
 * classes (Msvm_StorageJob, ...). Null otherwise: some methods answer 4096 ("Transition Started")
 * with no Job at all, e.g. a job's own RequestStateChange.
 */
export function jobRefFromOutput(out: InvokeOutput): JobRef | null {
  if (out.returnValue !== JOB_STARTED) return null;
  const el = outParams(out.output, 'Job')[0];
  if (!el) return null;
  return jobRefFromReference(decodeEpr(el));
}

export function returnValueName(code: number, table = GET_ERROR_RETURN_CODES): string {
  return nameOf(table, code);
}

export function methodReturnValueName(code: number): string {
  return nameOf(METHOD_RETURN_CODES, code);
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new AbortedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class HypervJobs {
  constructor(
    readonly client: WsmanClient,
    readonly namespace: string = HYPERV_NAMESPACE,
  ) {}

  private ref(className: string, instanceId: string): JobRef {
    return jobRefFor(className, instanceId, this.namespace);
  }

  /**
   * Try each class in turn; a "no such instance" fault moves on to the next, anything else is
   * thrown. A missing class or namespace (no Hyper-V, a typo in the class) answers with the same
   * subcode, so it is told apart and thrown as it is: "no job with that ID" would mislead.
   */
  private async resolve<T>(instanceId: string, jobClass: string | undefined, fn: (ref: JobRef) => Promise<T>): Promise<T> {
    const classes = jobClass ? [jobClass] : [...JOB_CLASSES];
    let last: WsmanFaultError | undefined;
    for (const c of classes) {
      try {
        return await fn(this.ref(c, instanceId));
      } catch (err) {
        if (err instanceof WsmanFaultError && isNotFoundFault(err) && !isMissingClassOrNamespace(err)) {
          last = err;
          continue;
        }
        throw err;
      }
    }
    throw new JobNotFoundError(instanceId, classes, last);
  }

  async getJobByRef(ref: JobRef, signal?: AbortSignal): Promise<HypervJob> {
    const inst = await this.client.getInstance(ref.resourceUri, ref.selectors, schemaFor(ref.className), { signal });
    return toHypervJob(inst, ref);
  }

  /** Get a job by InstanceID; without jobClass, Msvm_ConcreteJob then Msvm_MigrationJob. */
  getJob(instanceId: string, jobClass?: string, signal?: AbortSignal): Promise<HypervJob> {
    return this.resolve(instanceId, jobClass, (ref) => this.getJobByRef(ref, signal));
  }

  /** Jobs of each class (Msvm_MigrationJob is not a subclass of Msvm_ConcreteJob, so both are queried). */
  async *listJobs(options: ListJobsOptions = {}): AsyncGenerator<HypervJob, void, undefined> {
    const classes = options.classes ?? JOB_CLASSES;
    for (const c of classes) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(c)) throw new ProtocolError(`Invalid class name "${c}".`);
      const wql = `SELECT * FROM ${c}${options.where ? ` WHERE ${options.where}` : ''}`;
      const it = this.client.enumerateInstances(wmiResourceUri(this.namespace, '*'), { wql, maxElements: options.maxElements, maxItems: options.maxItems }, (cls) => schemaFor(cls));
      for await (const inst of it) yield toHypervJob(inst, this.ref(inst.className, String(inst.properties.InstanceID ?? '')));
    }
  }

  /**
   * Call GetError or GetErrorEx on the job at `ref`: exactly one request, the reply decoded to typed
   * Msvm_Error instances. The outcome paths below build on it.
   */
  private async callErrorMethod(ref: JobRef, method: ErrorMethod, signal: AbortSignal | undefined): Promise<ErrorAnswer & { returnValue: number; returnValueName: string }> {
    const out = await this.client.invoke(ref.resourceUri, method, { selectors: ref.selectors, idempotent: true }, { signal });
    const returnValue = requireReturnValue(out, method);
    // GetError has one Error out-parameter, GetErrorEx an array Errors[].
    const params = method === 'GetError' ? outParams(out.output, 'Error').slice(0, 1) : outParams(out.output, 'Errors');
    const errors: MsvmError[] = [];
    for (const el of params) {
      const inst = decodeEmbeddedInstanceParam(el, { schema: MSVM_ERROR_SCHEMA });
      if (inst) errors.push(toMsvmError(inst, { namespace: this.namespace }));
    }
    return { method, returnValue, returnValueName: returnValueName(returnValue), errors };
  }

  /**
   * Read the job (unless given), then call its GetError or GetErrorEx. The outcome needs both: the
   * method's answer alone never settles it (a completed job may return Msvm_Error warnings; an
   * empty answer says nothing of JobState), so it can fall back on the job's own ErrorCode/ErrorDescription.
   */
  private async askError(ref: JobRef, method: ErrorMethod, signal: AbortSignal | undefined, job: HypervJob | undefined): Promise<{ job: HypervJob; answer: ErrorAnswer & { returnValue: number; returnValueName: string } }> {
    const current = job ?? (await this.getJobByRef(ref, signal));
    return { job: current, answer: await this.callErrorMethod(ref, method, signal) };
  }

  private static base(ref: JobRef, answer: { returnValue: number; returnValueName: string }): { jobClass: string; instanceId: string; returnValue: number; returnValueName: string } {
    return { jobClass: ref.className, instanceId: ref.selectors.InstanceID ?? '', returnValue: answer.returnValue, returnValueName: answer.returnValueName };
  }

  /** GetError alone on the job at `ref`: one request, no outcome (which needs the job: getErrorByRef). */
  async callGetErrorByRef(ref: JobRef, signal?: AbortSignal): Promise<GetErrorAnswer> {
    const answer = await this.callErrorMethod(ref, 'GetError', signal);
    return { ...HypervJobs.base(ref, answer), error: answer.errors[0] ?? null };
  }

  /**
   * Msvm_ConcreteJob/Msvm_MigrationJob.GetError alone: one request, the job's error as a typed
   * Msvm_Error or null. A null error does not mean the job succeeded: use getError for the outcome.
   */
  callGetError(instanceId: string, jobClass?: string, signal?: AbortSignal): Promise<GetErrorAnswer> {
    return this.resolve(instanceId, jobClass, (ref) => this.callGetErrorByRef(ref, signal));
  }

  /** GetErrorEx alone on the job at `ref`: one request, no outcome (which needs the job: getErrorExByRef). */
  async callGetErrorExByRef(ref: JobRef, signal?: AbortSignal): Promise<GetErrorExAnswer> {
    const answer = await this.callErrorMethod(ref, 'GetErrorEx', signal);
    return { ...HypervJobs.base(ref, answer), errors: answer.errors };
  }

  /** GetErrorEx alone: one request, every error of the job; use getErrorEx for the outcome. */
  callGetErrorEx(instanceId: string, jobClass?: string, signal?: AbortSignal): Promise<GetErrorExAnswer> {
    return this.resolve(instanceId, jobClass, (ref) => this.callGetErrorExByRef(ref, signal));
  }

  /** GetError on the job at `ref`, with the job itself (read first unless given) for the outcome: two requests, or one when `job` is given. */
  async getErrorByRef(ref: JobRef, signal?: AbortSignal, job?: HypervJob): Promise<GetErrorResult> {
    const asked = await this.askError(ref, 'GetError', signal, job);
    return { ...HypervJobs.base(ref, asked.answer), error: asked.answer.errors[0] ?? null, outcome: jobOutcome(asked.job, asked.answer) };
  }

  /** Msvm_ConcreteJob/Msvm_MigrationJob.GetError with the outcome: the job's error as a typed Msvm_Error (or null), and whether and why the job failed. */
  getError(instanceId: string, jobClass?: string, signal?: AbortSignal): Promise<GetErrorResult> {
    return this.resolve(instanceId, jobClass, (ref) => this.getErrorByRef(ref, signal));
  }

  /** GetErrorEx on the job at `ref`, with the job itself (read first unless given) for the outcome. */
  async getErrorExByRef(ref: JobRef, signal?: AbortSignal, job?: HypervJob): Promise<GetErrorExResult> {
    const asked = await this.askError(ref, 'GetErrorEx', signal, job);
    return { ...HypervJobs.base(ref, asked.answer), errors: asked.answer.errors, outcome: jobOutcome(asked.job, asked.answer) };
  }

  /** GetErrorEx: every error of the job (Errors[] of embedded Msvm_Error instances), with the outcome. */
  getErrorEx(instanceId: string, jobClass?: string, signal?: AbortSignal): Promise<GetErrorExResult> {
    return this.resolve(instanceId, jobClass, (ref) => this.getErrorExByRef(ref, signal));
  }

  /** The elements (usually the VM) the job at `ref` affects, through Msvm_AffectedJobElement: one Enumerate. */
  affectedElementsByRef(ref: JobRef, signal?: AbortSignal): Promise<AffectedElement[]> {
    return readAffectedElements(this.client, ref, this.namespace, signal);
  }

  /** As affectedElementsByRef, with a fault or malformed reply returned as `failure` instead of thrown (see askAffectedElements). */
  askAffectedElementsByRef(ref: JobRef, signal?: AbortSignal): Promise<AffectedElementsAnswer> {
    return askAffectedElements(this.client, ref, this.namespace, signal);
  }

  /** The elements a job affects, by InstanceID; without jobClass, Msvm_ConcreteJob then Msvm_MigrationJob. */
  affectedElements(instanceId: string, jobClass?: string, signal?: AbortSignal): Promise<AffectedElement[]> {
    return this.resolve(instanceId, jobClass, (ref) => this.affectedElementsByRef(ref, signal));
  }

  /**
   * Poll until the job reaches a terminal state. Resolves with the final job when it succeeded;
   * throws JobFailedError (carrying GetError's answer) when it did not, JobTimeoutError at the deadline.
   * A WS-Man TimedOut fault during a poll is normal under load and is retried within the deadline.
   */
  async waitForJob(job: JobRef | string, options: WaitOptions = {}): Promise<HypervJob> {
    const timeoutMs = options.timeoutMs ?? 3_600_000;
    const deadline = Date.now() + timeoutMs;
    let interval = options.pollIntervalMs ?? 250;
    const maxInterval = options.maxPollIntervalMs ?? 5000;
    let ref = typeof job === 'string' ? undefined : job;
    let last: HypervJob | undefined;
    const instanceId = typeof job === 'string' ? job : (job.selectors.InstanceID ?? '');
    for (;;) {
      try {
        last = ref ? await this.getJobByRef(ref, options.signal) : await this.getJob(instanceId, undefined, options.signal);
        ref = last.ref;
        options.onProgress?.(last);
      } catch (err) {
        if (!(err instanceof WsmanFaultError && isTimeoutFault(err))) throw err;
      }
      if (last && last.jobState !== null && isTerminalJobState(last.jobState)) {
        const ended = last;
        if (jobOutcome(ended).status === 'succeeded') return ended;
        if (options.fetchError === false) throw new JobFailedError(ended, undefined);
        // The job's own failure is the news; a fault or odd reply while asking why must not hide it
        // (the outcome notes it and keeps the job's own description), but an abort or an
        // auth/connection failure must not be swallowed either.
        const jobError = await this.getErrorByRef(ended.ref, options.signal, ended).catch((err: unknown) => {
          if (err instanceof WsmanFaultError || err instanceof ProtocolError || err instanceof CimDecodeError) return err;
          throw err;
        });
        if (jobError instanceof Error) {
          const failed: ErrorAnswer = { method: 'GetError', returnValue: null, returnValueName: null, errors: [], failure: jobError.message };
          throw new JobFailedError(ended, undefined, jobOutcome(ended, failed));
        }
        throw new JobFailedError(ended, jobError);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new JobTimeoutError(instanceId, timeoutMs, last);
      await sleep(Math.min(interval, left), options.signal);
      interval = Math.min(maxInterval, Math.round(interval * 1.5));
    }
  }
}

function requireReturnValue(out: InvokeOutput, method: string): number {
  if (out.returnValue === null) throw new ProtocolError(`${method} returned no ReturnValue.`);
  return out.returnValue;
}
