/**
 * For the fleet benchmark: N emulated hosts with M jobs each, in their own process so the client's
 * CPU and memory are measured alone. Prints the ports as one JSON line.
 */
import { startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { syntheticFleetJobs } from './synthetic-jobs.js';

const hostCount = Number(process.env.FLEET_HOSTS ?? 100);
const jobsPerHost = Number(process.env.FLEET_JOBS ?? 100);

const hosts: EmulatedHost[] = [];
for (let h = 0; h < hostCount; h++) hosts.push(await startEmulatedHost({ jobs: syntheticFleetJobs(jobsPerHost, h), computerName: `HV${h}` }));
process.stdout.write(JSON.stringify({ ports: hosts.map((x) => x.port) }) + '\n');
process.on('SIGTERM', () => void Promise.all(hosts.map((x) => x.close())).then(() => process.exit(0)));
