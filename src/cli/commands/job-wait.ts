/** `hyperv-wsman job-wait --job-id ID`: follow a job to its end; the exit code says how it ended. */
import type { Argv } from 'yargs';
import { InvalidOptionError } from '../../errors.js';
import { HypervJobs, jobRefFor, type JobRef } from '../../hyperv/jobs.js';
import { defineCommand } from '../command.js';
import { withConnectionOptions, type ConnectionArgs } from '../connection.js';
import { waitAndReport, waitTiming, withWaitOptions, type WaitCliArgs } from '../job-waiter.js';
import { withPreparedClient } from '../run.js';

export interface JobWaitArgs extends ConnectionArgs, WaitCliArgs {
  'job-id'?: string;
  'job-class'?: string;
}

const CLASS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function jobTarget(args: JobWaitArgs): JobRef | string {
  const id = args['job-id'] ?? '';
  if (id.trim() === '') throw new InvalidOptionError('--job-id must not be empty.');
  const cls = args['job-class'];
  if (cls === undefined) return id;
  if (!CLASS_NAME.test(cls)) throw new InvalidOptionError(`--job-class "${cls}" is not a class name.`);
  return jobRefFor(cls, id);
}

export const jobWaitCommand = defineCommand<JobWaitArgs>({
  command: 'job-wait',
  describe: 'Wait for a Hyper-V job to finish, showing its progress; on failure print GetError',
  builder: (y) =>
    withWaitOptions(withConnectionOptions(y))
      .option('job-id', { type: 'string', demandOption: true, requiresArg: true, describe: 'InstanceID of the job' })
      .option('job-class', { type: 'string', requiresArg: true, describe: 'Job class, e.g. Msvm_StorageJob (default: Msvm_ConcreteJob, then Msvm_MigrationJob)' })
      .example("$0 job-wait --job-id 5E2C1B2D-... --timeout 600 --host hv01 --user 'LAB\\admin'", 'Progress bar; exit 0 done, 3 failed, 8 still running after 10 min')
      .example('$0 job-wait --job-id 5E2C1B2D-... --json --host hv01 --user op', 'NDJSON: progress lines, then one result line') as Argv<JobWaitArgs>,
  run: (args, io) =>
    withPreparedClient(
      args,
      io,
      () => {
        waitTiming(args);
        return jobTarget(args);
      },
      (client, target) => waitAndReport(new HypervJobs(client), target, args, io),
    ),
});
