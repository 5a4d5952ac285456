/**
 * Example: live-migrate a virtual machine and report why it failed. Invokes
 * Msvm_VirtualSystemMigrationService.MigrateVirtualSystemToHost, takes the Msvm_MigrationJob reference
 * from the method's output (ReturnValue 4096 = job started), waits for the job while printing its
 * progress, and on failure prints the decoded Msvm_Error that GetError returns.
 *
 *   HYPERV_WSMAN_HOST=hv01 HYPERV_WSMAN_USER='LAB\admin' HYPERV_WSMAN_PASSWORD=... \
 *     node --import tsx examples/wait-for-migration.ts <vm-id> <destination-host> [--timeout 3600]
 *
 * <vm-id> is the VM's Msvm_ComputerSystem Name (its GUID, as in Get-VM | Select Id).
 * Exit code: 0 migrated, 3 the migration job failed, 1 anything else.
 * The emulated host answers with a migration job that progresses and then fails as a refused live
 * migration does.
 */
import { parseArgs } from 'node:util';
import {
  HYPERV_NAMESPACE,
  HypervJobs,
  InvalidOptionError,
  JobFailedError,
  WsmanClient,
  embeddedInstance,
  formatMsvmError,
  jobRefFromOutput,
  returnValueNameOf,
  wmiResourceUri,
  type CimReference,
  type Selectors,
} from '../src/index.js';
import { connectionFromEnv } from './lib/connection-from-env.js';
import { runExample } from './lib/run-example.js';

const EXIT_JOB_FAILED = 3;
const SERVICE_CLASS = 'Msvm_VirtualSystemMigrationService';
/** Msvm_VirtualSystemMigrationSettingData.MigrationType: 32768 = VirtualSystem (live migration). */
const MIGRATION_TYPE_VIRTUAL_SYSTEM = 32768;
const SERVICE_KEYS = ['CreationClassName', 'Name', 'SystemCreationClassName', 'SystemName'] as const;

/**
 * The selectors of the host's migration service: its key properties as the host reports them. There
 * is one instance per host; when the query returns none (the emulator), the well-known keys do.
 */
async function migrationServiceSelectors(client: WsmanClient): Promise<Selectors> {
  for await (const svc of client.enumerateInstances(wmiResourceUri(HYPERV_NAMESPACE, '*'), { wql: `SELECT * FROM ${SERVICE_CLASS}` })) {
    return Object.fromEntries(SERVICE_KEYS.map((k) => [k, String(svc.properties[k] ?? '')]));
  }
  return { CreationClassName: SERVICE_CLASS, Name: 'vmms' };
}

function vmReference(vmId: string): CimReference {
  return {
    kind: 'reference',
    resourceUri: wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ComputerSystem'),
    selectors: { CreationClassName: 'Msvm_ComputerSystem', Name: vmId },
  };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { timeout: { type: 'string', default: '3600' } } });
  const [vmId, destination] = positionals;
  const timeoutSec = Number(values.timeout);
  if (!vmId || !destination || !(timeoutSec > 0)) throw new InvalidOptionError('Usage: wait-for-migration.ts <vm-id> <destination-host> [--timeout seconds]');

  const client = new WsmanClient(connectionFromEnv());
  try {
    const service = wmiResourceUri(HYPERV_NAMESPACE, SERVICE_CLASS);
    // Parameters in MOF order: WMI validates the input against the method's signature.
    const out = await client.invoke(service, 'MigrateVirtualSystemToHost', {
      selectors: await migrationServiceSelectors(client),
      params: {
        ComputerSystem: vmReference(vmId),
        DestinationHost: destination,
        MigrationSettingData: embeddedInstance('Msvm_VirtualSystemMigrationSettingData', { MigrationType: MIGRATION_TYPE_VIRTUAL_SYSTEM }),
      },
    });
    const ref = jobRefFromOutput(out);
    if (ref === null) {
      // 0 means it finished synchronously; anything else is the method's own failure code.
      const rv = out.returnValue ?? -1;
      console.log(`MigrateVirtualSystemToHost returned ${rv} (${returnValueNameOf('Msvm_VirtualSystemMigrationService', 'MigrateVirtualSystemToHost', rv)}) without starting a job.`);
      return rv === 0 ? 0 : 1;
    }
    console.log(`Migration of ${vmId} to ${destination} started: ${ref.className} ${ref.selectors.InstanceID ?? ''}`);

    const jobs = new HypervJobs(client);
    try {
      const job = await jobs.waitForJob(ref, {
        timeoutMs: timeoutSec * 1000,
        onProgress: (j) => console.log(`  ${j.jobStateName ?? j.jobState} ${j.percentComplete ?? '?'}%`),
      });
      console.log(`Migration completed (${job.jobStateName}).`);
      return 0;
    } catch (err) {
      if (!(err instanceof JobFailedError)) throw err;
      console.log(`Migration failed: job ended in state ${err.job.jobStateName ?? err.job.jobState} (ErrorCode ${err.job.errorCode ?? 'none'}).`);
      const error = err.jobError?.error;
      // Without an Msvm_Error, the outcome falls back on the job's own ErrorDescription and says so.
      console.log(error ? formatMsvmError(error).replace(/^/gm, '  ') : `  ${err.outcome.reason ?? 'no reason given'} (${err.outcome.notes.join(' ')})`);
      return EXIT_JOB_FAILED;
    }
  } finally {
    await client.close();
  }
}

runExample(main);
