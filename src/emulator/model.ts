/**
 * The emulated host's state: Hyper-V jobs (Msvm_ConcreteJob, Msvm_MigrationJob, Msvm_StorageJob)
 * with the Msvm_Error instances their GetError/GetErrorEx return, and the virtual machines
 * (Msvm_ComputerSystem) jobs affect (Msvm_AffectedJobElement). Tests and users mutate it while the
 * server runs. A "progressing" job advances one step each time it is observed (Get, Enumerate/Pull),
 * so polling loops can be tested deterministically, without clocks.
 */
import { randomUUID } from 'node:crypto';
import { InvalidOptionError } from '../errors.js';

export type JobClassName = 'Msvm_ConcreteJob' | 'Msvm_MigrationJob' | 'Msvm_StorageJob';

/** How an out-parameter that is NULL is written: the public record does not show which one Windows uses. */
export type NullErrorForm = 'absent' | 'nil' | 'empty';

/** One Msvm_Error (CIM_Error) instance, as GetError/GetErrorEx return it in CIM-XML. */
export interface MsvmErrorFixture {
  message: string;
  messageId: string;
  messageArguments?: string[];
  /** 0 Unknown, 1 Other, 2 Communications, 3 QoS, 4 Software, 5 Hardware, 6 Environmental, 7 Security, 8 Oversubscription, 9 Unavailable Resource, 10 Unsupported Operation. */
  errorType?: number;
  perceivedSeverity?: number;
  probableCause?: number;
  probableCauseDescription?: string;
  recommendedActions?: string[];
  errorSource?: string;
  owningEntity?: string;
  cimStatusCode?: number;
  cimStatusCodeDescription?: string;
  otherErrorType?: string;
}

export interface JobFixture {
  className: JobClassName;
  /** Key; Hyper-V uses upper-case GUIDs. Matched case-insensitively ([MS-WSMV] 3.1.4.1.2). */
  instanceId: string;
  /** 2 New, 3 Starting, 4 Running, 5 Suspended, 6 Shutting Down, 7 Completed, 8 Terminated, 9 Killed, 10 Exception, 11 Service. */
  jobState: number;
  percentComplete: number;
  errorCode: number;
  errorDescription?: string;
  errorSummaryDescription?: string;
  jobType?: number;
  elementName?: string;
  description?: string;
  startTime?: Date;
  elapsedMs?: number;
  timeSubmitted?: Date;
  /** GetError returns the first, GetErrorEx all; only once the job has stopped (Msvm_ConcreteJob.GetError docs). */
  errors?: MsvmErrorFixture[];
  /** GetError/GetErrorEx ReturnValue; default 0. 32769 emulates Access Denied. */
  getErrorReturnValue?: number;
  migration?: { migrationType: number; virtualSystemName: string; destinationHost: string | null };
  /** Running job that advances PercentComplete on every observation and ends in finalState after `steps`. */
  progress?: { steps: number; finalState: number };
  /** Rendering of a NULL Error/Errors out-parameter; default 'nil'. */
  nullErrorForm?: NullErrorForm;
  /** Add WMI system properties (__CLASS, __PATH, ... CLASSORIGIN="___SYSTEM") to the Msvm_Error CIM-XML; default false. */
  errorXmlSystemProperties?: boolean;
  /** Name (GUID) of each virtual machine the job works on: its Msvm_AffectedJobElement instances. */
  affectedElements?: string[];
}

/** A virtual machine: one Msvm_ComputerSystem instance (keys CreationClassName = Msvm_ComputerSystem, Name). */
export interface VmFixture {
  /** Name: the VM's GUID, upper-case as Hyper-V writes it. Matched case-insensitively. */
  name: string;
  /** ElementName: the name people give the VM. */
  elementName: string;
  /** CIM_EnabledLogicalElement.EnabledState: 2 Enabled (running), 3 Disabled (off), 6 Enabled but Offline (saved), 9 Quiesce (paused). */
  enabledState: number;
}

export const JOB_STATE = {
  new: 2,
  starting: 3,
  running: 4,
  suspended: 5,
  shuttingDown: 6,
  completed: 7,
  terminated: 8,
  killed: 9,
  exception: 10,
  service: 11,
} as const;

const TERMINAL_STATES: ReadonlySet<number> = new Set([7, 8, 9, 10, 32768]);

export function isTerminalJobState(state: number): boolean {
  return TERMINAL_STATES.has(state);
}

/** Each observed step of a progressing job adds this much ElapsedTime (deterministic, no clock). */
const STEP_MS = 1000;

/** RequestStateChange values that stop a job, and the state they lead to (CIM_ConcreteJob.RequestStateChange). */
const STOP_REQUESTS: Readonly<Record<number, number>> = { 4: JOB_STATE.terminated, 5: JOB_STATE.killed };

/**
 * RequestStateChange return values we use. Msvm_ConcreteJob's page has the CIM table (1 Not Supported,
 * 4097 Invalid State Transition); the other job classes' pages list only 0 and 32768..32778.
 */
export const REQUEST_STATE_CHANGE = { completed: 0, notSupported: 1, invalidStateTransition: 4097 } as const;
const OTHER_JOB_REQUEST_STATE_CHANGE = { completed: 0, notSupported: 32770, invalidStateTransition: 32775 } as const;

interface JobRecord {
  /** The job as defined; for a progressing job it describes the outcome reached after the last step. */
  definition: JobFixture;
  step: number;
  stopped?: { state: number; error: MsvmErrorFixture };
}

function key(instanceId: string): string {
  return instanceId.toUpperCase();
}

function cloneFixture(f: JobFixture): JobFixture {
  return {
    ...f,
    affectedElements: f.affectedElements && [...f.affectedElements],
    errors: f.errors?.map((e) => ({ ...e, messageArguments: e.messageArguments && [...e.messageArguments], recommendedActions: e.recommendedActions && [...e.recommendedActions] })),
    migration: f.migration && { ...f.migration },
    progress: f.progress && { ...f.progress },
  };
}

function validate(f: JobFixture): void {
  if (typeof f.instanceId !== 'string' || f.instanceId.trim() === '') throw new InvalidOptionError('A job fixture needs a non-empty instanceId.');
  if (f.progress && (!Number.isInteger(f.progress.steps) || f.progress.steps < 0)) {
    throw new InvalidOptionError(`Job ${f.instanceId}: progress.steps must be a non-negative integer.`);
  }
}

export class JobModel {
  readonly #jobs = new Map<string, JobRecord>();
  readonly #vms = new Map<string, VmFixture>();

  constructor(fixtures: readonly JobFixture[] = [], vms: readonly VmFixture[] = []) {
    for (const f of fixtures) this.add(f);
    for (const vm of vms) this.addVm(vm);
  }

  /** Add a virtual machine; refuses a duplicate Name. */
  addVm(vm: VmFixture): void {
    if (typeof vm.name !== 'string' || vm.name.trim() === '') throw new InvalidOptionError('A VM fixture needs a non-empty name (its GUID).');
    const k = key(vm.name);
    if (this.#vms.has(k)) throw new InvalidOptionError(`A VM with Name ${vm.name} already exists.`);
    this.#vms.set(k, { ...vm });
  }

  removeVm(name: string): boolean {
    return this.#vms.delete(key(name));
  }

  /** The VM with this Name (GUID), compared without regard to case. */
  vm(name: string): VmFixture | undefined {
    const vm = this.#vms.get(key(name));
    return vm && { ...vm };
  }

  /** Every VM, insertion order. */
  listVms(): VmFixture[] {
    return [...this.#vms.values()].map((vm) => ({ ...vm }));
  }

  /** Add a job; refuses a duplicate InstanceID. */
  add(fixture: JobFixture): void {
    validate(fixture);
    const k = key(fixture.instanceId);
    if (this.#jobs.has(k)) throw new InvalidOptionError(`A job with InstanceID ${fixture.instanceId} already exists.`);
    this.#jobs.set(k, { definition: cloneFixture(fixture), step: 0 });
  }

  /** Change a job's definition (className and instanceId stay); progress restarts if `progress` is given. */
  update(instanceId: string, patch: Partial<Omit<JobFixture, 'instanceId' | 'className'>>): void {
    const rec = this.#record(instanceId);
    const next = cloneFixture({ ...rec.definition, ...patch, instanceId: rec.definition.instanceId, className: rec.definition.className });
    validate(next);
    rec.definition = next;
    if (patch.progress !== undefined) rec.step = 0;
    if (patch.jobState !== undefined) delete rec.stopped;
  }

  remove(instanceId: string): boolean {
    return this.#jobs.delete(key(instanceId));
  }

  has(instanceId: string): boolean {
    return this.#jobs.has(key(instanceId));
  }

  /** The job as a client would see it now, without advancing it. */
  get(instanceId: string): JobFixture | undefined {
    const rec = this.#jobs.get(key(instanceId));
    return rec && view(rec);
  }

  /** Every job (current view), optionally of one class; insertion order. */
  list(className?: JobClassName): JobFixture[] {
    const out: JobFixture[] = [];
    for (const rec of this.#jobs.values()) if (className === undefined || rec.definition.className === className) out.push(view(rec));
    return out;
  }

  /** Advance a progressing job by one step, then return its view: what Get and Pull do. */
  observe(instanceId: string): JobFixture | undefined {
    const rec = this.#jobs.get(key(instanceId));
    if (!rec) return undefined;
    const p = rec.definition.progress;
    if (p && rec.step < p.steps && !rec.stopped) rec.step++;
    return view(rec);
  }

  /** Errors GetError/GetErrorEx return now: none while the job has not stopped. */
  errors(instanceId: string): readonly MsvmErrorFixture[] {
    const rec = this.#jobs.get(key(instanceId));
    if (!rec) return [];
    if (rec.stopped) return [rec.stopped.error];
    const v = view(rec);
    return isTerminalJobState(v.jobState) ? (rec.definition.errors ?? []) : [];
  }

  /** Create a job (e.g. the one an asynchronous method returns); a fresh upper-case GUID when none is given. */
  startJob(fixture: Omit<JobFixture, 'instanceId'> & { instanceId?: string }): string {
    const instanceId = fixture.instanceId ?? randomUUID().toUpperCase();
    this.add({ ...fixture, instanceId });
    return instanceId;
  }

  /** CIM_ConcreteJob.RequestStateChange: Terminate (4) and Kill (5) stop a job that is still active. */
  requestStateChange(instanceId: string, requestedState: number): number {
    const rec = this.#record(instanceId);
    const codes = rec.definition.className.toLowerCase() === 'msvm_concretejob' ? REQUEST_STATE_CHANGE : OTHER_JOB_REQUEST_STATE_CHANGE;
    const target = STOP_REQUESTS[requestedState];
    if (target === undefined) return codes.notSupported;
    if (isTerminalJobState(view(rec).jobState)) return codes.invalidStateTransition;
    const name = rec.definition.elementName ?? rec.definition.className;
    rec.stopped = {
      state: target,
      error: {
        message: `The operation '${name}' was canceled by a client request.`,
        messageId: '32768',
        errorType: 1,
        perceivedSeverity: 2,
        cimStatusCode: 1,
        owningEntity: 'Microsoft-Windows-Hyper-V-VMMS',
      },
    };
    return codes.completed;
  }

  #record(instanceId: string): JobRecord {
    const rec = this.#jobs.get(key(instanceId));
    if (!rec) throw new InvalidOptionError(`No job with InstanceID ${instanceId}.`);
    return rec;
  }
}

/** The live state of a job record, as a JobFixture. */
function view(rec: JobRecord): JobFixture {
  const d = rec.definition;
  const p = d.progress;
  const baseElapsed = d.elapsedMs ?? 0;
  let live: JobFixture;
  if (p === undefined) {
    live = { ...d };
  } else if (rec.step < p.steps) {
    live = {
      ...d,
      jobState: isTerminalJobState(d.jobState) ? JOB_STATE.running : d.jobState,
      percentComplete: runningPercent(d.percentComplete, rec.step, p.steps),
      errorCode: 0,
      errorDescription: undefined,
      errorSummaryDescription: undefined,
      elapsedMs: baseElapsed + rec.step * STEP_MS,
    };
  } else {
    const lastPercent = p.steps === 0 ? d.percentComplete : runningPercent(d.percentComplete, p.steps - 1, p.steps);
    live = {
      ...d,
      jobState: p.finalState,
      percentComplete: p.finalState === JOB_STATE.completed ? 100 : lastPercent,
      elapsedMs: baseElapsed + p.steps * STEP_MS,
    };
  }
  if (rec.stopped) {
    live = { ...live, jobState: rec.stopped.state, errorCode: 32768, errorDescription: rec.stopped.error.message, errorSummaryDescription: rec.stopped.error.message };
  }
  return live;
}

function runningPercent(initial: number, step: number, steps: number): number {
  if (steps <= 0) return initial;
  return Math.min(99, Math.floor(initial + ((100 - initial) * step) / steps));
}
