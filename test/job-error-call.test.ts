/**
 * HypervJobs.callGetError / callGetErrorEx (issue 10): the error method alone, one request per call,
 * decoded to the same typed Msvm_Error as getError; getError (the outcome) builds on it and reads
 * the job as well. Requests are counted by the emulated host.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { HypervJobs, WsmanClient } from '../src/index.js';

let host: EmulatedHost;
let client: WsmanClient;
let jobs: HypervJobs;
before(async () => {
  host = await startEmulatedHost({ requestLog: true });
  client = new WsmanClient({ host: host.hostname, port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
  jobs = new HypervJobs(client);
  await client.identify(); // the NTLM handshake, so later counts are calls only
});
after(async () => {
  await client.close();
  await host.close();
});

/** Operations the host saw while `fn` ran. */
async function operations(fn: () => Promise<unknown>): Promise<string[]> {
  const before = host.requests.length;
  await fn();
  return host.requests.slice(before).map((r) => (r.method ? `${r.operation} ${r.method}` : r.operation));
}

test('callGetError is one Invoke GetError, and its Msvm_Error is the one getError reports', async () => {
  let answer: Awaited<ReturnType<HypervJobs['callGetError']>> | undefined;
  assert.deepEqual(await operations(async () => (answer = await jobs.callGetError(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob'))), ['Invoke GetError']);
  assert.equal(answer!.returnValue, 0);
  assert.equal(answer!.jobClass, 'Msvm_ConcreteJob');
  assert.equal(answer!.instanceId, FIXTURE_JOB_IDS.failedConcrete);
  assert.ok(answer!.error, 'the failed fixture job has an Msvm_Error');
  assert.ok(!('outcome' in answer!), 'no outcome: that needs the job');
  let full: Awaited<ReturnType<HypervJobs['getError']>> | undefined;
  assert.deepEqual(await operations(async () => (full = await jobs.getError(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob'))), ['Get', 'Invoke GetError']);
  assert.deepEqual(answer!.error, full!.error);
  assert.equal(full!.outcome.status, 'failed');
});

test('callGetError reports a refusal as it came (ReturnValue 32769, no error), without judging the job', async () => {
  const answer = await jobs.callGetError(FIXTURE_JOB_IDS.accessDenied);
  assert.equal(answer.returnValue, 32769);
  assert.equal(answer.returnValueName, 'Access Denied');
  assert.equal(answer.error, null);
});

test('callGetErrorEx is one Invoke GetErrorEx with every error', async () => {
  let answer: Awaited<ReturnType<HypervJobs['callGetErrorEx']>> | undefined;
  assert.deepEqual(await operations(async () => (answer = await jobs.callGetErrorEx(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob'))), ['Invoke GetErrorEx']);
  assert.equal(answer!.returnValue, 0);
  assert.ok(answer!.errors.length >= 1);
  const full = await jobs.getErrorEx(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob');
  assert.deepEqual(answer!.errors, full.errors);
});
