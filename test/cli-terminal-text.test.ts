// Server text reaches the terminal: control characters in it (cursor moves, erase line, window
// title) are shown as \u00XX, never written raw; --json stays valid and exact.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { EXIT } from '../src/cli/exit-codes.js';
import { printable, REDRAW } from '../src/cli/terminal-text.js';
import { defaultEnv, jsonDoc, runCapture } from './helpers/cli-harness.js';

const HOSTILE = '\u001b]0;pwned\u0007\u001b[2J\u009b31mFAKE\r';
let server: Server;
let port = 0;

before(async () => {
  // Offers only a scheme with escape sequences in it (raw bytes: node:http would refuse to send them);
  // the doctor's auth-schemes step prints it.
  server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(`HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: ${HOSTILE.replace('\r', '')}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, 'latin1'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

test('printable escapes C0 (but tab and newline), DEL and C1; keeps everything else', () => {
  assert.equal(printable('a\tb\nc\u001b[2Jd\u0007\u007f\u009b'), 'a\tb\nc\\u001b[2Jd\\u0007\\u007f\\u009b');
  assert.equal(printable('仮想マシン é'), '仮想マシン é');
  assert.equal(REDRAW, '\r\u001b[K');
});

test('doctor shows a hostile WWW-Authenticate as text, not as terminal control', async () => {
  const r = await runCapture(['doctor', '--host', `http://127.0.0.1:${port}/wsman`, '--user', 'u'], { env: { ...defaultEnv(), HYPERV_WSMAN_PASSWORD: 'x' } });
  assert.notEqual(r.code, EXIT.OK);
  assert.doesNotMatch(r.stdout + r.stderr, RAW_CONTROL);
  assert.match(r.stdout, /\\u001b\]0;pwned\\u0007/);
});

test('--json keeps the exact text (the escape is JSON\'s own)', async () => {
  const r = await runCapture(['doctor', '--json', '--host', `http://127.0.0.1:${port}/wsman`, '--user', 'u'], { env: { ...defaultEnv(), HYPERV_WSMAN_PASSWORD: 'x' } });
  assert.doesNotMatch(r.stdout, RAW_CONTROL);
  const doc = jsonDoc<{ steps: { id: string; facts: Record<string, unknown> }[] }>(r.stdout);
  const schemes = JSON.stringify(doc.steps.find((s) => s.id === 'auth-schemes')?.facts ?? {});
  assert.ok(JSON.parse(schemes) !== null && Object.values(JSON.parse(schemes) as Record<string, unknown>).some((v) => JSON.stringify(v).includes('\\u001b]0;pwned')), schemes);
});
