/**
 * Runs the emulated host in its own process for benchmarks, so client and server do not share a
 * thread. Prints the port. `--jobs N` serves N synthetic Msvm_ConcreteJob instances instead of the
 * default fixtures (enumerate.ts).
 */
import { startEmulatedHost } from '../src/emulator/index.js';
import { syntheticConcreteJobs } from './synthetic-jobs.js';

const jobsArg = process.argv.indexOf('--jobs');
const jobs = jobsArg > 0 ? syntheticConcreteJobs(Number(process.argv[jobsArg + 1])) : undefined;
const host = await startEmulatedHost({ auth: { basic: true, negotiate: true }, allowUnencrypted: true, ...(jobs ? { jobs } : {}) });
process.stdout.write(JSON.stringify({ port: host.port, url: host.url }) + '\n');
process.on('SIGTERM', () => void host.close().then(() => process.exit(0)));
