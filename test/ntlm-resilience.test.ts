/**
 * NTLM sessions under adverse conditions, over real sockets with a TCP relay between client and
 * emulated host that can drop connections or corrupt bytes: reconnects (also over HTTPS with
 * channel binding), connections dying mid-call, aborted calls, corrupted sealed replies.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, generateTestCertificates, startEmulatedHost, type EmulatedHost, type TestCertificates } from '../src/emulator/index.js';
import { AbortedError, ConnectionError, NtlmSignatureError } from '../src/errors.js';
import { HypervJobs, JobNotFoundError } from '../src/hyperv/jobs.js';
import { WsmanClient } from '../src/wsman/client.js';
import { WsmanFaultError } from '../src/wsman/fault.js';
import { HYPERV_NAMESPACE, wmiResourceUri } from '../src/wsman/namespaces.js';
import { outParams, type InvokeOutput } from '../src/wsman/responses.js';

interface Relay {
  port: number;
  /** HTTP requests seen (counted by request line). */
  requests: number;
  /** Cut every open connection. */
  dropAll(): void;
  close(): Promise<void>;
}

/** A TCP relay; `onRequest(n)` may return 'kill' to cut the connection carrying request n; `mangleReply` may edit reply bytes. */
async function relay(target: number, hooks: { onRequest?: (n: number) => 'kill' | void; mangleReply?: (chunk: Buffer) => void } = {}): Promise<Relay> {
  const sockets = new Set<Socket>();
  const state = { requests: 0 };
  const server: Server = createServer((c) => {
    const s = connect(target, '127.0.0.1');
    sockets.add(c).add(s);
    c.on('data', (chunk: Buffer) => {
      if (/^POST \/wsman /m.test(chunk.toString('latin1'))) {
        state.requests++;
        if (hooks.onRequest?.(state.requests) === 'kill') {
          c.destroy();
          s.destroy();
          return;
        }
      }
      s.write(chunk);
    });
    s.on('data', (chunk: Buffer) => {
      hooks.mangleReply?.(chunk);
      c.write(chunk);
    });
    const down = (): void => {
      c.destroy();
      s.destroy();
    };
    s.on('error', down).on('close', down);
    c.on('error', down).on('close', down);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get requests() {
      return state.requests;
    },
    dropAll: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 30));
let certs: TestCertificates;
before(async () => {
  certs = await generateTestCertificates();
});
after(() => certs.cleanup());

/** One GetError request, idempotent (so re-sent after a dropped connection), as the transport sees it. */
function getErrorOnce(c: WsmanClient): Promise<InvokeOutput> {
  return c.invoke(wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ConcreteJob'), 'GetError', { selectors: { InstanceID: FIXTURE_JOB_IDS.failedConcrete }, idempotent: true });
}

test('after the first call, each call costs exactly one HTTP round trip', async () => {
  const h = await startEmulatedHost({ requestLog: true });
  const c = new WsmanClient({ host: '127.0.0.1', port: h.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
  const jobs = new HypervJobs(c);
  // getError reads the job, then calls GetError (the outcome needs both): two calls each.
  for (let i = 0; i < 5; i++) await jobs.getError(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob');
  assert.equal(h.requests.length, 2 * 5 + 1, 'ten calls + one NEGOTIATE leg (AUTHENTICATE rides on the first call)');
  await c.close();
  await h.close();
});

test('HTTPS + strict CBT survives reconnects (a new connection gets a new channel binding)', async () => {
  const h = await startEmulatedHost({ tls: { cert: certs.cert, key: certs.key }, cbtHardeningLevel: 'strict', requestLog: true });
  const r = await relay(h.port);
  const c = new WsmanClient({ host: '127.0.0.1', port: r.port, user: DEFAULT_USER, password: DEFAULT_PASSWORD, ca: certs.caCert });
  for (let i = 0; i < 3; i++) {
    assert.equal((await c.identify()).productVendor, 'Microsoft Corporation', `call ${i} after ${i} drops`);
    r.dropAll();
    await settle();
  }
  assert.ok(h.requests.every((x) => x.authFailure === undefined), h.requests.map((x) => x.authFailure).join(','));
  await c.close();
  await r.close();
  await h.close();
});

test('a connection dying mid-call: GetError is re-sent on a fresh authenticated connection, an Invoke is not', async () => {
  const h = await startEmulatedHost({ requestLog: true });
  const kill = new Set([3, 6]);
  const r = await relay(h.port, { onRequest: (n) => (kill.has(n) ? 'kill' : undefined) });
  const c = new WsmanClient({ host: '127.0.0.1', port: r.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
  await c.identify(); // requests 1 (NEGOTIATE) and 2 (AUTHENTICATE + Identify)
  const got = await getErrorOnce(c); // 3 killed, 4 + 5 re-authenticate and re-send
  assert.equal(outParams(got.output, 'Error').length, 1);
  const invokes = (): number => h.requests.filter((x) => x.method === 'RequestStateChange').length;
  await assert.rejects(
    c.invoke(wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ConcreteJob'), 'RequestStateChange', { selectors: { InstanceID: FIXTURE_JOB_IDS.progressing }, params: { RequestedState: 4 } }),
    ConnectionError,
  ); // 6 killed, never re-sent
  assert.equal(invokes(), 0, 'the non-idempotent Invoke never reached the host');
  assert.ok((await c.identify()).productVendor, 'the client recovers on the next call');
  await c.close();
  await r.close();
  await h.close();
});

test('an aborted call does not desynchronise the sealing state', async () => {
  const h = await startEmulatedHost({ requestLog: true });
  const c = new WsmanClient({ host: '127.0.0.1', port: h.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
  await c.identify();
  const ac = new AbortController();
  ac.abort(new Error('user pressed Ctrl-C'));
  await assert.rejects(c.identify({ signal: ac.signal }), AbortedError);
  for (let i = 0; i < 3; i++) assert.ok((await c.identify()).productVendor);
  assert.ok(h.requests.every((x) => x.httpStatus !== 400 && x.httpStatus !== 500), h.requests.map((x) => x.httpStatus).join(','));
  await c.close();
  await h.close();
});

test('an abort with a custom reason is an AbortedError, not a connection failure', async () => {
  const h = await startEmulatedHost();
  const c = new WsmanClient({ host: '127.0.0.1', port: h.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
  await c.identify();
  const ac = new AbortController();
  const p = c.invoke(wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ConcreteJob'), 'GetError', { selectors: { InstanceID: FIXTURE_JOB_IDS.failedConcrete } }, { signal: ac.signal });
  ac.abort(new Error('deadline'));
  await assert.rejects(p, (e: unknown) => e instanceof AbortedError && e.code === 'ERR_ABORTED');
  assert.ok((await c.identify()).productVendor);
  await c.close();
  await h.close();
});

test('a corrupted sealed reply is refused, never parsed, and the next call works on a fresh context', async () => {
  const h = await startEmulatedHost();
  let replies = 0;
  const r = await relay(h.port, {
    mangleReply: (chunk) => {
      if (chunk.includes('HTTP/1.1 ')) replies++;
      const end = chunk.lastIndexOf('--Encrypted Boundary--');
      if (replies === 3 && end > 8) chunk[end - 5]! ^= 0xff; // flip one sealed byte of the third reply
    },
  });
  const c = new WsmanClient({ host: '127.0.0.1', port: r.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
  await c.identify(); // replies 1 (challenge) and 2
  await assert.rejects(c.identify(), NtlmSignatureError);
  const later: string[] = [];
  for (let i = 0; i < 3; i++) later.push((await c.identify()).productVendor);
  assert.deepEqual(later, ['Microsoft Corporation', 'Microsoft Corporation', 'Microsoft Corporation']);
  await c.close();
  await r.close();
  await h.close();
});

test('a wrong namespace or class is reported as such, not as "no job with that ID"', async () => {
  const h = await startEmulatedHost();
  const c = new WsmanClient({ host: '127.0.0.1', port: h.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
  await assert.rejects(new HypervJobs(c, 'root/virtualization').getError(FIXTURE_JOB_IDS.failedConcrete), (e: unknown) => e instanceof WsmanFaultError && !(e instanceof JobNotFoundError) && /namespace/i.test(e.message));
  await assert.rejects(new HypervJobs(c).getError(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcretJob'), (e: unknown) => e instanceof WsmanFaultError && /class does not exist/i.test(e.message));
  await assert.rejects(new HypervJobs(c).getError('00000000-0000-0000-0000-00000000BEEF'), (e: unknown) => e instanceof JobNotFoundError && /server:/.test(e.message));
  await c.close();
  await h.close();
});

test('ntlmEmptyAuthenticateBody: AUTHENTICATE goes alone (pywinrm/OMI style), then the message; over http and https', async () => {
  const plain = await startEmulatedHost({ requestLog: true });
  const c1 = new WsmanClient({ host: '127.0.0.1', port: plain.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, ntlmEmptyAuthenticateBody: true });
  assert.equal(outParams((await getErrorOnce(c1)).output, 'Error').length, 1);
  assert.ok((await c1.identify()).productVendor);
  assert.equal(plain.requests.length, 2 + 2, 'NEGOTIATE, empty AUTHENTICATE, then one request per call');
  assert.ok(plain.requests.filter((r) => r.operation !== 'Handshake' && r.operation !== 'Rejected').every((r) => r.encrypted));
  await c1.close();
  await plain.close();
  const tls = await startEmulatedHost({ tls: { cert: certs.cert, key: certs.key }, cbtHardeningLevel: 'strict' });
  const c2 = new WsmanClient({ host: '127.0.0.1', port: tls.port, user: DEFAULT_USER, password: DEFAULT_PASSWORD, ca: certs.caCert, ntlmEmptyAuthenticateBody: true });
  assert.ok((await c2.identify()).productVendor);
  await c2.close();
  await tls.close();
});
