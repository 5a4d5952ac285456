/**
 * `npm run demo`: hyperv-wsman end to end, with no Hyper-V server needed. Starts the emulated Hyper-V
 * host on a free loopback port (NTLM with WinRM message encryption over http, as Windows is set up by
 * default), then with the library's client: lists the jobs of both classes, asks GetError why a
 * Msvm_ConcreteJob and a Msvm_MigrationJob failed and prints the decoded Msvm_Error, asks GetErrorEx
 * for a job with two errors, and checks that every request travelled encrypted. Stops the host and
 * exits 0; any failure (or an unexpected answer) exits non-zero.
 */
import {
  HypervJobs,
  ProtocolError,
  WsmanClient,
  formatMsvmError,
  type GetErrorResult,
  type HypervJob,
} from '../src/index.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, startEmulatedHost } from '../src/emulator/index.js';
import { runExample } from './lib/run-example.js';

/** The demo doubles as a smoke test: an unexpected answer is a failure, not just odd output. */
function expect(condition: boolean, what: string): void {
  if (!condition) throw new ProtocolError(`demo check failed: ${what}`);
}

const indent = (text: string, by = '    '): string => text.replace(/^/gm, by);
const section = (title: string): void => console.log(`\n== ${title} ==`);

function jobLine(j: HypervJob): string {
  const state = `${j.jobStateName ?? j.jobState}`.padEnd(10);
  const pct = `${j.percentComplete ?? '?'}%`.padStart(4);
  return `  ${j.className.padEnd(17)} ${j.instanceId}  ${state} ${pct}  ErrorCode ${String(j.errorCode ?? '-').padEnd(5)}  ${j.elementName ?? ''}`;
}

function printGetError(r: GetErrorResult): void {
  // The outcome (failed or not, and why) leads; a NULL Error alone does not say the job is fine.
  console.log(`  ${r.outcome.summary}`);
  console.log(`  ${r.jobClass} ${r.instanceId}: GetError returned ${r.returnValue} (${r.returnValueName})`);
  if (r.error) console.log(indent(formatMsvmError(r.error)));
}

async function main(): Promise<number> {
  console.log('hyperv-wsman demo: the library against an emulated Hyper-V host (no Windows needed).');
  const host = await startEmulatedHost({ requestLog: true });
  console.log(`Emulated host listening at ${host.url} (NTLM, message encryption required on http).`);
  const client = new WsmanClient({ host: host.hostname, port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
  try {
    const jobs = new HypervJobs(client);

    section('Jobs (Msvm_ConcreteJob and Msvm_MigrationJob, WQL enumeration)');
    const listed: HypervJob[] = [];
    for await (const j of jobs.listJobs()) listed.push(j);
    for (const j of listed) console.log(jobLine(j));
    expect(listed.some((j) => j.className === 'Msvm_ConcreteJob') && listed.some((j) => j.className === 'Msvm_MigrationJob'), 'both job classes listed');

    section('Why did the Msvm_ConcreteJob fail? (GetError)');
    const concrete = await jobs.getError(FIXTURE_JOB_IDS.failedConcrete);
    printGetError(concrete);
    expect(concrete.error?.message?.includes("failed to modify device 'Virtual Hard Disk'") === true, 'the failed job has its Msvm_Error');

    section('Why did the live migration fail? (Msvm_MigrationJob.GetError)');
    const migration = await jobs.getError(FIXTURE_JOB_IDS.failedMigration);
    printGetError(migration);
    expect(migration.jobClass === 'Msvm_MigrationJob' && migration.error?.messageId === '21502', 'the migration job has its Msvm_Error (21502)');

    section('Every error of a job (GetErrorEx)');
    const both = await jobs.getErrorEx(FIXTURE_JOB_IDS.twoErrors);
    console.log(`  ${both.jobClass} ${both.instanceId}: GetErrorEx returned ${both.returnValue} (${both.returnValueName}), ${both.errors.length} errors`);
    both.errors.forEach((e, i) => console.log(`  Error ${i + 1}:\n${indent(formatMsvmError(e))}`));
    expect(both.errors.length === 2, 'GetErrorEx returned both errors');

    section('A job that completed (GetError gives null)');
    const ok = await jobs.getError(FIXTURE_JOB_IDS.completedConcrete);
    printGetError(ok);
    expect(ok.returnValue === 0 && ok.error === null && ok.outcome.status === 'succeeded', 'a completed job has no error');

    section('On the wire');
    const soap = host.requests.filter((r) => r.operation !== 'Handshake');
    const users = [...new Set(soap.map((r) => `${r.user ?? '?'} via ${r.authScheme ?? '?'}`))].join(', ');
    console.log(`  ${soap.length} SOAP requests, ${soap.filter((r) => r.encrypted).length} of them encrypted (authenticated as ${users}).`);
    // Without a class, GetError tries Msvm_ConcreteJob first: a migration job costs one "not found" fault.
    const faults = soap.filter((r) => r.fault !== undefined).map((r) => r.fault);
    if (faults.length > 0) console.log(`  Faults answered: ${faults.join(', ')} (looking for the migration job among Msvm_ConcreteJob first).`);
    expect(soap.length > 0 && soap.every((r) => r.encrypted), 'every SOAP request was NTLM-encrypted');
  } finally {
    await client.close();
    await host.close();
  }
  console.log('\nDemo finished: all checks passed.');
  return 0;
}

runExample(main);
