// The hyperv_wsman.hyperv collection (collections/ansible_collections/hyperv_wsman/hyperv), built with
// `ansible-galaxy collection build`, installed with `ansible-galaxy collection install` into a temporary
// path, and the example playbook (examples/ansible/) run by real ansible-core (Debian's) against an
// emulated Hyper-V host this test starts, with NTLM and message encryption as on Windows. The modules run
// the hyperv-wsman CLI (dist/, put on PATH). Asserts on the results the playbook registered, on check
// mode, on a wrong-password run, on Kerberos tasks (a second emulated host with its in-memory KDC: password,
// keytab, negotiate with kdc and kerberos_service, an unknown SPN, kerberos_delegation delivering a forwarded TGT), and on
// ansible-doc rendering every module. A missing ansible-core fails
// the test: it is never skipped.
//
//   apt-get install -y ansible-core && node --import tsx --test interop/ansible.test.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, FIXTURE_VMS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { kerberosFiles } from '../test/helpers/kerberos-env.js';
import { startProxy } from '../test/helpers/connect-proxy.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PLAYBOOK_DIR = join(ROOT, 'examples/ansible');
const COLLECTION_DIR = join(ROOT, 'collections/ansible_collections/hyperv_wsman/hyperv');
const DIST_ENTRY = join(ROOT, 'dist/src/index.js');
const DIST_CLI = join(ROOT, 'dist/src/cli/main.js');
const ANSIBLE_PACKAGE = 'ansible-core';
const TOOLS = { playbook: '/usr/bin/ansible-playbook', galaxy: '/usr/bin/ansible-galaxy', doc: '/usr/bin/ansible-doc' } as const;
const MODULES = ['job_error', 'job_wait', 'job_info', 'invoke'] as const;
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
function run(command: string, args: readonly string[], env: Record<string, string>, timeoutMs = 300_000, cwd = PLAYBOOK_DIR): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: ansibleEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
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

/**
 * A playbook of one job_error task against the emulated host on `port` (NTLM user and password from
 * $HYPERV_WSMAN_PASSWORD, plus `options` as YAML lines), its registered result saved as JSON.
 */
function jobErrorPlaybook(name: string, port: number, options: readonly string[], opts: { ignoreErrors?: boolean } = {}): { playbook: string; resultsFile: string } {
  const playbook = join(tmp, `${name}.yml`);
  const resultsFile = join(tmp, `${name}.json`);
  writeFileSync(
    playbook,
    [
      '- hosts: localhost',
      '  gather_facts: false',
      '  tasks:',
      '    - hyperv_wsman.hyperv.job_error:',
      `        job_id: ${FIXTURE_JOB_IDS.failedConcrete}`,
      '        host: 127.0.0.1',
      `        port: ${port}`,
      '        scheme: http',
      `        user: ${DEFAULT_USER}`,
      "        password: \"{{ lookup('env', 'HYPERV_WSMAN_PASSWORD') }}\"",
      ...options.map((o) => `        ${o}`),
      '      register: result',
      ...(opts.ignoreErrors ? ['      ignore_errors: true'] : []),
      '    - ansible.builtin.copy:',
      '        content: "{{ result | to_json }}"',
      `        dest: ${resultsFile}`,
      '        mode: "0600"',
      '',
    ].join('\n'),
  );
  return { playbook, resultsFile };
}

function ansibleEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k !== 'NODE_TEST_CONTEXT' && k !== 'NODE_PATH' && !k.startsWith('HYPERV_WSMAN_') && !k.startsWith('ANSIBLE_')) env[k] = v;
  }
  return {
    ...env,
    // The modules find the hyperv-wsman CLI (a link to dist/) on PATH; its #!/usr/bin/env node finds this Node.
    PATH: `${join(tmp, 'bin')}:${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    // The collection as ansible-galaxy installed it, not the checkout's copy ansible.cfg points at.
    ANSIBLE_COLLECTIONS_PATH: join(tmp, 'collections'),
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
interface OutcomeJson {
  readonly status: string;
  readonly reason: string | null;
  readonly source: string;
  readonly summary: string;
  readonly notes: string[];
}
interface TaskResult {
  readonly changed: boolean;
  readonly failed?: boolean;
  readonly skipped?: boolean;
  readonly msg: string;
  readonly error_code?: string;
  readonly outcome?: OutcomeJson;
  readonly affected_elements?: readonly { readonly className: string; readonly name: string | null; readonly elementName: string | null }[] | null;
  readonly job_error?: { readonly jobClass: string; readonly instanceId: string; readonly returnValue: number; readonly error?: MsvmErrorJson | null; readonly errors?: MsvmErrorJson[] } | null;
  readonly job?: { readonly jobClass: string; readonly instanceId: string; readonly jobStateName: string; readonly percentComplete: number };
  readonly jobs?: Array<{ readonly instanceId: string; readonly outcome: OutcomeJson }>;
  readonly invoke?: { readonly returnValue: number; readonly outParams: Record<string, unknown> };
  readonly invocation?: { readonly module_args: Record<string, unknown> };
}
type PlaybookResults = Record<'failed_job' | 'completed_job' | 'no_details' | 'all_errors' | 'failed_jobs' | 'completed_wait' | 'migration_wait' | 'raw_get_error' | 'stop_job', TaskResult>;

/** Build the collection, install it into tmp/collections, and put the CLI on tmp/bin. */
async function installCollection(): Promise<void> {
  ensureDist();
  const bin = join(tmp, 'bin');
  mkdirSync(bin, { recursive: true });
  chmodSync(DIST_CLI, 0o755);
  symlinkSync(DIST_CLI, join(bin, 'hyperv-wsman'));
  const out = join(tmp, 'build');
  const build = await run(TOOLS.galaxy, ['collection', 'build', COLLECTION_DIR, '--output-path', out], {}, 120_000, ROOT);
  assert.equal(build.code, 0, `ansible-galaxy collection build failed:\n${build.stdout}\n${build.stderr}`);
  const tarball = readdirSync(out).find((f) => f.endsWith('.tar.gz'));
  assert.ok(tarball, `no tarball in ${out}: ${build.stdout}`);
  const install = await run(TOOLS.galaxy, ['collection', 'install', join(out, tarball), '-p', join(tmp, 'collections')], {}, 120_000, ROOT);
  assert.equal(install.code, 0, `ansible-galaxy collection install failed:\n${install.stdout}\n${install.stderr}`);
  assert.ok(existsSync(join(tmp, 'collections/ansible_collections/hyperv_wsman/hyperv/plugins/modules/job_error.py')));
}

describe('the hyperv_wsman.hyperv collection with real ansible-core against the emulated host', () => {
  let host: EmulatedHost;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'hyperv-wsman-ansible-'));
    for (const tool of Object.values(TOOLS)) {
      assert.ok(existsSync(tool), `${tool} not found: install the Debian package ${ANSIBLE_PACKAGE} (apt-get install -y ${ANSIBLE_PACKAGE}).`);
    }
    await installCollection();
    host = await startEmulatedHost({ requestLog: true });
  });
  after(async () => {
    await host?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  describe('the example playbook', () => {
    let playbook: Run;
    let results: PlaybookResults;

    before(async () => {
      const resultsFile = join(tmp, 'results.json');
      // The password travels in the environment (the inventory looks it up), never on argv.
      playbook = await run(TOOLS.playbook, ['playbook.yml', '-v', '-e', `hyperv_wsman_port=${host.port}`, '-e', `results_file=${resultsFile}`], {
        HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD,
      });
      assert.equal(playbook.code, 0, `ansible-playbook failed:\n${playbook.stdout}\n${playbook.stderr}`);
      results = JSON.parse(readFileSync(resultsFile, 'utf8')) as PlaybookResults;
    });

    test('a failed job: the decoded Message, MessageID and value-map names, and an outcome that says failed', () => {
      const r = results.failed_job;
      assert.equal(r.changed, false);
      assert.notEqual(r.failed, true);
      assert.equal(r.job_error?.instanceId, FIXTURE_JOB_IDS.failedConcrete);
      const e = r.job_error?.error;
      assert.equal(e?.className, 'Msvm_Error');
      assert.equal(e?.properties.Message, `'${FIXTURE_VMS.failed.name}' failed to modify device 'Virtual Hard Disk'. (Virtual machine ID ${FIXTURE_VMS.failed.id})`);
      assert.equal(e?.valueMapNames.ErrorType, 'Software Error');
      assert.deepEqual([r.outcome?.status, r.outcome?.source], ['failed', 'msvm-error']);
      assert.equal(r.msg, r.outcome?.summary);
      assert.ok(playbook.stdout.includes('"MessageID 32768, Software Error, severity Degraded/Warning"'), playbook.stdout);
      assert.equal(e?.valueMapNames.PerceivedSeverity, 'Degraded/Warning');
      assert.deepEqual(r.affected_elements, [{ className: 'Msvm_ComputerSystem', name: FIXTURE_VMS.failed.id, elementName: FIXTURE_VMS.failed.name }]);
    });

    test('an OK job: succeeded, error null, and no failure wording', () => {
      const r = results.completed_job;
      assert.equal(r.job_error?.error, null);
      assert.equal(r.outcome?.status, 'succeeded');
      assert.equal(r.msg, `Job ${FIXTURE_JOB_IDS.completedConcrete} (Msvm_ConcreteJob) succeeded (Completed).`);
    });

    test('a failed job whose error the host dropped: failed, with the job\'s own description', () => {
      const r = results.no_details;
      assert.equal(r.job_error?.error, null);
      assert.deepEqual([r.outcome?.status, r.outcome?.source], ['failed', 'job-properties']);
      assert.match(r.msg, /failed \(Exception, ErrorCode 32768\): 'sql02' failed to start/);
      assert.doesNotMatch(r.msg, /no error/i);
    });

    test('all_errors (GetErrorEx) returns both errors; job_info lists the failed jobs with their outcome', () => {
      assert.equal(results.all_errors.job_error?.errors?.length, 2);
      const ids = results.failed_jobs.jobs?.map((j) => j.instanceId) ?? [];
      assert.ok(ids.includes(FIXTURE_JOB_IDS.failedNoDetails) && ids.includes(FIXTURE_JOB_IDS.failedMigration), ids.join(' '));
      assert.ok(results.failed_jobs.jobs?.every((j) => j.outcome.status === 'failed'));
    });

    test('job_wait: completes, or fails with the decoded migration error', () => {
      assert.notEqual(results.completed_wait.failed, true);
      assert.equal(results.completed_wait.job?.jobStateName, 'Completed');
      const m = results.migration_wait;
      assert.equal(m.failed, true);
      assert.equal(m.error_code, 'ERR_JOB_FAILED');
      assert.equal(m.outcome?.source, 'msvm-error');
      assert.match(m.msg, /^Job 7C4D1E8A-\S+ \(Msvm_MigrationJob\) failed \(Exception, ErrorCode 32768\): Virtual machine migration operation for 'sql02' failed/);
      assert.match(playbook.stdout, /\.\.\.ignoring/);
    });

    test('invoke: a read-only GetError call returns the decoded out-parameters; the changing call did not run outside check mode', () => {
      assert.equal(results.raw_get_error.changed, false);
      assert.equal(results.raw_get_error.invoke?.returnValue, 0);
      assert.equal(results.stop_job.skipped, true);
    });

    test('the password appears nowhere: not in the -v output, nor in the registered results', () => {
      const dumped = readFileSync(join(tmp, 'results.json'), 'utf8');
      assert.ok(dumped.includes(FIXTURE_JOB_IDS.failedConcrete));
      assert.ok(!(playbook.stdout + playbook.stderr + dumped).includes(DEFAULT_PASSWORD));
    });
  });

  test('check mode: read-only modules run, a changing invoke is reported and not called', async () => {
    const resultsFile = join(tmp, 'check-results.json');
    const r = await run(TOOLS.playbook, ['playbook.yml', '--check', '-e', `hyperv_wsman_port=${host.port}`, '-e', `results_file=${resultsFile}`], {
      HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as PlaybookResults;
    assert.equal(results.failed_job.outcome?.status, 'failed');
    assert.equal(results.stop_job.changed, true);
    assert.match(results.stop_job.msg, /^Check mode: Msvm_ConcreteJob\.RequestStateChange not invoked\./);
    assert.equal(host.model.get(FIXTURE_JOB_IDS.runningConcrete)?.jobState, 4, 'the running job was not stopped');
  });

  test('a wrong password fails the first task with a clear msg and no secret anywhere in the output', async () => {
    const r = await run(TOOLS.playbook, ['playbook.yml', '-e', `hyperv_wsman_port=${host.port}`], { HYPERV_WSMAN_PASSWORD: WRONG_PASSWORD, ANSIBLE_STDOUT_CALLBACK: 'json' });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as { plays: Array<{ tasks: Array<{ hosts: Record<string, TaskResult> }> }> };
    const tasks = report.plays[0]!.tasks;
    assert.equal(tasks.length, 1);
    const result = tasks[0]!.hosts['hv-emu01']!;
    assert.equal(result.failed, true);
    assert.equal(result.error_code, 'ERR_AUTH');
    assert.match(result.msg, /^The server rejected the NTLM credentials \(HTTP 401\) at http:\/\/127\.0\.0\.1:\d+ for user "Administrator"/);
    assert.equal(result.invocation?.module_args.password, 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER');
    assert.ok(!(r.stdout + r.stderr).includes(WRONG_PASSWORD));
  });

  test('a setting of another transport (send_cbt with transport basic) fails the task in the module\'s words', async () => {
    const { playbook, resultsFile } = jobErrorPlaybook('other-transport', host.port, ['transport: basic', 'allow_unencrypted: true', 'send_cbt: false'], { ignoreErrors: true });
    const r = await run(TOOLS.playbook, [playbook], { HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const result = JSON.parse(readFileSync(resultsFile, 'utf8')) as TaskResult;
    assert.equal(result.failed, true);
    assert.equal(result.error_code, 'ERR_INVALID_OPTION');
    assert.match(result.msg, /send_cbt/);
    assert.match(result.msg, /transport basic/);
    assert.doesNotMatch(result.msg, /--[a-z]/, 'the message names module options, not CLI flags');
  });

  test('Kerberos: transport kerberos (password, keytab) and negotiate (kdc, kerberos_service) against the emulated host and its KDC', async () => {
    const krbHost = await startEmulatedHost({ kerberos: { kdc: true }, requestLog: true });
    const files = await kerberosFiles(krbHost, DEFAULT_USER, DEFAULT_PASSWORD);
    try {
      const kdc = krbHost.kerberos!.kdc!;
      const playbook = join(tmp, 'kerberos.yml');
      const resultsFile = join(tmp, 'kerberos-results.json');
      const task = (register: string, options: Record<string, unknown>): string =>
        [
          `    - name: ${register}`,
          '      hyperv_wsman.hyperv.job_error:',
          `        job_id: ${FIXTURE_JOB_IDS.failedConcrete}`,
          '        host: 127.0.0.1',
          `        port: ${krbHost.port}`,
          '        scheme: http',
          ...Object.entries(options).map(([k, v]) => `        ${k}: ${JSON.stringify(v)}`),
          `      register: ${register}`,
        ].join('\n');
      const password = "{{ lookup('env', 'KRB_TEST_PASSWORD') }}";
      writeFileSync(
        playbook,
        [
          '- hosts: localhost',
          '  gather_facts: false',
          '  tasks:',
          task('with_password', { transport: 'kerberos', user: `${DEFAULT_USER}@EMULATOR.TEST`, password, krb5_config: files.krb5Config }),
          task('with_keytab', { transport: 'kerberos', keytab: files.keytab, krb5_config: files.krb5Config }),
          task('negotiate_kdc', { transport: 'negotiate', user: `${DEFAULT_USER}@EMULATOR.TEST`, password, kdc: [`${kdc.host}:${kdc.port}`], kerberos_service: 'WSMAN', krb5_config: '/nonexistent/krb5.conf' }),
          task('unknown_spn', { transport: 'kerberos', user: `${DEFAULT_USER}@EMULATOR.TEST`, password, krb5_config: files.krb5Config, kerberos_hostname_override: 'hv99.example.com' }),
          '      ignore_errors: true',
          task('delegation', { transport: 'kerberos', keytab: files.keytab, krb5_config: files.krb5Config, kerberos_delegation: true }),
          '    - ansible.builtin.copy:',
          "        content: \"{{ {'with_password': with_password, 'with_keytab': with_keytab, 'negotiate_kdc': negotiate_kdc, 'unknown_spn': unknown_spn, 'delegation': delegation} | to_json }}\"",
          `        dest: ${resultsFile}`,
          '        mode: "0600"',
          '',
        ].join('\n'),
      );
      const before = krbHost.requests.length;
      const r = await run(TOOLS.playbook, [playbook, '-v'], { KRB_TEST_PASSWORD: DEFAULT_PASSWORD, KRB5CCNAME: `FILE:${join(tmp, 'no-such-ccache')}` });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<'with_password' | 'with_keytab' | 'negotiate_kdc' | 'unknown_spn' | 'delegation', TaskResult>;
      for (const k of ['with_password', 'with_keytab', 'negotiate_kdc', 'delegation'] as const) {
        assert.notEqual(results[k].failed, true, `${k}: ${results[k].msg}`);
        assert.equal(results[k].job_error?.error?.className, 'Msvm_Error', k);
      }
      const schemes = krbHost.requests.slice(before).map((q) => q.authScheme);
      assert.ok(schemes.length > 0 && schemes.every((s) => s === 'kerberos' || s === undefined), `every request was Kerberos: ${schemes.join(',')}`);
      assert.equal(results.unknown_spn.failed, true);
      assert.equal(results.unknown_spn.error_code, 'ERR_KERBEROS_KDC');
      assert.match(results.unknown_spn.msg, /HTTP\/hv99\.example\.com@EMULATOR\.TEST/);
      // Only the delegation task delegates: one forwarded TGT of the keytab's principal reached the host.
      assert.deepEqual(krbHost.kerberos!.delegations.map((d) => [d.user, d.ticketFor]), [['Administrator@EMULATOR.TEST', 'krbtgt/EMULATOR.TEST@EMULATOR.TEST']]);
      assert.ok(!(r.stdout + r.stderr + readFileSync(resultsFile, 'utf8')).includes(DEFAULT_PASSWORD));
    } finally {
      files.remove();
      await krbHost.close();
    }
  });

  test('a proxy with credentials: the task goes through it, the credentials reach the proxy and appear in no argv, -v output or result', async () => {
    const proxy = await startProxy();
    const proxyPassword = 'Pr0xy-Interop-S3cret';
    try {
      const { playbook, resultsFile } = jobErrorPlaybook('proxy', host.port, [`proxy: "http://proxyuser:{{ lookup('env', 'PROXY_TEST_PASSWORD') }}@127.0.0.1:${proxy.port}"`]);
      const r = await run(TOOLS.playbook, [playbook, '-vvv'], { HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD, PROXY_TEST_PASSWORD: proxyPassword });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const result = JSON.parse(readFileSync(resultsFile, 'utf8')) as TaskResult;
      assert.equal(result.job_error?.error?.className, 'Msvm_Error');
      assert.ok(proxy.connects.length > 0, 'the CLI went through the proxy');
      assert.equal(proxy.auth[0], 'Basic ' + Buffer.from(`proxyuser:${proxyPassword}`).toString('base64'));
      assert.ok(!(r.stdout + r.stderr + readFileSync(resultsFile, 'utf8')).includes(proxyPassword), 'the proxy password was shown');
    } finally {
      await proxy.close();
    }
  });

  test('ansible-doc renders every module, connection options included, password no_log', async () => {
    const r = await run(TOOLS.doc, ['--json', ...MODULES.map((m) => `hyperv_wsman.hyperv.${m}`)], {});
    assert.equal(r.code, 0, r.stderr);
    const docs = JSON.parse(r.stdout) as Record<string, { doc: { options: Record<string, { required?: boolean }> }; examples: string; return: Record<string, unknown> }>;
    for (const m of MODULES) {
      const d = docs[`hyperv_wsman.hyperv.${m}`];
      assert.ok(d, m);
      for (const o of ['host', 'user', 'password', 'transport', 'server_cert_validation', 'ca_trust_path', 'message_encryption', 'cert_pem', 'cert_key_pem', 'executable', 'kerberos_hostname_override', 'kerberos_service', 'kerberos_delegation', 'kdc', 'keytab', 'krb5_config']) assert.ok(o in d.doc.options, `${m}: ${o}`);
      // user and password are required unless transport is certificate, which the module checks itself.
      assert.notEqual(d.doc.options.password?.required, true, `${m}: password not mandatory (certificate transport)`);
      assert.ok(d.examples.includes(`hyperv_wsman.hyperv.${m}`), `${m}: examples`);
      assert.ok(Object.keys(d.return).length > 0, `${m}: return`);
      // The text rendering too: it trips over YAML that --json lets through (a colon in a plain list item).
      const text = await run(TOOLS.doc, [`hyperv_wsman.hyperv.${m}`], {});
      assert.equal(text.code, 0, `${m}: ${text.stderr}`);
      assert.match(text.stdout, /OPTIONS \(= is mandatory\):/);
      assert.match(text.stdout, /= host/);
      assert.match(text.stdout, /^- password$/m);
      assert.match(text.stdout, /^- cert_pem$/m);
    }
  });
});
