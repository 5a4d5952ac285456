// Ctrl-C (SIGINT) and SIGTERM during `job-wait`, in a real process against the emulated host: the
// wait stops promptly with 128 + the signal's number, the progress output is closed, and the
// message says the job itself goes on (and how to follow or cancel it); nothing claims it stopped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EXIT_ON_SIGNAL } from '../src/cli/exit-codes.js';
import { interruptedMessage } from '../src/cli/job-waiter.js';
import { DEFAULT_PASSWORD, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { emptyHome, hostArgs, jsonLines } from './helpers/cli-harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** A job that stays Running at 30% however often it is polled. */
const STUCK = '11111111-2222-3333-4444-555555555555';
let host: EmulatedHost;

before(async () => {
  host = await startEmulatedHost({
    jobs: [{ className: 'Msvm_ConcreteJob', instanceId: STUCK, jobState: 4, percentComplete: 30, errorCode: 0, elementName: 'Export Virtual Machine' }],
  });
});
after(() => host.close());

interface Interrupted {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** From the signal to the process's exit. */
  readonly exitMs: number;
}

/** Runs job-wait, sends `sig` once the first progress output arrived, and waits for the exit. */
function waitThenSignal(extra: readonly string[], sig: NodeJS.Signals): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'job-wait', STUCK, ...hostArgs(host), ...extra], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sentAt = 0;
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      if (sentAt === 0 && /30/.test(stdout)) {
        sentAt = Date.now();
        child.kill(sig);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, exitMs: Date.now() - sentAt }));
  });
}

test('job-wait: Ctrl-C stops the wait with exit 130 and says the job keeps running', async () => {
  const r = await waitThenSignal([], 'SIGINT');
  assert.equal(r.status, EXIT_ON_SIGNAL.SIGINT, r.stderr);
  assert.equal(r.stdout, 'Running 30%\n');
  assert.match(r.stderr, /^hyperv-wsman: ERR_ABORTED: Interrupted \(Ctrl-C\): stopped waiting for job 1111.* \(Msvm_ConcreteJob\), last seen Running at 30%\. Only the wait stopped: the job keeps running on the host/);
  assert.match(r.stderr, new RegExp(`cancel it with: hyperv-wsman invoke Msvm_ConcreteJob RequestStateChange --selector InstanceID=${STUCK} --param RequestedState=4`));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  // Prompt: the poll interval is far shorter than this, and the abort does not wait for it anyway.
  assert.ok(r.exitMs < 5000, `exited ${r.exitMs} ms after the signal`);
});

test('job-wait --json: SIGTERM ends with exit 143 and a JSON error document after the progress lines', async () => {
  const r = await waitThenSignal(['--json'], 'SIGTERM');
  assert.equal(r.status, EXIT_ON_SIGNAL.SIGTERM, r.stderr);
  const docs = jsonLines(r.stdout) as Array<{ type?: string; error?: { code: string; message: string } }>;
  assert.equal(docs[0]?.type, 'progress');
  const last = docs.at(-1)!;
  assert.equal(last.error?.code, 'ERR_ABORTED');
  assert.match(last.error.message, /^Stopped by SIGTERM: stopped waiting for job /);
  assert.match(r.stderr, /^hyperv-wsman: ERR_ABORTED: Stopped by SIGTERM/);
});

test('interruptedMessage: before the first answer it does not guess a state; --job-class only for other classes', () => {
  const early = interruptedMessage('SIGINT', 'ABC', undefined);
  assert.match(early, /stopped waiting for job ABC before it was read\./);
  assert.match(early, /follow it again with: hyperv-wsman job-wait ABC;/);
  const storage = interruptedMessage('SIGINT', { className: 'Msvm_StorageJob', resourceUri: 'x/Msvm_StorageJob', selectors: { InstanceID: 'S1' } }, undefined);
  assert.match(storage, /hyperv-wsman job-wait S1 --job-class Msvm_StorageJob;/);
  assert.match(storage, /invoke Msvm_StorageJob RequestStateChange --selector InstanceID=S1/);
});
