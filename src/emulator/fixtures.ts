/**
 * Default jobs of the emulated host: one per situation a Hyper-V automation meets (completed, running,
 * failed with an Msvm_Error, terminated, killed, failed/completed live migration, two errors, GetError
 * refused, a failed job whose error the host no longer keeps, a job that progresses while polled, a
 * storage job), and the jobs that the emulated
 * asynchronous methods start. Messages follow Hyper-V's wording; the failed job's text carries
 * <, &, quotes and CJK so escaping is exercised at both layers (SOAP and the embedded CIM-XML).
 */
import type { JobFixture, MsvmErrorFixture, VmFixture } from './model.js';

/** InstanceIDs of DEFAULT_JOBS (upper-case GUIDs, as Hyper-V writes them). */
export const FIXTURE_JOB_IDS = {
  completedConcrete: '2D9C5E1B-7A43-4F0E-9B61-3C8A0F5D7E24',
  runningConcrete: '8F1A6C3D-0B5E-4A7F-8D29-6E4B1C0A9F53',
  failedConcrete: '4E7B2A9C-5D1F-4C83-A6E0-9B3D7F2C1A68',
  terminated: 'A3C9E5F1-6B2D-4E08-9F47-1D8B5A3C7E90',
  killed: 'C7D2B8E4-0F6A-4B39-8E15-4A9C2D7F3B61',
  failedMigration: '7C4D1E8A-3F6B-4A92-B5D0-2E9F6C1A4B37',
  completedMigration: 'E6B3F0A7-9C2D-4158-8E4A-5F1B7D3C9A02',
  twoErrors: '1B8F4D7C-2E9A-4C65-93F1-8A6D0E2B5C79',
  accessDenied: '9D2E7A4F-8B1C-4D36-A5E9-0C7F3B6D2A81',
  progressing: '3A6F9C2E-4D8B-4E17-B0A5-7C1E9F4D6B23',
  storage: '6E0C3B9D-1A7F-4B52-8C4E-2D9A5F1B7E36',
  /** Failed, but GetError answers 0 with a NULL Error: the host no longer keeps the Msvm_Error. */
  failedNoDetails: 'F1A5D3C8-2B7E-4C94-8A60-3D5E9B1F7C42',
} as const;

/** Virtual machines the fixtures talk about. */
export const FIXTURE_VMS = {
  /** Name with markup characters, quotes and CJK. */
  failed: { name: 'web<01> & "db" 仮想マシン', id: 'B6E2F8A1-4C3D-4E9F-A0B7-5D1C8E3F2A64' },
  migrating: { name: 'sql02', id: '0F4C8A2E-6B1D-4F73-9A5C-3E8D2B7F1C90' },
  multi: { name: 'app03', id: '5A1E9C7B-3D2F-4B86-8F0A-6C4E1D9B2A75' },
} as const;

/** The fixture VMs as Msvm_ComputerSystem instances: web01 running, sql02 off, app03 running. */
export const DEFAULT_VMS: readonly VmFixture[] = [
  { name: FIXTURE_VMS.failed.id, elementName: FIXTURE_VMS.failed.name, enabledState: 2 },
  { name: FIXTURE_VMS.migrating.id, elementName: FIXTURE_VMS.migrating.name, enabledState: 3 },
  { name: FIXTURE_VMS.multi.id, elementName: FIXTURE_VMS.multi.name, enabledState: 2 },
];

const OWNER = 'Microsoft-Windows-Hyper-V-VMMS';
const T0 = Date.UTC(2026, 10, 20, 10, 15, 0, 123);
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);

function vmPath(vmId: string, computerName = 'HV-EMU01'): string {
  return `\\\\${computerName}\\root\\virtualization\\v2:Msvm_ComputerSystem.CreationClassName="Msvm_ComputerSystem",Name="${vmId}"`;
}

const failedVm = FIXTURE_VMS.failed;
const FAILED_MODIFY: MsvmErrorFixture = {
  message: `'${failedVm.name}' failed to modify device 'Virtual Hard Disk'. (Virtual machine ID ${failedVm.id})`,
  messageId: '32768',
  messageArguments: [failedVm.name, 'Virtual Hard Disk', failedVm.id],
  errorType: 4,
  perceivedSeverity: 3,
  probableCause: 47,
  recommendedActions: ['Check that the virtual hard disk exists & that the account "NT VIRTUAL MACHINE\\<VM ID>" can open it.'],
  errorSource: vmPath(failedVm.id),
  owningEntity: OWNER,
  cimStatusCode: 1,
  cimStatusCodeDescription: 'CIM_ERR_FAILED',
};

const migratingVm = FIXTURE_VMS.migrating;

/** The Msvm_Error of a live migration refused by the destination (Hyper-V event 21502 wording). */
export function liveMigrationError(vmName: string, vmId: string, sourceHost: string, destinationHost: string): MsvmErrorFixture {
  return {
    message: `Virtual machine migration operation for '${vmName}' failed at migration source '${sourceHost}'. (Virtual machine ID ${vmId})`,
    messageId: '21502',
    messageArguments: [vmName, sourceHost, vmId, destinationHost],
    errorType: 2,
    perceivedSeverity: 3,
    probableCause: 5,
    probableCauseDescription: `The Virtual Machine Management Service failed to establish a connection for a Virtual Machine migration with host '${destinationHost}': No connection could be made because the target machine actively refused it. (0x8007274D).`,
    errorSource: vmPath(vmId, sourceHost),
    owningEntity: OWNER,
    cimStatusCode: 1,
  };
}

const multiVm = FIXTURE_VMS.multi;
const TWO_ERRORS: MsvmErrorFixture[] = [
  {
    message: `'${multiVm.name}' failed to add device 'Synthetic SCSI Controller'. (Virtual machine ID ${multiVm.id})`,
    messageId: '32768',
    messageArguments: [multiVm.name, 'Synthetic SCSI Controller', multiVm.id],
    errorType: 4,
    perceivedSeverity: 3,
    errorSource: vmPath(multiVm.id),
    owningEntity: OWNER,
    cimStatusCode: 1,
  },
  {
    message: `'${multiVm.name}': Failed to open attachment 'C:\\ClusterStorage\\Volume1\\${multiVm.name}\\disk1.vhdx'. Error: 'The system cannot find the file specified.' (0x80070002). (Virtual machine ID ${multiVm.id})`,
    messageId: '32768',
    messageArguments: [multiVm.name, `C:\\ClusterStorage\\Volume1\\${multiVm.name}\\disk1.vhdx`, 'The system cannot find the file specified.', '0x80070002', multiVm.id],
    errorType: 9,
    perceivedSeverity: 3,
    probableCause: 73,
    errorSource: vmPath(multiVm.id),
    owningEntity: OWNER,
    cimStatusCode: 1,
  },
];

/** Msvm_StorageJob.JobType 4; a growing resize is the closest documented type (not captured from a host). */
const STORAGE_JOB_EXPANSION = 4;

const MODIFY = { jobType: 31, elementName: 'Modify Resource Settings', description: 'Modifying Resource Settings' } as const;

export const DEFAULT_JOBS: readonly JobFixture[] = [
  {
    className: 'Msvm_ConcreteJob',
    instanceId: FIXTURE_JOB_IDS.completedConcrete,
    affectedElements: [FIXTURE_VMS.multi.id],
    jobState: 7,
    percentComplete: 100,
    errorCode: 0,
    ...MODIFY,
    startTime: at(0),
    timeSubmitted: at(0),
    elapsedMs: 1_234,
  },
  {
    className: 'Msvm_ConcreteJob',
    instanceId: FIXTURE_JOB_IDS.runningConcrete,
    affectedElements: [FIXTURE_VMS.migrating.id],
    jobState: 4,
    percentComplete: 40,
    errorCode: 0,
    jobType: 70,
    elementName: 'Create Virtual Machine Snapshot',
    description: 'Creating Virtual Machine Snapshot',
    startTime: at(5),
    timeSubmitted: at(5),
    elapsedMs: 42_000,
  },
  {
    className: 'Msvm_ConcreteJob',
    instanceId: FIXTURE_JOB_IDS.failedConcrete,
    affectedElements: [FIXTURE_VMS.failed.id],
    jobState: 10,
    percentComplete: 100,
    errorCode: 32768,
    errorDescription: FAILED_MODIFY.message,
    errorSummaryDescription: "Failed to modify device 'Virtual Hard Disk'.",
    ...MODIFY,
    startTime: at(10),
    timeSubmitted: at(10),
    elapsedMs: 3_500,
    errors: [FAILED_MODIFY],
  },
  {
    className: 'Msvm_ConcreteJob',
    instanceId: FIXTURE_JOB_IDS.terminated,
    affectedElements: [FIXTURE_VMS.multi.id],
    jobState: 8,
    percentComplete: 60,
    errorCode: 32768,
    errorDescription: "The operation 'Export Virtual Machine' was canceled by a client request.",
    jobType: 61,
    elementName: 'Export Virtual Machine',
    startTime: at(15),
    elapsedMs: 90_000,
    errors: [
      {
        message: "The operation 'Export Virtual Machine' was canceled by a client request.",
        messageId: '32768',
        errorType: 1,
        perceivedSeverity: 2,
        owningEntity: OWNER,
        cimStatusCode: 1,
      },
    ],
  },
  {
    className: 'Msvm_ConcreteJob',
    instanceId: FIXTURE_JOB_IDS.killed,
    jobState: 9,
    percentComplete: 10,
    errorCode: 32768,
    errorDescription: 'The job was killed.',
    jobType: 60,
    elementName: 'Import Virtual Machine',
    startTime: at(20),
    elapsedMs: 5_000,
    errors: [{ message: 'The job was killed.', messageId: '32768', errorType: 1, perceivedSeverity: 2, owningEntity: OWNER, cimStatusCode: 1 }],
  },
  {
    className: 'Msvm_MigrationJob',
    instanceId: FIXTURE_JOB_IDS.failedMigration,
    jobState: 10,
    percentComplete: 12,
    errorCode: 32768,
    errorDescription: liveMigrationError(migratingVm.name, migratingVm.id, 'HV-EMU01', 'HV-EMU02').message,
    errorSummaryDescription: 'Virtual machine migration operation failed.',
    jobType: 305,
    elementName: 'Moving Virtual Machine',
    description: 'Moving Virtual Machine',
    startTime: at(25),
    elapsedMs: 21_000,
    migration: { migrationType: 32768, virtualSystemName: migratingVm.id, destinationHost: 'HV-EMU02' },
    errors: [liveMigrationError(migratingVm.name, migratingVm.id, 'HV-EMU01', 'HV-EMU02')],
  },
  {
    className: 'Msvm_MigrationJob',
    instanceId: FIXTURE_JOB_IDS.completedMigration,
    jobState: 7,
    percentComplete: 100,
    errorCode: 0,
    jobType: 305,
    elementName: 'Moving Virtual Machine',
    description: 'Moving Virtual Machine',
    startTime: at(30),
    elapsedMs: 48_000,
    migration: { migrationType: 32768, virtualSystemName: migratingVm.id, destinationHost: 'HV-EMU03' },
  },
  {
    className: 'Msvm_ConcreteJob',
    instanceId: FIXTURE_JOB_IDS.twoErrors,
    affectedElements: [FIXTURE_VMS.multi.id],
    jobState: 10,
    percentComplete: 100,
    errorCode: 32768,
    errorDescription: TWO_ERRORS[0]!.message,
    jobType: 30,
    elementName: 'Add Resource Settings',
    description: 'Adding Resource Settings',
    startTime: at(35),
    elapsedMs: 2_000,
    errors: TWO_ERRORS,
  },
  {
    className: 'Msvm_ConcreteJob',
    instanceId: FIXTURE_JOB_IDS.accessDenied,
    affectedElements: [FIXTURE_VMS.failed.id],
    jobState: 10,
    percentComplete: 100,
    errorCode: 32768,
    errorDescription: FAILED_MODIFY.message,
    ...MODIFY,
    startTime: at(40),
    elapsedMs: 1_000,
    errors: [FAILED_MODIFY],
    getErrorReturnValue: 32769,
  },
  {
    className: 'Msvm_ConcreteJob',
    instanceId: FIXTURE_JOB_IDS.progressing,
    affectedElements: [FIXTURE_VMS.migrating.id],
    jobState: 4,
    percentComplete: 0,
    errorCode: 0,
    jobType: 12,
    elementName: 'Start Virtual Machine',
    description: 'Starting Virtual Machine',
    startTime: at(45),
    elapsedMs: 0,
    progress: { steps: 4, finalState: 7 },
  },
  {
    className: 'Msvm_StorageJob',
    instanceId: FIXTURE_JOB_IDS.storage,
    jobState: 7,
    percentComplete: 100,
    errorCode: 0,
    // Msvm_StorageJob's own JobType list: Expansion (4), "Expanding the size of a VHD image" (msvm-storagejob.md).
    jobType: STORAGE_JOB_EXPANSION,
    elementName: 'Resize Virtual Hard Disk',
    description: 'Resizing Virtual Hard Disk',
    startTime: at(50),
    elapsedMs: 7_500,
  },
  {
    className: 'Msvm_ConcreteJob',
    instanceId: FIXTURE_JOB_IDS.failedNoDetails,
    affectedElements: [FIXTURE_VMS.migrating.id],
    jobState: 10,
    percentComplete: 30,
    errorCode: 32768,
    errorDescription: "'sql02' failed to start. (Virtual machine ID 0F4C8A2E-6B1D-4F73-9A5C-3E8D2B7F1C90)",
    errorSummaryDescription: "'sql02' failed to start.",
    jobType: 12,
    elementName: 'Start Virtual Machine',
    description: 'Starting Virtual Machine',
    startTime: at(55),
    elapsedMs: 4_000,
    // No errors: GetError answers 0 with a NULL Error, as after the host dropped the details.
  },
];

/** Steps the jobs started by emulated methods take before they end. */
export const STARTED_JOB_STEPS = { migration: 3, resize: 2 } as const;

/** The Msvm_MigrationJob MigrateVirtualSystemToHost starts: it progresses, then fails like a refused live migration. */
export function startedMigrationJob(vmName: string, vmId: string, sourceHost: string, destinationHost: string, now: Date): Omit<JobFixture, 'instanceId'> {
  const error = liveMigrationError(vmName, vmId, sourceHost, destinationHost);
  return {
    className: 'Msvm_MigrationJob',
    jobState: 4,
    percentComplete: 0,
    errorCode: 32768,
    errorDescription: error.message,
    errorSummaryDescription: 'Virtual machine migration operation failed.',
    jobType: 305,
    elementName: 'Moving Virtual Machine',
    description: 'Moving Virtual Machine',
    startTime: now,
    timeSubmitted: now,
    elapsedMs: 0,
    migration: { migrationType: 32768, virtualSystemName: vmId, destinationHost },
    errors: [error],
    progress: { steps: STARTED_JOB_STEPS.migration, finalState: 10 },
  };
}

/** The Msvm_StorageJob ResizeVirtualHardDisk starts: it progresses, then completes. */
export function startedResizeJob(now: Date): Omit<JobFixture, 'instanceId'> {
  return {
    className: 'Msvm_StorageJob',
    jobState: 4,
    percentComplete: 0,
    errorCode: 0,
    // Msvm_StorageJob's own JobType list: Expansion (4), "Expanding the size of a VHD image" (msvm-storagejob.md).
    jobType: STORAGE_JOB_EXPANSION,
    elementName: 'Resize Virtual Hard Disk',
    description: 'Resizing Virtual Hard Disk',
    startTime: now,
    timeSubmitted: now,
    elapsedMs: 0,
    progress: { steps: STARTED_JOB_STEPS.resize, finalState: 7 },
  };
}
