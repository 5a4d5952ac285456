/** `hyperv-wsman job-error` end to end: real emulated host over HTTPS (CA file) and over encrypted HTTP. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runCli } from '../src/cli/main.js';
import { EXIT } from '../src/cli/exit-codes.js';
import type { CliIo } from '../src/cli/io.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, FIXTURE_VMS, generateTestCertificates, startEmulatedHost, type EmulatedHost, type TestCertificates } from '../src/emulator/index.js';

const run = promisify(execFile);

async function cli(argv: string[], env: Record<string, string> = { HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD }): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  const io: CliIo = { stdout: out, stderr: err, stdin: Readable.from([]), env };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

let certs: TestCertificates;
let https: EmulatedHost;
let http: EmulatedHost;
before(async () => {
  certs = await generateTestCertificates();
  https = await startEmulatedHost({ tls: { cert: certs.cert, key: certs.key }, auth: { basic: true } });
  http = await startEmulatedHost({ requestLog: true });
});
after(async () => {
  await https.close();
  await http.close();
  await certs.cleanup();
});

const overHttps = (): string[] => ['--host', '127.0.0.1', '--port', String(https.port), '--scheme', 'https', '--transport', 'basic', '--user', DEFAULT_USER, '--ca-trust-path', certs.caCertPath];
const overHttp = (): string[] => ['--host', '127.0.0.1', '--port', String(http.port), '--scheme', 'http', '--user', DEFAULT_USER];

interface JobErrorJson {
  jobClass: string;
  instanceId: string;
  returnValue: number;
  returnValueName: string;
  error: null | { className: string; properties: Record<string, unknown>; valueMapNames: Record<string, unknown> };
  method: string;
  outcome: { status: string };
  affectedElements: null | Array<{ className: string; name: string | null; elementName: string | null }>;
}

describe('job-error --json', () => {
  test('OK job: error null, exit 0', async () => {
    const r = await cli(['job-error', ...overHttps(), '--job-id', FIXTURE_JOB_IDS.completedConcrete, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as JobErrorJson;
    assert.deepEqual(Object.keys(j), ['jobClass', 'instanceId', 'returnValue', 'returnValueName', 'error', 'method', 'outcome', 'affectedElements']);
    assert.equal(j.outcome.status, 'succeeded');
    assert.equal(j.jobClass, 'Msvm_ConcreteJob');
    assert.equal(j.instanceId, FIXTURE_JOB_IDS.completedConcrete);
    assert.equal(j.returnValue, 0);
    assert.equal(j.returnValueName, 'Completed with No Error');
    assert.equal(j.error, null);
  });

  test('failed Msvm_ConcreteJob: typed properties, arrays as arrays, nulls as null, value-map names', async () => {
    const r = await cli(['job-error', ...overHttps(), '--job-id', FIXTURE_JOB_IDS.failedConcrete, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as JobErrorJson;
    assert.ok(j.error);
    assert.equal(j.error.className, 'Msvm_Error');
    const p = j.error.properties;
    assert.equal(typeof p.ErrorType, 'number');
    assert.ok(Array.isArray(p.MessageArguments));
    assert.equal((p.MessageArguments as string[])[0], FIXTURE_VMS.failed.name);
    assert.ok(String(p.Message).includes(FIXTURE_VMS.failed.name));
    assert.ok(Object.values(p).includes(null) || 'OtherErrorType' in p, 'NULL properties are kept as null');
    assert.equal(j.error.valueMapNames.ErrorType, 'Software Error');
  });

  test('failed Msvm_MigrationJob over NTLM with encryption, found without --job-class', async () => {
    const r = await cli(['job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.failedMigration, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as JobErrorJson;
    assert.equal(j.jobClass, 'Msvm_MigrationJob');
    assert.ok(j.error && typeof j.error.properties.Message === 'string');
  });

  test('affectedElements: the VM the failed job worked on (Msvm_AffectedJobElement), by default', async () => {
    const r = await cli(['job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.failedConcrete, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as JobErrorJson;
    assert.deepEqual(j.affectedElements, [{ className: 'Msvm_ComputerSystem', name: FIXTURE_VMS.failed.id, elementName: FIXTURE_VMS.failed.name }]);
    assert.equal(r.stderr, '');
  });

  test('--no-affected: no association request, affectedElements null', async () => {
    const before = http.requests.length;
    const r = await cli(['job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.failedConcrete, '--json', '--no-affected']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as JobErrorJson).affectedElements, null);
    assert.ok(!http.requests.slice(before).some((q) => q.operation === 'Enumerate'), 'no Enumerate was sent');
  });

  test('a migration job: affectedElements is an empty list (the host names none), not null', async () => {
    const r = await cli(['job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.failedMigration, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as JobErrorJson).affectedElements, []);
  });

  test('--job-class pins the class', async () => {
    const r = await cli(['job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.failedMigration, '--job-class', 'Msvm_ConcreteJob', '--json']);
    assert.equal(r.code, 7, 'not found in the named class');
    assert.match(r.stderr, /^hyperv-wsman: ERR_NOT_FOUND: /);
  });

  test('missing job: exit 7, one line, no stack trace', async () => {
    const r = await cli(['job-error', ...overHttps(), '--job-id', 'FFFFFFFF-0000-0000-0000-000000000000']);
    assert.equal(r.code, 7);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /ERR_NOT_FOUND.*Msvm_ConcreteJob or Msvm_MigrationJob/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

describe('job-error, human output and errors', () => {
  test('readable summary with the message first', async () => {
    const r = await cli(['job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.failedConcrete]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.split('\n')[0]!, /^Job \S+ \(Msvm_ConcreteJob\) failed: Exception, ErrorCode 32768$/);
    assert.match(r.stdout, /^The GetError call itself returned 0 \(Completed with No Error\); 1 Msvm_Error instance\.$/m);
    assert.ok(r.stdout.includes(FIXTURE_VMS.failed.name));
  });

  test('names the VM the job worked on, after the reason; --no-affected leaves the line out', async () => {
    const r = await cli(['job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.failedNoDetails]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[3], `Affects: VM ${FIXTURE_VMS.migrating.name} (Name ${FIXTURE_VMS.migrating.id})`);
    const skipped = await cli(['job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.failedNoDetails, '--no-affected']);
    assert.doesNotMatch(skipped.stdout, /^Affects:/m);
  });

  test('a migration job (no Msvm_AffectedJobElement) names its VM by its own VirtualSystemName', async () => {
    const r = await cli(['job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.failedMigration]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Affects: VM ${FIXTURE_VMS.migrating.id} \\(the migration job's VirtualSystemName; Msvm_AffectedJobElement names nothing for migration jobs\\)$`, 'm'));
    assert.doesNotMatch(r.stdout, /no element named/);
  });

  test('a job not in the default classes: the not-found error points at --job-class, which finds it', async () => {
    const r = await cli(['job-error', ...overHttp(), FIXTURE_JOB_IDS.storage]);
    assert.equal(r.code, EXIT.NOT_FOUND);
    assert.match(r.stderr, /^hyperv-wsman: ERR_NOT_FOUND: No job with InstanceID .* in Msvm_ConcreteJob or Msvm_MigrationJob .*A job of another class \(e\.g\. Msvm_StorageJob\) is found only with --job-class CLASS\.\n$/);
    const wait = await cli(['job-wait', ...overHttp(), FIXTURE_JOB_IDS.storage]);
    assert.equal(wait.code, EXIT.NOT_FOUND);
    assert.match(wait.stderr, /found only with --job-class CLASS\./);
    const named = await cli(['job-error', ...overHttp(), FIXTURE_JOB_IDS.storage, '--job-class', 'Msvm_StorageJob']);
    assert.equal(named.code, 0, named.stderr);
    const wrongId = await cli(['job-error', ...overHttp(), 'NO-SUCH-JOB', '--job-class', 'Msvm_StorageJob']);
    assert.equal(wrongId.code, EXIT.NOT_FOUND);
    assert.doesNotMatch(wrongId.stderr, /--job-class CLASS/, 'the class was given: no hint to give it');
  });

  test('a job the host links to no element says the host names none', async () => {
    const r = await cli(['job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.killed]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Affects: no element named by the host \(Msvm_AffectedJobElement\)\.$/m);
  });

  test('a host that refuses the association query: the GetError answer stands, the VM is said unknown, stderr says why', async () => {
    const refusing = await startEmulatedHost({ associationFilter: false });
    try {
      const conn = ['--host', '127.0.0.1', '--port', String(refusing.port), '--scheme', 'http', '--user', DEFAULT_USER, '--job-id', FIXTURE_JOB_IDS.failedConcrete];
      const r = await cli(['job-error', ...conn]);
      assert.equal(r.code, 0, 'the job-error answer is complete: GetError answered');
      assert.match(r.stdout.split('\n')[0]!, /failed: Exception/);
      assert.match(r.stdout, /^Affects: unknown \(the host did not answer the Msvm_AffectedJobElement query; see the warning\)\.$/m);
      assert.match(r.stderr, /^hyperv-wsman: warning: the elements job \S+ affects could not be read \(Msvm_AffectedJobElement\): wsen:FilterDialectRequestedUnavailable/m);
      const j = await cli(['job-error', ...conn, '--json']);
      assert.equal((JSON.parse(j.stdout) as JobErrorJson).affectedElements, null);
    } finally {
      await refusing.close();
    }
  });

  test('--all prints every error (GetErrorEx)', async () => {
    const r = await cli(['job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.twoErrors, '--all']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Error 1 of 2/);
    assert.match(r.stdout, /Error 2 of 2/);
  });

  test('wrong password: exit 4 and the password is nowhere in the output', async () => {
    const r = await cli(['job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.failedConcrete, '--verbose'], { HYPERV_WSMAN_PASSWORD: 'Wr0ng-Secret-xyz' });
    assert.equal(r.code, 4);
    assert.match(r.stderr, /ERR_AUTH/);
    assert.doesNotMatch(r.stderr + r.stdout, /Wr0ng-Secret-xyz/);
  });

  test('untrusted certificate: exit 5 with advice', async () => {
    const r = await cli(['job-error', '--host', '127.0.0.1', '--port', String(https.port), '--transport', 'basic', '--user', DEFAULT_USER, '--job-id', 'x']);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /ERR_TLS.*ca-trust-path/);
  });

  test('no password anywhere: exit 2 saying where to put it', async () => {
    const r = await cli(['job-error', ...overHttp(), '--job-id', 'x'], {});
    assert.equal(r.code, 2);
    assert.match(r.stderr, /HYPERV_WSMAN_PASSWORD/);
  });

  test('a password on the command line is refused', async () => {
    const r = await cli(['job-error', ...overHttp(), '--job-id', 'x', '--password', 'hunter2']);
    assert.equal(r.code, 2);
    assert.doesNotMatch(r.stderr, /hunter2/);
  });

  test('the real process: exit code and JSON on stdout', async () => {
    const res = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'job-error', ...overHttp(), '--job-id', FIXTURE_JOB_IDS.failedConcrete, '--json'], {
      env: { ...process.env, HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD },
    });
    const j = JSON.parse(res.stdout) as JobErrorJson;
    assert.equal(j.instanceId, FIXTURE_JOB_IDS.failedConcrete);
    await assert.rejects(
      run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'job-error', ...overHttp(), '--job-id', 'nope'], { env: { ...process.env, HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD } }),
      (e: unknown) => (e as { code?: number }).code === 7,
    );
  });
});
