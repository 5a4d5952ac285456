/** maxConnections: concurrent calls spread over several authenticated connections, opened on demand. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, startEmulatedHost } from '../src/emulator/index.js';
import { InvalidOptionError } from '../src/errors.js';
import { HypervJobs } from '../src/hyperv/jobs.js';
import { WsmanClient } from '../src/wsman/client.js';

const ids = [FIXTURE_JOB_IDS.failedConcrete, FIXTURE_JOB_IDS.twoErrors, FIXTURE_JOB_IDS.terminated];

test('concurrent calls open up to maxConnections NTLM connections, each with its own handshake', async () => {
  const h = await startEmulatedHost({ requestLog: true });
  const c = new WsmanClient({ host: '127.0.0.1', port: h.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, maxConnections: 3 });
  const jobs = new HypervJobs(c);
  const results = await Promise.all(Array.from({ length: 9 }, (_, i) => jobs.getError(ids[i % 3]!, 'Msvm_ConcreteJob')));
  assert.deepEqual(results.map((r) => r.instanceId), Array.from({ length: 9 }, (_, i) => ids[i % 3]));
  assert.ok(results.every((r) => r.error !== null));
  const handshakes = h.requests.filter((r) => r.httpStatus === 401).length;
  assert.equal(handshakes, 3, 'three connections were needed and opened, no more');
  await c.close();
  await h.close();
});

test('sequential calls on a pool stay on one connection', async () => {
  const h = await startEmulatedHost({ requestLog: true });
  const c = new WsmanClient({ host: '127.0.0.1', port: h.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, maxConnections: 4 });
  for (const id of ids) await new HypervJobs(c).getError(id, 'Msvm_ConcreteJob');
  assert.equal(h.requests.filter((r) => r.httpStatus === 401).length, 1);
  await c.close();
  await h.close();
});

test('the default is one connection, even for concurrent calls (serialised, as NTLM requires)', async () => {
  const h = await startEmulatedHost({ requestLog: true });
  const c = new WsmanClient({ host: '127.0.0.1', port: h.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
  const r = await Promise.all(ids.map((id) => new HypervJobs(c).getError(id, 'Msvm_ConcreteJob')));
  assert.equal(r.length, 3);
  assert.equal(h.requests.filter((x) => x.httpStatus === 401).length, 1);
  await c.close();
  await h.close();
});

test('maxConnections is checked before any I/O', () => {
  assert.throws(() => new WsmanClient({ host: 'h', user: 'u', password: 'p', maxConnections: 0 }), InvalidOptionError);
  assert.throws(() => new WsmanClient({ host: 'h', user: 'u', password: 'p', maxConnections: 1.5 }), InvalidOptionError);
});
