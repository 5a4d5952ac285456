/** Tracing (the trace option and the hyperv-wsman:exchange diagnostics channel) never carries secrets. */
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { test } from 'node:test';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, startEmulatedHost } from '../src/emulator/index.js';
import { HypervJobs } from '../src/hyperv/jobs.js';
import type { TraceEvent } from '../src/options.js';
import { redactHeaders } from '../src/session/session.js';
import { WsmanClient } from '../src/wsman/client.js';

test('NTLM + encryption: events on the diagnostics channel and the trace option are redacted plaintext SOAP', async () => {
  const h = await startEmulatedHost();
  const fromChannel: TraceEvent[] = [];
  const fromOption: TraceEvent[] = [];
  const onEvent = (m: unknown): void => void fromChannel.push(m as TraceEvent);
  diagnosticsChannel.subscribe('hyperv-wsman:exchange', onEvent);
  try {
    const c = new WsmanClient({ host: '127.0.0.1', port: h.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, trace: (e) => fromOption.push(e) });
    await new HypervJobs(c).getError(FIXTURE_JOB_IDS.failedConcrete);
    await c.close();
  } finally {
    diagnosticsChannel.unsubscribe('hyperv-wsman:exchange', onEvent);
    await h.close();
  }
  assert.ok(fromChannel.length >= 4, 'handshake legs and the call were published');
  assert.deepEqual(fromOption, fromChannel);
  const all = JSON.stringify(fromChannel);
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  for (const secret of [DEFAULT_PASSWORD, b64(DEFAULT_PASSWORD), b64(`${DEFAULT_USER}:${DEFAULT_PASSWORD}`), 'TlRMTVNTUA']) {
    assert.ok(!all.includes(secret), `trace must not contain ${secret}`);
  }
  const auth = fromChannel.map((e) => e.headers.authorization).filter(Boolean);
  assert.ok(auth.length >= 2 && auth.every((a) => /^(Negotiate|NTLM) <redacted>$/.test(a!)), auth.join(' | '));
  // getError reads the job first, then calls GetError: find the GetError reply among the calls.
  const call = fromChannel.find((e) => e.direction === 'response' && e.encrypted && e.body.includes('GetError_OUTPUT'));
  assert.ok(call, 'the decrypted SOAP is traced, not the ciphertext');
});

test('redactHeaders hides every credential-bearing header value', () => {
  const r = redactHeaders({ Authorization: 'Basic dXNlcjpwYXNz', 'Proxy-Authorization': 'Basic eDp5', 'WWW-Authenticate': ['Negotiate TlRMTVNTUAACAAAAAAAAAAAAAAA=', 'Basic realm="WSMAN"'], 'content-type': 'x' });
  assert.equal(r.Authorization, 'Basic <redacted>');
  assert.equal(r['Proxy-Authorization'], 'Basic <redacted>');
  assert.doesNotMatch(r['WWW-Authenticate']!, /TlRMTVNTUA/);
  assert.equal(r['content-type'], 'x');
});
