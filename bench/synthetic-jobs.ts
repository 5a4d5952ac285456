/**
 * Synthetic jobs for the scale benchmarks: N jobs on one emulated host (enumerate.ts) or M jobs on each
 * of many hosts (fleet.ts). Deterministic InstanceIDs; every tenth job failed, as on a busy host.
 */
import { liveMigrationError, type JobFixture } from '../src/emulator/index.js';

const T0 = new Date('2026-12-01T08:00:00Z');

function instanceId(host: number, j: number): string {
  return `${host.toString(16).padStart(8, '0')}-0000-4000-8000-${j.toString(16).padStart(12, '0')}`.toUpperCase();
}

/** `count` Msvm_ConcreteJob instances (every tenth in Exception with an ErrorCode). */
export function syntheticConcreteJobs(count: number, host = 0): JobFixture[] {
  return Array.from({ length: count }, (_, j): JobFixture => {
    const failed = j % 10 === 9;
    return {
      className: 'Msvm_ConcreteJob',
      instanceId: instanceId(host, j),
      jobState: failed ? 10 : 7,
      percentComplete: failed ? 40 : 100,
      errorCode: failed ? 32768 : 0,
      ...(failed ? { errorDescription: "'vm01' failed to modify device 'Virtual Hard Disk'." } : {}),
      jobType: 31,
      elementName: 'Modify Resource Settings',
      description: 'Modifying resource settings',
      timeSubmitted: new Date(T0.getTime() + j * 1000),
      startTime: new Date(T0.getTime() + j * 1000 + 50),
      elapsedMs: 1200,
    };
  });
}

/** `count` jobs for fleet host `host`: every tenth a failed Msvm_MigrationJob carrying an Msvm_Error, the rest completed Msvm_ConcreteJob. */
export function syntheticFleetJobs(count: number, host: number): JobFixture[] {
  return Array.from({ length: count }, (_, j): JobFixture => {
    const id = instanceId(host, j);
    if (j % 10 === 9) {
      return { className: 'Msvm_MigrationJob', instanceId: id, jobState: 10, percentComplete: 40, errorCode: 32768, errorDescription: 'Migration failed', errors: [liveMigrationError(`vm${j}`, id, `HV${host}`, 'HV-DEST')], migration: { migrationType: 32768, virtualSystemName: id, destinationHost: 'HV-DEST' } };
    }
    return { className: 'Msvm_ConcreteJob', instanceId: id, jobState: 7, percentComplete: 100, errorCode: 0, jobType: 31, elementName: 'Modify Resource Settings' };
  });
}
