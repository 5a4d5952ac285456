/**
 * Jobs the examples add to the emulated host on top of its default fixtures: a live migration that is
 * still running when first looked at and fails after a few polls, under a fixed InstanceID so the
 * Ansible playbook (examples/ansible/playbook.yml) can name it.
 */
import { FIXTURE_VMS, STARTED_JOB_STEPS, startedMigrationJob, type JobFixture, type JobModel } from '../../src/emulator/index.js';

export const DEMO_JOB_IDS = {
  /** Msvm_MigrationJob: Running, then Exception with a refused-connection Msvm_Error. */
  failingMigration: 'D2B7C4E9-1F6A-4B83-9E0D-7A5C3F8B2E16',
} as const;

/** Polls (Get) it takes to reach its final state. */
export const DEMO_MIGRATION_STEPS = STARTED_JOB_STEPS.migration;

/** The same failing live migration the emulated MigrateVirtualSystemToHost starts, under a known ID. */
export function failingMigrationJob(instanceId: string = DEMO_JOB_IDS.failingMigration, now: Date = new Date()): JobFixture {
  const vm = FIXTURE_VMS.migrating;
  return { ...startedMigrationJob(vm.name, vm.id, 'HV-EMU01', 'HV-EMU07', now), instanceId };
}

/** Add the demo jobs (again, fresh) to a running emulated host. */
export function addDemoJobs(model: JobModel): void {
  model.remove(DEMO_JOB_IDS.failingMigration);
  model.add(failingMigrationJob());
}
