/**
 * Fleet benchmark (issue 10: 100 hosts x 100 jobs under 10 s on 2 cores, peak RSS under 150 MB, no
 * socket left open): every job of N emulated hosts (one process, bench/fleet-hosts-process.ts) listed
 * with listFleetJobs and bounded concurrency, NTLM + message encryption, one connection per host.
 * The client runs in its own process (bench/scale-client.mjs) on the built library ('dist', plain
 * node; the default when dist/ exists, so rebuild first: `npm run bench:scale` does) or the sources
 * ('src', under tsx, whose loader adds ~30-100 MB of RSS; `--src`, or `--both`). Printed, never asserted.
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_PASSWORD, DEFAULT_USER } from '../src/emulator/index.js';
import { DEFAULT_FLEET_CONCURRENCY } from '../src/hyperv/fleet.js';
import { defaultLib, runScaleClient, startServerProcess, type Lib } from './child-process.js';

export interface FleetBenchResult {
  hosts: number;
  jobsPerHost: number;
  concurrency: number;
  /** 'dist': the built library on plain node; 'src': the sources under tsx. */
  lib: Lib;
  wallS: number;
  clientCpuS: number;
  peakRssMB: number;
  socketsLeftOpen: number;
  jobsSeen: number;
  hostsFailed: number;
}

export interface FleetBenchOptions {
  hosts?: number;
  jobsPerHost?: number;
  concurrency?: number;
  perHostConcurrency?: number;
  lib?: Lib;
}

export async function measureFleet(opts: FleetBenchOptions = {}): Promise<FleetBenchResult> {
  const hosts = opts.hosts ?? 100;
  const jobsPerHost = opts.jobsPerHost ?? 100;
  // What a caller gets who sets nothing (16): the target is for the default. FLEET_CONCURRENCY=4 for
  // the smaller figure (README, fleet memory).
  const concurrency = opts.concurrency ?? DEFAULT_FLEET_CONCURRENCY;
  const lib = opts.lib ?? defaultLib();
  const server = await startServerProcess<{ ports: number[] }>('fleet-hosts-process.ts', [], { ...process.env, FLEET_HOSTS: String(hosts), FLEET_JOBS: String(jobsPerHost) });
  try {
    const r = await runScaleClient<Omit<FleetBenchResult, 'jobsPerHost' | 'concurrency' | 'lib'> & { failures: string[] }>({
      mode: 'fleet',
      lib,
      ports: server.ready.ports,
      user: DEFAULT_USER,
      password: DEFAULT_PASSWORD,
      concurrency,
      perHostConcurrency: opts.perHostConcurrency ?? 1,
    });
    for (const f of r.failures) console.error(`  fleet host failed: ${f}`);
    return { hosts: r.hosts, jobsPerHost, concurrency, lib, wallS: r.wallS, clientCpuS: r.clientCpuS, peakRssMB: r.peakRssMB, socketsLeftOpen: r.socketsLeftOpen, jobsSeen: r.jobsSeen, hostsFailed: r.hostsFailed };
  } finally {
    server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const concurrency = process.env.FLEET_CONCURRENCY === undefined ? undefined : Number(process.env.FLEET_CONCURRENCY);
  const libs: Lib[] = process.argv.includes('--src') ? ['src'] : process.argv.includes('--both') ? ['dist', 'src'] : [defaultLib()];
  for (const lib of libs) {
    const r = await measureFleet({ ...(concurrency !== undefined ? { concurrency } : {}), lib });
    console.log(
      `${`fleet: ${r.hosts} hosts x ${r.jobsPerHost} jobs, concurrency ${r.concurrency} (NTLM+enc, ${r.lib})`.padEnd(56)} ${r.wallS.toFixed(2).padStart(6)} s wall  ${r.clientCpuS.toFixed(2)} s client CPU  peak RSS ${r.peakRssMB.toFixed(0)} MB  sockets left ${r.socketsLeftOpen}  jobs ${r.jobsSeen}  (${r.hostsFailed} hosts failed)`,
    );
    if (process.env.BENCH_JSON) console.log(JSON.stringify({ fleet: r }));
  }
}
