/**
 * Lifecycle and edge cases found in review: closing, aborting a queued call, the empty-AUTHENTICATE
 * mode on a server that closes connections, proxies that hang up, identify --unauthenticated with a
 * config profile, and the terminal password prompt.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { resolvePassword } from '../src/cli/connection.js';
import { runCli } from '../src/cli/main.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startEmulatedHost } from '../src/emulator/index.js';
import { AbortedError, ConnectionError, NtlmError } from '../src/errors.js';
import { WsmanClient } from '../src/wsman/client.js';

test('a closed client refuses further calls and never reconnects (single session and pool)', async () => {
  const h = await startEmulatedHost({ requestLog: true });
  for (const maxConnections of [1, 3]) {
    const c = new WsmanClient({ host: '127.0.0.1', port: h.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, maxConnections });
    await c.identify();
    const before = h.requests.length;
    await c.close();
    await assert.rejects(c.identify(), (e: unknown) => e instanceof AbortedError && /closed/.test(e.message));
    assert.equal(h.requests.length, before, `no request after close (maxConnections ${maxConnections})`);
  }
  await h.close();
});

test('aborting a call that waits behind another rejects at once', async () => {
  // A host that answers slowly keeps the first call in flight.
  const h = await startEmulatedHost();
  const slow = createServer((client: Socket) => {
    const upstream = connect(h.port, '127.0.0.1');
    client.on('data', (d: Buffer) => upstream.write(d));
    upstream.on('data', (d: Buffer) => setTimeout(() => client.write(d), 300));
    const down = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', down).on('close', down);
    upstream.on('error', down).on('close', down);
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  const c = new WsmanClient({ host: '127.0.0.1', port: (slow.address() as AddressInfo).port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
  const first = c.identify();
  const ac = new AbortController();
  const second = c.identify({ signal: ac.signal });
  const t0 = Date.now();
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(second, AbortedError);
  const waited = Date.now() - t0;
  assert.ok((await first).productVendor);
  assert.ok(waited < 600, `the queued call was released by the abort, not by the call ahead (${waited} ms)`);
  await c.close();
  slow.close();
  await h.close();
});

test('ntlmEmptyAuthenticateBody against a server that closes after authenticating: one clear error, no logon loop', async () => {
  const h = await startEmulatedHost({ requestLog: true });
  const relay = createServer((client: Socket) => {
    const upstream = connect(h.port, '127.0.0.1');
    let lastWasAuthenticate = false;
    client.on('data', (d: Buffer) => {
      lastWasAuthenticate = /TlRMTVNTUAAD/.test(d.toString('latin1'));
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      const t = d.toString('latin1');
      client.write(lastWasAuthenticate && t.startsWith('HTTP/1.1') ? Buffer.from(t.replace('\r\n', '\r\nConnection: close\r\n'), 'latin1') : d);
      if (lastWasAuthenticate) client.end();
    });
    const down = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', down).on('close', down);
    upstream.on('error', down).on('close', down);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const c = new WsmanClient({ host: '127.0.0.1', port: (relay.address() as AddressInfo).port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, ntlmEmptyAuthenticateBody: true });
  await assert.rejects(c.identify(), NtlmError);
  assert.ok(h.requests.length <= 3, `bounded: ${h.requests.length} requests`);
  await c.close();
  relay.close();
  await h.close();
});

test('a proxy that hangs up before answering CONNECT fails at once with what happened', async () => {
  const rude = createServer((s) => s.destroy());
  await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r));
  const c = new WsmanClient({ host: '127.0.0.1', port: 5985, scheme: 'http', user: 'u', password: 'p', proxy: `http://127.0.0.1:${(rude.address() as AddressInfo).port}`, connectTimeoutSec: 20 });
  const t0 = Date.now();
  await assert.rejects(c.identify(), (e: unknown) => e instanceof ConnectionError && /closed the connection before answering CONNECT/.test(e.message));
  assert.ok(Date.now() - t0 < 5000, 'not after the connect timeout');
  await c.close();
  rude.close();
});

test('an unreachable proxy is named as such, not as an unreachable WinRM listener', async () => {
  const c = new WsmanClient({ host: '127.0.0.1', port: 5985, scheme: 'http', user: 'u', password: 'p', proxy: 'http://127.0.0.1:1' });
  await assert.rejects(c.identify(), (e: unknown) => e instanceof ConnectionError && /Proxy http:\/\/127\.0\.0\.1:1 unreachable/.test(e.message));
  await c.close();
});

test('identify --unauthenticated takes host, port and scheme from a config profile', async () => {
  const h = await startEmulatedHost();
  const dir = mkdtempSync(join(tmpdir(), 'hvw-cfg-'));
  const cfg = join(dir, 'config.json');
  writeFileSync(cfg, JSON.stringify({ profiles: { lab: { host: '127.0.0.1', port: h.port, scheme: 'http' } } }), { mode: 0o600 });
  const out = new PassThrough();
  let stdout = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  const code = await runCli(['identify', '--unauthenticated', '--config', cfg, '--profile', 'lab', '--json'], { stdout: out, stderr: new PassThrough(), stdin: Readable.from([]), env: {} });
  assert.equal(code, 0);
  assert.equal((JSON.parse(stdout) as { endpoint: string }).endpoint, `http://127.0.0.1:${h.port}/wsman`);
  rmSync(dir, { recursive: true });
  await h.close();
});

test('the terminal password prompt keeps multi-byte characters split across reads, and backspace removes whole characters', async () => {
  const bytes = Buffer.from('pé€😀X\u007f!\r', 'utf8');
  // Split inside the multi-byte sequences, as a terminal may deliver them.
  const chunks = [bytes.subarray(0, 2), bytes.subarray(2, 5), bytes.subarray(5, 9), bytes.subarray(9)];
  const stdin = Object.assign(Readable.from(chunks), { isTTY: true, setRawMode: (): void => undefined });
  const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin, env: {} };
  assert.equal(await resolvePassword({ 'password-stdin': true }, io), 'pé€😀!');
});
