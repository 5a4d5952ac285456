#!/usr/bin/env node
/**
 * hyperv-wsman: the command-line entry point. Each command lives in ./commands; this file wires
 * them into yargs and maps usage errors to exit code 2.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { jobErrorBuilder, jobErrorCommand, type JobErrorArgs } from './commands/job-error.js';
import { EXIT } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';

export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let result: Promise<number> | undefined;
  let usageError: string | undefined;
  const parser = yargs([...argv])
    .scriptName('hyperv-wsman')
    .usage('$0 <command> [options]\n\nManage Hyper-V hosts over WS-Management (WinRM), from Linux or macOS.')
    .command<JobErrorArgs>('job-error', 'Show why a Hyper-V job failed (Msvm_ConcreteJob/Msvm_MigrationJob GetError)', (y) => jobErrorBuilder(y), (a) => {
      result = jobErrorCommand(a, io);
    })
    .option('password', { type: 'string', hidden: true })
    .check((a) => {
      if (a.password !== undefined) throw new Error(`Passwords are never taken on the command line (they leak into shell history and process lists). Use HYPERV_WSMAN_PASSWORD, --password-stdin or --password-file.`);
      return true;
    })
    .demandCommand(1, 'Name a command.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      usageError = msg ?? err?.message ?? 'usage error';
    });
  let helpOutput = '';
  await parser.parseAsync([...argv], {}, (_err, _parsed, output) => {
    helpOutput = output;
  });
  if (usageError !== undefined) {
    io.stderr.write(`hyperv-wsman: ERR_USAGE: ${usageError}\nRun 'hyperv-wsman --help' for usage.\n`);
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
