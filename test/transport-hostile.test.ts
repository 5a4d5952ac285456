/**
 * The transport against servers that are broken or hostile on purpose (issue 9): bad certificates,
 * trickled bodies, endless interim responses, oversize replies, redirects, proxies, certificates
 * with no channel-binding hash, and many concurrent calls with cut replies. Real sockets, real TLS.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect as createConnection, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { NtlmServerContext } from '../src/auth/ntlm/server-context.js';
import { HypervWsmanError, HttpStatusError, NtlmError, ProtocolError, ResponseTooLargeError, TimeoutError, TlsError, InvalidOptionError, ConnectionError } from '../src/errors.js';
import { HttpTransport } from '../src/transport/http-transport.js';
import { identifyUnauthenticated } from '../src/wsman/identify-unauthenticated.js';
import { WsmanClient } from '../src/wsman/client.js';
import { makeBadCerts, type BadCerts, type Pair } from './helpers/bad-certs.js';
import { messageIdOf, soapReply } from './helpers/scripted-server.js';

const RESOURCE = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob';
const INSTANCE = `<p:Msvm_ConcreteJob xmlns:p="${RESOURCE}"><p:InstanceID>X</p:InstanceID></p:Msvm_ConcreteJob>`;
const IDENTIFY = '<wsmid:IdentifyResponse xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion><wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor><wsmid:ProductVersion>OS: 10.0.20348 SP: 0.0 Stack: 3.0</wsmid:ProductVersion></wsmid:IdentifyResponse>';

let certs: BadCerts;
before(() => {
  certs = makeBadCerts();
});
after(() => certs.cleanup());

/** A raw TCP (or TLS) server: the handler gets the socket and each complete request's text. */
interface Raw {
  readonly port: number;
  readonly open: Set<Socket>;
  readonly requests: string[];
  close(): Promise<void>;
}

async function rawServer(onRequest: (s: Socket, request: string, index: number) => void, tls?: Pair): Promise<Raw> {
  const open = new Set<Socket>();
  const requests: string[] = [];
  const handle = (s: Socket): void => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => undefined);
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/content-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        const req = buf.slice(0, end + 4 + len);
        buf = buf.slice(end + 4 + len);
        requests.push(req);
        onRequest(s, req, requests.length - 1);
      }
    });
  };
  const server: NetServer = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, handle) : createNetServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    open,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}

const soapHttp = (body: string, extra = ''): string =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

const basicClient = (port: number, extra: Record<string, unknown> = {}): WsmanClient =>
  new WsmanClient({ host: '127.0.0.1', port, scheme: 'http', transport: 'basic', user: 'u', password: 'S3cret-pw', allowUnencrypted: true, ...extra });

async function httpsServer(pair: Pair): Promise<{ server: HttpsServer; port: number; hits: number[] }> {
  const hits: number[] = [];
  const server = createHttpsServer({ cert: pair.cert, key: pair.key }, (_q, res) => {
    hits.push(1);
    res.writeHead(200, { 'content-type': 'application/soap+xml' }).end('<x/>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

describe('TLS: every verdict its own message, one code, nothing sent to an unverified peer', () => {
  const cases: [keyof BadCerts, string, RegExp][] = [
    ['otherName', 'name-mismatch', /Host name mismatch.*DNS:other\.example.*not for "127\.0\.0\.1"/],
    ['expired', 'expired', /expired on .*2020/],
    ['notYetValid', 'not-yet-valid', /not valid before .*2098/],
    ['selfSigned', 'self-signed', /self-signed.*--cert-fingerprint sha256:/],
    ['unknownCa', 'unknown-ca', /trusted CA \(issuer CN=unknown test CA\).*--ca-trust-path/],
    ['leafAsCa', 'leaf-as-ca', /not a CA \(issuer CN=plainleaf\)/],
  ];
  for (const [which, reason, message] of cases) {
    test(`${which}: TlsError reason ${reason}`, async () => {
      const h = await httpsServer(certs[which] as Pair);
      const c = new WsmanClient({ host: '127.0.0.1', port: h.port, transport: 'basic', user: 'u', password: 'p', ca: certs.caCert });
      await assert.rejects(c.identify(), (e: unknown) => e instanceof TlsError && e.code === 'ERR_TLS' && e.reason === reason && message.test(e.message));
      assert.equal(h.hits.length, 0, 'no request reached the server');
      await c.close();
      h.server.close();
    });
  }

  test('pinning: the right fingerprint passes, a wrong one fails before any request, a malformed one is refused up front', async () => {
    const h = await httpsServer(certs.selfSigned);
    const fp = await new Promise<string>((resolve) => {
      const probe = new HttpTransport({ url: `https://127.0.0.1:${h.port}/`, tls: { serverCertValidation: 'ignore' } });
      void probe.post({ headers: {}, body: '', timeoutMs: 2000 }).finally(() => {
        const der = probe.peerCertificate!;
        void probe.close();
        resolve(`sha256:${createHashHex(der)}`);
      });
    });
    h.hits.length = 0;
    const pinned = new HttpTransport({ url: `https://127.0.0.1:${h.port}/`, tls: { serverCertValidation: 'ignore', certFingerprint: fp.toLowerCase() } });
    assert.equal((await pinned.post({ headers: {}, body: '', timeoutMs: 2000 })).status, 200);
    await pinned.close();
    const wrong = new HttpTransport({ url: `https://127.0.0.1:${h.port}/`, tls: { serverCertValidation: 'ignore', certFingerprint: 'sha256:' + '00'.repeat(32) } });
    await assert.rejects(
      wrong.post({ headers: {}, body: '', timeoutMs: 2000 }),
      (e: unknown) => e instanceof TlsError && e.reason === 'fingerprint-mismatch' && e.fingerprint?.replace(/^sha256:|:/g, '') === fp.slice(7) && /not the pinned/.test(e.message),
    );
    assert.equal(h.hits.length, 1, 'only the pinned call was served');
    // A pin does not replace CA checks unless they are turned off by name.
    const both = new HttpTransport({ url: `https://127.0.0.1:${h.port}/`, tls: { certFingerprint: fp } });
    await assert.rejects(both.post({ headers: {}, body: '', timeoutMs: 2000 }), (e: unknown) => e instanceof TlsError && e.reason === 'self-signed');
    assert.throws(() => new WsmanClient({ host: '127.0.0.1', port: h.port, user: 'u', password: 'p', certFingerprint: 'sha1:abcd' }), InvalidOptionError);
    h.server.close();
  });

  test('CLI: a certificate for another host name exits non-zero with the mismatch named, also for identify --unauthenticated', async () => {
    const h = await httpsServer(certs.otherName);
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync(`${process.env.TMPDIR ?? '/tmp'}/hvw-ca-`);
    writeFileSync(`${dir}/ca.pem`, certs.caCert);
    for (const argv of [
      ['identify', '--host', '127.0.0.1', '--port', String(h.port), '--scheme', 'https', '--user', 'u', '--ca-trust-path', `${dir}/ca.pem`, '--json'],
      ['identify', '--unauthenticated', '--host', '127.0.0.1', '--port', String(h.port), '--scheme', 'https', '--ca-trust-path', `${dir}/ca.pem`, '--json'],
    ]) {
      const r = await runCliProcess(argv, { HYPERV_WSMAN_PASSWORD: 'pw' });
      assert.equal(r.code, 5, `exit code for ${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /ERR_TLS: Host name mismatch/);
      assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'ERR_TLS');
    }
    // The Ansible module (a Node process reading an args file) reports it as one JSON result.
    writeFileSync(`${dir}/args.json`, JSON.stringify({ host: '127.0.0.1', port: h.port, scheme: 'https', user: 'u', password: 'pw', ca_trust_path: `${dir}/ca.pem`, job_id: 'X' }));
    const m = await runNodeProcess(['examples/ansible/library/hyperv_job_error.mjs', `${dir}/args.json`], { HYPERV_WSMAN_LIB: new URL('../src/index.ts', import.meta.url).pathname });
    assert.equal(m.code, 1, m.stderr);
    const result = JSON.parse(m.stdout.trim()) as { failed?: boolean; msg?: string };
    assert.equal(result.failed, true);
    assert.match(result.msg ?? '', /Host name mismatch/);
    assert.equal(h.hits.length, 0);
    h.server.close();
  });
});

describe('deadlines: no server can hold a call past its whole-call deadline', () => {
  test('a body trickled one byte at a time fails at the call deadline, not after it; the socket is destroyed', async () => {
    const s = await rawServer((sock, req) => {
      const body = soapReply(messageIdOf(req), INSTANCE);
      sock.write(`HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: ${body.length}\r\n\r\n`);
      let i = 0;
      const t = setInterval(() => (sock.destroyed ? clearInterval(t) : sock.write(body[i++] ?? ' ')), 50);
    });
    const c = basicClient(s.port, { operationTimeoutSec: 0.5, readTimeoutSec: 1, callTimeoutSec: 1.5 });
    const t0 = Date.now();
    await assert.rejects(c.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => e instanceof TimeoutError && e.kind === 'call' && /--call-timeout/.test(e.message));
    const took = Date.now() - t0;
    assert.ok(took < 4000, `bounded by the deadline (${took} ms)`);
    await waitFor(() => s.open.size === 0, 'server sees the socket closed');
    await c.close();
    await s.close();
  });

  test('endless 100 Continue is refused after a few interim responses; slow ones still meet the deadline', async () => {
    const fast = await rawServer((sock) => {
      const t = setInterval(() => (sock.destroyed ? clearInterval(t) : sock.write('HTTP/1.1 100 Continue\r\n\r\n')), 5);
    });
    const c = basicClient(fast.port);
    await assert.rejects(c.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => e instanceof ProtocolError && /interim/.test(e.message));
    await c.close();
    await fast.close();
    const slow = await rawServer((sock) => {
      const t = setInterval(() => (sock.destroyed ? clearInterval(t) : sock.write('HTTP/1.1 102 Processing\r\n\r\n')), 300);
    });
    const c2 = basicClient(slow.port, { operationTimeoutSec: 0.5, readTimeoutSec: 1, callTimeoutSec: 1.2 });
    await assert.rejects(c2.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => e instanceof TimeoutError && e.kind === 'call');
    await c2.close();
    await slow.close();
  });

  test('silence hits the idle read timeout; close() returns at once even with a call in flight', async () => {
    const s = await rawServer(() => undefined);
    const c = basicClient(s.port, { operationTimeoutSec: 0.2, readTimeoutSec: 0.5 });
    await assert.rejects(c.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => e instanceof TimeoutError && e.kind === 'read');
    const inFlight = c.get(RESOURCE, { InstanceID: 'X' }).catch((e: unknown) => e);
    await waitFor(() => s.requests.length === 2, 'second request arrived');
    const t0 = Date.now();
    await c.close();
    assert.ok(Date.now() - t0 < 100, 'close does not wait on the network');
    assert.ok((await inFlight) instanceof TimeoutError);
    await waitFor(() => s.open.size === 0, 'socket destroyed after the call in flight ended');
    await s.close();
  });
});

describe('reply size: capped by MaxEnvelopeSize while streaming, before parsing', () => {
  test('a 12 MB reply (declared or chunked) fails fast at the default cap, and the connection is cut', async () => {
    const big = Buffer.alloc(12 * 1024 * 1024, 0x61);
    let written = 0;
    const s = await rawServer((sock, _req, i) => {
      if (i === 0) {
        sock.write(`HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nContent-Length: ${big.length}\r\n\r\n`);
        sock.write(big);
        return;
      }
      sock.write('HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const step = (): void => {
        if (sock.destroyed || written >= big.length) return;
        written += chunk.length;
        sock.write(`${chunk.length.toString(16)}\r\n`);
        sock.write(chunk);
        sock.write('\r\n', () => setImmediate(step));
      };
      step();
    });
    const c = basicClient(s.port);
    await assert.rejects(c.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => e instanceof ResponseTooLargeError && e.limit === 153600 + 4096 && /--max-envelope-size/.test(e.message));
    await assert.rejects(c.get(RESOURCE, { InstanceID: 'X' }), ResponseTooLargeError);
    await waitFor(() => s.open.size === 0, 'connection cut');
    assert.ok(written < 2 * 1024 * 1024, `the server was stopped early (${written} bytes of chunks written)`);
    await c.close();
    await s.close();
  });

  test('maxEnvelopeSize raises the cap for bigger pages', async () => {
    const body = soapReply('', INSTANCE + `<!--${'x'.repeat(300_000)}-->`);
    const s = await rawServer((sock, req) => sock.write(soapHttp(body.replace('<a:To>', `<a:RelatesTo>${messageIdOf(req)}</a:RelatesTo><a:To>`))));
    await assert.rejects(basicClient(s.port).get(RESOURCE, { InstanceID: 'X' }), ResponseTooLargeError);
    const c = basicClient(s.port, { maxEnvelopeSize: 512_000 });
    assert.equal((await c.get(RESOURCE, { InstanceID: 'X' })).local, 'Msvm_ConcreteJob');
    await c.close();
    await s.close();
  });
});

describe('credentials go to the host only', () => {
  test('a redirect is never followed: the target gets nothing, the caller gets the status', async () => {
    const target = await rawServer((sock) => sock.write(soapHttp('<x/>')));
    const s = await rawServer((sock) => sock.write(`HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:${target.port}/wsman\r\nContent-Length: 0\r\n\r\n`));
    const c = basicClient(s.port);
    await assert.rejects(c.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => e instanceof HttpStatusError && e.statusCode === 307);
    const n = new WsmanClient({ host: '127.0.0.1', port: s.port, scheme: 'http', user: 'u', password: 'S3cret-pw' });
    await assert.rejects(n.identify(), HypervWsmanError);
    assert.equal(target.requests.length, 0);
    await c.close();
    await n.close();
    await s.close();
    await target.close();
  });

  test('a proxy sees only CONNECT (with its own credentials); over https the host credentials travel inside TLS', async () => {
    const host = await rawServer((sock, req) => sock.write(soapHttp(soapReply(messageIdOf(req.slice(req.indexOf('\r\n\r\n'))), INSTANCE))), certs.good);
    const seen: Buffer[] = [];
    const proxy = createNetServer((client) => {
      let head = Buffer.alloc(0);
      const onData = (d: Buffer): void => {
        seen.push(d);
        head = Buffer.concat([head, d]);
        if (head.indexOf('\r\n\r\n') < 0) return;
        client.off('data', onData);
        const upstream = createConnection(host.port);
        upstream.on('connect', () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          client.on('data', (x: Buffer) => seen.push(x));
          client.pipe(upstream).pipe(client);
        });
        upstream.on('error', () => client.destroy());
      };
      client.on('data', onData);
      client.on('error', () => undefined);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const c = new WsmanClient({ host: '127.0.0.1', port: host.port, transport: 'basic', user: 'u', password: 'S3cret-pw', ca: certs.caCert, proxy: `http://px:pxpw@127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    assert.equal((await c.get(RESOURCE, { InstanceID: 'X' })).local, 'Msvm_ConcreteJob');
    const all = Buffer.concat(seen).toString('latin1');
    const hostAuth = Buffer.from('u:S3cret-pw').toString('base64');
    assert.match(all, /^CONNECT 127\.0\.0\.1:\d+ HTTP\/1\.1\r\n/);
    assert.match(all, new RegExp(`Proxy-Authorization: Basic ${Buffer.from('px:pxpw').toString('base64')}`));
    assert.ok(!all.includes(hostAuth) && !/\r\nAuthorization:/i.test(all), 'the proxy never saw the host credentials');
    assert.ok(host.requests[0]!.includes(hostAuth), 'the host did');
    await c.close();
    proxy.close();
    await host.close();
  });
});

describe('channel binding is never dropped silently', () => {
  test('NTLM over HTTPS to an Ed25519 certificate: a clear NtlmError, and no AUTHENTICATE is sent', async () => {
    const s = await rawServer((sock, req) => {
      const token = /Authorization: (?:Negotiate|NTLM) (\S+)/i.exec(req)?.[1];
      if (!token) return void sock.write('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n');
      const server = new NtlmServerContext({ lookupPassword: () => 'pw', targetName: 'LAB', computerName: 'HV' });
      const challenge = Buffer.from(server.createChallenge(Buffer.from(token, 'base64'))).toString('base64');
      sock.write(`HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate ${challenge}\r\nContent-Length: 0\r\n\r\n`);
    }, certs.ed25519);
    const c = new WsmanClient({ host: '127.0.0.1', port: s.port, user: 'LAB\\u', password: 'pw', ca: certs.ed25519.cert });
    await assert.rejects(c.identify(), (e: unknown) => e instanceof NtlmError && /Ed25519/.test(e.message) && /--no-send-cbt/.test(e.message));
    assert.equal(s.requests.length, 1, 'NEGOTIATE only');
    assert.ok(!s.requests.some((r) => r.includes('TlRMTVNTUAAD')), 'no AUTHENTICATE left');
    await c.close();
    await s.close();
  });
});

describe('concurrency', () => {
  test('500 calls over 8 connections with 10% of replies cut mid-body: each settles typed, none hangs, no socket left open', async () => {
    let n = 0;
    const output = `<p:RequestStateChange_OUTPUT xmlns:p="${RESOURCE}"><p:ReturnValue>0</p:ReturnValue></p:RequestStateChange_OUTPUT>`;
    const s = await rawServer((sock, req) => {
      const reply = soapHttp(soapReply(messageIdOf(req.slice(req.indexOf('\r\n\r\n'))), req.includes('RequestStateChange') ? output : INSTANCE));
      if (++n % 10 === 0) {
        sock.write(reply.slice(0, reply.length - 60));
        sock.destroy();
        return;
      }
      sock.write(reply);
    });
    const c = basicClient(s.port, { maxConnections: 8, operationTimeoutSec: 2, readTimeoutSec: 5 });
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        (i % 2 ? c.get(RESOURCE, { InstanceID: 'X' }) : c.invoke(RESOURCE, 'RequestStateChange', { selectors: { InstanceID: 'X' }, params: { RequestedState: 2 } })).then(
          () => 'ok',
          (e: unknown) => e,
        ),
      ),
    );
    const failures = results.filter((r) => r !== 'ok');
    for (const f of failures) assert.ok(f instanceof ConnectionError || f instanceof HypervWsmanError, `typed: ${String(f)}`);
    assert.ok(failures.length > 0 && failures.length < 100, `${failures.length} failed`);
    assert.ok(results.length - failures.length >= 400);
    await c.close();
    await waitFor(() => s.open.size === 0, 'every socket closed');
    await s.close();
  });

  test('identify --unauthenticated has the same deadline', async () => {
    const s = await rawServer((sock) => {
      sock.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n');
      const t = setInterval(() => (sock.destroyed ? clearInterval(t) : sock.write('x')), 50);
    });
    await assert.rejects(
      identifyUnauthenticated({ host: '127.0.0.1', port: s.port, scheme: 'http', operationTimeoutSec: 0.5, readTimeoutSec: 1, callTimeoutSec: 1.5 }),
      (e: unknown) => e instanceof TimeoutError && e.kind === 'call',
    );
    await waitFor(() => s.open.size === 0, 'socket destroyed');
    await s.close();
  });

  test('identify --unauthenticated over a good certificate still works (control)', async () => {
    const s = await rawServer((sock, req) => sock.write(soapHttp(soapReply(messageIdOf(req.slice(req.indexOf('\r\n\r\n'))), IDENTIFY))), certs.good);
    const r = await identifyUnauthenticated({ host: '127.0.0.1', port: s.port, ca: certs.caCert });
    assert.equal(r.productVendor, 'Microsoft Corporation');
    await s.close();
  });
});

function createHashHex(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase();
}

async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The CLI as a real process: its exit code is what scripts and Ansible see. */
function runCliProcess(argv: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runNodeProcess(['src/cli/main.ts', ...argv], env);
}

function runNodeProcess(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.TMPDIR ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}
