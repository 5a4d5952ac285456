/**
 * "Did this job fail, and why" (issue 8): one JobOutcome, reported the same way by the library, the
 * CLI (in-process and as a real process) and job-wait/jobs, against the emulated host. The two
 * situations that used to read as "No error": GetError refused (ReturnValue 32769 Access Denied), and
 * a failed job whose GetError answers 0 with a NULL Error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { EXIT } from '../src/cli/exit-codes.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, FIXTURE_VMS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { HypervJobs, JobFailedError, WsmanClient } from '../src/index.js';
import { jobOutcome } from '../src/hyperv/job-outcome.js';
import { toHypervJob } from '../src/hyperv/jobs.js';
import type { CimValue } from '../src/cim/types.js';
import type { MsvmError } from '../src/hyperv/msvm-error.js';
import { hostArgs, jsonDoc, jsonLines, runCapture } from './helpers/cli-harness.js';

const runProcess = promisify(execFile);

let host: EmulatedHost;
before(async () => {
  host = await startEmulatedHost();
});
after(() => host.close());

const NO_DETAILS_DESCRIPTION = "'sql02' failed to start. (Virtual machine ID 0F4C8A2E-6B1D-4F73-9A5C-3E8D2B7F1C90)";
const NO_ERROR_WORDING = /no error/i;

interface OutcomeJson {
  status: string;
  reason: string | null;
  source: string;
  method: string | null;
  returnValue: number | null;
  returnValueName: string | null;
  errorRead: boolean;
  errorCode: number | null;
  jobStateName: string | null;
  notes: string[];
  summary: string;
}

describe('library: HypervJobs results carry the outcome', () => {
  let client: WsmanClient;
  before(() => {
    client = new WsmanClient({ host: host.hostname, port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
  });
  after(() => client.close());

  test('GetError refused (32769): failed from the job itself, error not read', async () => {
    const r = await new HypervJobs(client).getError(FIXTURE_JOB_IDS.accessDenied);
    assert.equal(r.returnValue, 32769);
    assert.equal(r.error, null);
    assert.equal(r.outcome.status, 'failed');
    assert.equal(r.outcome.errorRead, false);
    assert.equal(r.outcome.source, 'job-properties');
    assert.match(r.outcome.reason ?? '', /failed to modify device/);
    assert.ok(r.outcome.notes.some((n) => /GetError returned 32769 \(Access Denied\)/.test(n)), r.outcome.notes.join('; '));
  });

  test('failed job, GetError 0 with a NULL Error: falls back to ErrorDescription and says the host returned no error instance', async () => {
    const r = await new HypervJobs(client).getError(FIXTURE_JOB_IDS.failedNoDetails);
    assert.equal(r.returnValue, 0);
    assert.equal(r.error, null);
    assert.equal(r.outcome.status, 'failed');
    assert.equal(r.outcome.errorRead, true);
    assert.equal(r.outcome.source, 'job-properties');
    assert.equal(r.outcome.reason, NO_DETAILS_DESCRIPTION);
    assert.equal(r.outcome.job?.errorCode, 32768);
    assert.ok(r.outcome.notes.some((n) => /no Msvm_Error instance/.test(n)), r.outcome.notes.join('; '));
  });

  test('failed job with an Msvm_Error: the reason is its message', async () => {
    const r = await new HypervJobs(client).getError(FIXTURE_JOB_IDS.failedConcrete);
    assert.equal(r.outcome.status, 'failed');
    assert.equal(r.outcome.source, 'msvm-error');
    assert.ok(r.outcome.reason?.includes(FIXTURE_VMS.failed.name));
  });

  test('GetErrorEx on a completed job: succeeded, no reason', async () => {
    const r = await new HypervJobs(client).getErrorEx(FIXTURE_JOB_IDS.completedConcrete);
    assert.equal(r.outcome.status, 'succeeded');
    assert.equal(r.outcome.method, 'GetErrorEx');
    assert.equal(r.outcome.reason, null);
  });

  test('waitForJob on a failed job whose error is gone: JobFailedError with the job\'s own description', async () => {
    await assert.rejects(new HypervJobs(client).waitForJob(FIXTURE_JOB_IDS.failedNoDetails, { pollIntervalMs: 1 }), (err: unknown) => {
      assert.ok(err instanceof JobFailedError);
      assert.equal(err.outcome.status, 'failed');
      assert.equal(err.outcome.reason, NO_DETAILS_DESCRIPTION);
      assert.ok(err.message.includes(NO_DETAILS_DESCRIPTION));
      return true;
    });
  });

  test('waitForJob when GetError is refused: the failure still carries the job\'s reason', async () => {
    await assert.rejects(new HypervJobs(client).waitForJob(FIXTURE_JOB_IDS.accessDenied, { pollIntervalMs: 1 }), (err: unknown) => {
      assert.ok(err instanceof JobFailedError);
      assert.equal(err.outcome.errorRead, false);
      assert.match(err.message, /failed to modify device/);
      return true;
    });
  });
});

describe('jobOutcome from job properties alone', () => {
  const job = (props: Record<string, CimValue>) =>
    toHypervJob({ kind: 'instance', className: 'Msvm_ConcreteJob', properties: { InstanceID: 'X', ...props }, propertyInfo: {}, source: 'ws-cim' });

  const cases: Array<[string, Record<string, CimValue>, string]> = [
    ['Completed, OK', { JobState: 7, ErrorCode: 0, OperationalStatus: [2] }, 'succeeded'],
    ['Completed but ErrorCode set', { JobState: 7, ErrorCode: 32768, OperationalStatus: [2] }, 'failed'],
    ['Completed but OperationalStatus Error', { JobState: 7, ErrorCode: 0, OperationalStatus: [6] }, 'failed'],
    ['Terminated', { JobState: 8, ErrorCode: 0 }, 'failed'],
    ['Killed', { JobState: 9 }, 'failed'],
    ['Exception', { JobState: 10, ErrorCode: 32768 }, 'failed'],
    ['Running', { JobState: 4, ErrorCode: 0, OperationalStatus: [2] }, 'running'],
    ['Suspended: not ended', { JobState: 5 }, 'running'],
    ['no JobState', {}, 'unknown'],
    ['reserved JobState', { JobState: 1 }, 'unknown'],
  ];
  for (const [name, props, status] of cases) {
    test(`${name} -> ${status}`, () => {
      const o = jobOutcome(job(props));
      assert.equal(o.status, status);
      assert.equal(o.errorRead, false);
      assert.equal(o.method, null);
      if (status === 'failed') assert.notEqual(o.reason, null);
      if (status !== 'succeeded') assert.doesNotMatch(o.summary, NO_ERROR_WORDING);
    });
  }

  test('an Msvm_Error makes an ended job of unknown state failed, but not a Completed with Warnings job', () => {
    const error = { className: 'Msvm_Error', message: 'disk is almost full' } as unknown as MsvmError;
    const answer = { method: 'GetError' as const, returnValue: 0, returnValueName: 'Completed with No Error', errors: [error] };
    const unknown = jobOutcome(job({}), answer);
    assert.deepEqual([unknown.status, unknown.source, unknown.reason], ['failed', 'msvm-error', 'disk is almost full']);
    const warned = jobOutcome(job({ JobState: 32768, ErrorCode: 0, OperationalStatus: [2] }), answer);
    assert.deepEqual([warned.status, warned.reason], ['succeeded', null]);
    assert.match(warned.notes.join(' '), /warnings, not a failure/);
  });

  test('an error instance that came with a refusal code is not built on', () => {
    const error = { className: 'Msvm_Error', message: 'x' } as unknown as MsvmError;
    const o = jobOutcome(job({ JobState: 10 }), { method: 'GetError', returnValue: 32769, returnValueName: 'Access Denied', errors: [error] });
    assert.deepEqual([o.status, o.errorRead, o.errors.length, o.source], ['failed', false, 0, 'job-state']);
  });
});

describe('CLI job-error', () => {
  const conn = (): string[] => hostArgs(host);

  test('GetError refused (32769): exit 9, names the return code, never says the job is fine', async () => {
    const r = await runCapture(['job-error', FIXTURE_JOB_IDS.accessDenied, ...conn()]);
    assert.equal(r.code, EXIT.METHOD_FAILED, r.stderr);
    assert.match(r.stdout + r.stderr, /GetError returned 32769 \(Access Denied\)/);
    assert.match(r.stderr, /^hyperv-wsman: ERR_METHOD_FAILED: /m);
    assert.match(r.stderr, /could not be read\. The host refused this account \(--user\): try one in Hyper-V Administrators or Administrators on the host\.\n$/m);
    assert.doesNotMatch(r.stdout + r.stderr, NO_ERROR_WORDING);
    assert.match(r.stdout, /failed/i);
  });

  test('GetError refused, --json: the document with outcome fields, exit 9', async () => {
    const r = await runCapture(['job-error', '--job-id', FIXTURE_JOB_IDS.accessDenied, ...conn(), '--json']);
    assert.equal(r.code, EXIT.METHOD_FAILED, r.stderr);
    const doc = jsonDoc<{ returnValue: number; returnValueName: string; error: null; outcome: OutcomeJson }>(r.stdout);
    assert.equal(doc.returnValue, 32769);
    assert.equal(doc.returnValueName, 'Access Denied');
    assert.equal(doc.outcome.status, 'failed');
    assert.equal(doc.outcome.errorRead, false);
    assert.equal(doc.outcome.returnValue, 32769);
  });

  test('--all with GetErrorEx refused: exit 9, says GetErrorEx', async () => {
    const r = await runCapture(['job-error', FIXTURE_JOB_IDS.accessDenied, '--all', ...conn()]);
    assert.equal(r.code, EXIT.METHOD_FAILED, r.stderr);
    assert.match(r.stdout + r.stderr, /GetErrorEx returned 32769 \(Access Denied\)/);
    assert.doesNotMatch(r.stdout + r.stderr, NO_ERROR_WORDING);
  });

  test('failed job with a NULL Error: leads with the failure and the job\'s own description', async () => {
    const r = await runCapture(['job-error', FIXTURE_JOB_IDS.failedNoDetails, ...conn()]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const first = r.stdout.split('\n')[0]!;
    assert.match(first, new RegExp(`^Job ${FIXTURE_JOB_IDS.failedNoDetails} \\(Msvm_ConcreteJob\\) failed`));
    assert.ok(r.stdout.includes(NO_DETAILS_DESCRIPTION), r.stdout);
    assert.match(r.stdout, /no Msvm_Error instance/);
    assert.doesNotMatch(r.stdout, /No error/);
  });

  test('failed job with a NULL Error, --json: outcome says failed, source job-properties', async () => {
    const r = await runCapture(['job-error', FIXTURE_JOB_IDS.failedNoDetails, ...conn(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const doc = jsonDoc<{ error: null; outcome: OutcomeJson }>(r.stdout);
    assert.equal(doc.error, null);
    assert.equal(doc.outcome.status, 'failed');
    assert.equal(doc.outcome.source, 'job-properties');
    assert.equal(doc.outcome.reason, NO_DETAILS_DESCRIPTION);
    assert.equal(doc.outcome.errorCode, 32768);
  });

  test('failed job with an Msvm_Error: the outcome first, GetError\'s return value as a detail below it', async () => {
    const r = await runCapture(['job-error', FIXTURE_JOB_IDS.failedConcrete, ...conn()]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /failed/);
    assert.ok(lines[1]!.includes(FIXTURE_VMS.failed.name), r.stdout);
    const head = lines.findIndex((l) => /The GetError call itself returned 0/.test(l));
    assert.ok(head > 1, 'the return value is a detail, not the headline');
  });

  test('completed job: succeeded, exit 0', async () => {
    const r = await runCapture(['job-error', FIXTURE_JOB_IDS.completedConcrete, ...conn()]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stdout.split('\n')[0]!, /succeeded/);
  });

  test('the real process: 32769 exits 9, the NULL-Error failure prints the job\'s description', async () => {
    const env = { ...process.env, HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD };
    await assert.rejects(runProcess(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'job-error', FIXTURE_JOB_IDS.accessDenied, ...conn()], { env }), (e: unknown) => {
      const err = e as { code?: number; stdout: string; stderr: string };
      assert.equal(err.code, EXIT.METHOD_FAILED);
      assert.doesNotMatch(err.stdout + err.stderr, NO_ERROR_WORDING);
      return true;
    });
    const ok = await runProcess(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'job-error', FIXTURE_JOB_IDS.failedNoDetails, ...conn()], { env });
    assert.ok(ok.stdout.includes(NO_DETAILS_DESCRIPTION), ok.stdout);
    assert.doesNotMatch(ok.stdout, /No error/);
  });
});

describe('CLI job-wait and jobs use the same outcome', () => {
  const conn = (): string[] => hostArgs(host);

  test('job-wait on a failed job whose error is gone: exit 3, the job\'s description, no "No error"', async () => {
    const r = await runCapture(['job-wait', FIXTURE_JOB_IDS.failedNoDetails, ...conn()]);
    assert.equal(r.code, EXIT.JOB_FAILED, r.stderr);
    assert.ok(r.stdout.includes(NO_DETAILS_DESCRIPTION), r.stdout);
    assert.doesNotMatch(r.stdout + r.stderr, /No error/);
  });

  test('job-wait --json: result carries the outcome', async () => {
    const r = await runCapture(['job-wait', FIXTURE_JOB_IDS.accessDenied, ...conn(), '--json']);
    assert.equal(r.code, EXIT.JOB_FAILED, r.stderr);
    const result = jsonLines(r.stdout).at(-1) as { type: string; status: string; outcome: OutcomeJson };
    assert.equal(result.type, 'result');
    assert.equal(result.status, 'failed');
    assert.equal(result.outcome.status, 'failed');
    assert.equal(result.outcome.errorRead, false);
    assert.match(result.outcome.reason ?? '', /failed to modify device/);
  });

  test('jobs --json: every line has an outcome', async () => {
    const r = await runCapture(['jobs', ...conn(), '--json', '--state', 'Exception']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const docs = jsonLines(r.stdout) as Array<{ instanceId: string; outcome: OutcomeJson }>;
    const noDetails = docs.find((d) => d.instanceId === FIXTURE_JOB_IDS.failedNoDetails);
    assert.ok(noDetails);
    assert.equal(noDetails.outcome.status, 'failed');
    assert.equal(noDetails.outcome.reason, NO_DETAILS_DESCRIPTION);
    assert.ok(docs.every((d) => d.outcome.status === 'failed'));
  });
});
