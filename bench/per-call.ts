/**
 * Per-call client CPU (issue 10): one GetError call whose reply is decoded to a typed Msvm_Error
 * (`HypervJobs.callGetError`), N times over one kept-alive authenticated connection, against the
 * emulated host in its own process; pywinrm 0.3 (Debian python3-winrm, raw `send_message`) does the
 * same call against a host of the same kind in the same run. CPU is process CPU (ours:
 * process.cpuUsage of this process, whose only work is the loop; the peer: time.process_time).
 * Requests per call are counted by the host, not assumed. Numbers are printed, never asserted.
 *
 * Cases: NTLM + message encryption over http; Basic over https; Kerberos + message encryption over
 * http (the peer: pywinrm Kerberos over https, since Debian 12's pykerberos cannot seal over http;
 * MIT's kinit gets its ticket from the in-memory KDC beside that host).
 */
import { spawn } from 'node:child_process';
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
import { runPythonPeer } from '../interop/python-peer.js';

export type PerCallTransport = 'ntlm' | 'basic' | 'kerberos';
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

async function measureOurs(host: HostProcess, options: ConnectionOptions, iterations: number): Promise<{ cpu: number; wall: number; requestsPerCall: number }> {
  const client = new WsmanClient(options);
  try {
    const jobs = new HypervJobs(client);
    const call = async (): Promise<void> => {
      const r = await jobs.callGetError(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob');
      if (r.error === null) throw new Error('GetError returned no Msvm_Error on the failed fixture job');
    };
    for (let i = 0; i < WARM_UP; i++) await call();
    const before = await host.count();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) await call();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const requests = (await host.count()) - before;
    if (process.env.PER_CALL_SPLIT) console.error(`user ${(c.user / iterations).toFixed(1)} sys ${(c.system / iterations).toFixed(1)}`);
    return { cpu: (c.user + c.system) / iterations, wall: (wall * 1000) / iterations, requestsPerCall: requests / iterations };
  } finally {
    await client.close();
  }
}

const PEER_NAME = 'pywinrm 0.3 (python3-winrm, raw send_message)';

async function measurePeer(job: Record<string, unknown>, iterations: number, packages: readonly string[]): Promise<PerCallPeer> {
  try {
    const r = await runPythonPeer<{ cpuUsPerCall: number; wallUsPerCall: number }>('pywinrm_per_call.py', { user: DEFAULT_USER, password: DEFAULT_PASSWORD, instanceId: FIXTURE_JOB_IDS.failedConcrete, iterations, ...job }, packages);
    return { name: PEER_NAME, cpuUsPerCall: r.cpuUsPerCall, wallUsPerCall: r.wallUsPerCall };
  } catch (err) {
    return { name: PEER_NAME, error: (err as Error).message.split('\n').slice(0, 3).join(' ') };
  }
}

function toCase(name: string, transport: PerCallTransport, scheme: 'http' | 'https', iterations: number, ours: { cpu: number; wall: number; requestsPerCall: number }, peer: PerCallPeer): PerCallCase {
  return {
    name,
    transport,
    scheme,
    iterations,
    oursCpuUsPerCall: ours.cpu,
    oursWallUsPerCall: ours.wall,
    requestsPerCall: ours.requestsPerCall,
    peer,
    ratio: 'cpuUsPerCall' in peer ? ours.cpu / peer.cpuUsPerCall : null,
  };
}

const NOT_RUN: PerCallPeer = { name: PEER_NAME, error: 'not run (oursOnly)' };

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

export async function measurePerCall(opts: PerCallOptions = {}): Promise<PerCallCase[]> {
  const iterations = opts.iterations ?? 2000;
  const only = new Set(opts.only ?? ['ntlm', 'basic', 'kerberos']);
  const cases: PerCallCase[] = [];
  const creds = { user: DEFAULT_USER, password: DEFAULT_PASSWORD };
  let certs: TestCertificates | undefined;
  const tls = async (): Promise<{ cert: string; key: string }> => {
    certs ??= await generateTestCertificates();
    return { cert: certs.cert, key: certs.key };
  };
  const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-per-call-'));
  try {
    if (only.has('ntlm')) {
      const host = await startHost({});
      try {
        const ours = await measureOurs(host, { host: '127.0.0.1', port: host.port, scheme: 'http', transport: 'ntlm', ...creds }, iterations);
        const peer = opts.oursOnly ? NOT_RUN : await measurePeer({ endpoint: host.url, transport: 'ntlm' }, iterations, ['python3-winrm']);
        cases.push(toCase('GetError, NTLM + message encryption, http', 'ntlm', 'http', iterations, ours, peer));
      } finally {
        host.stop();
      }
    }
    if (only.has('basic')) {
      const host = await startHost({ tls: await tls() });
      try {
        const ours = await measureOurs(host, { host: '127.0.0.1', port: host.port, scheme: 'https', transport: 'basic', caTrustPath: certs!.caCertPath, ...creds }, iterations);
        const peer = opts.oursOnly ? NOT_RUN : await measurePeer({ endpoint: host.url, transport: 'basic', caTrustPath: certs!.caCertPath }, iterations, ['python3-winrm']);
        cases.push(toCase('GetError, Basic, https', 'basic', 'https', iterations, ours, peer));
      } finally {
        host.stop();
      }
    }
    if (only.has('kerberos')) {
      // Ours over http with encryption; the peer's host is a second one over https with its own KDC.
      const host = await startHost({ kerberos: true });
      let ours: { cpu: number; wall: number; requestsPerCall: number };
      try {
        const krb5Config = join(dir, 'krb5-ours.conf');
        writeFileSync(krb5Config, host.krb5Conf!);
        ours = await measureOurs(host, { host: '127.0.0.1', port: host.port, scheme: 'http', transport: 'kerberos', krb5Config, ...creds }, iterations);
      } finally {
        host.stop();
      }
      let peer = NOT_RUN;
      if (!opts.oursOnly) {
        const peerHost = await startHost({ kerberos: true, tls: await tls() });
        try {
          const krb5Config = join(dir, 'krb5-peer.conf');
          writeFileSync(krb5Config, peerHost.krb5Conf!);
          const ccache = join(dir, 'ccache-peer');
          await mitKinit(krb5Config, ccache, DEFAULT_USER, DEFAULT_PASSWORD);
          peer = await measurePeer({ endpoint: peerHost.url, transport: 'kerberos', caTrustPath: certs!.caCertPath, krb5Config, ccache: `FILE:${ccache}`, hostnameOverride: 'localhost' }, iterations, [
            'python3-winrm',
            'python3-requests-kerberos',
          ]);
          if ('error' in peer) peer = { ...peer, name: `${PEER_NAME}, Kerberos over https` };
          else peer = { ...peer, name: `${PEER_NAME}, Kerberos over https (pykerberos cannot seal over http)` };
        } catch (err) {
          peer = { name: PEER_NAME, error: (err as Error).message };
        } finally {
          peerHost.stop();
        }
      }
      cases.push(toCase('GetError, Kerberos + message encryption, http', 'kerberos', 'http', iterations, ours, peer));
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
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const n = args.find((a) => /^\d+$/.test(a));
  const only = args.filter((a): a is PerCallTransport => a === 'ntlm' || a === 'basic' || a === 'kerberos');
  const cases = await measurePerCall({ ...(n ? { iterations: Number(n) } : {}), ...(only.length ? { only } : {}), oursOnly: args.includes('--ours-only') });
  if (args.includes('--json')) console.log(JSON.stringify(cases, null, 2));
  else printTable(cases);
}
