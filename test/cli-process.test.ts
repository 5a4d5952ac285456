// The real process: `node --import tsx src/cli/main.ts ...` against the emulated host, checking the
// exit status and that stdout is valid JSON (the contract scripts rely on).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../src/cli/exit-codes.js';
import { DEFAULT_PASSWORD, FIXTURE_JOB_IDS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { emptyHome, hostArgs, jsonLines } from './helpers/cli-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
let host: EmulatedHost;

before(async () => {
  host = await startEmulatedHost();
});
after(() => host.close());

interface ProcessRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Asynchronous on purpose: the emulator runs in this process and must keep answering. */
function runProcess(argv: readonly string[], env: Record<string, string> = { HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD }): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: emptyHome(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('jobs --json: exit 0 and NDJSON on stdout', async () => {
  const r = await runProcess(['jobs', ...hostArgs(host), '--json']);
  assert.equal(r.status, EXIT.OK, r.stderr);
  const docs = jsonLines(r.stdout) as { instanceId: string; jobStateName: string }[];
  assert.ok(docs.length >= 10);
  assert.equal(docs.find((d) => d.instanceId === FIXTURE_JOB_IDS.killed)?.jobStateName, 'Killed');
  assert.equal(r.stderr, '');
});

test('job-wait on a failed job: exit 3, stdout still valid JSON', async () => {
  const r = await runProcess(['job-wait', '--job-id', FIXTURE_JOB_IDS.failedMigration, ...hostArgs(host), '--json']);
  assert.equal(r.status, EXIT.JOB_FAILED, r.stderr);
  const last = jsonLines(r.stdout).at(-1) as { type: string; status: string; error: { jobClass: string } };
  assert.deepEqual([last.type, last.status, last.error.jobClass], ['result', 'failed', 'Msvm_MigrationJob']);
  assert.match(r.stderr, /^hyperv-wsman: ERR_JOB_FAILED: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --debug');
});

test('identify --json without a reachable host: exit 5 and a JSON error document', async () => {
  const r = await runProcess(['identify', '--host', '127.0.0.1', '--port', '1', '--scheme', 'http', '--user', 'u', '--json', '--connect-timeout', '5']);
  assert.equal(r.status, EXIT.CONNECTION, r.stderr);
  const [doc] = jsonLines(r.stdout) as { error: { code: string } }[];
  assert.equal(doc?.error.code, 'ERR_CONNECTION');
});

test('a password on argv: exit 2 before anything else happens', async () => {
  const r = await runProcess(['identify', ...hostArgs(host), '--password', 'hunter2'], {});
  assert.equal(r.status, EXIT.USAGE);
  assert.match(r.stderr, /never taken on the command line/);
  assert.ok(!r.stderr.includes('hunter2'));
});
