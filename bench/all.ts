/**
 * `npm run bench`: every headline figure of issue 10 in one run, ours beside pywinrm's (Debian
 * python3-winrm) measured in the same run against the same emulated host in its own process.
 * Prints a table and writes bench/results/latest.json. Figures are printed, never asserted; the
 * non-timing regression guard is `npm run bench:guard`; `npm run bench:micro` has the hot-path micro
 * benchmarks. `--quick` runs a smaller version of everything (results in bench/results/quick.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { measurePerCall } from './per-call.js';
import { measureStartup } from './startup.js';
import { measureEnumerate } from './enumerate.js';
import { measureFleet } from './fleet.js';
import { measureDecode } from './decode.js';

const quick = process.argv.includes('--quick');
const machine = {
  node: process.version,
  platform: `${process.platform}/${process.arch}`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadAverageAtStart: loadavg()[0] ?? 0,
  date: new Date().toISOString(),
};
console.log(`hyperv-wsman bench: node ${machine.node} on ${machine.platform}, ${machine.cores} x ${machine.cpu}, load ${machine.loadAverageAtStart.toFixed(2)}\n`);

const fmt = (n: number, digits = 0): string => n.toFixed(digits);
const row = (cells: readonly string[]): void => console.log(cells.map((c, i) => (i === 0 ? c.padEnd(52) : c.padStart(14))).join(''));

// First, while no child process of another bench is still running: measured last, the same loop
// once read 19 700/s instead of 42 000/s, and repeats varied the same way (see README Benchmarks).
const decode = await measureDecode();

const perCall = await measurePerCall(quick ? { iterations: 300 } : {});
row(['per call (CPU µs, process time)', 'ours', 'pywinrm', 'ratio', 'requests']);
for (const c of perCall) {
  const peer = 'cpuUsPerCall' in c.peer ? fmt(c.peer.cpuUsPerCall) : `n/a`;
  row([c.name, fmt(c.oursCpuUsPerCall), peer, c.ratio === null ? 'n/a' : fmt(c.ratio, 2), fmt(c.requestsPerCall, 2)]);
  if (!('cpuUsPerCall' in c.peer)) console.log(`  peer not measured: ${c.peer.error}`);
  if (c.floorCpuUsPerCall !== undefined) row(['  floor: same bytes, bare node:net, reply unparsed', fmt(c.floorCpuUsPerCall), '', '', '']);
}

const startup = await measureStartup(quick ? { runs: 3 } : {});
console.log();
row(['one CLI call (start-up included)', 'CPU s', 'RSS MB', '', '']);
row([`ours: ${startup.ours.command}`, fmt(startup.ours.cpuS, 3), fmt(startup.ours.rssMB, 1), '', '']);
if ('cpuS' in startup.peer) row([`peer: ${startup.peer.name}`, fmt(startup.peer.cpuS, 3), fmt(startup.peer.rssMB, 1), '', '']);
else console.log(`  peer not measured: ${startup.peer.error}`);
for (const o of startup.oursOther) row([`ours: ${o.command}`, fmt(o.cpuS, 3), fmt(o.rssMB, 1), '', '']);
row(['node -e 0 (the floor)', fmt(startup.node.cpuS, 3), fmt(startup.node.rssMB, 1), '', '']);

const enumerate = await measureEnumerate(quick ? { count: 2000 } : {});
console.log();
row([`enumerate + pull ${enumerate.count} jobs (${enumerate.lib})`, 'wall s', 'CPU s', 'peak RSS MB', 'requests']);
row(['ours', fmt(enumerate.ours.wallS, 2), fmt(enumerate.ours.cpuS, 2), fmt(enumerate.ours.peakRssMB, 1), String(enumerate.ours.requests)]);
if (enumerate.ours1k) row([`ours, ${enumerate.ours1k.count} jobs (memory vs N)`, fmt(enumerate.ours1k.wallS, 2), fmt(enumerate.ours1k.cpuS, 2), fmt(enumerate.ours1k.peakRssMB, 1), String(enumerate.ours1k.requests)]);
if ('wallS' in enumerate.peer) row([`peer: ${enumerate.peer.name}`, fmt(enumerate.peer.wallS, 2), fmt(enumerate.peer.cpuS, 2), fmt(enumerate.peer.peakRssMB, 1), String(enumerate.peer.requests)]);
else console.log(`  peer not measured: ${enumerate.peer.error}`);

const fleet = await measureFleet(quick ? { hosts: 20, jobsPerHost: 20 } : {});
console.log();
row([`fleet: ${fleet.hosts} hosts x ${fleet.jobsPerHost} jobs, concurrency ${fleet.concurrency} (${fleet.lib})`, 'wall s', 'client CPU s', 'peak RSS MB', 'sockets open']);
row([`${fleet.jobsSeen} jobs seen, ${fleet.hostsFailed} hosts failed`, fmt(fleet.wallS, 2), fmt(fleet.clientCpuS, 2), fmt(fleet.peakRssMB, 1), String(fleet.socketsLeftOpen)]);

console.log();
row(['Msvm_Error decode (CIM-XML -> typed), one core', 'per second', 'µs each', '', '']);
row(['ours', fmt(decode.decodesPerSec), fmt(decode.usPerDecode, 1), '', '']);

const result = { machine: { ...machine, loadAverageAtEnd: loadavg()[0] }, quick, perCall, startup, enumerate, fleet, decode };
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const file = `${dir}${quick ? 'quick' : 'latest'}.json`;
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
console.log(`\nresults: ${file}`);
