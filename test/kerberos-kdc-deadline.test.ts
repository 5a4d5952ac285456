/**
 * KDC exchanges honour the WinRM call's bounds: a KDC that never answers (a real UDP socket that
 * reads and stays silent, a real TCP server that accepts and stays silent) fails the call within
 * its deadline with a KdcTimeoutError naming the KDCs tried; the caller's AbortSignal ends the
 * exchange and closes its socket; the client, the CLI's --call-timeout and Negotiate all pass the
 * call's deadline down to the KDC client. A closed port fails at once on both transports (the
 * ICMP port unreachable of a connected UDP socket), naming the host:port and transport tried.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AbortedError, ErrorCodes, KdcTimeoutError, KdcUnreachableError, TimeoutError, WsmanClient } from '../src/index.js';
import { KdcClient } from '../src/auth/kerberos/kdc-client.js';
import type { Principal } from '../src/auth/kerberos/types.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { emptyHome, runCapture } from './helpers/cli-harness.js';

const user: Principal = { nameType: 1, components: ['Administrator'], realm: 'EXAMPLE.COM' };

/** A KDC that hears and never answers, on both transports. */
interface SilentKdc {
  readonly udpPort: number;
  readonly tcpPort: number;
  /** Datagrams received on UDP. */
  readonly datagrams: Buffer[];
  /** TCP connections accepted, and whether the client has closed each one. */
  readonly connections: { closed: boolean }[];
  close(): Promise<void>;
}

async function silentKdc(): Promise<SilentKdc> {
  const datagrams: Buffer[] = [];
  const connections: { closed: boolean }[] = [];
  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (m) => datagrams.push(m));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const sockets = new Set<Socket>();
  const tcp: Server = createServer((s) => {
    const c = { closed: false };
    connections.push(c);
    sockets.add(s);
    s.on('close', () => {
      c.closed = true;
      sockets.delete(s);
    });
    s.on('error', () => undefined);
    s.resume(); // read (and ignore) the request, so the client's close is seen
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  return {
    udpPort: udp.address().port,
    tcpPort: (tcp.address() as { port: number }).port,
    datagrams,
    connections,
    close: async () => {
      udp.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A port number nothing listens on, neither UDP nor TCP, on 127.0.0.1. */
async function closedOnBoth(): Promise<number> {
  for (;;) {
    const port = await closedPort();
    const udp = createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((r) => udp.close(() => r()));
    if (free) return port;
  }
}

const waitFor = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('KDC client within the call deadline', () => {
  let kdc: SilentKdc;
  before(async () => {
    kdc = await silentKdc();
  });
  after(() => kdc.close());

  it('a refusing KDC, then a silent one: KdcTimeoutError (kind call) naming both, well before the 5 s per-attempt timeout', async () => {
    const refused = await closedPort();
    const client = new KdcClient({
      kdcs: [
        { host: '127.0.0.1', port: refused, transport: 'tcp' },
        { host: '127.0.0.1', port: kdc.tcpPort, transport: 'tcp' },
      ],
    });
    const accepted = kdc.connections.length;
    let caught: unknown;
    try {
      await client.getInitialTicket(user, { password: 'pw' }, undefined, { deadline: Date.now() + 400 });
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof KdcTimeoutError, `expected KdcTimeoutError, got ${String(caught)}`);
    assert.ok(caught instanceof TimeoutError);
    assert.equal(caught.kind, 'call');
    assert.equal(caught.code, ErrorCodes.TIMEOUT);
    assert.equal(caught.realm, 'EXAMPLE.COM');
    assert.deepEqual(caught.tried, [`127.0.0.1:${refused}/tcp`, `127.0.0.1:${kdc.tcpPort}/tcp`]);
    assert.match(caught.message, new RegExp(`tried 127\\.0\\.0\\.1:${refused}/tcp, 127\\.0\\.0\\.1:${kdc.tcpPort}/tcp`));
    assert.match(caught.message, /ECONNREFUSED/);
    assert.match(caught.message, /--call-timeout/);
    assert.match(caught.message, /No KDC of EXAMPLE\.COM answered/);
    assert.doesNotMatch(caught.message, /pw/);
    // The silent KDC really was asked, and its connection was closed when the deadline came.
    assert.equal(kdc.connections.length, accepted + 1);
    await waitFor(() => kdc.connections.at(-1)!.closed);
    assert.equal(kdc.connections.at(-1)!.closed, true);
  });

  it('a silent UDP KDC: the datagram goes out and the deadline ends the wait', async () => {
    const client = new KdcClient({ kdcs: [{ host: '127.0.0.1', port: kdc.udpPort, transport: 'udp' }] });
    const received = kdc.datagrams.length;
    await assert.rejects(client.getInitialTicket(user, { password: 'pw' }, undefined, { deadline: Date.now() + 300 }), (err: unknown) => {
      assert.ok(err instanceof KdcTimeoutError, String(err));
      assert.deepEqual(err.tried, [`127.0.0.1:${kdc.udpPort}/udp`]);
      return true;
    });
    assert.equal(kdc.datagrams.length, received + 1);
  });

  it('without a deadline every silent KDC times out on its own and the error lists them (KdcUnreachableError)', async () => {
    const client = new KdcClient({
      kdcs: [
        { host: '127.0.0.1', port: kdc.udpPort, transport: 'udp' },
        { host: '127.0.0.1', port: kdc.tcpPort, transport: 'tcp' },
      ],
      timeoutMs: 100,
    });
    await assert.rejects(client.getInitialTicket(user, { password: 'pw' }), (err: unknown) => {
      assert.ok(err instanceof KdcUnreachableError, String(err));
      assert.equal(err.code, ErrorCodes.CONNECTION);
      assert.deepEqual(err.tried, [`127.0.0.1:${kdc.udpPort}/udp`, `127.0.0.1:${kdc.tcpPort}/tcp`]);
      assert.match(err.message, /no reply from 127\.0\.0\.1:\d+ within 100 ms/);
      return true;
    });
  });

  it('a closed port, UDP then TCP: the ICMP port unreachable ends the UDP attempt (no wait for the timeout); the error names host:port and transport, not port 88', async () => {
    const port = await closedOnBoth();
    // A per-attempt timeout longer than the deadline: a UDP attempt that waited would end in KdcTimeoutError instead.
    const client = new KdcClient({ kdcs: [{ host: '127.0.0.1', port }], timeoutMs: 60_000 });
    await assert.rejects(client.getInitialTicket(user, { password: 'pw' }, undefined, { deadline: Date.now() + 30_000 }), (err: unknown) => {
      assert.ok(err instanceof KdcUnreachableError, String(err));
      assert.deepEqual(err.tried, [`127.0.0.1:${port}/udp`, `127.0.0.1:${port}/tcp`]);
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}/udp: port unreachable \\(ICMP\\), nothing listens there \\(ECONNREFUSED\\)`));
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}/tcp: connection refused, nothing listens there \\(ECONNREFUSED\\)`));
      assert.match(err.message, new RegExp(`a KDC listens at 127\\.0\\.0\\.1:${port} \\(UDP, TCP\\)`));
      assert.doesNotMatch(err.message, /port 88/);
      return true;
    });
  });

  it('a UDP KDC that stays silent still gets the whole per-attempt timeout (a silent port is not a refused one)', async () => {
    const client = new KdcClient({ kdcs: [{ host: '127.0.0.1', port: kdc.udpPort, transport: 'udp' }], timeoutMs: 200 });
    const received = kdc.datagrams.length;
    await assert.rejects(client.getInitialTicket(user, { password: 'pw' }), (err: unknown) => {
      assert.ok(err instanceof KdcUnreachableError, String(err));
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${kdc.udpPort}/udp: no reply from 127\\.0\\.0\\.1:${kdc.udpPort} within 200 ms`));
      return true;
    });
    assert.equal(kdc.datagrams.length, received + 1, 'the request reached the silent KDC');
  });

  it('a deadline already past: nothing is sent', async () => {
    const client = new KdcClient({ kdcs: [{ host: '127.0.0.1', port: kdc.udpPort, transport: 'udp' }] });
    const received = kdc.datagrams.length;
    await assert.rejects(client.getInitialTicket(user, { password: 'pw' }, undefined, { deadline: Date.now() - 1 }), (err: unknown) => err instanceof KdcTimeoutError && err.tried.length === 0);
    assert.equal(kdc.datagrams.length, received);
  });

  it("the caller's AbortSignal aborts the exchange and closes the KDC connection", async () => {
    const client = new KdcClient({ kdcs: [{ host: '127.0.0.1', port: kdc.tcpPort, transport: 'tcp' }] });
    const ac = new AbortController();
    const accepted = kdc.connections.length;
    const pending = client.getInitialTicket(user, { password: 'pw' }, undefined, { signal: ac.signal, deadline: Date.now() + 60_000 });
    await waitFor(() => kdc.connections.length > accepted);
    assert.equal(kdc.connections.length, accepted + 1, 'the client connected to the KDC');
    ac.abort(new Error('user pressed Ctrl-C'));
    await assert.rejects(pending, (err: unknown) => err instanceof AbortedError && err.code === ErrorCodes.ABORTED);
    await waitFor(() => kdc.connections.at(-1)!.closed);
    assert.equal(kdc.connections.at(-1)!.closed, true);
  });
});

describe('the WinRM call deadline reaches the KDC', () => {
  let kdc: SilentKdc;
  let host: EmulatedHost;
  before(async () => {
    kdc = await silentKdc();
    host = await startEmulatedHost({ kerberos: { kdc: true } });
  });
  after(async () => {
    await host.close();
    await kdc.close();
  });

  for (const transport of ['kerberos', 'negotiate'] as const) {
    it(`library, transport ${transport}: callTimeoutSec bounds the ticket request`, async () => {
      const c = new WsmanClient({
        host: '127.0.0.1',
        port: host.port,
        scheme: 'http',
        user: `${DEFAULT_USER}@EMULATOR.TEST`,
        password: DEFAULT_PASSWORD,
        transport,
        kdc: [`tcp/127.0.0.1:${kdc.tcpPort}`],
        operationTimeoutSec: 0.25,
        callTimeoutSec: 0.5,
      });
      try {
        await assert.rejects(c.identify(), (err: unknown) => err instanceof KdcTimeoutError && err.realm === 'EMULATOR.TEST' && err.tried.includes(`127.0.0.1:${kdc.tcpPort}/tcp`));
      } finally {
        await c.close();
      }
    });
  }

  it('library: an AbortSignal on the call aborts the ticket request', async () => {
    const c = new WsmanClient({ host: '127.0.0.1', port: host.port, scheme: 'http', user: `${DEFAULT_USER}@EMULATOR.TEST`, password: DEFAULT_PASSWORD, transport: 'kerberos', kdc: [`tcp/127.0.0.1:${kdc.tcpPort}`], callTimeoutSec: 60 });
    const ac = new AbortController();
    const accepted = kdc.connections.length;
    try {
      const pending = c.identify({ signal: ac.signal });
      await waitFor(() => kdc.connections.length > accepted);
      assert.equal(kdc.connections.length, accepted + 1, 'the ticket request reached the KDC');
      ac.abort();
      await assert.rejects(pending, (err: unknown) => err instanceof AbortedError);
    } finally {
      await c.close();
    }
  });

  it('CLI: --kdc on a closed port fails at once over both transports, naming that host:port (not port 88); exit 5', async () => {
    const port = await closedOnBoth();
    const r = await runCapture(
      ['identify', '--host', '127.0.0.1', '--port', String(host.port), '--scheme', 'http', '--transport', 'kerberos', '--user', `${DEFAULT_USER}@EMULATOR.TEST`, '--kdc', `127.0.0.1:${port}`, '--call-timeout', '30'],
      { env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD } },
    );
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}/udp: port unreachable`));
    assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}/tcp: connection refused`));
    assert.doesNotMatch(r.stderr, /port 88|--call-timeout/, 'refused, not timed out');
  });

  it('CLI: --call-timeout bounds the ticket request; the error names the KDC and exits 5', async () => {
    const r = await runCapture(
      ['job-error', '--job-id', FIXTURE_JOB_IDS.failedMigration, '--host', '127.0.0.1', '--port', String(host.port), '--scheme', 'http', '--transport', 'kerberos', '--user', `${DEFAULT_USER}@EMULATOR.TEST`, '--kdc', `tcp/127.0.0.1:${kdc.tcpPort}`, '--operation-timeout', '0.5', '--call-timeout', '1'],
      { env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD } },
    );
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${kdc.tcpPort}/tcp`));
    assert.match(r.stderr, /--call-timeout/);
    assert.doesNotMatch(r.stderr, new RegExp(DEFAULT_PASSWORD));
  });
});
