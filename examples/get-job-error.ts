/**
 * Example: why did this Hyper-V job fail? Calls GetError (or GetErrorEx with --all) on a job by its
 * InstanceID and prints the outcome (failed or not, and why: from the Msvm_Error, or from the job's
 * own ErrorDescription when the host kept no error), then the decoded Msvm_Error: message, MessageID,
 * error type, severity, arguments and recommended actions. Without --class it tries
 * Msvm_ConcreteJob, then Msvm_MigrationJob.
 *
 *   HYPERV_WSMAN_HOST=hv01 HYPERV_WSMAN_USER='LAB\admin' HYPERV_WSMAN_PASSWORD=... \
 *     node --import tsx examples/get-job-error.ts <job-instance-id> [--all] [--class Msvm_MigrationJob]
 *
 * Connection settings: see examples/lib/connection-from-env.ts.
 */
import { parseArgs } from 'node:util';
import { HypervJobs, InvalidOptionError, WsmanClient, formatMsvmError, type MsvmError } from '../src/index.js';
import { connectionFromEnv } from './lib/connection-from-env.js';
import { runExample } from './lib/run-example.js';

const indent = (text: string): string => text.replace(/^/gm, '  ');

function printErrors(errors: readonly MsvmError[]): void {
  errors.forEach((e, i) => {
    if (errors.length > 1) console.log(`Error ${i + 1} of ${errors.length}:`);
    console.log(indent(formatMsvmError(e)));
  });
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { all: { type: 'boolean' }, class: { type: 'string' } } });
  const jobId = positionals[0];
  if (!jobId) throw new InvalidOptionError('Usage: get-job-error.ts <job-instance-id> [--all] [--class Msvm_ConcreteJob|Msvm_MigrationJob]');

  const client = new WsmanClient(connectionFromEnv());
  try {
    const jobs = new HypervJobs(client);
    const result = values.all ? await jobs.getErrorEx(jobId, values.class) : await jobs.getError(jobId, values.class);
    // The outcome, not GetError's return value, says whether the job failed: a NULL Error does not mean OK.
    console.log(result.outcome.summary);
    console.log(`${values.all ? 'GetErrorEx' : 'GetError'} returned ${result.returnValue} (${result.returnValueName})`);
    for (const note of result.outcome.notes) console.log(note);
    // A non-zero ReturnValue means the method itself failed (e.g. 32769 Access Denied): the error could not be read.
    if (result.returnValue !== 0) return 1;
    printErrors('errors' in result ? result.errors : result.error ? [result.error] : []);
    return 0;
  } finally {
    await client.close();
  }
}

runExample(main);
