/** The HTTP/1.1 reply reader: framing, keep-alive decisions and every bound, fed byte by byte and whole. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionError, InvalidOptionError, ProtocolError, ResponseTooLargeError } from '../src/errors.js';
import { resolveOptions } from '../src/options.js';
import { ResponseReader, type ParsedResponse } from '../src/transport/http1-response.js';
import { normaliseFingerprint } from '../src/transport/tls-verify.js';

const limits = { maxBodyBytes: 1000, maxHeaderBytes: 512, maxInterimResponses: 2 };

function read(wire: string, byteByByte: boolean, end = false): ParsedResponse {
  const r = new ResponseReader(limits);
  const bytes = Buffer.from(wire, 'latin1');
  if (byteByByte) for (let i = 0; i < bytes.length; i++) r.push(bytes.subarray(i, i + 1));
  else r.push(bytes);
  if (end) r.end();
  assert.ok(r.result, 'complete');
  return r.result;
}

for (const split of [false, true]) {
  const how = split ? 'byte by byte' : 'whole';
  test(`Content-Length, chunked (extensions, trailers), 1xx skipped, close-delimited (${how})`, () => {
    const a = read('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n\r\nhello', split);
    assert.equal(a.body.toString(), 'hello');
    assert.deepEqual(a.headers['www-authenticate'], ['Negotiate', 'NTLM']);
    assert.equal(a.reusable, true);
    const b = read('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n', split);
    assert.equal(b.body.toString(), 'abcde');
    assert.equal(b.status, 200);
    const c = read('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok', split);
    assert.equal(c.reusable, false);
    const d = read('HTTP/1.0 200 OK\r\n\r\nuntil close', split, true);
    assert.equal(d.body.toString(), 'until close');
    assert.equal(d.reusable, false);
    assert.equal(read('HTTP/1.1 204 No Content\r\n\r\n', split).body.length, 0);
  });
}

test('every bound and every malformed frame is a typed error', () => {
  const fails = (wire: string, type: new (...a: never[]) => Error, end = false): void => {
    const r = new ResponseReader(limits);
    assert.throws(() => {
      r.push(Buffer.from(wire, 'latin1'));
      if (end) r.end();
    }, type);
  };
  fails('HTTP/1.1 200 OK\r\nContent-Length: 1001\r\n\r\n', ResponseTooLargeError);
  fails('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n', ResponseTooLargeError);
  fails('HTTP/1.1 200 OK\r\n\r\n' + 'x'.repeat(1001), ResponseTooLargeError);
  fails('HTTP/1.1 200 OK\r\nX: ' + 'y'.repeat(600), ProtocolError);
  fails('HTTP/1.1 100 Continue\r\n\r\n'.repeat(3), ProtocolError);
  fails('HTTP/1.1 101 Switching\r\n\r\n', ProtocolError);
  fails('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', ProtocolError);
  fails('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', ProtocolError);
  fails('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', ProtocolError);
  fails('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab', ProtocolError);
  fails('SSH-2.0-OpenSSH\r\n\r\n', ProtocolError);
  fails('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc', ConnectionError, true);
  const silent = new ResponseReader(limits);
  assert.throws(() => silent.end(), (e: unknown) => e instanceof ConnectionError && /without answering/.test(e.message));
});

test('options: whole-call deadline and reply cap are derived, checked, and overridable', () => {
  const base = { host: 'h', user: 'u', password: 'p' };
  const o = resolveOptions(base);
  assert.equal(o.callTimeoutMs, (30 + 30 + 30) * 1000);
  assert.equal(o.maxResponseBytes, 153_600 + 4096);
  assert.equal(resolveOptions({ ...base, maxEnvelopeSize: 512_000 }).maxResponseBytes, 512_000 + 4096);
  assert.equal(resolveOptions({ ...base, maxResponseBytes: 2_000_000 }).maxResponseBytes, 2_000_000);
  assert.throws(() => resolveOptions({ ...base, callTimeoutSec: 20 }), (e: unknown) => e instanceof InvalidOptionError && /callTimeoutSec/.test(e.message));
  assert.throws(() => resolveOptions({ ...base, scheme: 'http', certFingerprint: 'sha256:' + 'ab'.repeat(32) }), InvalidOptionError);
  assert.equal(normaliseFingerprint('sha256:' + 'ab:'.repeat(31) + 'ab'), 'AB'.repeat(32));
  assert.equal(normaliseFingerprint('ab'.repeat(32)), 'AB'.repeat(32));
  assert.throws(() => normaliseFingerprint('sha1:' + 'ab'.repeat(20)), InvalidOptionError);
});

// Incomplete lines and header blocks are kept without being re-joined and re-searched at every read
// (a server dripping its headers a byte at a time made that quadratic): wherever the reads split the
// reply, even inside a delimiter (\r\n\r\n, \r\n), the result is the same, and the bounds still hold.
test('every way of splitting a reply into three reads parses the same as reading it whole', () => {
  const wire = Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n', 'latin1');
  const whole = new ResponseReader(limits);
  whole.push(wire);
  const want = whole.result!;
  for (let i = 1; i < wire.length; i++) {
    for (let j = i; j < wire.length; j++) {
      const r = new ResponseReader(limits);
      r.push(wire.subarray(0, i));
      r.push(wire.subarray(i, j));
      r.push(wire.subarray(j));
      assert.deepEqual(r.result, want, `split at ${i}, ${j}`);
    }
  }
});

test('bounds hold when the bytes come one at a time: header block, chunk-size line, trailers', () => {
  const drip = (wire: string): void => {
    const r = new ResponseReader(limits);
    const b = Buffer.from(wire, 'latin1');
    for (let i = 0; i < b.length; i++) r.push(b.subarray(i, i + 1));
  };
  assert.throws(() => drip(`HTTP/1.1 200 OK\r\nX-A: ${'a'.repeat(600)}`), ProtocolError);
  assert.throws(() => drip(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1${' '.repeat(1100)}`), /over-long chunk-size line/);
  assert.throws(() => drip(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: ${'t'.repeat(600)}`), /oversize HTTP trailers/);
});
