// Every hyperv-wsman command, run in-process through runCli against the emulated host over real
// sockets (NTLM with message encryption over http): human and --json output, streaming, exit codes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT } from '../src/cli/exit-codes.js';
import { DEFAULT_JOBS, FIXTURE_JOB_IDS, FIXTURE_VMS, startEmulatedHost, type EmulatedHost, type JobFixture } from '../src/emulator/index.js';
import { hostArgs, jsonDoc, jsonLines, runCapture } from './helpers/cli-harness.js';

// Read-only host: its jobs stay as DEFAULT_JOBS (only the default progressing job moves, towards Completed).
let readHost: EmulatedHost;
// Host whose jobs the tests add to and start.
let actHost: EmulatedHost;

before(async () => {
  readHost = await startEmulatedHost({ requestLog: true });
  actHost = await startEmulatedHost();
});
after(async () => {
  await readHost.close();
  await actHost.close();
});

const conn = (): string[] => hostArgs(readHost);
const act = (): string[] => hostArgs(actHost);

let seq = 0;
/** A fresh job on actHost, so no earlier test has observed (advanced) it. */
function addJob(patch: Partial<JobFixture>): string {
  const instanceId = `C11E57ED-0000-4000-8000-${String(++seq).padStart(12, '0')}`;
  actHost.model.add({ className: 'Msvm_ConcreteJob', instanceId, jobState: 4, percentComplete: 0, errorCode: 0, elementName: 'Export Virtual Machine', jobType: 61, ...patch });
  return instanceId;
}

const EXPORT_FAILED = "The export of 'web01' failed: there is not enough space on the disk. (0x80070070)";
const failingProgressingJob = (): Partial<JobFixture> => ({
  jobState: 10,
  errorCode: 32768,
  errorDescription: EXPORT_FAILED,
  progress: { steps: 3, finalState: 10 },
  errors: [{ message: EXPORT_FAILED, messageId: '18350', errorType: 4, perceivedSeverity: 3, cimStatusCode: 1, owningEntity: 'Microsoft-Windows-Hyper-V-VMMS' }],
});

type Json = Record<string, unknown>;

describe('identify', () => {
  test('prints vendor, version and security profiles', async () => {
    const r = await runCapture(['identify', ...conn()]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stdout, /^Endpoint: +http:\/\/127\.0\.0\.1:\d+\/wsman$/m);
    assert.match(r.stdout, /^Product vendor: +Microsoft Corporation$/m);
    assert.match(r.stdout, /spnego-kerberos/);
  });

  test('--json: one document with stable field names', async () => {
    const r = await runCapture(['identify', ...conn(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const doc = jsonDoc(r.stdout);
    assert.deepEqual(Object.keys(doc).sort(), ['endpoint', 'productVendor', 'productVersion', 'protocolVersion', 'securityProfiles']);
    assert.equal(doc.endpoint, readHost.url);
    assert.equal(doc.protocolVersion, 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd');
    assert.ok(Array.isArray(doc.securityProfiles));
  });
});

describe('get', () => {
  test('a Hyper-V job, typed through the class schema, with value-map names', async () => {
    const r = await runCapture(['get', 'Msvm_ConcreteJob', '--selector', `InstanceID=${FIXTURE_JOB_IDS.failedConcrete}`, ...conn(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const doc = jsonDoc<{ className: string; properties: Json; valueMapNames: Json }>(r.stdout);
    assert.equal(doc.className, 'Msvm_ConcreteJob');
    assert.equal(doc.properties.JobState, 10);
    assert.equal(doc.properties.PercentComplete, 100);
    assert.equal(doc.properties.Cancellable, true);
    assert.deepEqual(doc.properties.OperationalStatus, [6]);
    assert.equal(doc.properties.InstanceID, FIXTURE_JOB_IDS.failedConcrete);
    assert.equal(doc.valueMapNames.JobState, 'Exception');
    assert.deepEqual(doc.valueMapNames.OperationalStatus, ['Error']);
  });

  test('human output: one line per property, names beside enumerated values', async () => {
    const r = await runCapture(['get', 'Msvm_MigrationJob', '--selector', `InstanceID=${FIXTURE_JOB_IDS.failedMigration}`, ...conn()]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stdout, /^Msvm_MigrationJob$/m);
    assert.match(r.stdout, /^ {2}JobState: +10 \(Exception\)$/m);
    assert.match(r.stdout, /^ {2}DestinationHost: +HV-EMU02$/m);
  });

  test('--resource-uri names the resource directly', async () => {
    const uri = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob';
    const r = await runCapture(['get', '--resource-uri', uri, '--selector', `InstanceID=${FIXTURE_JOB_IDS.completedConcrete}`, ...conn(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const doc = jsonDoc<{ properties: Json; valueMapNames: Json }>(r.stdout);
    assert.equal(doc.properties.JobState, 7);
    assert.equal(doc.valueMapNames.JobState, 'Completed');
  });

  test('a missing instance exits 7 with one error line', async () => {
    const r = await runCapture(['get', 'Msvm_ConcreteJob', '--selector', 'InstanceID=00000000-0000-0000-0000-000000000000', ...conn()]);
    assert.equal(r.code, EXIT.NOT_FOUND);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^hyperv-wsman: ERR_WSMAN_FAULT: wsa:DestinationUnreachable: .*\n$/);
    assert.match(r.stderr, /No instance of Msvm_ConcreteJob has InstanceID=00000000-0000-0000-0000-000000000000: check the --selector values \(hyperv-wsman enumerate Msvm_ConcreteJob lists its instances with their keys\)\.\n$/);
  });

  test("no --selector: the server's InvalidSelectors fault gains what to type; a missing class is not blamed on the keys", async () => {
    const r = await runCapture(['get', 'Msvm_ConcreteJob', ...conn(), '--json']);
    assert.equal(r.code, EXIT.NOT_FOUND);
    assert.match(r.stderr, /wsman:InvalidSelectors: .* Name the instance by its keys: --selector KEY=VALUE, once per key \(hyperv-wsman enumerate Msvm_ConcreteJob lists/);
    assert.match(jsonDoc<{ error: { message: string } }>(r.stdout).error.message, /Name the instance by its keys: --selector KEY=VALUE/);
    const noClass = await runCapture(['get', 'Msvm_NoSuchClass', '--selector', 'InstanceID=x', ...conn()]);
    assert.equal(noClass.code, EXIT.NOT_FOUND);
    assert.doesNotMatch(noClass.stderr, /check the --selector values/);
  });

  test('argument mistakes are usage errors (exit 2), found before connecting', async () => {
    const noPassword = { HOME: '/nonexistent' };
    for (const argv of [
      ['get', ...conn()],
      ['get', 'Msvm_ConcreteJob', '--resource-uri', 'http://x/y', ...conn()],
      ['get', 'Msvm_ConcreteJob', '--selector', 'InstanceID', ...conn()],
      ['get', 'Msvm_ConcreteJob', '--selector', 'A=1', '--selector', 'A=2', ...conn()],
      ['get', 'not a class', ...conn()],
    ]) {
      const r = await runCapture(argv, { env: noPassword });
      assert.equal(r.code, EXIT.USAGE, argv.join(' '));
      assert.match(r.stderr, /^hyperv-wsman: ERR_INVALID_OPTION: /, argv.join(' '));
      assert.doesNotMatch(r.stderr, /No password/);
    }
  });
});

describe('enumerate', () => {
  const concreteJobs = DEFAULT_JOBS.filter((j) => j.className === 'Msvm_ConcreteJob');

  test('streams: the first instance is printed before the last page is pulled', async () => {
    const pulls = (): number => readHost.requests.filter((q) => q.operation === 'Pull').length;
    const before = pulls();
    const pullsAtWrite: number[] = [];
    const r = await runCapture(['enumerate', 'Msvm_ConcreteJob', '--max-elements', '2', ...conn(), '--json'], { onStdout: () => pullsAtWrite.push(pulls() - before) });
    assert.equal(r.code, EXIT.OK, r.stderr);
    const docs = jsonLines(r.stdout) as { className: string; properties: Json }[];
    assert.equal(docs.length, concreteJobs.length);
    assert.deepEqual(new Set(docs.map((d) => d.properties.InstanceID)), new Set(concreteJobs.map((j) => j.instanceId)));
    const totalPulls = pulls() - before;
    assert.ok(totalPulls >= Math.ceil(concreteJobs.length / 2) - 1, `pages pulled: ${totalPulls}`);
    assert.equal(pullsAtWrite[0], 0, 'first instance written from the EnumerateResponse page');
    assert.ok(pullsAtWrite[0]! < totalPulls);
  });

  test('--wql filters on the server; values are typed per returned class', async () => {
    const r = await runCapture(['enumerate', '--wql', 'SELECT * FROM Msvm_MigrationJob WHERE JobState = 10', ...conn(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const docs = jsonLines(r.stdout) as { className: string; properties: Json; valueMapNames: Json }[];
    assert.deepEqual(
      docs.map((d) => d.properties.InstanceID),
      DEFAULT_JOBS.filter((j) => j.className === 'Msvm_MigrationJob' && j.jobState === 10).map((j) => j.instanceId),
    );
    for (const d of docs) {
      assert.equal(d.className, 'Msvm_MigrationJob');
      assert.equal(d.properties.JobState, 10);
      assert.equal(d.valueMapNames.MigrationType, 'VirtualSystem');
      assert.equal(d.valueMapNames.JobState, 'Exception');
    }
  });

  test('--where builds the query for the class', async () => {
    const r = await runCapture(['enumerate', 'Msvm_ConcreteJob', '--where', 'JobState = 8 OR JobState = 9', ...conn()]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const ids = [...r.stdout.matchAll(/^ {2}InstanceID: +(\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(new Set(ids), new Set([FIXTURE_JOB_IDS.terminated, FIXTURE_JOB_IDS.killed]));
    assert.match(r.stdout, /^ {2}JobState: +8 \(Terminated\)$/m);
  });

  test('a class and a --wql query on another class, or nothing at all, are usage errors', async () => {
    for (const argv of [['enumerate', 'Msvm_MigrationJob', '--wql', 'SELECT * FROM Msvm_ConcreteJob'], ['enumerate'], ['enumerate', '--wql', 'SELECT * FROM X', '--where', 'A = 1']]) {
      const r = await runCapture([...argv, ...conn()]);
      assert.equal(r.code, EXIT.USAGE, argv.join(' '));
    }
    const r = await runCapture(['enumerate', 'Msvm_MigrationJob', '--wql', 'SELECT * FROM Msvm_ConcreteJob', ...conn()]);
    assert.match(r.stderr, /The class Msvm_MigrationJob and the --wql query \(FROM Msvm_ConcreteJob\) disagree/);
  });

  test('a class with a --wql query on the same class is accepted (the query decides)', async () => {
    const r = await runCapture(['enumerate', 'msvm_concretejob', '--wql', 'SELECT * FROM Msvm_ConcreteJob WHERE JobState = 9', ...conn()]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const ids = [...r.stdout.matchAll(/^ {2}InstanceID: +(\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(ids, [FIXTURE_JOB_IDS.killed]);
  });

  test('a WQL the server refuses is a WS-Man fault (exit 6); --json adds an error document', async () => {
    const r = await runCapture(['enumerate', '--wql', 'SELECT * FROM Msvm_ConcreteJob WHERE NoSuchProperty = 1', ...conn(), '--json']);
    assert.equal(r.code, EXIT.WSMAN_FAULT);
    const doc = jsonDoc<{ error: { code: string; message: string } }>(r.stdout);
    assert.equal(doc.error.code, 'ERR_WSMAN_FAULT');
    assert.match(r.stderr, /^hyperv-wsman: ERR_WSMAN_FAULT: /);
  });
});

describe('invoke', () => {
  test('GetError: the embedded Msvm_Error (CIM-XML) is decoded and typed', async () => {
    const r = await runCapture(['invoke', 'Msvm_ConcreteJob', 'GetError', '--selector', `InstanceID=${FIXTURE_JOB_IDS.failedConcrete}`, ...act(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const doc = jsonDoc<{ type: string; returnValue: number; returnValueName: string; job: unknown; outParams: { Error: { className: string; properties: Json; valueMapNames: Json } } }>(r.stdout);
    assert.equal(doc.type, 'invoke');
    assert.equal(doc.returnValue, 0);
    assert.equal(doc.returnValueName, 'Completed with No Error');
    assert.equal(doc.job, null);
    assert.equal(doc.outParams.Error.className, 'Msvm_Error');
    assert.match(String(doc.outParams.Error.properties.Message), /failed to modify device 'Virtual Hard Disk'/);
    assert.equal(doc.outParams.Error.properties.ErrorType, 4);
    assert.equal(doc.outParams.Error.valueMapNames.ErrorType, 'Software Error');
    assert.deepEqual(doc.outParams.Error.properties.MessageArguments, [FIXTURE_VMS.failed.name, 'Virtual Hard Disk', FIXTURE_VMS.failed.id]);
  });

  test('ReturnValue 4096: prints the Job reference and the job-wait hint', async () => {
    const r = await runCapture([
      'invoke', 'Msvm_VirtualSystemMigrationService', 'MigrateVirtualSystemToHost',
      '--param', `ComputerSystem:ref=Msvm_ComputerSystem?CreationClassName=Msvm_ComputerSystem&Name=${FIXTURE_VMS.migrating.id}`,
      '--param', 'DestinationHost=HV-EMU07',
      ...act(),
    ]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stdout, /MigrateVirtualSystemToHost: ReturnValue 4096 \(Method Parameters Checked - Job Started\)/);
    const id = /job-wait --job-id (\S+)/.exec(r.stdout)?.[1];
    assert.ok(id, r.stdout);
    const job = actHost.model.get(id);
    assert.equal(job?.className, 'Msvm_MigrationJob');
    assert.equal(job?.migration?.destinationHost, 'HV-EMU07');
  });

  test('--wait follows the job it started; a failed migration exits 3 with GetError in the result', async () => {
    const r = await runCapture([
      'invoke', 'Msvm_VirtualSystemMigrationService', 'MigrateVirtualSystemToHost',
      '--param', `ComputerSystem:ref=Msvm_ComputerSystem?CreationClassName=Msvm_ComputerSystem&Name=${FIXTURE_VMS.migrating.id}`,
      '--param', 'DestinationHost=HV-EMU02',
      '--wait', '--poll-interval', '0.01', ...act(), '--json',
    ]);
    assert.equal(r.code, EXIT.JOB_FAILED, r.stderr);
    const docs = jsonLines(r.stdout) as Json[];
    const first = docs[0] as { type: string; returnValue: number; job: { jobClass: string; selectors: Json } };
    assert.equal(first.type, 'invoke');
    assert.equal(first.returnValue, 4096);
    assert.equal(first.job.jobClass, 'Msvm_MigrationJob');
    const progress = docs.filter((d) => d.type === 'progress');
    assert.ok(progress.length >= 2);
    const last = docs.at(-1) as { type: string; status: string; error: { returnValue: number; error: { properties: Json } } };
    assert.equal(last.type, 'result');
    assert.equal(last.status, 'failed');
    assert.equal(last.error.returnValue, 0);
    assert.match(String(last.error.error.properties.Message), /Virtual machine migration operation for 'sql02' failed/);
    assert.match(r.stderr, /^hyperv-wsman: ERR_JOB_FAILED: Job \S+ \(Msvm_MigrationJob\) ended in state Exception/m);
  });

  test('--wait on a storage job that completes exits 0', async () => {
    const r = await runCapture(['invoke', 'Msvm_ImageManagementService', 'ResizeVirtualHardDisk', '--param', 'Path=C:\\vm\\disk.vhdx', '--param', 'MaxInternalSize=1073741824', '--wait', '--poll-interval', '0.01', ...act()]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stdout, /Job: root\/virtualization\/v2:Msvm_StorageJob\.InstanceID="[0-9A-F-]+"/);
    assert.match(r.stdout, /^Job [0-9A-F-]+ \(Msvm_StorageJob\) completed: Completed\.$/m);
  });

  test('an error ReturnValue exits 9 and names it from the job method table', async () => {
    const r = await runCapture(['invoke', 'Msvm_ConcreteJob', 'RequestStateChange', '--selector', `InstanceID=${FIXTURE_JOB_IDS.completedConcrete}`, '--param', 'RequestedState=4', ...act()]);
    assert.equal(r.code, EXIT.METHOD_FAILED);
    assert.match(r.stdout, /RequestStateChange: ReturnValue 4097 \(Invalid State Transition\)/);
    assert.match(r.stderr, /^hyperv-wsman: ERR_METHOD_FAILED: RequestStateChange returned 4097 \(Invalid State Transition\)\.\n$/);
  });

  test('ReturnValues are named from the class\'s own method page', async () => {
    // requeststatechange-msvm-migrationjob lists only 0 and 32768..32778, not the CIM_ConcreteJob table;
    // its 32775 is "Invalid state for this operation" (as on geterror-msvm-migrationjob).
    const r = await runCapture(['invoke', 'Msvm_MigrationJob', 'RequestStateChange', '--selector', `InstanceID=${FIXTURE_JOB_IDS.completedMigration}`, '--param', 'RequestedState=4', ...act()]);
    assert.equal(r.code, EXIT.METHOD_FAILED);
    assert.match(r.stdout, /RequestStateChange: ReturnValue 32775 \(Invalid state for this operation\)/);
    assert.match(r.stderr, /returned 32775 \(Invalid state for this operation\)\.\n$/);
  });

  test('Msvm_StorageJob.RequestStateChange: an unsupported request is 32770 Not Supported', async () => {
    // msvm-storagejob-requeststatechange lists 0 and 32768..32778 (named as on msvm-storagejob-geterror:
    // Not Supported (32770)); the emulator does not support RequestedState 2 (Start).
    const r = await runCapture(['invoke', 'Msvm_StorageJob', 'RequestStateChange', '--selector', `InstanceID=${FIXTURE_JOB_IDS.storage}`, '--param', 'RequestedState=2', ...act()]);
    assert.equal(r.code, EXIT.METHOD_FAILED);
    assert.match(r.stdout, /RequestStateChange: ReturnValue 32770 \(Not Supported\)/);
  });

  test('RequestStateChange on a running job: 0, and the job is stopped', async () => {
    const id = addJob({});
    const r = await runCapture(['invoke', 'Msvm_ConcreteJob', 'RequestStateChange', '--selector', `InstanceID=${id}`, '--param', 'RequestedState=4', ...act(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.equal(jsonDoc(r.stdout).returnValue, 0);
    assert.equal(actHost.model.get(id)?.jobState, 8);
  });

  test('a method the class does not have is a WS-Man fault (exit 6)', async () => {
    const r = await runCapture(['invoke', 'Msvm_ConcreteJob', 'NoSuchMethod', '--selector', `InstanceID=${FIXTURE_JOB_IDS.completedConcrete}`, ...act()]);
    assert.equal(r.code, EXIT.WSMAN_FAULT);
  });

  test('usage: class and method are both needed; bad --param syntax is refused', async () => {
    for (const argv of [['invoke', 'Msvm_ConcreteJob'], ['invoke', 'Msvm_ConcreteJob', 'GetError', '--param', 'noequals'], ['invoke', 'Msvm_ConcreteJob', 'GetError', '--param', 'A:weird=1']]) {
      const r = await runCapture([...argv, ...act()]);
      assert.equal(r.code, EXIT.USAGE, argv.join(' '));
    }
  });
});

describe('jobs', () => {
  const listed = DEFAULT_JOBS.filter((j) => j.className === 'Msvm_ConcreteJob' || j.className === 'Msvm_MigrationJob');

  test('--json: NDJSON, one job per line, both job classes', async () => {
    const r = await runCapture(['jobs', ...conn(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const docs = jsonLines(r.stdout) as { jobClass: string; instanceId: string; jobState: number; jobStateName: string; percentComplete: number; errorCode: number }[];
    assert.deepEqual(new Set(docs.map((d) => d.instanceId)), new Set(listed.map((j) => j.instanceId)));
    const failed = docs.find((d) => d.instanceId === FIXTURE_JOB_IDS.failedMigration)!;
    assert.equal(failed.jobClass, 'Msvm_MigrationJob');
    assert.equal(failed.jobStateName, 'Exception');
    assert.equal(failed.percentComplete, 12);
    assert.equal(failed.errorCode, 32768);
  });

  test('--state exception lists exactly the failed jobs', async () => {
    const r = await runCapture(['jobs', '--state', 'exception', ...conn(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const docs = jsonLines(r.stdout) as { instanceId: string; jobState: number }[];
    const expected = listed.filter((j) => j.jobState === 10 && j.progress === undefined).map((j) => j.instanceId);
    assert.deepEqual(new Set(docs.map((d) => d.instanceId)), new Set(expected));
    assert.ok(docs.every((d) => d.jobState === 10));
  });

  test('--state is repeatable (OR) and takes multi-word names', async () => {
    const r = await runCapture(['jobs', '--state', 'terminated', '--state', 'killed', '--state', 'completed-with-warnings', ...conn(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.deepEqual(new Set((jsonLines(r.stdout) as { instanceId: string }[]).map((d) => d.instanceId)), new Set([FIXTURE_JOB_IDS.terminated, FIXTURE_JOB_IDS.killed]));
  });

  test('an unknown state is a usage error', async () => {
    const r = await runCapture(['jobs', '--state', 'exploded', ...conn()]);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /ERR_USAGE: .*exploded/);
  });

  test('a table with a header on a terminal', async () => {
    const r = await runCapture(['jobs', '--state', 'killed', ...conn()], { tty: true });
    assert.equal(r.code, EXIT.OK, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^CLASS +INSTANCE ID +STATE +% +ERROR +NAME +OUTCOME$/);
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, new RegExp(`^Msvm_ConcreteJob +${FIXTURE_JOB_IDS.killed} +Killed +10 +32768 +Import Virtual Machine +failed$`));
  });

  test('on an 80-column terminal: two lines per job, none wider than the terminal; a wide one keeps one line per job', async () => {
    const narrow = await runCapture(['jobs', ...conn()], { tty: true, columns: 80 });
    assert.equal(narrow.code, EXIT.OK, narrow.stderr);
    const lines = narrow.stdout.trimEnd().split('\n');
    for (const l of lines) assert.ok([...l].length <= 80, `${[...l].length} columns: ${l}`);
    assert.match(lines[0]!, /^INSTANCE ID +OUTCOME +STATE +% +ERROR$/);
    assert.match(lines[1]!, /^ {4}CLASS +NAME$/);
    const killed = lines.findIndex((l) => l.startsWith(FIXTURE_JOB_IDS.killed));
    assert.match(lines[killed]!, new RegExp(`^${FIXTURE_JOB_IDS.killed} +failed +Killed +10 +32768$`));
    assert.match(lines[killed + 1]!, /^ {4}Msvm_ConcreteJob +Import Virtual Machine$/);
    assert.equal(lines.length % 2, 0, 'a header pair, then a pair per job');
    const wide = await runCapture(['jobs', '--state', 'killed', ...conn()], { tty: true, columns: 200 });
    assert.match(wide.stdout.split('\n')[0]!, /^CLASS +INSTANCE ID +STATE +% +ERROR +NAME +OUTCOME$/);
  });

  test('tab-separated lines, no header, when stdout is not a terminal', async () => {
    const r = await runCapture(['jobs', '--state', 'terminated', ...conn()]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.equal(r.stdout, `Msvm_ConcreteJob\t${FIXTURE_JOB_IDS.terminated}\tTerminated\t60\t32768\tExport Virtual Machine\tfailed\n`);
  });
});

describe('job-wait', () => {
  test('a progressing job that completes: progress lines then the result; exit 0', async () => {
    const id = addJob({ progress: { steps: 4, finalState: 7 } });
    const r = await runCapture(['job-wait', '--job-id', id, '--poll-interval', '0.01', ...act(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const docs = jsonLines(r.stdout) as Json[];
    const progress = docs.filter((d) => d.type === 'progress') as { percentComplete: number; jobStateName: string; instanceId: string }[];
    assert.deepEqual(progress.map((p) => p.percentComplete), [25, 50, 75, 100]);
    assert.equal(progress.at(-1)?.jobStateName, 'Completed');
    assert.ok(progress.every((p) => p.instanceId === id));
    const result = docs.at(-1) as { type: string; status: string; job: { jobState: number }; error: unknown };
    assert.deepEqual([result.type, result.status, result.job.jobState, result.error], ['result', 'completed', 7, null]);
    assert.equal(r.stderr, '');
  });

  test('a progressing job that fails: GetError is fetched and printed; exit 3', async () => {
    const id = addJob(failingProgressingJob());
    const r = await runCapture(['job-wait', '--job-id', id, '--poll-interval', '0.01', ...act()]);
    assert.equal(r.code, EXIT.JOB_FAILED);
    assert.match(r.stdout, /^Running 33%$/m);
    assert.match(r.stdout, /^Exception 66%$/m);
    assert.match(r.stdout, new RegExp(`^Job ${id} \\(Msvm_ConcreteJob\\) failed: Exception, ErrorCode 32768$`, 'm'));
    assert.match(r.stdout, /^The GetError call itself returned 0 \(Completed with No Error\); 1 Msvm_Error instance\.$/m);
    assert.ok(r.stdout.includes(EXPORT_FAILED));
    assert.match(r.stdout, /ErrorType: 4 \(Software Error\)/);
    assert.equal(r.stderr, `hyperv-wsman: ERR_JOB_FAILED: Job ${id} (Msvm_ConcreteJob) ended in state Exception: ${EXPORT_FAILED}\n`);
  });

  test('failure with --json: the result carries the job and the GetError document', async () => {
    const id = addJob(failingProgressingJob());
    const r = await runCapture(['job-wait', '--job-id', id, '--poll-interval', '0.01', ...act(), '--json']);
    assert.equal(r.code, EXIT.JOB_FAILED);
    const result = jsonLines(r.stdout).at(-1) as { status: string; job: { jobStateName: string; errorCode: number }; error: { jobClass: string; instanceId: string; error: { className: string } }; message: string };
    assert.equal(result.status, 'failed');
    assert.equal(result.job.jobStateName, 'Exception');
    assert.equal(result.job.errorCode, 32768);
    assert.deepEqual([result.error.jobClass, result.error.instanceId, result.error.error.className], ['Msvm_ConcreteJob', id, 'Msvm_Error']);
    assert.match(result.message, /ended in state Exception/);
  });

  test('a job that does not end before --timeout exits 8', async () => {
    const id = addJob({ percentComplete: 40 });
    const r = await runCapture(['job-wait', '--job-id', id, '--timeout', '0.2', '--poll-interval', '0.05', ...act(), '--json']);
    assert.equal(r.code, EXIT.JOB_TIMEOUT);
    const result = jsonLines(r.stdout).at(-1) as { status: string; job: { jobStateName: string; percentComplete: number } };
    assert.equal(result.status, 'timeout');
    assert.deepEqual([result.job.jobStateName, result.job.percentComplete], ['Running', 40]);
    assert.match(r.stderr, /^hyperv-wsman: ERR_JOB_TIMEOUT: Job \S+ did not finish within 0 s \(last state: Running, 40%\)/);
  });

  test('a progress bar, redrawn in place, on a terminal', async () => {
    const id = addJob({ progress: { steps: 2, finalState: 7 } });
    const r = await runCapture(['job-wait', '--job-id', id, '--poll-interval', '0.01', ...act()], { tty: true });
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stdout, /\r\x1b\[K\[#{15}-{15}\]  50%  Running  \d+:\d\d  Export Virtual Machine/, JSON.stringify(r.stdout));
    assert.match(r.stdout, /\r\x1b\[K\[#{30}\] 100%  Completed  \d+:\d\d/);
    assert.match(r.stdout, /\nJob \S+ \(Msvm_ConcreteJob\) completed: Completed\.\n$/);
  });

  test('--job-class addresses other job classes (Msvm_StorageJob)', async () => {
    const id = addJob({ className: 'Msvm_StorageJob', progress: { steps: 1, finalState: 7 } });
    const r = await runCapture(['job-wait', '--job-id', id, '--job-class', 'Msvm_StorageJob', '--poll-interval', '0.01', ...act()]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stdout, /\(Msvm_StorageJob\) completed/);
  });

  test('an unknown job exits 7 (could not ask is not the same as failed)', async () => {
    const r = await runCapture(['job-wait', '--job-id', 'DEADBEEF-0000-0000-0000-000000000000', ...act()]);
    assert.equal(r.code, EXIT.NOT_FOUND);
    assert.match(r.stderr, /^hyperv-wsman: ERR_NOT_FOUND: No job with InstanceID/);
  });

  test('bad timing options are usage errors', async () => {
    for (const t of [['--timeout', '0'], ['--timeout', '-5'], ['--poll-interval', 'abc']]) {
      const r = await runCapture(['job-wait', '--job-id', 'X', ...t, ...act()]);
      assert.equal(r.code, EXIT.USAGE, t.join(' '));
    }
  });
});
