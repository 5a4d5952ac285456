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

test('redactHeaders: every token in either direction, and only tokens (schemes, realm and other headers stay readable)', () => {
  const challenge = 'TlRMTVNTUAACAAAADAAMADgAAAAFgoqi';
  const cases: Array<[Record<string, string | string[]>, Record<string, string>]> = [
    [{ 'WWW-Authenticate': `Negotiate ${challenge}` }, { 'WWW-Authenticate': 'Negotiate <redacted>' }],
    // Repeated headers are joined; a token behind a bare scheme used to survive.
    [{ 'www-authenticate': ['Negotiate', `NTLM ${challenge}==`] }, { 'www-authenticate': 'Negotiate, NTLM <redacted>' }],
    [{ 'www-authenticate': `Negotiate, NTLM ${challenge}, Basic realm="WSMAN"` }, { 'www-authenticate': 'Negotiate, NTLM <redacted>, Basic realm="WSMAN"' }],
    // Short tokens, base64url, padding: all tokens.
    [{ 'www-authenticate': 'NTLM ab=, realm=x' }, { 'www-authenticate': 'NTLM <redacted>, realm=x' }],
    [{ 'proxy-authenticate': 'Negotiate oYG2-_x' }, { 'proxy-authenticate': 'Negotiate <redacted>' }],
    // Parameters are not secrets.
    [{ 'www-authenticate': 'Basic realm="WSMAN", charset="UTF-8"' }, { 'www-authenticate': 'Basic realm="WSMAN", charset="UTF-8"' }],
    // Ours: everything after the scheme.
    [{ authorization: 'Basic dXNlcjpwYXNz', 'proxy-authorization': 'NTLM TlRMTVNTUAADAAAA' }, { authorization: 'Basic <redacted>', 'proxy-authorization': 'NTLM <redacted>' }],
    [
      { 'content-type': 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"', server: 'Microsoft-HTTPAPI/2.0', 'content-length': '0' },
      { 'content-type': 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"', server: 'Microsoft-HTTPAPI/2.0', 'content-length': '0' },
    ],
  ];
  for (const [input, expected] of cases) assert.deepEqual(redactHeaders(input), expected, JSON.stringify(input));
});
