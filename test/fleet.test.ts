/**
 * Fleets over real sockets: many emulated hosts, a global limit on hosts in progress, per-host
 * connection limits, failures as results, early exit closing every client.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_JOBS, DEFAULT_PASSWORD, DEFAULT_USER, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { AbortedError, ErrorCodes, InvalidOptionError } from '../src/errors.js';
import { JOB_CLASSES } from '../src/hyperv/jobs.js';
import { listFleetJobs, runFleet, type FleetTarget } from '../src/hyperv/fleet.js';

const HOSTS = 12;
/** An emulated host behind a TCP relay that counts the client's live connections. */
interface CountedHost {
  readonly host: EmulatedHost;
  readonly port: number;
  readonly relay: Server;
}
const hosts: CountedHost[] = [];
let openSockets = 0;
let maxOpenSockets = 0;
let totalSockets = 0;

before(async () => {
  for (let i = 0; i < HOSTS; i++) {
    const host = await startEmulatedHost({ computerName: `HV-${i}` });
    const relay = createServer((downstream) => {
      openSockets++;
      totalSockets++;
      maxOpenSockets = Math.max(maxOpenSockets, openSockets);
      const upstream = connect(host.port, '127.0.0.1');
      downstream.pipe(upstream).pipe(downstream);
      const end = (): void => {
        downstream.destroy();
        upstream.destroy();
      };
      downstream.once('close', () => {
        openSockets--;
        end();
      });
      upstream.once('close', end);
      downstream.on('error', end);
      upstream.on('error', end);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    hosts.push({ host, relay, port: (relay.address() as { port: number }).port });
  }
});
after(async () => {
  for (const h of hosts) {
    await new Promise((r) => h.relay.close(r));
    await h.host.close();
  }
});

const target = (h: CountedHost, extra: Partial<FleetTarget['connection']> = {}): FleetTarget => ({
  name: `hv-${h.port}`,
  connection: { host: '127.0.0.1', port: h.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, ...extra },
});

describe('runFleet / listFleetJobs', () => {
  test('every host answers once, with all of its jobs; no socket left open', async () => {
    totalSockets = 0;
    const seen = new Map<string, number>();
    for await (const r of listFleetJobs(hosts.map((h) => target(h)), {}, { concurrency: 4 })) {
      assert.equal(r.ok, true, r.ok ? '' : r.error.message);
      if (r.ok) seen.set(r.host, r.value.length);
    }
    assert.equal(seen.size, HOSTS);
    const perHost = DEFAULT_JOBS.filter((j) => (JOB_CLASSES as readonly string[]).includes(j.className)).length;
    assert.ok(perHost > 0);
    for (const n of seen.values()) assert.equal(n, perHost);
    // One authenticated connection per host (handshake, Enumerate and Pulls all ride on it).
    assert.equal(totalSockets, HOSTS);
    await waitFor(() => openSockets === 0);
    assert.equal(openSockets, 0);
  });

  test('the global limit bounds hosts in progress; results arrive in completion order', async () => {
    let active = 0;
    let peak = 0;
    const order: string[] = [];
    const delays = [60, 5, 30, 1, 45, 10];
    const targets = delays.map((_, i) => target(hosts[i]!, {}));
    for await (const r of runFleet(
      targets,
      async (_client, t) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((res) => setTimeout(res, delays[targets.indexOf(t)]));
        active--;
        return t.name;
      },
      { concurrency: 3 },
    )) {
      assert.equal(r.ok, true);
      order.push(r.host);
    }
    assert.equal(peak, 3);
    assert.equal(order.length, delays.length);
    // The 5 ms host finishes before the 60 ms one that started with it.
    assert.ok(order.indexOf(targets[1]!.name!) < order.indexOf(targets[0]!.name!));
  });

  test('perHostConcurrency opens that many connections to one host, no more', async () => {
    maxOpenSockets = 0;
    const [r] = await collect(
      runFleet(
        [target(hosts[0]!)],
        async (client) => {
          await Promise.all(Array.from({ length: 8 }, () => client.identify()));
          return true;
        },
        { perHostConcurrency: 3 },
      ),
    );
    assert.equal(r?.ok, true);
    assert.ok(maxOpenSockets >= 1 && maxOpenSockets <= 3, `saw ${maxOpenSockets}`);
  });

  test('a host that refuses the password or does not listen is a typed failed result; the others succeed', async () => {
    const dead = await closedPort();
    const results = await collect(
      listFleetJobs([target(hosts[0]!), target(hosts[1]!, { password: 'wrong' }), { name: 'nowhere', connection: { host: '127.0.0.1', port: dead, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, connectTimeoutSec: 5 } }], {}, { concurrency: 3 }),
    );
    const by = new Map(results.map((r) => [r.host, r]));
    assert.equal(by.get(target(hosts[0]!).name!)?.ok, true);
    const auth = by.get(target(hosts[1]!).name!);
    assert.ok(auth && !auth.ok && auth.error.code === ErrorCodes.AUTH, JSON.stringify(auth && !auth.ok ? auth.error.code : auth));
    assert.ok(auth && !auth.ok && !auth.error.message.includes('wrong'), 'no password in the message');
    const nowhere = by.get('nowhere');
    assert.ok(nowhere && !nowhere.ok && nowhere.error.code === ErrorCodes.CONNECTION, JSON.stringify(nowhere && !nowhere.ok ? nowhere.error.code : nowhere));
  });

  test('a work function that throws a plain Error becomes ERR_INTERNAL for that host only', async () => {
    const results = await collect(
      runFleet([target(hosts[0]!), target(hosts[1]!)], async (_c, t) => {
        if (t.name === target(hosts[0]!).name) throw new TypeError('boom');
        return 1;
      }),
    );
    assert.equal(results.filter((r) => r.ok).length, 1);
    const bad = results.find((r) => !r.ok);
    assert.ok(bad && !bad.ok && bad.error.code === ErrorCodes.INTERNAL && /boom/.test(bad.error.message));
  });

  test('breaking out early stops the rest and closes their clients', async () => {
    let started = 0;
    for await (const r of runFleet(
      hosts.map((h) => target(h)),
      async (client) => {
        started++;
        await client.identify();
        return true;
      },
      { concurrency: 2 },
    )) {
      assert.equal(r.ok, true);
      break;
    }
    assert.ok(started <= 3, `no new host after the break; started ${started}`);
    await waitFor(() => openSockets === 0);
    assert.equal(openSockets, 0);
  });

  test('the caller\'s abort signal ends the fleet with AbortedError', async () => {
    const ac = new AbortController();
    await assert.rejects(async () => {
      for await (const _ of runFleet(hosts.map((h) => target(h)), async (client) => client.identify(), { concurrency: 2, signal: ac.signal })) ac.abort();
    }, AbortedError);
  });

  test('limits are validated before any I/O', async () => {
    await assert.rejects(collect(runFleet([target(hosts[0]!)], async () => 1, { concurrency: 0 })), InvalidOptionError);
    await assert.rejects(collect(runFleet([target(hosts[0]!)], async () => 1, { perHostConcurrency: 65 })), InvalidOptionError);
  });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s: Server = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
