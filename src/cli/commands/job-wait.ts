/** `hyperv-wsman job-wait ID`: follow a job to its end; the exit code says how it ended. */
import type { Argv } from 'yargs';
import { HypervJobs, jobRefFor, type JobRef } from '../../hyperv/jobs.js';
import { defineCommand } from '../command.js';
import { withConnectionOptions, type ConnectionArgs } from '../connection.js';
import { jobClassOf, jobIdOf, withJobClassHint, withJobIdOptions, type JobIdArgs } from '../job-args.js';
import { waitAndReport, waitTiming, withWaitOptions, type WaitCliArgs } from '../job-waiter.js';
import { withPreparedClient } from '../run.js';

export interface JobWaitArgs extends ConnectionArgs, WaitCliArgs, JobIdArgs {}

function jobTarget(args: JobWaitArgs): JobRef | string {
  const id = jobIdOf(args, 'job-wait');
  const cls = jobClassOf(args['job-class']);
  return cls === undefined ? id : jobRefFor(cls, id);
}

export const jobWaitCommand = defineCommand<JobWaitArgs>({
  command: 'job-wait [id]',
  describe: 'Wait for a Hyper-V job to finish, showing its progress; on failure print GetError',
  builder: (y) =>
    withJobIdOptions(withWaitOptions(withConnectionOptions(y)), 'Job class, e.g. Msvm_StorageJob (default: Msvm_ConcreteJob, then Msvm_MigrationJob)')
      .example("$0 job-wait 5E2C1B2D-... --timeout 600 --host hv01 --user 'LAB\\admin'", 'Progress bar; exit 0 done, 3 failed, 8 still running after 10 min')
      .example('$0 job-wait 5E2C1B2D-... --json --host hv01 --user op', 'NDJSON: progress lines, then one result line') as Argv<JobWaitArgs>,
  run: (args, io) =>
    withPreparedClient(
      args,
      io,
      () => {
        waitTiming(args);
        return jobTarget(args);
      },
      (client, target) =>
        waitAndReport(new HypervJobs(client), target, args, io).catch((err: unknown) => {
          throw withJobClassHint(err, args);
        }),
    ),
});
