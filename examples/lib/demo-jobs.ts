/**
 * Jobs the examples add to the emulated host on top of its default fixtures: a live migration that is
 * still running when first looked at and fails after a few polls, under a fixed InstanceID so the
 * Ansible playbook (examples/ansible/playbook.yml) can name it.
 */
import { FIXTURE_VMS, liveMigrationError, type JobFixture, type JobModel } from '../../src/emulator/index.js';

export const DEMO_JOB_IDS = {
  /** Msvm_MigrationJob: Running, then Exception with a refused-connection Msvm_Error. */
  failingMigration: 'D2B7C4E9-1F6A-4B83-9E0D-7A5C3F8B2E16',
} as const;

/** Polls (Get) it takes to reach its final state. */
export const DEMO_MIGRATION_STEPS = 3;

export function failingMigrationJob(instanceId: string = DEMO_JOB_IDS.failingMigration, now: Date = new Date()): JobFixture {
  const vm = FIXTURE_VMS.migrating;
  const error = liveMigrationError(vm.name, vm.id, 'HV-EMU01', 'HV-EMU07');
  return {
    className: 'Msvm_MigrationJob',
    instanceId,
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
    migration: { migrationType: 32768, virtualSystemName: vm.id, destinationHost: 'HV-EMU07' },
    errors: [error],
    progress: { steps: DEMO_MIGRATION_STEPS, finalState: 10 },
  };
}

/** Add the demo jobs (again, fresh) to a running emulated host. */
export function addDemoJobs(model: JobModel): void {
  model.remove(DEMO_JOB_IDS.failingMigration);
  model.add(failingMigrationJob());
}
