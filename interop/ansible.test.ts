// The example playbook (examples/ansible/) run by real ansible-core (Debian's /usr/bin/ansible-playbook)
// against an emulated Hyper-V host this test starts, with NTLM and message encryption as on Windows.
// Asserts on the results the playbook registered (dumped with its copy task), on a wrong-password run
// through the json callback, on an ad-hoc run's argument checking, and on ansible-doc reading the
// modules' sidecar documentation. A missing ansible-core fails the test: it is never skipped.
//
//   apt-get install -y ansible-core && node --import tsx --test interop/ansible.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, FIXTURE_VMS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { DEMO_JOB_IDS, addDemoJobs } from '../examples/lib/demo-jobs.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PLAYBOOK_DIR = join(ROOT, 'examples/ansible');
const DIST_ENTRY = join(ROOT, 'dist/src/index.js');
const ANSIBLE_PACKAGE = 'ansible-core';
const TOOLS = { playbook: '/usr/bin/ansible-playbook', adhoc: '/usr/bin/ansible', doc: '/usr/bin/ansible-doc' } as const;
const WRONG_PASSWORD = 'Wr0ng-Interop-S3cret';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Newest modification time under a directory (the TypeScript sources dist/ is built from). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The playbook loads the compiled library; build it when missing or older than src/ (CI's npm install builds it). */
function ensureDist(): void {
  if (existsSync(DIST_ENTRY) && statSync(DIST_ENTRY).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  // Type errors elsewhere still emit JavaScript; what matters is a fresh dist/src/index.js.
  assert.ok(existsSync(DIST_ENTRY), `tsc -p tsconfig.build.json did not produce ${DIST_ENTRY}:\n${tsc.stdout}${tsc.stderr}`);
}

/** Spawn asynchronously: the emulated host lives in this process and must keep answering. */
function run(command: string, args: readonly string[], env: Record<string, string>, timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: PLAYBOOK_DIR, env: ansibleEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? new Error(`${command} not found: install the Debian package ${ANSIBLE_PACKAGE} (apt-get install -y ${ANSIBLE_PACKAGE}).`) : err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

let tmp = '';

function ansibleEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k !== 'NODE_TEST_CONTEXT' && k !== 'NODE_PATH' && !k.startsWith('HYPERV_WSMAN_') && !k.startsWith('ANSIBLE_')) env[k] = v;
  }
  return {
    ...env,
    // The modules' #!/usr/bin/env node must find this Node.
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    // Explicit, because Ansible ignores ./ansible.cfg in a world-writable directory.
    ANSIBLE_CONFIG: join(PLAYBOOK_DIR, 'ansible.cfg'),
    ANSIBLE_LOCAL_TEMP: join(tmp, 'ansible-local'),
    ANSIBLE_REMOTE_TEMP: join(tmp, 'ansible-remote'),
    ANSIBLE_NOCOLOR: '1',
    ...extra,
  };
}

interface MsvmErrorJson {
  readonly className: string;
  readonly properties: Record<string, unknown>;
  readonly valueMapNames: Record<string, unknown>;
}
interface TaskResult {
  readonly changed: boolean;
  readonly failed?: boolean;
  readonly msg: string;
  readonly error_code?: string;
  readonly job_error: { readonly jobClass: string; readonly instanceId: string; readonly returnValue: number; readonly error?: MsvmErrorJson | null; readonly errors?: MsvmErrorJson[] } | null;
  readonly job?: { readonly jobClass: string; readonly instanceId: string; readonly jobStateName: string; readonly percentComplete: number; readonly migration?: { readonly destinationHost: string } };
  readonly invocation?: { readonly module_args: Record<string, unknown> };
}
type PlaybookResults = Record<'failed_job' | 'completed_job' | 'all_errors' | 'failed_migration' | 'completed_wait' | 'migration_wait', TaskResult>;

describe('examples/ansible with real ansible-core against the emulated host', () => {
  let host: EmulatedHost;

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'hyperv-wsman-ansible-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test(`ansible-core is installed (Debian package ${ANSIBLE_PACKAGE})`, () => {
    for (const tool of Object.values(TOOLS)) {
      assert.ok(existsSync(tool), `${tool} not found: install the Debian package ${ANSIBLE_PACKAGE} (apt-get install -y ${ANSIBLE_PACKAGE}).`);
    }
  });

  describe('the example playbook', () => {
    let playbook: Run;
    let results: PlaybookResults;

    before(async () => {
      assert.ok(existsSync(TOOLS.playbook), `${TOOLS.playbook} not found: install the Debian package ${ANSIBLE_PACKAGE}.`);
      ensureDist();
      host = await startEmulatedHost({ requestLog: true });
      addDemoJobs(host.model);
      const resultsFile = join(tmp, 'results.json');
      // The password travels in the environment (the inventory looks it up), never on argv.
      playbook = await run(TOOLS.playbook, ['playbook.yml', '-v', '-e', `hyperv_wsman_port=${host.port}`, '-e', `results_file=${resultsFile}`], {
        HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD,
      });
      assert.equal(playbook.code, 0, `ansible-playbook failed:\n${playbook.stdout}\n${playbook.stderr}`);
      results = JSON.parse(readFileSync(resultsFile, 'utf8')) as PlaybookResults;
    });
    after(() => host?.close());

    test('a failed Msvm_ConcreteJob: job_error carries the decoded Message, MessageID and value-map names', () => {
      const r = results.failed_job;
      assert.equal(r.changed, false);
      assert.notEqual(r.failed, true);
      assert.equal(r.job_error?.jobClass, 'Msvm_ConcreteJob');
      assert.equal(r.job_error?.instanceId, FIXTURE_JOB_IDS.failedConcrete);
      assert.equal(r.job_error?.returnValue, 0);
      const e = r.job_error?.error;
      assert.equal(e?.className, 'Msvm_Error');
      assert.equal(e?.properties.Message, `'${FIXTURE_VMS.failed.name}' failed to modify device 'Virtual Hard Disk'. (Virtual machine ID ${FIXTURE_VMS.failed.id})`);
      assert.equal(e?.properties.MessageID, '32768');
      assert.deepEqual(e?.properties.MessageArguments, [FIXTURE_VMS.failed.name, 'Virtual Hard Disk', FIXTURE_VMS.failed.id]);
      assert.equal(e?.valueMapNames.ErrorType, 'Software Error');
      assert.equal(e?.valueMapNames.PerceivedSeverity, 'Degraded/Warning');
      // The debug task printed it, through Ansible's templating.
      assert.ok(playbook.stdout.includes('"MessageID 32768, Software Error, severity Degraded/Warning"'), playbook.stdout);
    });

    test('a completed job: job_error.error is null', () => {
      const r = results.completed_job;
      assert.equal(r.job_error?.instanceId, FIXTURE_JOB_IDS.completedConcrete);
      assert.equal(r.job_error?.returnValue, 0);
      assert.equal(r.job_error?.error, null);
      assert.equal(r.msg, `Job ${FIXTURE_JOB_IDS.completedConcrete} (Msvm_ConcreteJob) has no error.`);
    });

    test('all_errors (GetErrorEx) returns both errors; job_class Msvm_MigrationJob returns the migration error', () => {
      assert.equal(results.all_errors.job_error?.errors?.length, 2);
      assert.match(String(results.all_errors.job_error?.errors?.[1]?.properties.Message), /Failed to open attachment/);
      assert.equal(results.failed_migration.job_error?.jobClass, 'Msvm_MigrationJob');
      assert.equal(results.failed_migration.job_error?.error?.properties.MessageID, '21502');
    });

    test('hyperv_job_wait: a progressing job that completes returns its final state and no error', () => {
      const r = results.completed_wait;
      assert.notEqual(r.failed, true);
      assert.equal(r.job?.instanceId, FIXTURE_JOB_IDS.progressing);
      assert.equal(r.job?.jobStateName, 'Completed');
      assert.equal(r.job?.percentComplete, 100);
      assert.equal(r.job_error, null);
    });

    test('hyperv_job_wait: the progressing migration that fails fails the task, with its Msvm_Error', () => {
      const r = results.migration_wait;
      assert.equal(r.failed, true);
      assert.equal(r.error_code, 'ERR_JOB_FAILED');
      assert.equal(r.job?.jobClass, 'Msvm_MigrationJob');
      assert.equal(r.job?.instanceId, DEMO_JOB_IDS.failingMigration);
      assert.equal(r.job?.jobStateName, 'Exception');
      assert.equal(r.job?.migration?.destinationHost, 'HV-EMU07');
      const message = `Virtual machine migration operation for 'sql02' failed at migration source 'HV-EMU01'. (Virtual machine ID ${FIXTURE_VMS.migrating.id})`;
      assert.equal(r.job_error?.error?.properties.Message, message);
      assert.equal(r.msg, `Job ${DEMO_JOB_IDS.failingMigration} (Msvm_MigrationJob) ended in state Exception: ${message}`);
      assert.match(playbook.stdout, /\.\.\.ignoring/);
      assert.ok(playbook.stdout.includes(`"msg": "Migration Exception at 66%: ${message}"`), playbook.stdout);
    });

    test('the password appears nowhere: not in the -v output, nor in the registered results', () => {
      const dumped = readFileSync(join(tmp, 'results.json'), 'utf8');
      assert.ok(dumped.includes(FIXTURE_JOB_IDS.failedConcrete));
      assert.ok(!(playbook.stdout + playbook.stderr + dumped).includes(DEFAULT_PASSWORD));
    });

    test('every SOAP request from the modules went over NTLM with message encryption', () => {
      const soap = host.requests.filter((r) => r.operation !== 'Handshake');
      assert.ok(soap.length >= 10, `only ${soap.length} requests`);
      assert.deepEqual(soap.filter((r) => !r.encrypted || r.authScheme !== 'ntlm' || r.user !== DEFAULT_USER), []);
    });
  });

  describe('failures', () => {
    before(async () => {
      ensureDist();
      host = await startEmulatedHost();
    });
    after(() => host?.close());

    test('a wrong password fails the first task with a clear msg and no secret anywhere in the output', async () => {
      const r = await run(TOOLS.playbook, ['playbook.yml', '-e', `hyperv_wsman_port=${host.port}`], {
        HYPERV_WSMAN_PASSWORD: WRONG_PASSWORD,
        ANSIBLE_STDOUT_CALLBACK: 'json',
      });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout) as { plays: Array<{ tasks: Array<{ task: { name: string }; hosts: Record<string, TaskResult> }> }>; stats: Record<string, { failures: number }> };
      const tasks = report.plays[0]!.tasks;
      assert.equal(tasks.length, 1);
      const result = tasks[0]!.hosts['hv-emu01']!;
      assert.equal(result.failed, true);
      assert.equal(result.error_code, 'ERR_AUTH');
      assert.match(result.msg, /^The server rejected the NTLM credentials \(HTTP 401\) at http:\/\/127\.0\.0\.1:\d+ for user "Administrator"/);
      assert.equal(result.invocation?.module_args.password, 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER');
      assert.equal(report.stats['hv-emu01']?.failures, 1);
      assert.ok(!(r.stdout + r.stderr).includes(WRONG_PASSWORD));
    });

    test('ad-hoc: an unknown parameter fails as an argument spec would, before any connection', async () => {
      const r = await run(TOOLS.adhoc, ['hv-emu01', '-m', 'hyperv_job_error', '-a', `job_id=${FIXTURE_JOB_IDS.failedConcrete} bogus=1`], {
        HYPERV_WSMAN_LIB: DIST_ENTRY,
        ANSIBLE_LOAD_CALLBACK_PLUGINS: '1',
        ANSIBLE_STDOUT_CALLBACK: 'json',
      });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout) as { plays: Array<{ tasks: Array<{ hosts: Record<string, TaskResult> }> }> };
      const result = report.plays[0]!.tasks[0]!.hosts['hv-emu01']!;
      assert.equal(result.failed, true);
      assert.match(result.msg, /^Unsupported parameters for \(hyperv_job_error\) module: bogus\. Supported parameters include: all_errors, /);
    });

    test('ad-hoc with key=value strings (port, all_errors=yes) reaches the host', async () => {
      // key=value arguments arrive as strings: the modules convert them as Ansible's argument spec does.
      const args = `host=${host.hostname} port=${host.port} scheme=http user=${DEFAULT_USER} password={{ lookup('env', 'HYPERV_WSMAN_PASSWORD') }} job_id=${FIXTURE_JOB_IDS.twoErrors} all_errors=yes`;
      const r = await run(TOOLS.adhoc, ['localhost', '-m', 'hyperv_job_error', '-a', args], {
        HYPERV_WSMAN_LIB: DIST_ENTRY,
        HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD,
        ANSIBLE_LOAD_CALLBACK_PLUGINS: '1',
        ANSIBLE_STDOUT_CALLBACK: 'json',
      });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const report = JSON.parse(r.stdout) as { plays: Array<{ tasks: Array<{ hosts: Record<string, TaskResult> }> }> };
      const result = report.plays[0]!.tasks[0]!.hosts.localhost!;
      assert.equal(result.job_error?.errors?.length, 2);
      assert.ok(!(r.stdout + r.stderr).includes(DEFAULT_PASSWORD));
    });
  });

  test('ansible-doc reads the sidecar documentation, and it documents exactly the parameters each module accepts', async () => {
    const r = await run(TOOLS.doc, ['-M', 'library', '--json', 'hyperv_job_error', 'hyperv_job_wait'], {});
    assert.equal(r.code, 0, r.stderr);
    const docs = JSON.parse(r.stdout) as Record<string, { doc: { options: Record<string, { required?: boolean }> } }>;
    const expected = {
      hyperv_job_error: 'all_errors, ca_trust_path, host, job_class, job_id, message_encryption, operation_timeout, password, path, port, scheme, server_cert_validation, transport, user',
      hyperv_job_wait: 'all_errors, ca_trust_path, host, job_class, job_id, message_encryption, operation_timeout, password, path, port, scheme, server_cert_validation, timeout, transport, user',
    };
    for (const [module, names] of Object.entries(expected)) {
      assert.equal(Object.keys(docs[module]!.doc.options).sort().join(', '), names, module);
      const required = Object.entries(docs[module]!.doc.options).filter(([, o]) => o.required).map(([n]) => n).sort();
      assert.deepEqual(required, ['host', 'job_id', 'password', 'user'], module);
      // The module itself lists the same names when refusing an unknown one.
      const source = readFileSync(join(PLAYBOOK_DIR, 'library', `${module}.mjs`), 'utf8');
      for (const name of names.split(', ')) assert.ok(source.includes(`  ${name}: { type: '`), `${module}.mjs has no spec entry for ${name}`);
    }
  });
});
