/**
 * `hyperv-wsman emulator`: the emulated Hyper-V host in the foreground, for trying the CLI, the
 * examples or a playbook without Windows. It prints the settings to use as HYPERV_WSMAN_* lines
 * (shell syntax; `#` lines are comments, so the output can be sourced), then `# ready`, and runs until
 * SIGINT or SIGTERM. The emulator module is imported only here, when the command runs, so other
 * commands do not load it.
 */
import type { Argv } from 'yargs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionError, InvalidOptionError } from '../../errors.js';
import type { EmulatedHostOptions, JobFixture, NullErrorForm, TestCertificates } from '../../emulator/index.js';
import { defineCommand } from '../command.js';
import { envNameOf } from '../connection.js';
import type { CliIo } from '../io.js';
import { givenNumber } from '../number-text.js';
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
  'empty-hyperv-namespace'?: boolean;
  kerberos?: boolean;
  'kerberos-realm'?: string;
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
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionError(`--port must be 0-65535 (0: a free port), got ${givenNumber(args.port)}.`);
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
  const realm = args['kerberos-realm'];
  if (realm !== undefined && !args.kerberos) throw new InvalidOptionError('--kerberos-realm only applies with --kerberos.');
  if (realm !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(realm)) throw new InvalidOptionError(`--kerberos-realm must be a realm name such as LAB.TEST, got "${realm}".`);
  const empty = args['empty-hyperv-namespace'] === true;
  if (empty && args.fixtures !== undefined) throw new InvalidOptionError('--empty-hyperv-namespace shows no job at all: leave out --fixtures.');
  const jobs = empty ? [] : args.fixtures !== undefined ? await readFixtures(args.fixtures) : [...emu.DEFAULT_JOBS];
  const faultModes: Partial<JobFixture> = {
    ...(args['null-error-form'] !== undefined ? { nullErrorForm: args['null-error-form'] as NullErrorForm } : {}),
    ...(args['get-error-return-value'] !== undefined ? { getErrorReturnValue: args['get-error-return-value'] } : {}),
    ...(args['error-system-properties'] ? { errorXmlSystemProperties: true } : {}),
  };
  const host = await listenOrExplain(args, () => emu.startEmulatedHost({
    port,
    ...(args.listen !== undefined ? { hostname: args.listen } : {}),
    ...(tls ? { tls } : {}),
    auth: { negotiate: auth.has('negotiate'), ntlm: auth.has('ntlm'), basic: auth.has('basic') },
    ...(args['allow-unencrypted'] ? { allowUnencrypted: true } : {}),
    ...(args['cbt-hardening'] !== undefined ? { cbtHardeningLevel: args['cbt-hardening'] as 'none' | 'relaxed' | 'strict' } : {}),
    ...(empty ? { emptyHypervNamespace: true } : { jobs: jobs.map((j) => ({ ...j, ...faultModes })) }),
    // The host accepts Kerberos (bare and in Negotiate) and runs a KDC for its realm beside it.
    ...(args.kerberos ? { kerberos: { kdc: true, ...(realm !== undefined ? { realm: realm.toUpperCase() } : {}) } } : {}),
  }));
  let krbDir: string | undefined;
  try {
    const kerberos = host.kerberos;
    let krb5ConfigPath: string | undefined;
    if (kerberos?.krb5Conf !== undefined) {
      krbDir = await mkdtemp(join(tmpdir(), 'hyperv-wsman-emulator-'));
      krb5ConfigPath = join(krbDir, 'krb5.conf');
      await writeFile(krb5ConfigPath, kerberos.krb5Conf);
    }
    const basicOnly = auth.has('basic') && !auth.has('negotiate') && !auth.has('ntlm');
    const settings: Array<[Parameters<typeof envNameOf>[0] | 'password', string]> = [
      ['host', host.hostname],
      ['port', String(host.port)],
      ['scheme', host.scheme],
      ['user', kerberos ? `${emu.DEFAULT_USER}@${kerberos.realm}` : emu.DEFAULT_USER],
      ['password', emu.DEFAULT_PASSWORD],
      ...(kerberos ? [['transport', 'kerberos'] as ['transport', string]] : basicOnly ? [['transport', 'basic'] as ['transport', string]] : []),
      ...(krb5ConfigPath !== undefined ? [['krb5-config', krb5ConfigPath] as ['krb5-config', string]] : []),
      ...(certs ? [['ca-trust-path', certs.caCertPath] as ['ca-trust-path', string]] : []),
      ...(host.scheme === 'http' && basicOnly ? [['allow-unencrypted', 'true'] as ['allow-unencrypted', string]] : []),
    ];
    const lines = settings.map(([k, v]) => `${k === 'password' ? 'HYPERV_WSMAN_PASSWORD' : envNameOf(k)}=${shellQuote(v)}`);
    if (args.json) {
      const krb = kerberos?.kdc !== undefined ? { realm: kerberos.realm, kdc: kdcText(kerberos.kdc), servicePrincipals: kerberos.servicePrincipals, krb5Config: krb5ConfigPath, krb5Conf: kerberos.krb5Conf } : undefined;
      io.stdout.write(JSON.stringify({ url: host.url, env: Object.fromEntries(settings.map(([k, v]) => [k === 'password' ? 'HYPERV_WSMAN_PASSWORD' : envNameOf(k), v])), jobs: jobs.map((j) => ({ className: j.className, instanceId: j.instanceId, jobState: j.jobState })), ...(krb ? { kerberos: krb } : {}) }) + '\n');
    } else {
      io.stdout.write(`# hyperv-wsman emulator: an emulated Hyper-V host at ${host.url} (the password is the emulator's fixed test password)\n`);
      io.stdout.write(lines.join('\n') + '\n');
      if (kerberos?.kdc !== undefined && kerberos.krb5Conf !== undefined) io.stdout.write(kerberosNotes(`${emu.DEFAULT_USER}@${kerberos.realm}`, kerberos.kdc, kerberos.servicePrincipals, kerberos.krb5Conf, krb5ConfigPath!));
      for (const j of jobs) io.stdout.write(`# job ${j.className} ${j.instanceId} state ${j.jobState}${j.errors?.length ? ' (has errors)' : ''}\n`);
      if (empty) io.stdout.write('# root/virtualization/v2 is empty (--empty-hyperv-namespace): no job, VM or service\n');
      io.stdout.write('# ready; stop with Ctrl-C\n');
    }
    const signal = await waitForSignal();
    io.stderr.write(`hyperv-wsman: emulator stopped (${signal}).\n`);
    return 0;
  } finally {
    await host.close();
    await certs?.cleanup();
    if (krbDir !== undefined) await rm(krbDir, { recursive: true, force: true });
  }
}

const kdcText = (kdc: { host: string; port: number }): string => `${kdc.host.includes(':') ? `[${kdc.host}]` : kdc.host}:${kdc.port}`;

/** `#` lines: the realm, its KDC, the SPNs, and the krb5.conf for other Kerberos clients (MIT kinit, pywinrm). */
function kerberosNotes(user: string, kdc: { host: string; port: number }, spns: readonly string[], krb5Conf: string, path: string): string {
  return [
    `# Kerberos realm ${user.slice(user.indexOf('@') + 1)}: KDC ${kdcText(kdc)} (TCP and UDP); every emulated user has the printed password`,
    `# service principals: ${spns.join(' ')}`,
    `# --transport kerberos or negotiate; without this file: --kdc ${kdcText(kdc)} --user ${user}`,
    `# krb5.conf (written to ${path}; MIT tools: KRB5_CONFIG=${path} kinit ${user}):`,
    ...krb5Conf.trimEnd().split('\n').map((l) => `#   ${l.replace(/\t/g, '  ')}`),
    '',
  ].join('\n');
}

/** A port in use or an address not on this machine is a connection-class failure (exit 5), said plainly. */
async function listenOrExplain<T>(args: EmulatorArgs, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${args.listen ?? '127.0.0.1'}:${String(args.port ?? 0)}`;
    if (code === 'EADDRINUSE') throw new ConnectionError(`Cannot listen on ${where}: the port is taken. Pick another --port, or 0 for a free one.`, { cause: err });
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') throw new ConnectionError(`Cannot listen on ${where} (${code}). Use an address of this machine with --listen and a port above 1023.`, { cause: err });
    throw err;
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
      .option('empty-hyperv-namespace', { type: 'boolean', group: GROUP, describe: 'Fault mode: root/virtualization/v2 answers with no instance at all (a user Hyper-V shows nothing); doctor fails its hyperv-namespace step' })
      .option('kerberos', { type: 'boolean', group: GROUP, describe: 'Also accept Kerberos (and Kerberos in Negotiate), with a KDC for the realm beside the host; prints the realm, the KDC and a krb5.conf' })
      .option('kerberos-realm', { type: 'string', group: GROUP, describe: 'Realm of --kerberos (default EMULATOR.TEST)' })
      .option('json', { type: 'boolean', describe: 'Print the settings as one JSON document' })
      .option('debug', { type: 'boolean', describe: 'Show stack traces on errors' })
      .example('$0 emulator --port 5985', 'Listen on 127.0.0.1:5985 with NTLM and message encryption, like a default Windows host')
      .example('$0 emulator --tls --auth basic > emu.env & sleep 2; set -a; . ./emu.env; set +a; $0 jobs', 'HTTPS with Basic; the CLI reads the printed settings')
      .example('$0 emulator --kerberos > emu.env & sleep 2; set -a; . ./emu.env; set +a; $0 jobs', 'Kerberos with the emulator\'s own KDC; the settings select --transport kerberos and its krb5.conf') as Argv<EmulatorArgs>,
  run: async (args, io) => {
    try {
      return await run(args, io);
    } catch (err) {
      return reportError(err, args, io);
    }
  },
});
