/** DeferredSession: the auth scheme's session is loaded at the first call, once, and never after close. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortedError } from '../src/errors.js';
import { DeferredSession } from '../src/session/deferred-session.js';
import type { Session, SoapExchange, SoapReply } from '../src/session/session.js';

const exchange: SoapExchange = { xml: '<x/>', label: 'Identify', idempotent: true, timeoutMs: 1000 };
const reply: SoapReply = { status: 200, mediaType: 'application/soap+xml', charset: 'utf-8', body: new Uint8Array() };

function fake(): Session & { calls: number; closed: boolean } {
  return {
    calls: 0,
    closed: false,
    exchange() {
      this.calls++;
      return Promise.resolve(reply);
    },
    close() {
      this.closed = true;
      return Promise.resolve();
    },
  };
}

test('loads once, on the first call, and closes what it loaded', async () => {
  const inner = fake();
  let loads = 0;
  const s = new DeferredSession(() => (loads++, Promise.resolve(inner)));
  assert.equal(loads, 0);
  await Promise.all([s.exchange(exchange), s.exchange(exchange)]);
  assert.equal(loads, 1);
  assert.equal(inner.calls, 2);
  await s.close();
  assert.equal(inner.closed, true);
});

test('a client closed before any call loads nothing, and refuses calls after', async () => {
  let loads = 0;
  const s = new DeferredSession(() => (loads++, Promise.resolve(fake())));
  await s.close();
  await assert.rejects(s.exchange(exchange), AbortedError);
  assert.equal(loads, 0);
});

test('a load that fails fails the call with its error; close still settles', async () => {
  const s = new DeferredSession(() => Promise.reject(new Error('no such module')));
  await assert.rejects(s.exchange(exchange), /no such module/);
  await s.close();
});
