/**
 * Fleet benchmark (part of npm run bench): every job of 100 emulated hosts x 100 jobs, listed with
 * bounded concurrency (NTLM + message encryption, one connection per host). Prints wall time, client
 * CPU, peak RSS and the sockets still open afterwards. Printed, never asserted.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PASSWORD, DEFAULT_USER } from '../src/emulator/index.js';
import { listFleetJobs } from '../src/hyperv/fleet.js';

const concurrency = Number(process.env.FLEET_CONCURRENCY ?? 16);
const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fleet-hosts-process.ts', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
const { ports } = await new Promise<{ ports: number[] }>((resolve, reject) => {
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    if (buf.includes('\n')) resolve(JSON.parse(buf) as { ports: number[] });
  });
  child.once('exit', (code) => reject(new Error(`emulated hosts exited with ${code}`)));
});

const sockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
try {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let hostsOk = 0;
  let hostsFailed = 0;
  let jobs = 0;
  let failedJobs = 0;
  const targets = ports.map((port) => ({ connection: { host: '127.0.0.1', port, scheme: 'http' as const, user: DEFAULT_USER, password: DEFAULT_PASSWORD } }));
  for await (const r of listFleetJobs(targets, {}, { concurrency })) {
    if (!r.ok) {
      hostsFailed++;
      console.error(`  ${r.host}: ${r.error.code} ${r.error.message}`);
      continue;
    }
    hostsOk++;
    jobs += r.value.length;
    failedJobs += r.value.filter((j) => j.jobState === 10).length;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await new Promise((r) => setTimeout(r, 50));
  const result = {
    hosts: ports.length,
    hostsOk,
    hostsFailed,
    jobs,
    failedJobs,
    concurrency,
    wallMs: Math.round(ms),
    clientCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    socketsOpenAfter: sockets(),
  };
  console.log(`${`fleet: ${result.hosts} hosts x ${jobs / Math.max(1, hostsOk)} jobs, concurrency ${concurrency} (NTLM+enc)`.padEnd(48)} ${String(result.wallMs).padStart(7)} ms wall  ${result.clientCpuMs} ms CPU  peak RSS ${result.peakRssMiB} MiB  sockets left ${result.socketsOpenAfter}  (${hostsFailed} hosts failed)`);
  if (process.env.BENCH_JSON) console.log(JSON.stringify({ fleet: result }));
} finally {
  child.kill('SIGTERM');
}
