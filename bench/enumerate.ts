/**
 * Enumerate + Pull of N jobs (issue 10: faster than pywinrm, memory flat in N): one emulated host in
 * its own process serving N synthetic Msvm_ConcreteJob instances, NTLM + message encryption over
 * HTTP, MaxElements 100 (pages bounded by each side's default envelope size: ours 120 000 bytes for
 * enumerations, pywinrm's 153 600). Ours: HypervJobs.listJobs in its own process (bench/scale-client.mjs), each
 * job typed and dropped (built library when dist/ exists or with --built, else the sources; --src);
 * run also at N/10 to show peak RSS does not grow with N. Peer: pywinrm
 * (interop/py/pywinrm_enumerate_bench.py) doing the same Enumerate + Pull loop with
 * Protocol.send_message, each reply parsed with xml.etree into typed per-job dicts. CPU is each
 * client's own process CPU. Printed, never asserted.
 *
 * What each side's clock covers (CPU and wall start and stop at the same points):
 * - ours (bench/scale-client.mjs): starts once the library is imported, the NTLM session's modules
 *   included (they are otherwise loaded at the first call), and the client object is made; covers the
 *   NTLM handshake, the Enumerate and every Pull (sealing, HTTP, unsealing), parsing every page,
 *   decoding every job to a HypervJob, and closing the connection; and, since it is process CPU,
 *   V8's compilation of all that code as it warms up and its garbage collection (background threads).
 * - pywinrm (interop/py/pywinrm_enumerate_bench.py): starts after `import winrm` (requests,
 *   requests_ntlm, ElementTree imported) and `winrm.Protocol(...)`; covers the NTLM handshake, the
 *   Enumerate and every Pull, ElementTree parsing and typing every job into a dict. Python compiles
 *   nothing at run time.
 */
import { pathToFileURL } from 'node:url';
import { runPythonPeer } from '../interop/python-peer.js';
import { DEFAULT_PASSWORD, DEFAULT_USER } from '../src/emulator/index.js';
import { defaultLib, runScaleClient, startServerProcess, type Lib } from './child-process.js';

export interface EnumerateSide {
  count: number;
  wallS: number;
  cpuS: number;
  peakRssMB: number;
  requests: number;
}

export interface EnumerateResult {
  count: number;
  /** Which build of our library ran: 'dist' (plain node) or 'src' (under tsx, whose loader adds RSS). */
  lib: Lib;
  ours: EnumerateSide;
  /** The same at count / 10: peak RSS here vs `ours` shows whether memory grows with N. */
  ours1k?: EnumerateSide;
  peer: { name: string; wallS: number; cpuS: number; peakRssMB: number; requests: number } | { name: string; error: string };
}

const PEER_NAME = 'pywinrm 0.3.0 (Debian python3-winrm)';

async function withHost<T>(jobs: number, fn: (host: { port: number; url: string }) => Promise<T>): Promise<T> {
  const server = await startServerProcess<{ port: number; url: string }>('emulator-process.ts', ['--jobs', String(jobs)]);
  try {
    return await fn(server.ready);
  } finally {
    server.stop();
  }
}

function ours(lib: Lib, port: number): Promise<EnumerateSide> {
  return runScaleClient<EnumerateSide>({ mode: 'enumerate', lib, host: '127.0.0.1', port, user: DEFAULT_USER, password: DEFAULT_PASSWORD });
}

export async function measureEnumerate(opts: { count?: number; lib?: Lib } = {}): Promise<EnumerateResult> {
  const count = opts.count ?? 10_000;
  const lib = opts.lib ?? defaultLib();
  const small = Math.max(1, Math.round(count / 10));
  const ours1k = await withHost(small, (h) => ours(lib, h.port));
  return withHost(count, async (h) => {
    const mine = await ours(lib, h.port);
    let peer: EnumerateResult['peer'];
    try {
      const p = await runPythonPeer<{ count: number; wallS: number; cpuS: number; peakRssMB: number; requests: number }>(
        'pywinrm_enumerate_bench.py',
        { endpoint: h.url, user: DEFAULT_USER, password: DEFAULT_PASSWORD, wql: 'SELECT * FROM Msvm_ConcreteJob', maxElements: 100 },
        ['python3-winrm', 'python3-requests-ntlm'],
      );
      if (p.count !== count) throw new Error(`pywinrm saw ${p.count} jobs, expected ${count}`);
      peer = { name: PEER_NAME, wallS: p.wallS, cpuS: p.cpuS, peakRssMB: Math.round(p.peakRssMB * 10) / 10, requests: p.requests };
    } catch (err) {
      peer = { name: PEER_NAME, error: (err as Error).message.split('\n')[0] ?? String(err) };
    }
    if (mine.count !== count) throw new Error(`our client saw ${mine.count} jobs, expected ${count}`);
    return { count, lib, ours: mine, ours1k, peer };
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.env.ENUMERATE_COUNT ?? 10_000);
  const lib: Lib = process.argv.includes('--built') ? 'dist' : process.argv.includes('--src') ? 'src' : defaultLib();
  const r = await measureEnumerate({ count, lib });
  const line = (name: string, s: { wallS: number; cpuS: number; peakRssMB: number }): string =>
    `${name.padEnd(44)} ${s.cpuS.toFixed(2).padStart(7)} s CPU ${s.wallS.toFixed(2).padStart(7)} s wall  peak RSS ${s.peakRssMB.toFixed(0).padStart(4)} MB`;
  console.log(line(`enumerate ${r.count} jobs: ours (${r.lib})`, r.ours) + `  ${r.ours.requests} requests`);
  if (r.ours1k) console.log(line(`enumerate ${r.ours1k.count} jobs: ours (${r.lib})`, r.ours1k));
  console.log('error' in r.peer ? `${r.peer.name}: not measured (${r.peer.error})` : line(`enumerate ${r.count} jobs: ${r.peer.name.split(' (')[0]}`, r.peer) + `  ${r.peer.requests} requests  CPU ratio ours/peer ${(r.ours.cpuS / r.peer.cpuS).toFixed(2)}`);
  if (process.env.BENCH_JSON) console.log(JSON.stringify({ enumerate: r }));
}
