/**
 * `hyperv-wsman job-error ID`: did this job fail, and why? Reads the job and calls GetError (or
 * GetErrorEx with --all); prints the outcome first, then the decoded Msvm_Error(s) and the method's
 * return value as details. Exit 0 when the host answered (whatever the job's state), 9 when GetError
 * itself returned non-zero (e.g. 32769 Access Denied): then the error could not be read.
 */
import type { Argv } from 'yargs';
import { ErrorCodes } from '../../errors.js';
import { describeAffectedElement, type AffectedElementsAnswer } from '../../hyperv/affected-elements.js';
import { affectedElementToJson, getErrorExToJson, getErrorToJson } from '../../hyperv/job-json.js';
import type { JobOutcome } from '../../hyperv/job-outcome.js';
import { HypervJobs, JOB_CLASSES, jobRefFor } from '../../hyperv/jobs.js';
import { formatMsvmError, type MsvmError } from '../../hyperv/msvm-error.js';
import { defineCommand } from '../command.js';
import { withConnectionOptions, type ConnectionArgs } from '../connection.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { jobClassOf, jobIdOf, withJobClassHint, withJobIdOptions, type JobIdArgs } from '../job-args.js';
import { writeJson } from '../output.js';
import { withPreparedClient } from '../run.js';

export interface JobErrorArgs extends ConnectionArgs, JobIdArgs {
  all?: boolean;
  affected?: boolean;
}

export function jobErrorBuilder<T>(y: Argv<T>): Argv<T & JobErrorArgs> {
  return withJobIdOptions(withConnectionOptions(y), `Job class, e.g. Msvm_StorageJob (default: ${JOB_CLASSES.join(', then ')})`)
    .option('all', { type: 'boolean', describe: 'All errors (calls GetErrorEx) instead of the first (GetError)' })
    .option('affected', {
      type: 'boolean',
      default: true,
      describe: 'Also name what the job worked on, usually the VM (Msvm_AffectedJobElement: one more request); --no-affected skips it',
    })
    .example("HYPERV_WSMAN_PASSWORD=... $0 job-error 5E2C1B2D-... --host hv01 --user 'LAB\\admin'", 'Did the job fail, and why')
    .example('$0 job-error 5E2C1B2D-... --all --json --host hv01 --user op', 'Every error (GetErrorEx), as JSON') as Argv<T & JobErrorArgs>;
}

export const jobErrorBound = defineCommand<JobErrorArgs>({
  command: 'job-error [id]',
  describe: 'Show why a Hyper-V job failed (Msvm_ConcreteJob/Msvm_MigrationJob GetError)',
  builder: (y) => jobErrorBuilder(y),
  run: (args, io) => jobErrorCommand(args, io),
});

export async function jobErrorCommand(args: JobErrorArgs, io: CliIo): Promise<number> {
  return withPreparedClient(
    args,
    io,
    () => ({ id: jobIdOf(args, 'job-error'), jobClass: jobClassOf(args['job-class']) }),
    async (client, { id, jobClass }) => {
      const jobs = new HypervJobs(client);
      const r = await (args.all ? jobs.getErrorEx(id, jobClass) : jobs.getError(id, jobClass)).catch((err: unknown) => {
        throw withJobClassHint(err, args);
      });
      const affected = args.affected === false ? undefined : await jobs.askAffectedElementsByRef(jobRefFor(r.jobClass, r.instanceId, jobs.namespace));
      if (affected?.failure) io.stderr.write(`hyperv-wsman: warning: the elements job ${r.instanceId} affects could not be read (Msvm_AffectedJobElement): ${affected.failure}\n`);
      if (args.json) {
        const doc = 'errors' in r ? getErrorExToJson(r) : getErrorToJson(r);
        writeJson(io, { ...doc, affectedElements: affected?.elements ? affected.elements.map(affectedElementToJson) : null });
      } else io.stdout.write(renderOutcome(r.outcome, affected));
      if (r.returnValue === 0) return EXIT.OK;
      // The method's own failure: the job's error could not be read, so the answer is incomplete.
      const hint = r.returnValue === ACCESS_DENIED ? ' The host refused this account (--user): try one in Hyper-V Administrators or Administrators on the host.' : '';
      io.stderr.write(`hyperv-wsman: ${ErrorCodes.METHOD_FAILED}: ${r.outcome.method} on Job ${r.instanceId} (${r.jobClass}) returned ${r.returnValue} (${r.returnValueName}): the job's error could not be read.${hint}\n`);
      return EXIT.METHOD_FAILED;
    },
  );
}

/** GetError's ReturnValue 32769, Access Denied (Msvm_ConcreteJob.GetError page). */
const ACCESS_DENIED = 32769;

const SOURCE_TEXT = {
  'msvm-error': (o: JobOutcome) => `from the Msvm_Error ${o.method ?? 'GetError'} returned`,
  'job-properties': () => "from the job's own ErrorDescription / ErrorCode",
  'job-state': () => "from the job's state alone",
  none: () => 'nothing reports why',
} as const;

function headline(o: JobOutcome): string {
  const who = `Job ${o.instanceId} (${o.jobClass})`;
  const j = o.job;
  const state = j?.jobState == null ? 'state unknown' : (j.jobStateName ?? `JobState ${j.jobState}`);
  const code = j?.errorCode ? `, ErrorCode ${j.errorCode}` : '';
  switch (o.status) {
    case 'failed':
      return `${who} failed: ${state}${code}`;
    case 'succeeded':
      return `${who} succeeded: ${state}`;
    case 'running':
      return `${who} has not ended: ${state}, ${j?.percentComplete ?? '?'}%`;
    default:
      return `${who}: outcome unknown (${state}${code})`;
  }
}

function methodLine(o: JobOutcome): string | undefined {
  if (o.method === null) return undefined;
  if (o.returnValue !== 0) return undefined; // the notes say why there is no answer
  const n = o.errors.length;
  const instances = o.errorRead ? `; ${n === 0 ? 'no' : n} Msvm_Error instance${n === 1 ? '' : 's'}` : '';
  // "The call itself": next to a failed job, "GetError returned 0 (Completed with No Error)" read as if the job had no error.
  return `The ${o.method} call itself returned ${o.returnValue} (${o.returnValueName})${instances}.`;
}

function errorBlocks(errors: readonly MsvmError[]): string[] {
  if (errors.length === 1) return [indent(formatMsvmError(errors[0]!))];
  return errors.map((e, i) => `Error ${i + 1} of ${errors.length}:\n${indent(formatMsvmError(e))}`);
}

/** Which element(s) the job works on, as one line each; nothing when not asked. */
function affectedLines(a: AffectedElementsAnswer | undefined, o: JobOutcome): string[] {
  if (a === undefined) return [];
  if (a.elements === null) return ['Affects: unknown (the host did not answer the Msvm_AffectedJobElement query; see the warning).'];
  // Msvm_AffectedJobElement names Msvm_ConcreteJob, so a migration job has no element there: its VM is its own VirtualSystemName.
  const migrating = o.job?.migration?.virtualSystemName;
  if (a.elements.length === 0 && migrating) return [`Affects: VM ${migrating} (the migration job's VirtualSystemName; Msvm_AffectedJobElement names nothing for migration jobs)`];
  if (a.elements.length === 0) return ['Affects: no element named by the host (Msvm_AffectedJobElement).'];
  return a.elements.map((e) => `Affects: ${describeAffectedElement(e)}`);
}

/**
 * The outcome for people: the headline (which job, failed or not), the reason and where it comes
 * from, what the job worked on (the VM) when asked, the method's return value as a detail, notes,
 * then each decoded error.
 */
export function renderOutcome(o: JobOutcome, affected?: AffectedElementsAnswer): string {
  const lines = [headline(o)];
  if (o.reason !== null) lines.push(`  ${o.reason}`, `  (${SOURCE_TEXT[o.source](o)})`);
  lines.push(...affectedLines(affected, o));
  const method = methodLine(o);
  if (method) lines.push(method);
  lines.push(...o.notes);
  lines.push(...errorBlocks(o.errors));
  return lines.join('\n') + '\n';
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');
}
