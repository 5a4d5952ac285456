/**
 * For the fleet benchmark: N emulated hosts with M jobs each, in their own process so the client's
 * CPU and memory are measured alone. Prints the ports as one JSON line.
 */
import { liveMigrationError, startEmulatedHost, type EmulatedHost, type JobFixture } from '../src/emulator/index.js';

const hostCount = Number(process.env.FLEET_HOSTS ?? 100);
const jobsPerHost = Number(process.env.FLEET_JOBS ?? 100);

function jobsFor(h: number): JobFixture[] {
  return Array.from({ length: jobsPerHost }, (_, j): JobFixture => {
    const id = `${h.toString(16).padStart(8, '0')}-0000-4000-8000-${j.toString(16).padStart(12, '0')}`.toUpperCase();
    // Every tenth job failed with an Msvm_Error, as on a busy host; the rest completed.
    if (j % 10 === 9) {
      return { className: 'Msvm_MigrationJob', instanceId: id, jobState: 10, percentComplete: 40, errorCode: 32768, errorDescription: 'Migration failed', errors: [liveMigrationError(`vm${j}`, id, `HV${h}`, 'HV-DEST')], migration: { migrationType: 32768, virtualSystemName: id, destinationHost: 'HV-DEST' } };
    }
    return { className: 'Msvm_ConcreteJob', instanceId: id, jobState: 7, percentComplete: 100, errorCode: 0, jobType: 31, elementName: 'Modify Resource Settings' };
  });
}

const hosts: EmulatedHost[] = [];
for (let h = 0; h < hostCount; h++) hosts.push(await startEmulatedHost({ jobs: jobsFor(h), computerName: `HV${h}` }));
process.stdout.write(JSON.stringify({ ports: hosts.map((x) => x.port) }) + '\n');
process.on('SIGTERM', () => void Promise.all(hosts.map((x) => x.close())).then(() => process.exit(0)));
