#!/usr/bin/env node
/**
 * hyperv-wsman: the command-line entry point. Each command lives in ./commands; this file wires
 * them into yargs (loading only the command argv names) and maps usage errors to exit code 2.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { mayHoldBooleanValues, normalizeBooleanValues } from './boolean-words.js';
import type { BoundCommand } from './command.js';
import { emptyPathFlag } from './path-flags.js';
import { EXIT } from './exit-status.js';
import { helpHint, usageMessage, type UsageContext } from './usage-errors.js';
import { processIo, type CliIo } from './io.js';
import { terminalSafeIo } from './terminal-text.js';

/**
 * One row per command, in the order `--help` lists them. `command` and `describe` are what the
 * top-level help shows; `load` imports the command's module, which happens only for the command
 * named in argv (start-up cost, issue 10). `command`/`describe` repeat the module's own (a test
 * checks that they agree). Adding a command is adding a row.
 */
export interface CommandEntry {
  /** yargs command string with positionals, as the module defines it: `get [class]`. */
  readonly command: string;
  readonly describe: string;
  readonly load: () => Promise<BoundCommand>;
  /**
   * The command's CPU work is bounded by a few replies, not by how much a host returns or how long the
   * process serves: run from the shell, its process is tuned for a short life (short-life.ts).
   */
  readonly shortLived: boolean;
}

export const COMMANDS: readonly CommandEntry[] = [
  { command: 'identify', describe: 'Ask the WS-Man service who it is (wsmid:Identify): protocol, vendor, version, security profiles', load: async () => (await import('./commands/identify.js')).identifyCommand, shortLived: true },
  { command: 'get [class]', describe: 'Get one instance of a class (or of any --resource-uri) by its keys', load: async () => (await import('./commands/get.js')).getCommand, shortLived: true },
  { command: 'enumerate [class]', describe: 'List the instances of a class, or the result of a WQL query, as they arrive', load: async () => (await import('./commands/enumerate.js')).enumerateCommand, shortLived: false },
  { command: 'invoke [class] [method]', describe: 'Invoke a method of a class or instance; with --wait, follow the job it starts', load: async () => (await import('./commands/invoke.js')).invokeCommand, shortLived: true },
  { command: 'jobs', describe: 'List Hyper-V jobs (Msvm_ConcreteJob and Msvm_MigrationJob) with state, percent and error code, on one host or many', load: async () => (await import('./commands/jobs.js')).jobsCommand, shortLived: false },
  { command: 'job-wait [id]', describe: 'Wait for a Hyper-V job to finish, showing its progress; on failure print GetError', load: async () => (await import('./commands/job-wait.js')).jobWaitCommand, shortLived: true },
  { command: 'job-error [id]', describe: 'Show why a Hyper-V job failed (Msvm_ConcreteJob/Msvm_MigrationJob GetError)', load: async () => (await import('./commands/job-error.js')).jobErrorBound, shortLived: true },
  { command: 'config <action>', describe: 'Show the effective settings and where each comes from (flag, environment, profile); secrets redacted', load: async () => (await import('./commands/config.js')).configCommand, shortLived: true },
  { command: 'cert <action>', describe: 'Client certificates for --transport certificate: `cert new` makes one and prints how to map it on the host', load: async () => (await import('./commands/cert.js')).certCommand, shortLived: true },
  { command: 'doctor', describe: 'Diagnose one host step by step (DNS, TCP, TLS, auth schemes, NTLM/Kerberos/certificate, Identify, Hyper-V namespace), with the fix for each failure', load: async () => (await import('./commands/doctor.js')).doctorCommand, shortLived: true },
  { command: 'emulator', describe: 'Run an emulated Hyper-V host on loopback in the foreground and print the HYPERV_WSMAN_* settings to reach it', load: async () => (await import('./commands/emulator.js')).emulatorCommand, shortLived: false },
  { command: 'completion [shell]', describe: 'Print a shell completion script: hyperv-wsman completion bash >> ~/.bashrc (also zsh, fish)', load: async () => (await import('./completion.js')).completionCommand, shortLived: true },
];

export function commandName(entry: { readonly command: string }): string {
  return entry.command.split(' ')[0]!;
}

/** The first word of argv that names a command (yargs runs that one), if any. */
function namedEntry(argv: readonly string[]): CommandEntry | undefined {
  return argv.map((a) => COMMANDS.find((c) => commandName(c) === a)).find((c) => c !== undefined);
}

/** A command that is listed in `--help` but not loaded: argv does not name it, so yargs never runs it. */
function listedOnly(entry: CommandEntry): CommandModule<object, object> {
  return {
    command: entry.command,
    describe: entry.describe,
    handler: () => {
      throw new Error(`the ${commandName(entry)} command was run without being loaded`);
    },
  };
}

/** The flags a command module defines (or none), for "did you mean" (and the docs test). */
function flagsOf(mod: CommandModule<object, object> | undefined): string[] {
  const y = yargs([]);
  if (mod && typeof mod.builder === 'function') mod.builder(y as Argv<object>);
  // getOptions() is yargs' own (not in its typings): every option key defined so far.
  const keys = Object.keys((y as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key);
  return [...keys, 'help', 'version'].filter((k) => k.length > 1 && !k.includes('_'));
}

/** The boolean flags a command module defines, for `--flag=WORD` (boolean-words.ts). */
function booleanFlagsOf(mod: CommandModule<object, object> | undefined): Set<string> {
  const y = yargs([]);
  if (mod && typeof mod.builder === 'function') mod.builder(y as Argv<object>);
  return new Set((y as unknown as { getOptions(): { boolean: string[] } }).getOptions().boolean);
}

/** The flags of the command named in argv (or of none), for "did you mean" (and the docs test). */
export async function knownFlags(argv: readonly string[], io: CliIo): Promise<string[]> {
  const entry = namedEntry(argv);
  return flagsOf(entry ? (await entry.load())(io, () => undefined) : undefined);
}

/**
 * This package's version, from its own package.json (found upwards from this file, in src/ or dist/).
 * yargs would look upwards from process.argv[1], which for `node_modules/.bin/hyperv-wsman` is the
 * version of the project that installed it.
 */
export function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'hyperv-wsman' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

/** How long a finished command may take to flush output before the process is ended with its exit code. */
const EXIT_GRACE_MS = 2000;

/** Raised from yargs' fail hook to stop parsing at the first usage error. */
class UsageStop extends Error {}

export const PASSWORD_ON_ARGV_MESSAGE =
  'Passwords are never taken on the command line (they leak into shell history and process lists). Use HYPERV_WSMAN_PASSWORD, --password-stdin or --password-file.';

/**
 * `hyperv-wsman --json --host hv01 jobs`: flags before the command name are moved after it, where
 * yargs knows them. Boolean flags take no value, so `--json jobs` is --json and the command jobs.
 */
export function commandFirst(argv: readonly string[], booleanFlags: readonly string[]): string[] {
  if (argv[0] === '--get-yargs-completions') return [...argv]; // the completion protocol: words as typed
  const booleans = new Set(booleanFlags);
  const before: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '--') {
    const token = argv[i]!;
    before.push(token);
    const name = token.replace(/^--?/, '').replace(/^no-/, '');
    const takesValue = !token.includes('=') && token.startsWith('--') && !booleans.has(name) && !['help', 'version'].includes(name);
    if (takesValue && i + 1 < argv.length) before.push(argv[++i]!);
    i++;
  }
  if (before.length === 0 || i >= argv.length || argv[i] === '--') return [...argv];
  return [argv[i]!, ...before, ...argv.slice(i + 1)];
}

/** commandFirst, loading the connection flags' table only when there are flags before a command to move. */
async function reorder(argv: readonly string[]): Promise<string[]> {
  if (!argv[0]?.startsWith('-') || argv[0] === '--get-yargs-completions' || !argv.some((a) => !a.startsWith('-'))) return [...argv];
  const { globalBooleanFlags } = await import('./connection.js');
  return commandFirst(argv, globalBooleanFlags());
}

export async function runCli(rawArgv: readonly string[], rawIo: CliIo = processIo()): Promise<number> {
  const io = terminalSafeIo(rawIo);
  let argv = await reorder(rawArgv);
  let result: Promise<number> | undefined;
  let usageError: string | undefined;
  const handoff = (p: Promise<number>): void => {
    result = p;
  };
  // Only the command argv names is loaded with its options; the others are listed for --help.
  const named = namedEntry(argv);
  const loaded = named ? (await named.load())(io, handoff) : undefined;
  const usage: UsageContext = {
    ...(named ? { command: { name: commandName(named), usage: named.command } } : {}),
    ...(argv.some((a) => !a.startsWith('-')) ? { firstWord: argv.find((a) => !a.startsWith('-'))! } : {}),
    knownFlags: () => flagsOf(loaded),
    argv,
  };
  // `--send-cbt=maybe` would reach yargs as false: boolean flags with a value are checked first.
  // The completion protocol passes the words as typed so far: not a command line to check.
  if (argv[0] !== '--get-yargs-completions' && mayHoldBooleanValues(argv)) {
    const checked = normalizeBooleanValues(argv, booleanFlagsOf(loaded));
    if ('error' in checked) return usageFailure(checked.error, usage, io);
    argv = checked.argv;
  }
  let parser = yargs([...argv])
    .scriptName('hyperv-wsman')
    // `--selector K=V Msvm_Class`: an array flag takes one value per occurrence, never the positionals after it.
    .parserConfiguration({ 'greedy-arrays': false })
    .usage('$0 <command> [options]\n\nManage Hyper-V hosts over WS-Management (WinRM), from Linux or macOS.');
  for (const c of COMMANDS) parser = parser.command(c === named ? loaded! : listedOnly(c));
  parser = parser
    // yargs answers `--get-yargs-completions` for the scripts of `completion bash|zsh|fish`; its own script command stays hidden.
    .completion('completion-script', false)
    .option('password', { type: 'string', hidden: true })
    .check((a) => {
      if (a.password !== undefined) throw new Error(PASSWORD_ON_ARGV_MESSAGE);
      const emptyPath = emptyPathFlag(a);
      if (emptyPath !== undefined) throw new Error(emptyPath);
      return true;
    })
    .demandCommand(1, 'Name a command.')
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .epilogue('Connection settings can come from a config file profile (--profile); see docs/cli-json.md. Exit codes: 0 ok, 1 internal, 2 usage, 3 job failed, 4 auth, 5 connection, 6 WS-Man fault, 7 not found, 8 job timeout, 9 method failed, 130 interrupted (Ctrl-C).')
    .wrap(helpWidth())
    .exitProcess(false)
    .fail((msg, err) => {
      usageError = usageMessage(msg ?? err?.message ?? 'usage error', usage);
      // Throwing stops yargs here; returning would let it go on and run the command anyway.
      throw new UsageStop(usageError);
    });
  skipHelpCache(parser);
  let helpOutput = '';
  try {
    await parser.parseAsync([...argv], {}, (_err, _parsed, output) => {
      helpOutput = output;
    });
  } catch (err) {
    if (!(err instanceof UsageStop)) throw err;
  }
  if (usageError !== undefined) return usageFailure(usageError, usage, io);
  if (result) return result;
  if (helpOutput) io.stdout.write(unglueTypes(helpOutput, helpWidth()) + '\n');
  return EXIT.OK;
}

/** A usage error: one line on stderr with where to read more (and a JSON document with --json), exit 2. */
function usageFailure(message: string, usage: UsageContext, io: CliIo): number {
  io.stderr.write(`hyperv-wsman: ERR_USAGE: ${message}\n${helpHint(usage)}\n`);
  if (usage.argv?.includes('--json')) io.stdout.write(JSON.stringify({ error: { code: 'ERR_USAGE', message } }) + '\n');
  return EXIT.USAGE;
}

/** The width --help is laid out for: the terminal's, at most 110 (100 when not a terminal). */
function helpWidth(): number {
  return Math.min(110, process.stdout.columns ?? 100);
}

/**
 * yargs right-aligns an option's `[string]` after its description, and when the two fill the line
 * exactly it leaves no space between them ("...Msvm_AffectedJobElement[string]"). Such a type goes
 * on a line of its own, right-aligned as yargs would have put it.
 */
export function unglueTypes(help: string, width: number): string {
  return help
    .split('\n')
    .map((line) => line.replace(/(\S)(\[(?:string|number|boolean|array|count)\](?: \[[^\]]*\])*)$/, (_m, last: string, types: string) => `${last}\n${types.padStart(width)}`))
    .join('\n');
}

/**
 * yargs renders the whole help text after running any command (usage.cacheHelpMessage), to print it
 * should the handler's promise reject later. Ours never rejects (the work is handed off and its
 * errors are reported by the command), and that rendering (string-width over every cell) was a
 * quarter of a one-shot call's CPU (issue 10). yargs' internals are not in its typings: where the hook
 * is missing nothing changes.
 */
function skipHelpCache(parser: Argv<object>): void {
  const internals = parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = internals.getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
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
  // Once the command has its exit code, nothing may keep the process alive or let it end with 0:
  // a dependency's socket that never closes would otherwise hold it open (and, when it finally goes,
  // exit with no code set). The unref'd timer never delays a clean exit.
  const exitSoon = (code: number): void => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  };
  const argv = process.argv.slice(2);
  // Before the command's modules load, so their start-up runs with the short-life settings.
  const tuned = namedEntry(argv)?.shortLived ? import('./short-life.js').then((m) => m.tuneForShortLife()) : Promise.resolve();
  tuned.then(() => runCli(argv)).then(exitSoon, (err: unknown) => {
    process.stderr.write(`hyperv-wsman: ERR_INTERNAL: ${err instanceof Error ? err.message : String(err)}\n`);
    exitSoon(EXIT.INTERNAL);
  });
}
