/**
 * `hyperv-wsman jobs [--state exception ...]`: the jobs of both job classes with state, progress and
 * error code. A table on a terminal, tab-separated lines otherwise, NDJSON with --json.
 */
import type { Argv } from 'yargs';
import { InvalidOptionError } from '../../errors.js';
import { jobWithOutcomeToJson } from '../../hyperv/job-json.js';
import { jobOutcome } from '../../hyperv/job-outcome.js';
import { HypervJobs, JOB_CLASSES, type HypervJob } from '../../hyperv/jobs.js';
import { JOB_STATE } from '../../hyperv/value-maps.js';
import { defineCommand } from '../command.js';
import { withConnectionOptions, type ConnectionArgs } from '../connection.js';
import { jobClassOf } from '../job-args.js';
import { formatTable, formatTsvRow, isTty, writeJson } from '../output.js';
import { withPreparedClient } from '../run.js';

export interface JobsArgs extends ConnectionArgs {
  state?: string[];
  'job-class'?: string[];
}

/** `Completed with Warnings` -> `completed-with-warnings`: the spelling --state takes. */
export function stateSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** --state spelling -> JobState value, built from the CIM_ConcreteJob.JobState value map. */
export const JOB_STATE_BY_SLUG: ReadonlyMap<string, number> = new Map([...JOB_STATE.values].map(([value, name]) => [stateSlug(name), value] as const));

/** The WQL condition for the chosen states (OR-ed), or undefined for all jobs. */
export function stateCondition(states: readonly string[] | undefined): string | undefined {
  if (!states || states.length === 0) return undefined;
  const values = [...new Set(states.map((s) => {
    const v = JOB_STATE_BY_SLUG.get(stateSlug(s));
    if (v === undefined) throw new InvalidOptionError(`Unknown job state "${s}"; use one of ${[...JOB_STATE_BY_SLUG.keys()].join(', ')}.`);
    return v;
  }))];
  return values.map((v) => `JobState = ${v}`).join(' OR ');
}

// OUTCOME last, so the tab-separated columns scripts already cut stay where they were.
const HEADER = ['CLASS', 'INSTANCE ID', 'STATE', '%', 'ERROR', 'NAME', 'OUTCOME'] as const;

function row(j: HypervJob): string[] {
  return [
    j.className,
    j.instanceId,
    j.jobStateName ?? String(j.jobState ?? '-'),
    j.percentComplete === null ? '-' : String(j.percentComplete),
    j.errorCode === null ? '-' : String(j.errorCode),
    j.elementName ?? '',
    jobOutcome(j).status,
  ];
}

export const jobsCommand = defineCommand<JobsArgs>({
  command: 'jobs',
  describe: 'List Hyper-V jobs (Msvm_ConcreteJob and Msvm_MigrationJob) with state, percent and error code',
  builder: (y) =>
    withConnectionOptions(y)
      // No yargs `choices`: they are case-sensitive, and `--state Exception` should work.
      .option('state', { type: 'string', array: true, requiresArg: true, describe: `Only jobs in this state, any case (repeatable): ${[...JOB_STATE_BY_SLUG.keys()].join(', ')}` })
      .option('job-class', { type: 'string', array: true, requiresArg: true, describe: `Job classes to list (repeatable; default ${JOB_CLASSES.join(' and ')})` })
      .check((a) => {
        stateCondition(a.state);
        for (const c of a['job-class'] ?? []) jobClassOf(c);
        return true;
      })
      .example("$0 jobs --state exception --host hv01 --user 'LAB\\admin'", 'Jobs that failed')
      .example('$0 jobs --state running --state starting --json --host hv01 --user op', 'Active jobs, one JSON object per line') as Argv<JobsArgs>,
  run: (args, io) =>
    withPreparedClient(
      args,
      io,
      () => {
        const classes = args['job-class'];
        for (const c of classes ?? []) jobClassOf(c);
        const where = stateCondition(args.state);
        return { ...(where !== undefined ? { where } : {}), ...(classes && classes.length ? { classes } : {}) };
      },
      async (client, listOptions) => {
        const tty = isTty(io);
        const rows: string[][] = [];
        for await (const job of new HypervJobs(client).listJobs(listOptions)) {
          if (args.json) writeJson(io, jobWithOutcomeToJson(job));
          else if (tty) rows.push(row(job));
          else io.stdout.write(formatTsvRow(row(job)));
        }
        if (!args.json && tty) io.stdout.write(rows.length ? formatTable(HEADER, rows) : 'No jobs.\n');
        return 0;
      },
    ),
});
