/** Identify without credentials: the WSMANIDENTIFY header, no Authorization, library and CLI. */
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { runCli } from '../src/cli/main.js';
import { startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { HttpStatusError } from '../src/errors.js';
import { identifyUnauthenticated } from '../src/wsman/identify-unauthenticated.js';
import { startScripted } from './helpers/scripted-server.js';

let h: EmulatedHost;
before(async () => {
  h = await startEmulatedHost({ requestLog: true });
});
after(() => h.close());

test('the library identifies a host with no credentials at all', async () => {
  const r = await identifyUnauthenticated({ host: '127.0.0.1', port: h.port, scheme: 'http' });
  assert.equal(r.productVendor, 'Microsoft Corporation');
  assert.equal(r.endpoint, `http://127.0.0.1:${h.port}/wsman`);
  assert.deepEqual(r.securityProfiles, [], 'Windows lists security profiles only to authenticated callers');
});

test('no Authorization header is sent, and a refusal is a typed HTTP error', async () => {
  const s = await startScripted((req, _b, res) => {
    assert.equal(req.headers.authorization, undefined);
    assert.equal(req.headers.wsmanidentify, 'unauthenticated');
    res.writeHead(401, { 'www-authenticate': 'Negotiate' }).end();
  });
  await assert.rejects(identifyUnauthenticated({ host: '127.0.0.1', port: s.port, scheme: 'http' }), (e: unknown) => e instanceof HttpStatusError && e.statusCode === 401);
  assert.equal(s.requests.length, 1);
  await s.close();
});

test('hyperv-wsman identify --unauthenticated needs neither user nor password', async () => {
  const out = new PassThrough();
  let stdout = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  const code = await runCli(['identify', '--host', '127.0.0.1', '--port', String(h.port), '--scheme', 'http', '--unauthenticated', '--json'], {
    stdout: out,
    stderr: new PassThrough(),
    stdin: Readable.from([]),
    env: {},
  });
  assert.equal(code, 0);
  const doc = JSON.parse(stdout) as { endpoint: string; productVendor: string };
  assert.equal(doc.endpoint, `http://127.0.0.1:${h.port}/wsman`);
  assert.equal(doc.productVendor, 'Microsoft Corporation');
});
