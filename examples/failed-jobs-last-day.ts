/**
 * Example: which Hyper-V jobs failed in the last day, and why? Lists Msvm_ConcreteJob and
 * Msvm_MigrationJob instances with a WQL filter on JobState (Terminated, Killed, Exception), keeps
 * those that ended within the window (compared here, on the client: WQL datetime comparisons
 * depend on the DMTF text form and the host's time zone), and calls GetError on each.
 *
 *   HYPERV_WSMAN_HOST=hv01 HYPERV_WSMAN_USER='LAB\admin' HYPERV_WSMAN_PASSWORD=... \
 *     node --import tsx examples/failed-jobs-last-day.ts [--hours 24]
 *
 * Hyper-V removes finished jobs after their TimeBeforeRemoval (minutes, by default), so this sees only
 * recent failures; keep the output if you need history.
 */
import { parseArgs } from 'node:util';
import { CimDateTime, HypervJobs, InvalidOptionError, WsmanClient, valueMaps, type CimValue, type HypervJob } from '../src/index.js';
import { connectionFromEnv } from './lib/connection-from-env.js';
import { runExample } from './lib/run-example.js';

const { JobStates } = valueMaps;
const FAILED_STATES = [JobStates.Terminated, JobStates.Killed, JobStates.Exception];
const WHERE = FAILED_STATES.map((s) => `JobState = ${s}`).join(' OR ');

const dateOf = (v: CimValue): Date | null => (v instanceof CimDateTime ? v.date : null);

/** When the job ended: TimeOfLastStateChange, else its start (a failed job has stopped changing). */
function endedAt(job: HypervJob): Date | null {
  return dateOf(job.timeOfLastStateChange) ?? dateOf(job.startTime) ?? dateOf(job.timeSubmitted);
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { hours: { type: 'string', default: '24' } } });
  const hours = Number(values.hours);
  if (!(hours > 0)) throw new InvalidOptionError(`--hours must be a positive number; got "${values.hours}".`);
  const since = new Date(Date.now() - hours * 3_600_000);

  const client = new WsmanClient(connectionFromEnv());
  try {
    const jobs = new HypervJobs(client);
    const failed: Array<{ job: HypervJob; at: Date }> = [];
    for await (const job of jobs.listJobs({ where: WHERE })) {
      const at = endedAt(job);
      if (at !== null && at >= since) failed.push({ job, at });
    }
    failed.sort((a, b) => a.at.getTime() - b.at.getTime());
    console.log(`${failed.length} failed job(s) since ${since.toISOString()}`);

    for (const { job, at } of failed) {
      console.log(`\n${at.toISOString()}  ${job.className} ${job.instanceId}`);
      console.log(`  ${job.elementName ?? job.jobTypeName ?? 'job'}: ${job.jobStateName} (ErrorCode ${job.errorCode ?? 'none'})`);
      const { error, returnValue, returnValueName } = await jobs.getErrorByRef(job.ref, undefined, job); // the job is already read
      if (returnValue !== 0) console.log(`  GetError returned ${returnValue} (${returnValueName})`);
      const message = error?.message ?? job.errorDescription ?? '(no message)';
      console.log(`  Message: ${message}`);
      if (error?.messageId) console.log(`  MessageID: ${error.messageId}`);
    }
    return 0;
  } finally {
    await client.close();
  }
}

runExample(main);
