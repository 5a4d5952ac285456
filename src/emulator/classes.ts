/**
 * The slice of root\virtualization\v2 the emulator knows: the three job classes with every property
 * and its CIM type (MicrosoftDocs msvm-concretejob.md, msvm-migrationjob.md, msvm-storagejob.md), the
 * superclasses a WQL query may name, the other classes that exist (so their absence of instances is
 * "not found" rather than "no such class"), and the methods each class answers.
 */
import { HYPERV_NAMESPACE, WMI_RESOURCE_PREFIX } from '../wsman/namespaces.js';
import type { JobClassName, JobFixture, VmFixture } from './model.js';

/** CIM types used by the job classes; 'interval' is a datetime holding a duration. */
export type CimKind = 'string' | 'boolean' | 'uint8' | 'sint8' | 'uint16' | 'uint32' | 'datetime' | 'interval' | 'string[]' | 'uint16[]';

/** A property value: Date for timestamps, number of milliseconds for intervals, null for NULL. */
export type PropValue = string | number | boolean | Date | readonly string[] | readonly number[] | null;

export type PropertyBag = Readonly<Record<string, PropValue>>;

/** CIM_ManagedSystemElement's properties (with CIM_ManagedElement's), first in every Msvm MOF of a job or service. */
export const MANAGED_SYSTEM_ELEMENT: Readonly<Record<string, CimKind>> = {
  InstanceID: 'string',
  Caption: 'string',
  Description: 'string',
  ElementName: 'string',
  InstallDate: 'datetime',
  Name: 'string',
  OperationalStatus: 'uint16[]',
  StatusDescriptions: 'string[]',
  Status: 'string',
  HealthState: 'uint16',
  CommunicationStatus: 'uint16',
  DetailedStatus: 'uint16',
  OperatingStatus: 'uint16',
  PrimaryStatus: 'uint16',
};

// CIM_ConcreteJob as Hyper-V implements it (Msvm_ConcreteJob MOF).
const CONCRETE_JOB: Readonly<Record<string, CimKind>> = {
  ...MANAGED_SYSTEM_ELEMENT,
  JobStatus: 'string',
  TimeSubmitted: 'datetime',
  ScheduledStartTime: 'datetime',
  StartTime: 'datetime',
  ElapsedTime: 'interval',
  JobRunTimes: 'uint32',
  RunMonth: 'uint8',
  RunDay: 'sint8',
  RunDayOfWeek: 'sint8',
  RunStartInterval: 'interval',
  LocalOrUtcTime: 'uint16',
  UntilTime: 'datetime',
  Notify: 'string',
  Owner: 'string',
  Priority: 'uint32',
  PercentComplete: 'uint16',
  DeleteOnCompletion: 'boolean',
  ErrorCode: 'uint16',
  ErrorDescription: 'string',
  ErrorSummaryDescription: 'string',
  RecoveryAction: 'uint16',
  OtherRecoveryAction: 'string',
  JobState: 'uint16',
  TimeOfLastStateChange: 'datetime',
  TimeBeforeRemoval: 'interval',
  Cancellable: 'boolean',
  JobType: 'uint16',
};

export const JOB_CLASS_PROPERTIES: Readonly<Record<JobClassName, Readonly<Record<string, CimKind>>>> = {
  Msvm_ConcreteJob: CONCRETE_JOB,
  Msvm_MigrationJob: {
    ...CONCRETE_JOB,
    MigrationType: 'uint16',
    VirtualSystemName: 'string',
    DestinationHost: 'string',
    NewSystemSettingData: 'string',
    NewResourceSettingData: 'string[]',
  },
  Msvm_StorageJob: { ...CONCRETE_JOB, Child: 'string', JobCompletionStatusCode: 'uint32', Parent: 'string' },
};

export const JOB_CLASSES: readonly JobClassName[] = ['Msvm_ConcreteJob', 'Msvm_MigrationJob', 'Msvm_StorageJob'];

/** Superclasses of every job class: a query FROM one of them returns jobs of all three classes. */
const JOB_SUPERCLASSES = ['CIM_ConcreteJob', 'CIM_Job', 'CIM_LogicalElement', 'CIM_ManagedSystemElement', 'CIM_ManagedElement'];

/**
 * Msvm_ComputerSystem as the emulator keeps it: a slice of the class's properties (MicrosoftDocs
 * msvm-computersystem.md), enough for a VM's identity and state.
 */
export const COMPUTER_SYSTEM_PROPERTIES: Readonly<Record<string, CimKind>> = {
  Caption: 'string',
  CreationClassName: 'string',
  Description: 'string',
  ElementName: 'string',
  EnabledState: 'uint16',
  HealthState: 'uint16',
  InstallDate: 'datetime',
  Name: 'string',
  OperationalStatus: 'uint16[]',
  RequestedState: 'uint16',
  StatusDescriptions: 'string[]',
};

export const COMPUTER_SYSTEM = 'Msvm_ComputerSystem';
/** Classes whose instances include the VMs (Msvm_ComputerSystem's superclasses). */
const COMPUTER_SYSTEM_SUPERCLASSES = ['CIM_ComputerSystem', 'CIM_System', 'CIM_EnabledLogicalElement'];

/** The association between a job and what it works on (Msvm_AffectedJobElement page), and its DMTF superclass. */
export const AFFECTED_JOB_ELEMENT = 'Msvm_AffectedJobElement';
const AFFECTED_JOB_ELEMENT_CLASSES = [AFFECTED_JOB_ELEMENT, 'CIM_AffectedJobElement'];

/** Classes that exist in the namespace but have no instances in the emulator. */
const OTHER_CLASSES = [
  'Msvm_VirtualSystemSettingData',
  'Msvm_VirtualSystemManagementService',
  'Msvm_VirtualSystemMigrationService',
  'Msvm_VirtualSystemMigrationSettingData',
  'Msvm_ImageManagementService',
  'Msvm_Error',
  'CIM_Error',
];

/** Methods the emulator answers, per class (case-insensitive lookups go through canonical names). */
export const CLASS_METHODS: Readonly<Record<string, readonly string[]>> = {
  Msvm_ConcreteJob: ['GetError', 'GetErrorEx', 'RequestStateChange', 'KillJob'],
  Msvm_MigrationJob: ['GetError', 'GetErrorEx', 'RequestStateChange', 'KillJob'],
  Msvm_StorageJob: ['GetError', 'GetErrorEx', 'RequestStateChange', 'KillJob'],
  Msvm_VirtualSystemMigrationService: ['MigrateVirtualSystemToHost'],
  Msvm_ImageManagementService: ['ResizeVirtualHardDisk'],
};

const CANONICAL = new Map<string, string>(
  [...JOB_CLASSES, ...JOB_SUPERCLASSES, COMPUTER_SYSTEM, ...COMPUTER_SYSTEM_SUPERCLASSES, ...AFFECTED_JOB_ELEMENT_CLASSES, ...OTHER_CLASSES].map((c) => [c.toLowerCase(), c]),
);

/** Canonical spelling of a class in the namespace (WMI class names are case-insensitive), or undefined. */
export function canonicalClassName(name: string): string | undefined {
  return CANONICAL.get(name.toLowerCase());
}

/** Job classes whose instances a query or enumeration of `className` returns (polymorphism, [MS-WSMV] 3.1.4.1.27). */
export function jobClassesFor(className: string): readonly JobClassName[] {
  const c = canonicalClassName(className);
  if (c === undefined) return [];
  if ((JOB_CLASSES as readonly string[]).includes(c)) return [c as JobClassName];
  return JOB_SUPERCLASSES.includes(c) ? JOB_CLASSES : [];
}

/** True when an enumeration or query of `className` returns the VMs (Msvm_ComputerSystem or a superclass). */
export function includesVms(className: string): boolean {
  const c = canonicalClassName(className);
  return c === COMPUTER_SYSTEM || (c !== undefined && COMPUTER_SYSTEM_SUPERCLASSES.includes(c));
}

/** True for Msvm_AffectedJobElement and its superclass CIM_AffectedJobElement. */
export function isAffectedJobElementClass(className: string): boolean {
  const c = canonicalClassName(className);
  return c !== undefined && AFFECTED_JOB_ELEMENT_CLASSES.includes(c);
}

/** Every property of a VM's Msvm_ComputerSystem instance with its current value. */
export function vmProperties(vm: VmFixture): PropertyBag {
  return {
    Caption: 'Virtual Machine',
    CreationClassName: COMPUTER_SYSTEM,
    Description: 'Microsoft Virtual Machine',
    ElementName: vm.elementName,
    EnabledState: vm.enabledState,
    HealthState: 5,
    InstallDate: null,
    Name: vm.name,
    OperationalStatus: [2],
    // 5 No Change: no state change pending (CIM_EnabledLogicalElement.RequestedState).
    RequestedState: 5,
    StatusDescriptions: ['Operating normally'],
  };
}

/** Properties a query against `className` may name: for a superclass, those all job classes share. */
export function queryableProperties(className: string): Readonly<Record<string, CimKind>> {
  if (includesVms(className)) return COMPUTER_SYSTEM_PROPERTIES;
  const classes = jobClassesFor(className);
  if (classes.length === 1) return JOB_CLASS_PROPERTIES[classes[0]!];
  return CONCRETE_JOB;
}

export function classResourceUri(className: string): string {
  return `${WMI_RESOURCE_PREFIX}${HYPERV_NAMESPACE}/${className}`;
}

/** WMI's NULL datetime (16010101000000.000000-000) shows up in InstallDate of every Hyper-V job. */
const WMI_ZERO_DATE = new Date(Date.UTC(1601, 0, 1));

/** OperationalStatus / Status / StatusDescriptions by JobState (CIM_ManagedSystemElement value maps). */
const STATUS_BY_STATE: Readonly<Record<number, { operational: number; status: string; description: string }>> = {
  8: { operational: 10, status: 'Stopped', description: 'Stopped' },
  9: { operational: 14, status: 'Stopped', description: 'Aborted' },
  10: { operational: 6, status: 'Error', description: 'Error' },
};
const STATUS_OK = { operational: 2, status: 'OK', description: 'OK' };

/** JobStatus text by JobState. */
const JOB_STATUS_TEXT: Readonly<Record<number, string>> = {
  2: 'Job is new.',
  3: 'Job is starting.',
  4: 'Job is running.',
  5: 'Job is suspended.',
  6: 'Job is shutting down.',
  7: 'Job completed successfully.',
  8: 'Job was terminated.',
  9: 'Job was killed.',
  10: 'Job failed.',
  11: 'Job is in service.',
};

/** Every property of the job's class with its current value. */
export function jobProperties(job: JobFixture, computerName: string): PropertyBag {
  const status = STATUS_BY_STATE[job.jobState] ?? STATUS_OK;
  const start = job.startTime ?? null;
  const submitted = job.timeSubmitted ?? start;
  const elapsed = job.elapsedMs ?? 0;
  const name = job.elementName ?? null;
  const base: Record<string, PropValue> = {
    InstanceID: job.instanceId,
    Caption: name,
    Description: job.description ?? name,
    ElementName: name,
    InstallDate: WMI_ZERO_DATE,
    Name: name,
    OperationalStatus: [status.operational],
    StatusDescriptions: [status.description],
    Status: status.status,
    HealthState: 5,
    CommunicationStatus: null,
    DetailedStatus: null,
    OperatingStatus: null,
    PrimaryStatus: null,
    JobStatus: JOB_STATUS_TEXT[job.jobState] ?? null,
    TimeSubmitted: submitted,
    ScheduledStartTime: submitted,
    StartTime: start,
    ElapsedTime: elapsed,
    JobRunTimes: 1,
    RunMonth: 0,
    RunDay: 0,
    RunDayOfWeek: 0,
    RunStartInterval: 0,
    LocalOrUtcTime: 2,
    UntilTime: null,
    Notify: null,
    Owner: `${computerName}\\Administrator`,
    Priority: 0,
    PercentComplete: job.percentComplete,
    DeleteOnCompletion: true,
    ErrorCode: job.errorCode,
    ErrorDescription: job.errorDescription ?? null,
    ErrorSummaryDescription: job.errorSummaryDescription ?? null,
    RecoveryAction: 3,
    OtherRecoveryAction: null,
    JobState: job.jobState,
    TimeOfLastStateChange: start && new Date(start.getTime() + elapsed),
    TimeBeforeRemoval: 5 * 60 * 1000,
    Cancellable: true,
    JobType: job.jobType ?? 0,
  };
  if (job.className === 'Msvm_MigrationJob') {
    base.MigrationType = job.migration?.migrationType ?? 0;
    base.VirtualSystemName = job.migration?.virtualSystemName ?? null;
    base.DestinationHost = job.migration?.destinationHost ?? null;
    base.NewSystemSettingData = null;
    base.NewResourceSettingData = null;
  } else if (job.className === 'Msvm_StorageJob') {
    base.Child = null;
    base.Parent = null;
    base.JobCompletionStatusCode = job.errorCode === 0 ? 0 : 0x80004005;
  }
  return base;
}
