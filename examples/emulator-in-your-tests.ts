/**
 * Example: test your own Hyper-V automation against the emulated host instead of a Windows server.
 * This file is a node:test suite; run it with `node --import tsx examples/emulator-in-your-tests.ts`
 * (or `node --test` in your project). It starts an emulated host on a free loopback port with jobs
 * of its own (JobFixture), points the real client at it over NTLM with message encryption, and
 * asserts on what the code under test reports. In your project, import from 'hyperv-wsman' and
 * 'hyperv-wsman/emulator' instead of the relative paths.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HypervJobs, JobFailedError, WsmanClient } from '../src/index.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startEmulatedHost, type EmulatedHost, type JobFixture } from '../src/emulator/index.js';

// ---- The code under test: a function of "your" automation --------------------------------------

/** Wait for a job; resolve with a one-line report either way (what a runbook might post to chat). */
async function reportJob(jobs: HypervJobs, jobId: string): Promise<string> {
  try {
    const job = await jobs.waitForJob(jobId, { pollIntervalMs: 10 });
    return `${job.elementName}: done`;
  } catch (err) {
    if (!(err instanceof JobFailedError)) throw err;
    return `${err.job.elementName}: FAILED (${err.jobError?.error?.messageId ?? '?'}) ${err.jobError?.error?.message ?? err.job.errorDescription}`;
  }
}

// ---- Fixtures: the jobs this suite needs -------------------------------------------------------

const EXPORT_OK = '11111111-2222-4333-8444-555555555555';
const EXPORT_FAILS = '66666666-7777-4888-9999-AAAAAAAAAAAA';

const jobsUnderTest: JobFixture[] = [
  // Running when first polled, completed after two more polls (each Get advances it one step).
  { className: 'Msvm_ConcreteJob', instanceId: EXPORT_OK, jobState: 4, percentComplete: 0, errorCode: 0, elementName: 'Export Virtual Machine', progress: { steps: 2, finalState: 7 } },
  {
    className: 'Msvm_ConcreteJob',
    instanceId: EXPORT_FAILS,
    jobState: 4,
    percentComplete: 0,
    errorCode: 32768,
    elementName: 'Export Virtual Machine',
    errorDescription: "Failed to export 'web01': not enough disk space.",
    progress: { steps: 2, finalState: 10 },
    errors: [{ message: "Failed to export 'web01': there is not enough space on the disk. (0x80070070)", messageId: '18350', errorType: 9, perceivedSeverity: 3 }],
  },
];

// ---- The suite ----------------------------------------------------------------------------------

describe('reportJob against the emulated Hyper-V host', () => {
  let host: EmulatedHost;
  let client: WsmanClient;
  let jobs: HypervJobs;

  before(async () => {
    // Default options are Windows' defaults: NTLM (Negotiate), message encryption required on http.
    host = await startEmulatedHost({ jobs: jobsUnderTest, requestLog: true });
    client = new WsmanClient({ host: host.hostname, port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
    jobs = new HypervJobs(client);
  });

  after(async () => {
    await client.close();
    await host.close();
  });

  test('reports a job that completes', async () => {
    assert.equal(await reportJob(jobs, EXPORT_OK), 'Export Virtual Machine: done');
    assert.equal(host.model.get(EXPORT_OK)?.jobState, 7);
  });

  test('reports why a job failed, from its Msvm_Error', async () => {
    assert.equal(await reportJob(jobs, EXPORT_FAILS), "Export Virtual Machine: FAILED (18350) Failed to export 'web01': there is not enough space on the disk. (0x80070070)");
  });

  test('a job added while the host runs is visible at once', async () => {
    host.model.add({ className: 'Msvm_MigrationJob', instanceId: 'ABCDEF01-2345-4678-9ABC-DEF012345678', jobState: 7, percentComplete: 100, errorCode: 0, elementName: 'Moving Virtual Machine' });
    assert.equal(await reportJob(jobs, 'ABCDEF01-2345-4678-9ABC-DEF012345678'), 'Moving Virtual Machine: done');
  });

  test('every request went over NTLM with message encryption', () => {
    const soap = host.requests.filter((r) => r.operation !== 'Handshake');
    assert.ok(soap.length > 0);
    assert.ok(soap.every((r) => r.encrypted && r.authScheme === 'ntlm'), JSON.stringify(soap.map((r) => [r.operation, r.encrypted, r.authScheme])));
  });
});
