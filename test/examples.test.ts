// The example scripts, run as a user would run them (a child `node --import tsx` process, connection
// settings from the environment) against an emulated host this test starts, so they never rot. The
// Ansible collection needs ansible-core and Python: interop/ansible.test.ts runs it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_PASSWORD,
  DEFAULT_USER,
  FIXTURE_JOB_IDS,
  FIXTURE_VMS,
  startEmulatedHost,
  type EmulatedHost,
  type JobFixture,
} from '../src/emulator/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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
    assert.equal(r.stdout.split('\n')[0], `Job ${FIXTURE_JOB_IDS.failedConcrete} (Msvm_ConcreteJob) failed (Exception, ErrorCode 32768): ${FAILED_MESSAGE}`);
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
    assert.match(ok.stdout, /\(Msvm_MigrationJob\) succeeded \(Completed\)\.\nGetError returned 0 \(Completed with No Error\)\n$/);
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
