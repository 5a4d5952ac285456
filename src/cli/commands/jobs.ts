/**
 * `hyperv-wsman jobs [--state exception ...]`: the jobs of both job classes with state, progress and
 * error code. A table on a terminal, tab-separated lines otherwise, NDJSON with --json. With several
 * hosts (repeated --host, or --inventory) it runs over the fleet (../fleet-jobs.ts).
 */
import type { Argv } from 'yargs';
import { InvalidOptionError } from '../../errors.js';
import { DEFAULT_FLEET_CONCURRENCY, MAX_FLEET_CONCURRENCY, MAX_PER_HOST_CONCURRENCY } from '../../hyperv/fleet.js';
import { requirePositiveInteger } from '../../positive-integer.js';
import { jobWithOutcomeToJson } from '../../hyperv/job-json.js';
import { DEFAULT_COLLECT_MAX_ITEMS, HypervJobs, JOB_CLASSES, type ListJobsOptions } from '../../hyperv/jobs.js';
import { JOB_STATE } from '../../hyperv/value-maps.js';
import { defineCommand } from '../command.js';
import { connectionOptionsForHosts, endpointKey, withConnectionOptions, type ConnectionArgs } from '../connection.js';
import { runFleetJobs } from '../fleet-jobs.js';
import { closest } from '../suggest.js';
import type { CliIo } from '../io.js';
import type { ConnectionOptions } from '../../options.js';
import { fleetHosts, mergeSameEndpoints, readInventory } from '../inventory.js';
import { jobClassOf } from '../job-args.js';
import { formatJobTable, jobRow } from '../job-rows.js';
import { formatTsvRow, isTty, terminalColumns, writeJson } from '../output.js';
import { reportError, withPreparedClient } from '../run.js';

export interface JobsArgs extends Omit<ConnectionArgs, 'host'> {
  /** Repeatable: several hosts make it a fleet listing. */
  host?: string[];
  inventory?: string;
  concurrency?: number;
  'per-host-concurrency'?: number;
  state?: string[];
  'job-class'?: string[];
  'max-items'?: number;
}

/** Largest --max-items: a bound, not a way to turn the bound off. */
const MAX_ITEMS_CEILING = 10_000_000;

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
    if (v === undefined) {
      const best = closest(stateSlug(s), JOB_STATE_BY_SLUG.keys());
      throw new InvalidOptionError(`Unknown job state "${s}" for --state.${best ? ` Did you mean ${best}?` : ''} It takes one of ${[...JOB_STATE_BY_SLUG.keys()].join(', ')}.`);
    }
    return v;
  }))];
  return values.map((v) => `JobState = ${v}`).join(' OR ');
}

function listOptionsOf(args: JobsArgs): ListJobsOptions {
  const classes = args['job-class'];
  for (const c of classes ?? []) jobClassOf(c);
  const where = stateCondition(args.state);
  if (args['max-items'] !== undefined) requirePositiveInteger('--max-items', args['max-items'], MAX_ITEMS_CEILING);
  // Every path of `jobs` may collect (the table, the fleet), so each is bounded.
  const maxItems = args['max-items'] ?? DEFAULT_COLLECT_MAX_ITEMS;
  return { ...(where !== undefined ? { where } : {}), ...(classes && classes.length ? { classes } : {}), maxItems };
}


/** An empty list is what the host said, not that all is well: Hyper-V shows an account without its rights nothing. */
const NO_JOBS = 'No jobs listed. An account without Hyper-V rights is shown none too: hyperv-wsman doctor checks.\n';

/** One host, as before fleets existed. */
function runOneHost(args: JobsArgs, host: string | undefined, io: CliIo): Promise<number> {
  const single: ConnectionArgs = { ...args, host };
  return withPreparedClient(
    single,
    io,
    () => listOptionsOf(args),
    async (client, listOptions) => {
      const tty = isTty(io);
      const rows: string[][] = [];
      for await (const job of new HypervJobs(client).listJobs(listOptions)) {
        if (args.json) writeJson(io, jobWithOutcomeToJson(job));
        else if (tty) rows.push(jobRow(job));
        else io.stdout.write(formatTsvRow(jobRow(job)));
      }
      if (!args.json && tty) io.stdout.write(rows.length ? formatJobTable(rows, terminalColumns(io)) : NO_JOBS);
      return 0;
    },
  );
}

async function runJobs(args: JobsArgs, io: CliIo): Promise<number> {
  const flagHosts = args.host ?? [];
  const fleet = flagHosts.length > 1 || args.inventory !== undefined;
  if (!fleet) {
    // No fleet flags may hang around a single-host call unnoticed.
    if (args.concurrency !== undefined || args['per-host-concurrency'] !== undefined) {
      return reportError(new InvalidOptionError('--concurrency and --per-host-concurrency apply to several hosts (repeat --host, or --inventory).'), args, io);
    }
    return runOneHost(args, flagHosts[0], io);
  }
  let prepared: { hosts: string[]; list: ListJobsOptions };
  let connections: ConnectionOptions[];
  try {
    if (args.concurrency !== undefined) requirePositiveInteger('--concurrency', args.concurrency, MAX_FLEET_CONCURRENCY);
    if (args['per-host-concurrency'] !== undefined) requirePositiveInteger('--per-host-concurrency', args['per-host-concurrency'], MAX_PER_HOST_CONCURRENCY);
    const listed = fleetHosts(flagHosts, args.inventory !== undefined ? readInventory(args.inventory) : []);
    const list = listOptionsOf(args);
    // Written differently, the same endpoint (hv01, hv01/wsman, https://hv01:5986/wsman) is still one host.
    const { hosts, items, merged } = mergeSameEndpoints(listed.hosts, await connectionOptionsForHosts({ ...args, host: undefined }, listed.hosts, io), endpointKey);
    const once = [...new Set(listed.duplicates)].map((h) => `${h} (given more than once)`);
    const same = merged.map((m) => `${m.host} (the same endpoint as ${m.sameAs}${args.verbose ? `: ${m.endpoint}` : ''})`);
    if (once.length + same.length > 0) io.stderr.write(`hyperv-wsman: note: listed once each: ${[...once, ...same].join(', ')}\n`);
    prepared = { hosts, list };
    connections = items;
  } catch (err) {
    return reportError(err, args, io);
  }
  return runFleetJobs({ hosts: prepared.hosts, connections, list: prepared.list, concurrency: args.concurrency, perHostConcurrency: args['per-host-concurrency'], json: args.json === true }, io);
}

export const jobsCommand = defineCommand<JobsArgs>({
  command: 'jobs',
  describe: 'List Hyper-V jobs (Msvm_ConcreteJob and Msvm_MigrationJob) with state, percent and error code, on one host or many',
  builder: (y) =>
    (withConnectionOptions(y) as unknown as Argv<JobsArgs>)
      .option('host', { type: 'string', array: true, requiresArg: true, group: 'Connection:', describe: 'Hyper-V host name, address or URL; repeat for several hosts' })
      .option('inventory', { type: 'string', requiresArg: true, group: 'Fleet:', describe: 'File of hosts, one per line (name, address or URL; # comments)' })
      .option('concurrency', { type: 'number', requiresArg: true, group: 'Fleet:', describe: `Hosts worked on at once (default ${DEFAULT_FLEET_CONCURRENCY})` })
      .option('per-host-concurrency', { type: 'number', requiresArg: true, group: 'Fleet:', describe: 'Connections (calls in flight) per host (default 1)' })
      // No yargs `choices`: they are case-sensitive, and `--state Exception` should work.
      .option('state', { type: 'string', array: true, requiresArg: true, describe: `Only jobs in this state, any case (repeatable): ${[...JOB_STATE_BY_SLUG.keys()].join(', ')}` })
      .option('max-items', { type: 'number', requiresArg: true, describe: `Fail a host that sends more than N jobs of one class (default ${DEFAULT_COLLECT_MAX_ITEMS}; a bound against hosts that page forever)` })
      .option('job-class', { type: 'string', array: true, requiresArg: true, describe: `Job classes to list (repeatable; default ${JOB_CLASSES.join(' and ')})` })
      .check((a) => {
        stateCondition(a.state);
        for (const c of a['job-class'] ?? []) jobClassOf(c);
        return true;
      })
      .example("$0 jobs --state exception --host hv01 --user 'LAB\\admin'", 'Jobs that failed')
      .example('$0 jobs --state running --state starting --json --host hv01 --user op', 'Active jobs, one JSON object per line')
      .example("$0 jobs --state exception --inventory hosts.txt --user 'LAB\\admin' --json", 'Failed jobs on every host of a list, one JSON line per host as each finishes') as Argv<JobsArgs>,
  run: (args, io) => runJobs(args, io),
});
