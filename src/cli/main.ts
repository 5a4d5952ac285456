#!/usr/bin/env node
/**
 * hyperv-wsman: the command-line entry point. Each command lives in ./commands; this file wires
 * them into yargs and maps usage errors to exit code 2.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { defineCommand, type BoundCommand } from './command.js';
import { enumerateCommand } from './commands/enumerate.js';
import { getCommand } from './commands/get.js';
import { identifyCommand } from './commands/identify.js';
import { invokeCommand } from './commands/invoke.js';
import { jobErrorBuilder, jobErrorCommand, type JobErrorArgs } from './commands/job-error.js';
import { jobWaitCommand } from './commands/job-wait.js';
import { jobsCommand } from './commands/jobs.js';
import { EXIT } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';

const jobErrorBound = defineCommand<JobErrorArgs>({
  command: 'job-error [id]',
  describe: 'Show why a Hyper-V job failed (Msvm_ConcreteJob/Msvm_MigrationJob GetError)',
  builder: (y) => jobErrorBuilder(y),
  run: (args, io) => jobErrorCommand(args, io),
});

/** Every command, in the order `--help` lists them. */
const COMMANDS: readonly BoundCommand[] = [identifyCommand, getCommand, enumerateCommand, invokeCommand, jobsCommand, jobWaitCommand, jobErrorBound];

/** Raised from yargs' fail hook to stop parsing at the first usage error. */
class UsageStop extends Error {}

export const PASSWORD_ON_ARGV_MESSAGE =
  'Passwords are never taken on the command line (they leak into shell history and process lists). Use HYPERV_WSMAN_PASSWORD, --password-stdin or --password-file.';

export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let result: Promise<number> | undefined;
  let usageError: string | undefined;
  const handoff = (p: Promise<number>): void => {
    result = p;
  };
  let parser = yargs([...argv])
    .scriptName('hyperv-wsman')
    // `--selector K=V Msvm_Class`: an array flag takes one value per occurrence, never the positionals after it.
    .parserConfiguration({ 'greedy-arrays': false })
    .usage('$0 <command> [options]\n\nManage Hyper-V hosts over WS-Management (WinRM), from Linux or macOS.');
  for (const c of COMMANDS) parser = parser.command(c(io, handoff));
  parser = parser
    .completion('completion', 'Print a shell completion script (bash/zsh): hyperv-wsman completion >> ~/.bashrc')
    .option('password', { type: 'string', hidden: true })
    .check((a) => {
      if (a.password !== undefined) throw new Error(PASSWORD_ON_ARGV_MESSAGE);
      return true;
    })
    .demandCommand(1, 'Name a command.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .epilogue('Connection settings can come from a config file profile (--profile); see docs/cli-json.md. Exit codes: 0 ok, 1 internal, 2 usage, 3 job failed, 4 auth, 5 connection, 6 WS-Man fault, 7 not found, 8 job timeout, 9 method failed.')
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      usageError = (msg ?? err?.message ?? 'usage error').replace(/\s*\n\s*/g, ' ');
      // Throwing stops yargs here; returning would let it go on and run the command anyway.
      throw new UsageStop(usageError);
    });
  let helpOutput = '';
  try {
    await parser.parseAsync([...argv], {}, (_err, _parsed, output) => {
      helpOutput = output;
    });
  } catch (err) {
    if (!(err instanceof UsageStop)) throw err;
  }
  if (usageError !== undefined) {
    io.stderr.write(`hyperv-wsman: ERR_USAGE: ${usageError}\nRun 'hyperv-wsman --help' for usage.\n`);
    if (argv.includes('--json')) io.stdout.write(JSON.stringify({ error: { code: 'ERR_USAGE', message: usageError } }) + '\n');
    return EXIT.USAGE;
  }
  if (result) return result;
  if (helpOutput) io.stdout.write(helpOutput + '\n');
  return EXIT.OK;
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  // `hyperv-wsman jobs --json | head -1`: a reader that hangs up is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.OK);
    throw err;
  });
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`hyperv-wsman: ERR_INTERNAL: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT.INTERNAL;
    },
  );
}
