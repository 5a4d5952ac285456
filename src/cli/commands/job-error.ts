/** `hyperv-wsman job-error`: why did this job fail? GetError (or GetErrorEx with --all), decoded. */
import type { Argv } from 'yargs';
import { HypervJobs, type GetErrorExResult, type GetErrorResult } from '../../hyperv/jobs.js';
import { getErrorExToJson, getErrorToJson } from '../../hyperv/job-json.js';
import { formatMsvmError } from '../../hyperv/msvm-error.js';
import { withClient } from '../run.js';
import type { CliIo } from '../io.js';
import { withConnectionOptions, type ConnectionArgs } from '../connection.js';

export interface JobErrorArgs extends ConnectionArgs {
  'job-id'?: string;
  'job-class'?: string;
  all?: boolean;
}

export function jobErrorBuilder<T>(y: Argv<T>): Argv<T & JobErrorArgs> {
  return withConnectionOptions(y)
    .option('job-id', { type: 'string', demandOption: true, describe: 'InstanceID of the job' })
    .option('job-class', { type: 'string', choices: ['Msvm_ConcreteJob', 'Msvm_MigrationJob'], describe: 'Job class (default: whichever has the job)' })
    .option('all', { type: 'boolean', describe: 'All errors (GetErrorEx) instead of the first (GetError)' })
    .example('HYPERV_WSMAN_PASSWORD=... $0 job-error --host hv01 --user \'LAB\\admin\' --job-id 5E2C...', 'Print why the job failed') as Argv<T & JobErrorArgs>;
}

export async function jobErrorCommand(args: JobErrorArgs, io: CliIo): Promise<number> {
  return withClient(args, io, async (client) => {
    const jobs = new HypervJobs(client);
    const id = args['job-id']!;
    if (args.all) {
      const r = await jobs.getErrorEx(id, args['job-class']);
      io.stdout.write(args.json ? JSON.stringify(getErrorExToJson(r)) + '\n' : renderGetErrorEx(r));
    } else {
      const r = await jobs.getError(id, args['job-class']);
      io.stdout.write(args.json ? JSON.stringify(getErrorToJson(r)) + '\n' : renderGetError(r));
    }
    return 0;
  });
}

function head(r: GetErrorResult | GetErrorExResult): string {
  return `Job ${r.instanceId} (${r.jobClass})\nGetError returned ${r.returnValue} (${r.returnValueName})\n`;
}

export function renderGetError(r: GetErrorResult): string {
  if (!r.error) return head(r) + 'No error: the job is OK or has not failed.\n';
  return head(r) + indent(formatMsvmError(r.error)) + '\n';
}

export function renderGetErrorEx(r: GetErrorExResult): string {
  if (r.errors.length === 0) return head(r) + 'No errors.\n';
  return head(r) + r.errors.map((e, i) => `Error ${i + 1} of ${r.errors.length}:\n${indent(formatMsvmError(e))}`).join('\n') + '\n';
}

function indent(s: string): string {
  return s.split('\n').map((l) => '  ' + l).join('\n');
}
