/**
 * `hyperv-wsman jobs [--state exception ...]`: the jobs of both job classes with state, progress and
 * error code. A table on a terminal, tab-separated lines otherwise, NDJSON with --json.
 */
import type { Argv } from 'yargs';
import { InvalidOptionError } from '../../errors.js';
import { jobToJson } from '../../hyperv/job-json.js';
import { HypervJobs, JOB_CLASSES, type HypervJob } from '../../hyperv/jobs.js';
import { JOB_STATE } from '../../hyperv/value-maps.js';
import { defineCommand } from '../command.js';
import { withConnectionOptions, type ConnectionArgs } from '../connection.js';
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

const CLASS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

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

const HEADER = ['CLASS', 'INSTANCE ID', 'STATE', '%', 'ERROR', 'NAME'] as const;

function row(j: HypervJob): string[] {
  return [
    j.className,
    j.instanceId,
    j.jobStateName ?? String(j.jobState ?? '-'),
    j.percentComplete === null ? '-' : String(j.percentComplete),
    j.errorCode === null ? '-' : String(j.errorCode),
    j.elementName ?? '',
  ];
}

export const jobsCommand = defineCommand<JobsArgs>({
  command: 'jobs',
  describe: 'List Hyper-V jobs (Msvm_ConcreteJob and Msvm_MigrationJob) with state, percent and error code',
  builder: (y) =>
    withConnectionOptions(y)
      .option('state', { type: 'string', array: true, requiresArg: true, choices: [...JOB_STATE_BY_SLUG.keys()], describe: 'Only jobs in this state (repeatable)' })
      .option('job-class', { type: 'string', array: true, requiresArg: true, describe: `Job classes to list (repeatable; default ${JOB_CLASSES.join(' and ')})` })
      .example("$0 jobs --state exception --host hv01 --user 'LAB\\admin'", 'Jobs that failed')
      .example('$0 jobs --state running --state starting --json --host hv01 --user op', 'Active jobs, one JSON object per line') as Argv<JobsArgs>,
  run: (args, io) =>
    withPreparedClient(
      args,
      io,
      () => {
        const classes = args['job-class'];
        for (const c of classes ?? []) if (!CLASS_NAME.test(c)) throw new InvalidOptionError(`--job-class "${c}" is not a class name.`);
        const where = stateCondition(args.state);
        return { ...(where !== undefined ? { where } : {}), ...(classes && classes.length ? { classes } : {}) };
      },
      async (client, listOptions) => {
        const tty = isTty(io);
        const rows: string[][] = [];
        for await (const job of new HypervJobs(client).listJobs(listOptions)) {
          if (args.json) writeJson(io, jobToJson(job));
          else if (tty) rows.push(row(job));
          else io.stdout.write(formatTsvRow(row(job)));
        }
        if (!args.json && tty) io.stdout.write(rows.length ? formatTable(HEADER, rows) : 'No jobs.\n');
        return 0;
      },
    ),
});
