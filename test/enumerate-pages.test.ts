// Enumerate/Pull page size: smaller pages than maxEnvelopeSize by default (ENUMERATION_ENVELOPE_SIZE),
// the full size when a single item needs it, and exactly the caller's size when the caller set one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PASSWORD, DEFAULT_USER, startEmulatedHost, type EmulatedHost, type JobFixture } from '../src/emulator/index.js';
import { HypervJobs } from '../src/hyperv/jobs.js';
import { ENUMERATION_ENVELOPE_SIZE, WsmanClient } from '../src/wsman/client.js';

const job = (i: number, description = 'Exporting'): JobFixture => ({
  className: 'Msvm_ConcreteJob',
  instanceId: `9A6E0000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  jobState: 7,
  percentComplete: 100,
  errorCode: 0,
  description,
});

let host: EmulatedHost;
before(async () => {
  // 120 small jobs, then one whose description alone is larger than ENUMERATION_ENVELOPE_SIZE.
  const jobs = Array.from({ length: 120 }, (_, i) => job(i));
  jobs.push(job(999, 'x'.repeat(ENUMERATION_ENVELOPE_SIZE + 1000)));
  host = await startEmulatedHost({ jobs, requestLog: true });
});
after(() => host.close());

const client = (extra: { maxEnvelopeSize?: number } = {}): WsmanClient =>
  new WsmanClient({ host: host.hostname, port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, ...extra });

async function listAll(c: WsmanClient): Promise<string[]> {
  const ids: string[] = [];
  try {
    for await (const j of new HypervJobs(c).listJobs({ classes: ['Msvm_ConcreteJob'] })) ids.push(j.instanceId);
  } finally {
    await c.close();
  }
  return ids;
}

test('default pages: a too-large item is fetched again at the full maxEnvelopeSize, nothing is lost', async () => {
  const before = host.requests.length;
  const ids = await listAll(client());
  assert.equal(ids.length, 121);
  assert.ok(ids.includes(job(999).instanceId));
  const log = host.requests.slice(before).filter((r) => r.operation === 'Enumerate' || r.operation === 'Pull');
  assert.equal(log.filter((r) => r.fault === 'EncodingLimit').length, 1, JSON.stringify(log.map((r) => [r.operation, r.fault])));
  // The item that did not fit came with the retried Pull; nothing was skipped or repeated.
  assert.equal(new Set(ids).size, 121);
});

test('a maxEnvelopeSize the caller set is used as it is: the same too-large item is a fault, not retried', async () => {
  const before = host.requests.length;
  await assert.rejects(listAll(client({ maxEnvelopeSize: 100_000 })), (err: Error & { subcodeName?: string }) => err.subcodeName === 'wsman:EncodingLimit');
  const faults = host.requests.slice(before).filter((r) => r.fault === 'EncodingLimit');
  assert.equal(faults.length, 1);
});
