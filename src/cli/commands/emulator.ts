/**
 * `hyperv-wsman emulator`: the emulated Hyper-V host in the foreground, for trying the CLI, the
 * examples or a playbook without Windows. It prints the settings to use as HYPERV_WSMAN_* lines
 * (shell syntax; `#` lines are comments, so the output can be sourced), then `# ready`, and runs until
 * SIGINT or SIGTERM. The emulator module is imported only here, when the command runs, so other
 * commands do not load it.
 */
import type { Argv } from 'yargs';
import { readFile } from 'node:fs/promises';
import { InvalidOptionError } from '../../errors.js';
import type { EmulatedHostOptions, JobFixture, NullErrorForm, TestCertificates } from '../../emulator/index.js';
import { defineCommand } from '../command.js';
import { envNameOf } from '../connection.js';
import type { CliIo } from '../io.js';
import { reportError } from '../run.js';

export interface EmulatorArgs {
  port?: number;
  listen?: string;
  tls?: boolean;
  cert?: string;
  key?: string;
  auth?: string[];
  'allow-unencrypted'?: boolean;
  'cbt-hardening'?: string;
  fixtures?: string;
  'null-error-form'?: string;
  'get-error-return-value'?: number;
  'error-system-properties'?: boolean;
  json?: boolean;
  debug?: boolean;
}

const AUTH = ['negotiate', 'ntlm', 'basic'] as const;
const GROUP = 'Emulated host:';

/** Shell-safe single quoting, only when needed. */
const shellQuote = (v: string): string => (/^[A-Za-z0-9_./:@%+=,-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

/** A fixture file: a JSON array of jobs (the JobFixture shape; dates as ISO strings). */
async function readFixtures(path: string): Promise<JobFixture[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InvalidOptionError(`--fixtures ${path}: ${(err as Error).message}`);
  }
  if (!Array.isArray(doc)) throw new InvalidOptionError(`--fixtures ${path}: expected a JSON array of jobs.`);
  return doc.map((raw: unknown, i) => {
    const j = raw as Record<string, unknown>;
    if (typeof j !== 'object' || j === null) throw new InvalidOptionError(`--fixtures ${path}: job #${i + 1} is not an object.`);
    if (typeof j.className !== 'string' || !/^[A-Za-z_]\w*$/.test(j.className)) throw new InvalidOptionError(`--fixtures ${path}: job #${i + 1}: className must be a class name such as Msvm_ConcreteJob.`);
    for (const k of ['jobState', 'percentComplete', 'errorCode'] as const) {
      if (typeof j[k] !== 'number') throw new InvalidOptionError(`--fixtures ${path}: job #${i + 1}: ${k} must be a number.`);
    }
    if (typeof j.instanceId !== 'string' || j.instanceId === '') throw new InvalidOptionError(`--fixtures ${path}: job #${i + 1}: instanceId must be a string.`);
    const dates = Object.fromEntries((['startTime', 'timeSubmitted'] as const).filter((k) => typeof j[k] === 'string').map((k) => [k, new Date(j[k] as string)]));
    return { ...(j as unknown as JobFixture), ...dates };
  });
}

const tlsAsked = (args: EmulatorArgs): boolean => args.tls === true || args.cert !== undefined;

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => (): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(sig);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

async function run(args: EmulatorArgs, io: CliIo): Promise<number> {
  const emu = await import('../../emulator/index.js');
  const port = args.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionError(`--port must be 0-65535 (0: a free port), got ${String(args.port)}.`);
  if ((args.cert === undefined) !== (args.key === undefined)) throw new InvalidOptionError('Give --cert and --key together.');
  const auth = new Set(args.auth ?? ['negotiate']);
  if (!auth.has('negotiate') && !auth.has('ntlm') && !tlsAsked(args) && !args['allow-unencrypted']) {
    throw new InvalidOptionError('--auth basic over http sends passwords in clear text: add --tls, or --allow-unencrypted for a lab setup.');
  }
  let certs: TestCertificates | undefined;
  let tls: EmulatedHostOptions['tls'];
  if (args.cert !== undefined && args.key !== undefined) tls = { cert: await readFile(args.cert), key: await readFile(args.key) };
  else if (args.tls) {
    certs = await emu.generateTestCertificates();
    tls = { cert: certs.cert, key: certs.key };
  }
  const jobs = args.fixtures !== undefined ? await readFixtures(args.fixtures) : [...emu.DEFAULT_JOBS];
  const faultModes: Partial<JobFixture> = {
    ...(args['null-error-form'] !== undefined ? { nullErrorForm: args['null-error-form'] as NullErrorForm } : {}),
    ...(args['get-error-return-value'] !== undefined ? { getErrorReturnValue: args['get-error-return-value'] } : {}),
    ...(args['error-system-properties'] ? { errorXmlSystemProperties: true } : {}),
  };
  const host = await emu.startEmulatedHost({
    port,
    ...(args.listen !== undefined ? { hostname: args.listen } : {}),
    ...(tls ? { tls } : {}),
    auth: { negotiate: auth.has('negotiate'), ntlm: auth.has('ntlm'), basic: auth.has('basic') },
    ...(args['allow-unencrypted'] ? { allowUnencrypted: true } : {}),
    ...(args['cbt-hardening'] !== undefined ? { cbtHardeningLevel: args['cbt-hardening'] as 'none' | 'relaxed' | 'strict' } : {}),
    jobs: jobs.map((j) => ({ ...j, ...faultModes })),
  });
  try {
    const basicOnly = auth.has('basic') && !auth.has('negotiate') && !auth.has('ntlm');
    const settings: Array<[Parameters<typeof envNameOf>[0] | 'password', string]> = [
      ['host', host.hostname],
      ['port', String(host.port)],
      ['scheme', host.scheme],
      ['user', emu.DEFAULT_USER],
      ['password', emu.DEFAULT_PASSWORD],
      ...(basicOnly ? [['transport', 'basic'] as ['transport', string]] : []),
      ...(certs ? [['ca-trust-path', certs.caCertPath] as ['ca-trust-path', string]] : []),
      ...(host.scheme === 'http' && basicOnly ? [['allow-unencrypted', 'true'] as ['allow-unencrypted', string]] : []),
    ];
    const lines = settings.map(([k, v]) => `${k === 'password' ? 'HYPERV_WSMAN_PASSWORD' : envNameOf(k)}=${shellQuote(v)}`);
    if (args.json) {
      io.stdout.write(JSON.stringify({ url: host.url, env: Object.fromEntries(settings.map(([k, v]) => [k === 'password' ? 'HYPERV_WSMAN_PASSWORD' : envNameOf(k), v])), jobs: jobs.map((j) => ({ className: j.className, instanceId: j.instanceId, jobState: j.jobState })) }) + '\n');
    } else {
      io.stdout.write(`# hyperv-wsman emulator: an emulated Hyper-V host at ${host.url} (the password is the emulator's fixed test password)\n`);
      io.stdout.write(lines.join('\n') + '\n');
      for (const j of jobs) io.stdout.write(`# job ${j.className} ${j.instanceId} state ${j.jobState}${j.errors?.length ? ' (has errors)' : ''}\n`);
      io.stdout.write('# ready; stop with Ctrl-C\n');
    }
    const signal = await waitForSignal();
    io.stderr.write(`hyperv-wsman: emulator stopped (${signal}).\n`);
    return 0;
  } finally {
    await host.close();
    await certs?.cleanup();
  }
}

export const emulatorCommand = defineCommand<EmulatorArgs>({
  command: 'emulator',
  describe: 'Run an emulated Hyper-V host on loopback in the foreground and print the HYPERV_WSMAN_* settings to reach it',
  builder: (y) =>
    y
      .option('port', { type: 'number', group: GROUP, describe: 'Port to listen on (default 0: a free one, printed)' })
      .option('listen', { type: 'string', group: GROUP, describe: 'Address to listen on (default 127.0.0.1)' })
      .option('tls', { type: 'boolean', group: GROUP, describe: 'HTTPS with a throw-away CA (its certificate path is printed as HYPERV_WSMAN_CA_TRUST_PATH)' })
      .option('cert', { type: 'string', group: GROUP, describe: 'HTTPS with this PEM certificate (with --key)' })
      .option('key', { type: 'string', group: GROUP, describe: 'PEM private key of --cert' })
      .option('auth', { type: 'array', string: true, choices: AUTH, group: GROUP, describe: 'Schemes offered (default negotiate, as Windows)' })
      .option('allow-unencrypted', { type: 'boolean', group: GROUP, describe: 'Accept clear-text SOAP over http (WinRM AllowUnencrypted)' })
      .option('cbt-hardening', { type: 'string', choices: ['none', 'relaxed', 'strict'], group: GROUP, describe: 'WinRM CbtHardeningLevel for NTLM over https (default relaxed)' })
      .option('fixtures', { type: 'string', group: GROUP, describe: 'JSON file: an array of jobs replacing the built-in ones' })
      .option('null-error-form', { type: 'string', choices: ['nil', 'empty', 'absent'], group: GROUP, describe: 'Fault mode: how GetError renders "no error" (default nil)' })
      .option('get-error-return-value', { type: 'number', group: GROUP, describe: 'Fault mode: GetError/GetErrorEx return this code (e.g. 32769 access denied)' })
      .option('error-system-properties', { type: 'boolean', group: GROUP, describe: 'Fault mode: WMI system properties (__CLASS, __PATH, ...) in the Msvm_Error CIM-XML' })
      .option('json', { type: 'boolean', describe: 'Print the settings as one JSON document' })
      .option('debug', { type: 'boolean', describe: 'Show stack traces on errors' })
      .example('$0 emulator --port 5985', 'Listen on 127.0.0.1:5985 with NTLM and message encryption, like a default Windows host')
      .example('$0 emulator --tls --auth basic > emu.env & sleep 2; set -a; . ./emu.env; set +a; $0 jobs', 'HTTPS with Basic; the CLI reads the printed settings') as Argv<EmulatorArgs>,
  run: async (args, io) => {
    try {
      return await run(args, io);
    } catch (err) {
      return reportError(err, args, io);
    }
  },
});
