/**
 * Runs the emulated host in its own process for benchmarks, so client and server do not share a
 * thread. `--jobs N` serves N synthetic Msvm_ConcreteJob instances instead of the default fixtures
 * (enumerate.ts). Other options come as JSON in argv[2] (all optional):
 * - `tls`: { cert, key } PEM, for https;
 * - `kerberos`: true runs the in-memory KDC beside the host;
 * - `countRequests`: keep the request log so the parent can count requests.
 * Prints one JSON line: { port, url, krb5Conf? }. With countRequests, each "count" line on stdin is
 * answered with { requests: n } (every HTTP request the host has answered, handshake legs included).
 */
import { createInterface } from 'node:readline';
import { startEmulatedHost } from '../src/emulator/index.js';
import { syntheticConcreteJobs } from './synthetic-jobs.js';

interface ProcessOptions {
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly kerberos?: boolean;
  readonly countRequests?: boolean;
}

const o = (process.argv[2]?.startsWith('{') ? JSON.parse(process.argv[2]) : {}) as ProcessOptions;
const jobsArg = process.argv.indexOf('--jobs');
const jobs = jobsArg > 0 ? syntheticConcreteJobs(Number(process.argv[jobsArg + 1])) : undefined;
const host = await startEmulatedHost({
  auth: { basic: true, negotiate: true },
  allowUnencrypted: true,
  ...(o.tls ? { tls: o.tls } : {}),
  ...(o.kerberos ? { kerberos: { kdc: true } } : {}),
  ...(o.countRequests ? { requestLog: true } : {}),
  ...(jobs ? { jobs } : {}),
});
process.stdout.write(JSON.stringify({ port: host.port, url: host.url, ...(host.kerberos?.krb5Conf ? { krb5Conf: host.kerberos.krb5Conf } : {}) }) + '\n');
if (o.countRequests) {
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'count') process.stdout.write(JSON.stringify({ requests: host.requests.length }) + '\n');
  });
}
process.on('SIGTERM', () => void host.close().then(() => process.exit(0)));
