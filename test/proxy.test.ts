/** HTTP CONNECT proxies: one tunnel per connection, so NTLM and TLS run end to end through it. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, generateTestCertificates, startEmulatedHost, type EmulatedHost, type TestCertificates } from '../src/emulator/index.js';
import { ConnectionError, InvalidOptionError } from '../src/errors.js';
import { HypervJobs } from '../src/hyperv/jobs.js';
import { proxyFromEnv } from '../src/transport/proxy-tunnel.js';
import { WsmanClient } from '../src/wsman/client.js';
import { startProxy } from './helpers/connect-proxy.js';

let certs: TestCertificates;
let http: EmulatedHost;
let https: EmulatedHost;
before(async () => {
  certs = await generateTestCertificates();
  http = await startEmulatedHost();
  https = await startEmulatedHost({ tls: { cert: certs.cert, key: certs.key }, cbtHardeningLevel: 'strict' });
});
after(async () => {
  await http.close();
  await https.close();
  await certs.cleanup();
});

test('NTLM with message encryption through a CONNECT proxy uses one tunnel for the whole session', async () => {
  const proxy = await startProxy();
  const c = new WsmanClient({ host: '127.0.0.1', port: http.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, proxy: `http://user:pw@127.0.0.1:${proxy.port}` });
  const jobs = new HypervJobs(c);
  assert.ok((await jobs.getError(FIXTURE_JOB_IDS.failedConcrete)).error);
  assert.ok((await jobs.getError(FIXTURE_JOB_IDS.failedMigration)).error);
  assert.deepEqual(proxy.connects, [`127.0.0.1:${http.port}`]);
  assert.equal(proxy.auth[0], 'Basic ' + Buffer.from('user:pw').toString('base64'));
  await c.close();
  await proxy.close();
});

test('HTTPS through a proxy: TLS verified end to end, channel binding accepted by a strict host', async () => {
  const proxy = await startProxy();
  const c = new WsmanClient({ host: '127.0.0.1', port: https.port, user: DEFAULT_USER, password: DEFAULT_PASSWORD, caTrustPath: certs.caCertPath, proxy: `http://127.0.0.1:${proxy.port}` });
  assert.equal((await c.identify()).productVendor, 'Microsoft Corporation');
  assert.equal(proxy.connects.length, 1);
  await c.close();
  await proxy.close();
});

test('a proxy that refuses CONNECT is a ConnectionError naming the proxy, without its credentials', async () => {
  const proxy = await startProxy(true);
  const c = new WsmanClient({ host: '127.0.0.1', port: http.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, proxy: `http://user:Pr0xy-Secret@127.0.0.1:${proxy.port}` });
  await assert.rejects(c.identify(), (e: unknown) => e instanceof ConnectionError && /403/.test(e.message) && !/Pr0xy-Secret/.test(e.message));
  await c.close();
  await proxy.close();
});

test('environment proxies only when asked, and NO_PROXY is honoured', () => {
  const env = { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:8080', NO_PROXY: 'localhost,.lab.example' };
  assert.equal(proxyFromEnv(new URL('https://hv01.corp:5986/wsman'), env), 'http://proxy:3128');
  assert.equal(proxyFromEnv(new URL('http://hv01.corp:5985/wsman'), env), 'http://proxy:8080');
  assert.equal(proxyFromEnv(new URL('https://hv01.lab.example:5986/wsman'), env), undefined);
  assert.equal(proxyFromEnv(new URL('https://localhost:5986/wsman'), env), undefined);
  assert.throws(() => new WsmanClient({ host: 'h', user: 'u', password: 'p', proxy: 'socks5://x:1' }), InvalidOptionError);
  assert.throws(() => new WsmanClient({ host: 'h', user: 'u', password: 'p', proxy: 'http://x:1', proxyFromEnv: true }), InvalidOptionError);
});

test('a dropped connection is re-authenticated transparently on a new one', async () => {
  const proxy = await startProxy();
  const h = await startEmulatedHost({ requestLog: true });
  const c = new WsmanClient({ host: '127.0.0.1', port: h.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, proxy: `http://127.0.0.1:${proxy.port}` });
  const jobs = new HypervJobs(c);
  assert.ok((await jobs.getError(FIXTURE_JOB_IDS.failedConcrete)).error);
  proxy.dropAll();
  await new Promise((r) => setTimeout(r, 50));
  assert.ok((await jobs.getError(FIXTURE_JOB_IDS.failedMigration)).error, 'works again after the drop');
  assert.equal(proxy.connects.length, 2, 'a second connection was opened');
  const logins = h.requests.filter((r) => r.httpStatus === 401).length;
  assert.equal(logins, 2, 'one NTLM handshake per connection, no wasted round trip on the stale context');
  await c.close();
  await h.close();
  await proxy.close();
});
