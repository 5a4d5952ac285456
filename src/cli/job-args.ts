/**
 * How the job commands name a job: the InstanceID positionally (`job-error ID`) or with --job-id,
 * and --job-class with any job class (Msvm_ConcreteJob, Msvm_MigrationJob, Msvm_StorageJob, ...).
 */
import type { Argv } from 'yargs';
import { InvalidOptionError } from '../errors.js';
import { JobNotFoundError } from '../hyperv/jobs.js';

export interface JobIdArgs {
  /** The positional. */
  id?: string;
  'job-id'?: string;
  'job-class'?: string;
}

/** A WMI class name whose name says it is a job (CIM_ConcreteJob and its Msvm_ subclasses). */
const JOB_CLASS_NAME = /^[A-Za-z_][A-Za-z0-9_]*Job$/i;

/** The `[id]` positional (the command string names it) and the --job-id / --job-class options. */
export function withJobIdOptions<T>(y: Argv<T>, classDescription: string): Argv<T & JobIdArgs> {
  return y
    .positional('id', { type: 'string', describe: 'InstanceID of the job (or --job-id)' })
    .option('job-id', { type: 'string', requiresArg: true, describe: 'InstanceID of the job (same as the positional)' })
    .option('job-class', { type: 'string', requiresArg: true, describe: classDescription })
    // A usage error (exit 2, before any password is asked) rather than a failure of the command.
    .check((a) => {
      jobIdOf(a as JobIdArgs, String((a._ as unknown[])[0] ?? 'the command'));
      jobClassOf((a as JobIdArgs)['job-class']);
      return true;
    }) as Argv<T & JobIdArgs>;
}

/** The InstanceID, given once (or twice, the same) as the positional or --job-id. */
export function jobIdOf(args: JobIdArgs, command: string): string {
  const given = [args.id, args['job-id']].filter((v): v is string => v !== undefined).map(String);
  const ids = [...new Set(given)];
  if (ids.length > 1) throw new InvalidOptionError(`Two different jobs named (${ids.join(', ')}): give the InstanceID once, as ${command} ID or --job-id ID.`);
  const id = ids[0]?.trim() ?? '';
  if (id === '') throw new InvalidOptionError(`Name the job: ${command} ID (or --job-id ID), where ID is the job's InstanceID.`);
  return id;
}

/** --job-class, checked: a class name ending in "Job", since anything else would end up in the resource URI. */
export function jobClassOf(cls: string | undefined): string | undefined {
  if (cls === undefined) return undefined;
  if (!JOB_CLASS_NAME.test(cls)) throw new InvalidOptionError(`--job-class "${cls}" is not a job class name (e.g. Msvm_ConcreteJob, Msvm_MigrationJob, Msvm_StorageJob).`);
  return cls;
}

/**
 * "No job with InstanceID ..." after looking in the default classes only: a job of another class
 * (Msvm_StorageJob, from a VHD operation) is found only when --job-class names it, so say so. The
 * error is the library's, re-worded for the CLI where it is caught (its message is its own property).
 */
export function withJobClassHint(err: unknown, args: JobIdArgs): unknown {
  if (err instanceof JobNotFoundError && args['job-class'] === undefined) {
    err.message += ' A job of another class (e.g. Msvm_StorageJob) is found only with --job-class CLASS.';
  }
  return err;
}
