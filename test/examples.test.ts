// The example scripts and the Ansible modules, run as a user would run them (a child `node --import tsx`
// process, connection settings from the environment) against an emulated host this test starts, so
// they never rot. The modules are also checked here without Ansible: argument validation, secret
// masking, _ansible_no_log, and that job_error is exactly what the library's getErrorToJson gives.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HypervJobs, WsmanClient, getErrorExToJson, getErrorToJson } from '../src/index.js';
import {
  DEFAULT_PASSWORD,
  DEFAULT_USER,
  FIXTURE_JOB_IDS,
  FIXTURE_VMS,
  startEmulatedHost,
  type EmulatedHost,
  type JobFixture,
} from '../src/emulator/index.js';
import { failingMigrationJob } from '../examples/lib/demo-jobs.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LIBRARY = join(ROOT, 'examples/ansible/library');
/** The modules load the TypeScript sources through tsx here, so this test does not need dist/. */
const LIB_SOURCE = join(ROOT, 'src/index.ts');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a child: ours without test-runner or HYPERV_WSMAN_* leftovers, plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // NODE_TEST_CONTEXT would make a child node:test file report to us in the runner's protocol.
    if (k !== 'NODE_TEST_CONTEXT' && !k.startsWith('HYPERV_WSMAN_') && k !== 'NODE_PATH') env[k] = v;
  }
  return { ...env, ...extra };
}

/** Spawn asynchronously: the emulated host lives in this process and must keep answering. */
function runNode(args: readonly string[], env: Record<string, string>, timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

function connectionEnv(host: EmulatedHost, password = DEFAULT_PASSWORD): Record<string, string> {
  return {
    HYPERV_WSMAN_HOST: host.hostname,
    HYPERV_WSMAN_PORT: String(host.port),
    HYPERV_WSMAN_SCHEME: 'http',
    HYPERV_WSMAN_USER: DEFAULT_USER,
    HYPERV_WSMAN_PASSWORD: password,
  };
}

const example = (name: string, args: readonly string[], env: Record<string, string>): Promise<Run> => runNode([`examples/${name}`, ...args], env);

const FAILED_MESSAGE = `'${FIXTURE_VMS.failed.name}' failed to modify device 'Virtual Hard Disk'. (Virtual machine ID ${FIXTURE_VMS.failed.id})`;

describe('example scripts against the emulated host', () => {
  let host: EmulatedHost;
  let env: Record<string, string>;

  before(async () => {
    host = await startEmulatedHost();
    env = connectionEnv(host);
  });
  after(() => host.close());

  test('npm run demo: emulated host, NTLM + encryption, decoded errors of both job classes; exit 0', async () => {
    const r = await example('demo.ts', [], {});
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^hyperv-wsman demo: /);
    assert.ok(r.stdout.includes(FAILED_MESSAGE), r.stdout);
    assert.match(r.stdout, /MessageID: 32768\n\s+OwningEntity: Microsoft-Windows-Hyper-V-VMMS\n\s+ErrorType: 4 \(Software Error\)\n\s+PerceivedSeverity: 3 \(Degraded\/Warning\)/);
    assert.match(r.stdout, /Msvm_MigrationJob 7C4D1E8A-3F6B-4A92-B5D0-2E9F6C1A4B37: GetError returned 0/);
    assert.match(r.stdout, /MessageID: 21502/);
    assert.match(r.stdout, /GetErrorEx returned 0 \(Completed with No Error\), 2 errors/);
    assert.match(r.stdout, /(\d+) SOAP requests, \1 of them encrypted \(authenticated as Administrator via ntlm\)/);
    assert.match(r.stdout, /all checks passed/);
  });

  test('get-job-error.ts prints the decoded Msvm_Error: message, ID, type, severity, actions, arguments', async () => {
    const r = await example('get-job-error.ts', [FIXTURE_JOB_IDS.failedConcrete], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], `Job ${FIXTURE_JOB_IDS.failedConcrete} (Msvm_ConcreteJob)`);
    for (const line of [
      'GetError returned 0 (Completed with No Error)',
      `  ${FAILED_MESSAGE}`,
      '  MessageID: 32768',
      '  ErrorType: 4 (Software Error)',
      '  PerceivedSeverity: 3 (Degraded/Warning)',
      '  RecommendedActions:',
      `    [0] ${FIXTURE_VMS.failed.name}`,
    ]) {
      assert.ok(r.stdout.split('\n').includes(line), `missing line ${JSON.stringify(line)} in\n${r.stdout}`);
    }
  });

  test('get-job-error.ts --all lists every error; a completed job has none', async () => {
    const all = await example('get-job-error.ts', [FIXTURE_JOB_IDS.twoErrors, '--all'], env);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /GetErrorEx returned 0[^]*Error 1 of 2:[^]*Error 2 of 2:[^]*The system cannot find the file specified/);
    const ok = await example('get-job-error.ts', [FIXTURE_JOB_IDS.completedMigration, '--class', 'Msvm_MigrationJob'], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /\(Msvm_MigrationJob\)\nGetError returned 0 \(Completed with No Error\)\nNo error/);
  });

  test('get-job-error.ts: missing settings, wrong password and unknown job give a coded error and exit 1, never the password', async () => {
    const unset = await example('get-job-error.ts', [FIXTURE_JOB_IDS.failedConcrete], {});
    assert.equal(unset.code, 1);
    assert.match(unset.stderr, /^error: ERR_INVALID_OPTION: HYPERV_WSMAN_HOST is not set/);

    const secret = 'Wr0ng-Passw0rd-for-the-test';
    const wrong = await example('get-job-error.ts', [FIXTURE_JOB_IDS.failedConcrete], connectionEnv(host, secret));
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^error: ERR_AUTH: The server rejected the NTLM credentials/);
    assert.ok(!(wrong.stdout + wrong.stderr).includes(secret));

    const missing = await example('get-job-error.ts', ['00000000-0000-0000-0000-000000000000'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: ERR_NOT_FOUND: No job with InstanceID "00000000-0000-0000-0000-000000000000" in Msvm_ConcreteJob or Msvm_MigrationJob/);
  });

  test('wait-for-migration.ts starts a migration, prints its progress and the decoded error; exit 3', async () => {
    const before = new Set(host.model.list('Msvm_MigrationJob').map((j) => j.instanceId));
    const r = await example('wait-for-migration.ts', [FIXTURE_VMS.migrating.id, 'HV-EMU09'], env);
    assert.equal(r.code, 3, r.stderr);
    const started = host.model.list('Msvm_MigrationJob').filter((j) => !before.has(j.instanceId));
    assert.equal(started.length, 1);
    const id = started[0]!.instanceId;
    assert.equal(started[0]!.jobState, 10);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `Migration of ${FIXTURE_VMS.migrating.id} to HV-EMU09 started: Msvm_MigrationJob ${id}`);
    assert.deepEqual(lines.slice(1, 4), ['  Running 33%', '  Running 66%', '  Exception 66%']);
    assert.equal(lines[4], 'Migration failed: job ended in state Exception (ErrorCode 32768).');
    assert.equal(lines[5], `  Virtual machine migration operation for 'sql02' failed at migration source 'HV-EMU01'. (Virtual machine ID ${FIXTURE_VMS.migrating.id})`);
    assert.ok(lines.includes('  MessageID: 21502'));
    assert.ok(lines.includes('    [3] HV-EMU09'), r.stdout);
  });

  test('invoke-method.ts calls any method: RequestStateChange stops a job; a job-starting method reports its job', async () => {
    const stop = await example('invoke-method.ts', ['Msvm_ConcreteJob', 'RequestStateChange', '--selector', `InstanceID=${FIXTURE_JOB_IDS.runningConcrete}`, '--param', 'RequestedState=4'], env);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout, 'Msvm_ConcreteJob.RequestStateChange: ReturnValue 0 (Completed with No Error)\n');
    assert.equal(host.model.get(FIXTURE_JOB_IDS.runningConcrete)?.jobState, 8);

    const getError = await example('invoke-method.ts', ['Msvm_ConcreteJob', 'GetError', '--selector', `InstanceID=${FIXTURE_JOB_IDS.failedConcrete}`], env);
    assert.equal(getError.code, 0, getError.stderr);
    assert.match(getError.stdout, /^Msvm_ConcreteJob\.GetError: ReturnValue 0 \(Completed with No Error\)\nError: \{/);
    const json = getError.stdout.slice(getError.stdout.indexOf('\nError: ') + '\nError: '.length);
    const decoded = JSON.parse(json) as { className: string; properties: Record<string, unknown> };
    assert.equal(decoded.className, 'Msvm_Error');
    assert.equal(decoded.properties.Message, FAILED_MESSAGE);

    const resize = await example('invoke-method.ts', ['Msvm_ImageManagementService', 'ResizeVirtualHardDisk', '--selector', 'Name=ims', '--param', 'Path=C:\\vhd\\a.vhdx', '--param', 'MaxInternalSize=1073741824'], env);
    assert.equal(resize.code, 0, resize.stderr);
    assert.match(resize.stdout, /ReturnValue 4096 \(Method Parameters Checked - Job Started\)\nJob: reference Msvm_StorageJob \{"InstanceID":"([0-9A-F-]{36})"[^\n]*\nStarted job: Msvm_StorageJob \1 /);
  });

  test('emulator-in-your-tests.ts is a passing node:test suite', async () => {
    const r = await runNode(['--test-reporter=tap', 'examples/emulator-in-your-tests.ts'], {});
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^# pass 4$/m);
    assert.match(r.stdout, /^# fail 0$/m);
  });

  test('start-emulator.ts serves the examples until SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/start-emulator.ts', '--port', '0'], { cwd: ROOT, env: childEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<string>((res, rej) => {
      child.stdout.on('data', (d: string) => {
        out += d;
        const m = /HYPERV_WSMAN_PORT=(\d+)/.exec(out);
        if (m && out.includes('Press Ctrl-C to stop.')) res(m[1]!);
      });
      child.on('close', (code) => rej(new Error(`start-emulator exited early (${code}): ${out}`)));
    });
    const closed = new Promise<number | null>((res) => child.on('close', res));
    try {
      const port = await ready;
      assert.match(out, /failingMigration\s+D2B7C4E9-1F6A-4B83-9E0D-7A5C3F8B2E16/);
      const r = await example('get-job-error.ts', [FIXTURE_JOB_IDS.failedMigration], { ...env, HYPERV_WSMAN_PORT: port });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /MessageID: 21502/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await closed, 0);
    assert.match(out, /Stopped\.\n$/);
  });
});

describe('failed-jobs-last-day.ts', () => {
  const HOUR = 3_600_000;
  const ago = (ms: number): Date => new Date(Date.now() - ms);
  const failed = (instanceId: string, className: JobFixture['className'], jobState: number, startedAgo: number, message: string): JobFixture => ({
    className,
    instanceId,
    jobState,
    percentComplete: 50,
    errorCode: 32768,
    errorDescription: message,
    elementName: 'Export Virtual Machine',
    startTime: ago(startedAgo),
    elapsedMs: 60_000,
    errors: [{ message, messageId: '18350', errorType: 4, perceivedSeverity: 3 }],
  });
  const RECENT = 'AAAAAAAA-0000-4000-8000-000000000001';
  const RECENT_MIGRATION = 'AAAAAAAA-0000-4000-8000-000000000002';
  const OLD = 'AAAAAAAA-0000-4000-8000-000000000003';
  const COMPLETED = 'AAAAAAAA-0000-4000-8000-000000000004';
  let host: EmulatedHost;

  before(async () => {
    host = await startEmulatedHost({
      jobs: [
        failed(RECENT, 'Msvm_ConcreteJob', 10, 2 * HOUR, 'Recent export failure: disk full.'),
        failed(RECENT_MIGRATION, 'Msvm_MigrationJob', 9, 1 * HOUR, 'Recent migration killed.'),
        failed(OLD, 'Msvm_ConcreteJob', 10, 72 * HOUR, 'Old failure.'),
        { className: 'Msvm_ConcreteJob', instanceId: COMPLETED, jobState: 7, percentComplete: 100, errorCode: 0, startTime: ago(HOUR) },
      ],
    });
  });
  after(() => host.close());

  test('lists only the jobs that failed within the window, oldest first, with their messages', async () => {
    const r = await example('failed-jobs-last-day.ts', [], connectionEnv(host));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^2 failed job\(s\) since /);
    const recent = r.stdout.indexOf(`Msvm_ConcreteJob ${RECENT}`);
    const migration = r.stdout.indexOf(`Msvm_MigrationJob ${RECENT_MIGRATION}`);
    assert.ok(recent > 0 && migration > recent, r.stdout);
    assert.match(r.stdout, /Export Virtual Machine: Exception \(ErrorCode 32768\)\n {2}Message: Recent export failure: disk full\.\n {2}MessageID: 18350/);
    assert.match(r.stdout, /Export Virtual Machine: Killed \(ErrorCode 32768\)\n {2}Message: Recent migration killed\./);
    assert.ok(!r.stdout.includes(OLD) && !r.stdout.includes(COMPLETED), r.stdout);
  });

  test('--hours widens the window', async () => {
    const r = await example('failed-jobs-last-day.ts', ['--hours', '100'], connectionEnv(host));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^3 failed job\(s\) since /);
    assert.ok(r.stdout.includes(`Msvm_ConcreteJob ${OLD}`) && r.stdout.includes('Message: Old failure.'));
  });
});

// ---------------------------------------------------------------------------------------------
// The Ansible modules, run the way Ansible runs a WANT_JSON module: `module <args-file>`.

interface ModuleResult {
  readonly changed: boolean;
  readonly failed?: boolean;
  readonly msg: string;
  readonly error_code?: string;
  readonly job_error?: unknown;
  readonly job?: { readonly jobStateName: string; readonly instanceId: string; readonly jobClass: string } | null;
  readonly invocation?: { readonly module_args: Record<string, unknown> };
}

describe('Ansible modules (WANT_JSON), without Ansible', () => {
  let host: EmulatedHost;
  let client: WsmanClient;
  let jobs: HypervJobs;
  let dir: string;
  let connection: Record<string, unknown>;

  before(async () => {
    host = await startEmulatedHost();
    client = new WsmanClient({ host: host.hostname, port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
    jobs = new HypervJobs(client);
    dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-modules-'));
    // Ports arrive as strings when templated from inventory variables.
    connection = { host: host.hostname, port: String(host.port), scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD };
  });
  after(async () => {
    await client.close();
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let argsCount = 0;
  async function runModule(module: string, args: unknown, env: Record<string, string> = { HYPERV_WSMAN_LIB: LIB_SOURCE }, modulePath = join(LIBRARY, `${module}.mjs`)): Promise<{ run: Run; result: ModuleResult }> {
    const file = join(dir, `args-${++argsCount}.json`);
    writeFileSync(file, JSON.stringify(args));
    const run = await runNode([modulePath, file], env);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 1, `one JSON line expected on stdout, got:\n${run.stdout}\n${run.stderr}`);
    return { run, result: JSON.parse(lines[0]!) as ModuleResult };
  }

  test('hyperv_job_error returns job_error exactly as getErrorToJson (what job-error --json prints)', async () => {
    const { run, result } = await runModule('hyperv_job_error', { ...connection, job_id: FIXTURE_JOB_IDS.failedConcrete });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(result.changed, false);
    assert.equal(result.failed, undefined);
    assert.equal(result.msg, `Job ${FIXTURE_JOB_IDS.failedConcrete} (Msvm_ConcreteJob): ${FAILED_MESSAGE}`);
    const expected = getErrorToJson(await jobs.getError(FIXTURE_JOB_IDS.failedConcrete));
    assert.deepEqual(result.job_error, JSON.parse(JSON.stringify(expected)));
    assert.equal(result.invocation?.module_args.password, 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER');
    assert.ok(!run.stdout.includes(DEFAULT_PASSWORD));
  });

  test('hyperv_job_error: a completed job gives error null; all_errors ("yes", as Ansible spells booleans) uses GetErrorEx', async () => {
    const ok = await runModule('hyperv_job_error', { ...connection, job_id: FIXTURE_JOB_IDS.completedConcrete });
    assert.equal(ok.run.code, 0, ok.run.stderr);
    assert.deepEqual((ok.result.job_error as { error: unknown }).error, null);
    assert.equal(ok.result.msg, `Job ${FIXTURE_JOB_IDS.completedConcrete} (Msvm_ConcreteJob) has no error.`);

    const all = await runModule('hyperv_job_error', { ...connection, job_id: FIXTURE_JOB_IDS.twoErrors, all_errors: 'yes' });
    assert.equal(all.run.code, 0, all.run.stderr);
    assert.deepEqual(all.result.job_error, JSON.parse(JSON.stringify(getErrorExToJson(await jobs.getErrorEx(FIXTURE_JOB_IDS.twoErrors)))));
  });

  test('hyperv_job_error fails when GetError itself fails (32769 Access Denied), still returning job_error', async () => {
    const { run, result } = await runModule('hyperv_job_error', { ...connection, job_id: FIXTURE_JOB_IDS.accessDenied });
    assert.equal(run.code, 1);
    assert.equal(result.failed, true);
    assert.equal(result.msg, `GetError on Job ${FIXTURE_JOB_IDS.accessDenied} (Msvm_ConcreteJob) returned 32769 (Access Denied).`);
    assert.equal((result.job_error as { returnValue: number }).returnValue, 32769);
  });

  test('argument spec: unknown keys, missing required, bad type and bad choice fail as Ansible words them', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...connection, job_id: 'x', bogus: 1, _ansible_check_mode: false }, 'Unsupported parameters for (hyperv_job_error) module: bogus. Supported parameters include: all_errors, ca_trust_path, host, job_class, job_id, message_encryption, operation_timeout, password, path, port, scheme, server_cert_validation, transport, user.'],
      [{ ...connection }, 'missing required arguments: job_id'],
      [{ ...connection, job_id: 'x', port: 'https' }, `argument 'port' is of type string and we were unable to convert to int: "https" cannot be converted to an int`],
      [{ ...connection, job_id: 'x', transport: 'kerberos' }, 'value of transport must be one of: ntlm, basic, got: kerberos'],
      [{ ...connection, job_id: 'x', all_errors: 'maybe' }, `argument 'all_errors' is of type string and we were unable to convert to bool: "maybe" is not a valid boolean. Valid booleans include: yes, no, true, false, on, off, 1, 0`],
      [{ ...connection, job_id: 'x', job_class: 'Msvm_ConcreteJob/../x' }, 'job_class must be a WMI class name such as Msvm_ConcreteJob or Msvm_MigrationJob, got: Msvm_ConcreteJob/../x'],
    ];
    for (const [args, msg] of cases) {
      const { run, result } = await runModule('hyperv_job_error', args);
      assert.equal(run.code, 1, msg);
      assert.equal(result.failed, true);
      assert.equal(result.msg, msg);
    }
  });

  test('the password is masked everywhere, even where the server echoes it, and never needed on argv', async () => {
    // A password equal to the user name: the library's 401 message names the user, so masking shows.
    const { run, result } = await runModule('hyperv_job_error', { ...connection, password: DEFAULT_USER, job_id: FIXTURE_JOB_IDS.failedConcrete });
    assert.equal(run.code, 1);
    assert.equal(result.error_code, 'ERR_AUTH');
    assert.match(result.msg, /^The server rejected the NTLM credentials \(HTTP 401\) .* for user "\*{8}"/);
    assert.ok(!(run.stdout + run.stderr).includes(DEFAULT_USER), run.stdout);
    assert.equal(result.invocation?.module_args.password, 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER');
  });

  test('_ansible_no_log drops the invocation echo', async () => {
    const { run, result } = await runModule('hyperv_job_error', { ...connection, job_id: FIXTURE_JOB_IDS.completedConcrete, _ansible_no_log: true });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(result.invocation, undefined);
    assert.ok(result.job_error);
  });

  test('hyperv_job_wait: a completing job returns its final state; a failing migration fails with the decoded Msvm_Error', async () => {
    const ok = await runModule('hyperv_job_wait', { ...connection, job_id: FIXTURE_JOB_IDS.progressing, job_class: 'Msvm_ConcreteJob' });
    assert.equal(ok.run.code, 0, ok.run.stderr);
    assert.equal(ok.result.job?.jobStateName, 'Completed');
    assert.equal(ok.result.job_error, null);

    const id = 'BBBBBBBB-0000-4000-8000-000000000001';
    host.model.add(failingMigrationJob(id));
    const failed = await runModule('hyperv_job_wait', { ...connection, job_id: id, timeout: '600' });
    assert.equal(failed.run.code, 1);
    assert.equal(failed.result.failed, true);
    assert.equal(failed.result.error_code, 'ERR_JOB_FAILED');
    assert.equal(failed.result.job?.jobClass, 'Msvm_MigrationJob');
    assert.equal(failed.result.job?.jobStateName, 'Exception');
    assert.deepEqual(failed.result.job_error, JSON.parse(JSON.stringify(getErrorToJson(await jobs.getError(id)))));
    assert.match(failed.result.msg, new RegExp(`^Job ${id} \\(Msvm_MigrationJob\\) ended in state Exception: Virtual machine migration operation for 'sql02' failed`));
  });

  test('hyperv_job_wait: timeout fails with ERR_JOB_TIMEOUT and the last state seen', async () => {
    const id = 'BBBBBBBB-0000-4000-8000-000000000002';
    host.model.add({ className: 'Msvm_ConcreteJob', instanceId: id, jobState: 4, percentComplete: 10, errorCode: 0 });
    const { run, result } = await runModule('hyperv_job_wait', { ...connection, job_id: id, timeout: 1 });
    assert.equal(run.code, 1);
    assert.equal(result.error_code, 'ERR_JOB_TIMEOUT');
    assert.equal(result.job?.jobStateName, 'Running');
  });

  test('copied alone (as Ansible does), a module says how to point it at the library', async () => {
    const copy = join(dir, 'hyperv_job_error.mjs');
    copyFileSync(join(LIBRARY, 'hyperv_job_error.mjs'), copy);
    const args = { ...connection, job_id: FIXTURE_JOB_IDS.failedConcrete };
    const missing = await runModule('hyperv_job_error', args, {}, copy);
    assert.equal(missing.run.code, 1);
    assert.match(missing.result.msg, /^Cannot find the hyperv-wsman library\. Set HYPERV_WSMAN_LIB /);

    const wrong = await runModule('hyperv_job_error', args, { HYPERV_WSMAN_LIB: join(dir, 'nowhere', 'index.js') }, copy);
    assert.equal(wrong.run.code, 1);
    assert.match(wrong.result.msg, /^HYPERV_WSMAN_LIB=.*nowhere.* could not be loaded/);

    const found = await runModule('hyperv_job_error', args, { HYPERV_WSMAN_LIB: LIB_SOURCE }, copy);
    assert.equal(found.run.code, 0, found.run.stderr);
  });

  test('without an arguments file the module still answers in JSON and fails', async () => {
    const run = await runNode([join(LIBRARY, 'hyperv_job_wait.mjs')], { HYPERV_WSMAN_LIB: LIB_SOURCE });
    assert.equal(run.code, 1);
    assert.equal((JSON.parse(run.stdout) as ModuleResult).msg, 'hyperv_job_wait is an Ansible module: it expects the path of a JSON arguments file (WANT_JSON).');
  });

  test('both modules carry the same shared runtime block (they cannot import one another)', () => {
    const block = (file: string): string => {
      const text = readFileSync(join(LIBRARY, file), 'utf8');
      const start = text.indexOf('// ----- shared runtime: begin');
      const end = text.indexOf('// ----- shared runtime: end -----');
      assert.ok(start > 0 && end > start, file);
      return text.slice(start, end);
    };
    assert.equal(block('hyperv_job_wait.mjs'), block('hyperv_job_error.mjs'));
    for (const file of ['hyperv_job_error.mjs', 'hyperv_job_wait.mjs']) {
      const text = readFileSync(join(LIBRARY, file), 'utf8');
      assert.ok(text.startsWith('#!/usr/bin/env node\n') && text.includes('WANT_JSON'), file);
    }
  });
});
