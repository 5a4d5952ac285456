/** `hyperv-wsman job-error` end to end: real emulated host over HTTPS (CA file) and over encrypted HTTP. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { runCli } from '../src/cli/main.js';
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
  http = await startEmulatedHost();
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
}

describe('job-error --json', () => {
  test('OK job: error null, exit 0', async () => {
    const r = await cli(['job-error', ...overHttps(), '--job-id', FIXTURE_JOB_IDS.completedConcrete, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as JobErrorJson;
    assert.deepEqual(Object.keys(j), ['jobClass', 'instanceId', 'returnValue', 'returnValueName', 'error', 'method', 'outcome']);
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
    assert.match(r.stdout, /^GetError returned 0 \(Completed with No Error\); 1 Msvm_Error instance\.$/m);
    assert.ok(r.stdout.includes(FIXTURE_VMS.failed.name));
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
