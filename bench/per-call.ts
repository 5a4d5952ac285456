/**
 * Per-call client CPU (issue 10): one GetError call whose reply is decoded to a typed Msvm_Error
 * (`HypervJobs.callGetError`), N times over one kept-alive authenticated connection, against the
 * emulated host in its own process; pywinrm 0.3 (Debian python3-winrm, raw `send_message`) does the
 * same call against a host of the same kind in the same run, in alternating rounds with ours (a
 * loaded machine's drift hits both alike). CPU is process CPU (ours:
 * process.cpuUsage of this process, whose only work is the loop; the peer: time.process_time).
 * Requests per call are counted by the host, not assumed. Numbers are printed, never asserted.
 *
 * Cases: NTLM + message encryption over http; Basic over https; Kerberos + message encryption over
 * http (the peer: pywinrm Kerberos over https, since Debian 12's pykerberos cannot seal over http;
 * MIT's kinit gets its ticket from the in-memory KDC beside that host); and Basic over plain http
 * (a lab setting: no TLS, no sealing), where the floor is also measured: our own request's bytes
 * replayed over a bare node:net keep-alive socket to the same host, reply read by Content-Length and
 * not parsed. What a Node client cannot go below on this machine (system calls, event loop).
 */
import { spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, generateTestCertificates, type TestCertificates } from '../src/emulator/index.js';
import { HypervJobs } from '../src/hyperv/jobs.js';
import type { ConnectionOptions } from '../src/options.js';
import { WsmanClient } from '../src/wsman/client.js';
import { startPythonPeer, type PythonPeerSession } from '../interop/python-peer.js';

export type PerCallTransport = 'ntlm' | 'basic' | 'kerberos' | 'plain';
export type PerCallPeer = { name: string; cpuUsPerCall: number; wallUsPerCall: number } | { name: string; error: string };

export interface PerCallCase {
  name: string;
  transport: PerCallTransport;
  scheme: 'http' | 'https';
  iterations: number;
  oursCpuUsPerCall: number;
  oursWallUsPerCall: number;
  requestsPerCall: number;
  peer: PerCallPeer;
  /** ours CPU / peer CPU; null when the peer could not be measured. */
  ratio: number | null;
  /** The 'plain' case only: CPU µs per round trip of our request's bytes over a bare node:net socket. */
  floorCpuUsPerCall?: number;
}

export interface PerCallOptions {
  /** Measured calls per side and case (after a warm-up). Default 2000. */
  iterations?: number;
  /** Only these cases (default all). */
  only?: readonly PerCallTransport[];
  /** Skip the peers (profiling our side). */
  oursOnly?: boolean;
}

/** Calls before measuring: JIT-compiled steady state, which is what a long-running automation sees. */
const WARM_UP = 1500;

interface HostProcess {
  readonly port: number;
  readonly url: string;
  readonly krb5Conf?: string;
  /** Requests the host has answered so far. */
  count(): Promise<number>;
  stop(): void;
}

async function startHost(options: { tls?: { cert: string; key: string }; kerberos?: boolean }): Promise<HostProcess> {
  const script = fileURLToPath(new URL('./emulator-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify({ ...options, countRequests: true })], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: Interface = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`the emulator process exited with ${code}`)));
    });
  const first = JSON.parse(await next()) as { port: number; url: string; krb5Conf?: string };
  return {
    ...first,
    async count() {
      const line = next();
      child.stdin.write('count\n');
      return (JSON.parse(await line) as { requests: number }).requests;
    },
    stop() {
      child.kill('SIGTERM');
    },
  };
}

interface Totals {
  cpuUs: number;
  wallUs: number;
  iterations: number;
}

/** Our side, warmed up: `run(n)` makes n calls and says what they cost and how many requests the host saw. */
interface OursSide {
  run(n: number): Promise<Totals & { requests: number }>;
  close(): Promise<void>;
}

async function startOurs(host: HostProcess, options: ConnectionOptions): Promise<OursSide> {
  const client = new WsmanClient(options);
  const jobs = new HypervJobs(client);
  const call = async (): Promise<void> => {
    const r = await jobs.callGetError(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob');
    if (r.error === null) throw new Error('GetError returned no Msvm_Error on the failed fixture job');
  };
  try {
    for (let i = 0; i < WARM_UP; i++) await call();
  } catch (err) {
    await client.close();
    throw err;
  }
  return {
    async run(n) {
      const before = await host.count();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await call();
      const wallUs = (performance.now() - t0) * 1000;
      const c = process.cpuUsage(c0);
      const requests = (await host.count()) - before;
      return { cpuUs: c.user + c.system, wallUs, iterations: n, requests };
    },
    close: () => client.close(),
  };
}

const PEER_NAME = 'pywinrm 0.3 (python3-winrm, raw send_message)';

/**
 * Ours and the peer in alternating rounds (ROUNDS of iterations/ROUNDS calls each), so both see the
 * same machine load however it drifts: other work on a shared machine skews a one-after-the-other comparison.
 */
const ROUNDS = 4;

interface Measured {
  readonly iterations: number;
  readonly ours: { cpu: number; wall: number; requestsPerCall: number };
  readonly peer: PerCallPeer;
}

async function measureCase(ours: OursSide, peer: PythonPeerSession | { error: string }, iterations: number): Promise<Measured> {
  const per = Math.max(1, Math.round(iterations / ROUNDS));
  const o: Totals & { requests: number } = { cpuUs: 0, wallUs: 0, iterations: 0, requests: 0 };
  const p: Totals = { cpuUs: 0, wallUs: 0, iterations: 0 };
  let peerError = 'error' in peer ? peer.error : undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const a = await ours.run(per);
    o.cpuUs += a.cpuUs;
    o.wallUs += a.wallUs;
    o.iterations += a.iterations;
    o.requests += a.requests;
    if (peerError === undefined && !('error' in peer)) {
      try {
        const b = await peer.ask<Totals>({ iterations: per });
        p.cpuUs += b.cpuUs;
        p.wallUs += b.wallUs;
        p.iterations += b.iterations;
      } catch (err) {
        peerError = (err as Error).message.split('\n').slice(0, 3).join(' ');
      }
    }
  }
  return {
    iterations: o.iterations,
    ours: { cpu: o.cpuUs / o.iterations, wall: o.wallUs / o.iterations, requestsPerCall: o.requests / o.iterations },
    peer: peerError !== undefined ? { name: PEER_NAME, error: peerError } : { name: PEER_NAME, cpuUsPerCall: p.cpuUs / p.iterations, wallUsPerCall: p.wallUs / p.iterations },
  };
}

async function startPeer(job: Record<string, unknown>, packages: readonly string[]): Promise<PythonPeerSession | { error: string }> {
  try {
    return await startPythonPeer('pywinrm_per_call.py', { user: DEFAULT_USER, password: DEFAULT_PASSWORD, instanceId: FIXTURE_JOB_IDS.failedConcrete, ...job }, packages);
  } catch (err) {
    return { error: (err as Error).message.split('\n').slice(0, 3).join(' ') };
  }
}

function toCase(name: string, transport: PerCallTransport, scheme: 'http' | 'https', measured: Measured): PerCallCase {
  const { ours, peer } = measured;
  return {
    name,
    transport,
    scheme,
    iterations: measured.iterations,
    oursCpuUsPerCall: ours.cpu,
    oursWallUsPerCall: ours.wall,
    requestsPerCall: ours.requestsPerCall,
    peer,
    ratio: 'cpuUsPerCall' in peer ? ours.cpu / peer.cpuUsPerCall : null,
  };
}

const NOT_RUN: { error: string } = { error: 'not run (oursOnly)' };

/** MIT kinit (krb5-user) into `ccache` with the emulated user's password, against the KDC `krb5Conf` names. */
async function mitKinit(krb5Config: string, ccache: string, principal: string, password: string): Promise<void> {
  const child = spawn('kinit', ['-c', `FILE:${ccache}`, principal], { env: { ...process.env, KRB5_CONFIG: krb5Config }, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => out.push(c));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`kinit could not run (${e.message}): apt-get install -y krb5-user`)));
    child.once('close', resolve);
    child.stdin.end(password + '\n');
  });
  if (code !== 0) throw new Error(`kinit exited with ${code}: ${Buffer.concat(out).toString('utf8').trim()}`);
}

/** One request as our client sends it: captured once through a loopback relay (outside any measurement). */
async function captureRequest(host: HostProcess, options: ConnectionOptions): Promise<Buffer> {
  const sent: Buffer[] = [];
  const relay = createServer((c) => {
    const up = connect(host.port, '127.0.0.1');
    c.on('data', (d: Buffer) => {
      sent.length = 0;
      sent.push(d);
      up.write(d);
    });
    up.on('data', (d: Buffer) => c.write(d));
    c.on('close', () => up.destroy());
    up.on('close', () => c.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const client = new WsmanClient({ ...options, port: (relay.address() as AddressInfo).port });
  try {
    await new HypervJobs(client).callGetError(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob');
  } finally {
    await client.close();
    relay.close();
  }
  return Buffer.concat(sent);
}

/** CPU per round trip of `request` replayed over one bare keep-alive socket, the reply read by Content-Length only. */
async function measureFloor(host: HostProcess, request: Buffer, iterations: number): Promise<number> {
  const socket: Socket = connect(host.port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let expected = -1;
  let received = 0;
  let done: (() => void) | undefined;
  socket.on('data', (d: Buffer) => {
    if (expected < 0) {
      const head = d.toString('latin1', 0, Math.min(d.length, 1024));
      const end = head.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (end < 0 || !length) throw new Error('the floor measurement needs the whole head in the first chunk, with a Content-Length');
      expected = end + 4 + Number(length[1]);
    }
    received += d.length;
    if (received >= expected) {
      expected = -1;
      received = 0;
      done?.();
    }
  });
  const roundTrip = (): Promise<void> =>
    new Promise<void>((resolve) => {
      done = resolve;
      socket.write(request);
    });
  try {
    for (let i = 0; i < WARM_UP; i++) await roundTrip();
    const c0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) await roundTrip();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / iterations;
  } finally {
    socket.destroy();
  }
}

export async function measurePerCall(opts: PerCallOptions = {}): Promise<PerCallCase[]> {
  const iterations = opts.iterations ?? 2000;
  const only = new Set(opts.only ?? ['ntlm', 'basic', 'kerberos', 'plain']);
  const cases: PerCallCase[] = [];
  const creds = { user: DEFAULT_USER, password: DEFAULT_PASSWORD };
  const packages = ['python3-winrm'];
  let certs: TestCertificates | undefined;
  const tls = async (): Promise<{ cert: string; key: string }> => {
    certs ??= await generateTestCertificates();
    return { cert: certs.cert, key: certs.key };
  };
  const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-per-call-'));
  /** Start both sides, measure them in alternating rounds, stop both. */
  const run = async (ourHost: HostProcess, options: ConnectionOptions, peerJob: () => Promise<PythonPeerSession | { error: string }>): Promise<Measured> => {
    const ours = await startOurs(ourHost, options);
    const peer = opts.oursOnly ? NOT_RUN : await peerJob();
    try {
      return await measureCase(ours, peer, iterations);
    } finally {
      await ours.close();
      if (!('error' in peer)) peer.close();
    }
  };
  try {
    if (only.has('ntlm')) {
      const host = await startHost({});
      try {
        const m = await run(host, { host: '127.0.0.1', port: host.port, scheme: 'http', transport: 'ntlm', ...creds }, () => startPeer({ endpoint: host.url, transport: 'ntlm' }, packages));
        cases.push(toCase('GetError, NTLM + message encryption, http', 'ntlm', 'http', m));
      } finally {
        host.stop();
      }
    }
    if (only.has('basic')) {
      const host = await startHost({ tls: await tls() });
      try {
        const ca = certs!.caCertPath;
        const m = await run(host, { host: '127.0.0.1', port: host.port, scheme: 'https', transport: 'basic', caTrustPath: ca, ...creds }, () => startPeer({ endpoint: host.url, transport: 'basic', caTrustPath: ca }, packages));
        cases.push(toCase('GetError, Basic, https', 'basic', 'https', m));
      } finally {
        host.stop();
      }
    }
    if (only.has('plain')) {
      const host = await startHost({});
      try {
        const options: ConnectionOptions = { host: '127.0.0.1', port: host.port, scheme: 'http', transport: 'basic', allowUnencrypted: true, ...creds };
        const m = await run(host, options, () => startPeer({ endpoint: host.url, transport: 'basic' }, packages));
        const floor = await measureFloor(host, await captureRequest(host, options), iterations);
        cases.push({ ...toCase('GetError, Basic, plain http (lab: no TLS, no sealing)', 'plain', 'http', m), floorCpuUsPerCall: floor });
      } finally {
        host.stop();
      }
    }
    if (only.has('kerberos')) {
      // Ours over http with encryption; the peer's host is a second one, over https, with its own KDC.
      const host = await startHost({ kerberos: true });
      const peerHost = opts.oursOnly ? undefined : await startHost({ kerberos: true, tls: await tls() });
      try {
        const krb5Config = join(dir, 'krb5-ours.conf');
        writeFileSync(krb5Config, host.krb5Conf!);
        const peerJob = async (): Promise<PythonPeerSession | { error: string }> => {
          try {
            const peerKrb5 = join(dir, 'krb5-peer.conf');
            writeFileSync(peerKrb5, peerHost!.krb5Conf!);
            const ccache = join(dir, 'ccache-peer');
            await mitKinit(peerKrb5, ccache, DEFAULT_USER, DEFAULT_PASSWORD);
            return await startPeer({ endpoint: peerHost!.url, transport: 'kerberos', caTrustPath: certs!.caCertPath, krb5Config: peerKrb5, ccache: `FILE:${ccache}`, hostnameOverride: 'localhost' }, [...packages, 'python3-requests-kerberos']);
          } catch (err) {
            return { error: (err as Error).message };
          }
        };
        const m = await run(host, { host: '127.0.0.1', port: host.port, scheme: 'http', transport: 'kerberos', krb5Config, ...creds }, peerJob);
        const peer = 'error' in m.peer ? m.peer : { ...m.peer, name: `${PEER_NAME}, Kerberos over https (Debian 12's pykerberos cannot seal over http)` };
        cases.push(toCase('GetError, Kerberos + message encryption, http', 'kerberos', 'http', { ...m, peer }));
      } finally {
        host.stop();
        peerHost?.stop();
      }
    }
  } finally {
    await certs?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  return cases;
}

function printTable(cases: readonly PerCallCase[]): void {
  console.log(`node ${process.version} on ${process.platform}/${process.arch}; CPU µs per call (process CPU), N = ${cases[0]?.iterations ?? 0} after ${WARM_UP} warm-up calls\n`);
  console.log(`${'case'.padEnd(48)} ${'ours CPU'.padStart(9)} ${'ours wall'.padStart(10)} ${'req/call'.padStart(8)} ${'peer CPU'.padStart(9)} ${'peer wall'.padStart(10)} ${'ratio'.padStart(6)}`);
  for (const c of cases) {
    const peer = 'cpuUsPerCall' in c.peer ? `${c.peer.cpuUsPerCall.toFixed(1).padStart(9)} ${c.peer.wallUsPerCall.toFixed(1).padStart(10)}` : `${'-'.padStart(9)} ${'-'.padStart(10)}`;
    console.log(`${c.name.padEnd(48)} ${c.oursCpuUsPerCall.toFixed(1).padStart(9)} ${c.oursWallUsPerCall.toFixed(1).padStart(10)} ${c.requestsPerCall.toFixed(2).padStart(8)} ${peer} ${c.ratio === null ? '-'.padStart(6) : c.ratio.toFixed(3).padStart(6)}`);
    if ('error' in c.peer) console.log(`  peer not measured: ${c.peer.error}`);
    else console.log(`  peer: ${c.peer.name}`);
    if (c.floorCpuUsPerCall !== undefined) console.log(`  floor: the same request bytes over a bare node:net socket, reply not parsed: ${c.floorCpuUsPerCall.toFixed(1)} µs CPU per round trip`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const n = args.find((a) => /^\d+$/.test(a));
  const only = args.filter((a): a is PerCallTransport => a === 'ntlm' || a === 'basic' || a === 'kerberos' || a === 'plain');
  const cases = await measurePerCall({ ...(n ? { iterations: Number(n) } : {}), ...(only.length ? { only } : {}), oursOnly: args.includes('--ours-only') });
  if (args.includes('--json')) console.log(JSON.stringify(cases, null, 2));
  else printTable(cases);
}
