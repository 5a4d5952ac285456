/**
 * `hyperv-wsman doctor` (the renderer over diagnoseHost): text with one line per step and its fix,
 * --json with the documented shape, and the exit code: 0 only when no step failed, else the exit
 * code of the first failure's class (connection 5, auth 4, not found 7, usage 2). The password never
 * appears in any output.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_PASSWORD, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { STEP_IDS } from '../src/index.js';
import { defaultEnv, emptyHome, hostArgs, jsonDoc, runCapture, type CliRun } from './helpers/cli-harness.js';

let http: EmulatedHost;
let omi: EmulatedHost;
before(async () => {
  http = await startEmulatedHost({});
  omi = await startEmulatedHost({ dialect: 'omi' });
});
after(async () => {
  await http.close();
  await omi.close();
});

interface DoctorDoc {
  ok: boolean;
  exitCode: number;
  steps: { id: string; title: string; status: string; summary: string; facts: Record<string, unknown>; fix?: string; code?: string; blockedBy?: string }[];
}

function noSecret(r: CliRun): void {
  assert.ok(!(r.stdout + r.stderr).includes(DEFAULT_PASSWORD), 'the password appears in the output');
}

describe('hyperv-wsman doctor', () => {
  test('every step passes: exit 0, one line per step, no "OK" claimed for the skipped TLS step', async () => {
    const r = await runCapture(['doctor', ...hostArgs(http)]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^hyperv-wsman doctor: 127\.0\.0\.1 \(transport ntlm\)$/m);
    for (const title of ['Connection settings', 'DNS', 'TCP connection', 'Offered auth schemes', 'NTLM challenge', 'Authenticated Identify', 'Hyper-V namespace']) {
      assert.match(r.stdout, new RegExp(`^\\[pass\\] ${title} `, 'm'), title);
    }
    assert.match(r.stdout, /^\[skip\] TLS +skipped: plain http/m);
    assert.match(r.stdout, /Every step ran without failure \(7 passed, 0 warnings, 0 failed, 1 skipped\)/);
    noSecret(r);
  });

  test('--json: one document, stable ids, facts, ok and exitCode', async () => {
    const r = await runCapture(['doctor', ...hostArgs(http), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = jsonDoc<DoctorDoc>(r.stdout);
    assert.equal(doc.ok, true);
    assert.equal(doc.exitCode, 0);
    for (const s of doc.steps) {
      assert.ok((STEP_IDS as readonly string[]).includes(s.id), s.id);
      assert.ok(['pass', 'warn', 'fail', 'skip'].includes(s.status));
      assert.equal(typeof s.title, 'string');
      assert.equal(typeof s.summary, 'string');
      assert.equal(typeof s.facts, 'object');
    }
    assert.deepEqual(doc.steps.find((s) => s.id === 'auth-schemes')?.facts.offered, ['Negotiate']);
    noSecret(r);
  });

  test('closed port: exit 5 (connection), the fix names the WinRM ports', async () => {
    const r = await runCapture(['doctor', '--host', '127.0.0.1', '--port', '1', '--scheme', 'http', '--user', 'Administrator', '--json']);
    assert.equal(r.code, 5);
    const doc = jsonDoc<DoctorDoc>(r.stdout);
    assert.equal(doc.ok, false);
    assert.equal(doc.exitCode, 5);
    const tcp = doc.steps.find((s) => s.id === 'tcp')!;
    assert.equal(tcp.status, 'fail');
    assert.match(tcp.fix ?? '', /5985 \(http\) and 5986 \(https\)/);
    assert.ok(doc.steps.slice(doc.steps.indexOf(tcp) + 1).every((s) => s.status === 'skip' && s.blockedBy === 'tcp'));
  });

  test('text output of a failure: FAIL line, its fix, skipped steps, the verdict with the exit code', async () => {
    const r = await runCapture(['doctor', ...hostArgs(http), '--transport', 'basic', '--allow-unencrypted']);
    assert.equal(r.code, 4);
    assert.match(r.stdout, /^\[FAIL\] Offered auth schemes +host offers Negotiate, not what --transport basic needs \(Basic\)$/m);
    assert.match(r.stdout, /^ +fix: On the host: winrm set winrm\/config\/service\/auth @\{Basic="true"\}/m);
    assert.match(r.stdout, /^\[skip\] Authenticated Identify +skipped: Offered auth schemes \(auth-schemes\) failed$/m);
    assert.match(r.stdout, /FAILED at auth-schemes .*exit code 4\.$/m);
    assert.doesNotMatch(r.stdout, /\bOK\b|no error/i);
  });

  test('wrong password: exit 4', async () => {
    const r = await runCapture(['doctor', ...hostArgs(http), '--json'], { env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: 'Wrong-Password-9' } });
    assert.equal(r.code, 4);
    assert.equal(jsonDoc<DoctorDoc>(r.stdout).steps.find((s) => s.id === 'identify')?.code, 'ERR_AUTH');
    assert.ok(!(r.stdout + r.stderr).includes('Wrong-Password-9'));
  });

  test('no Hyper-V namespace (OMI): exit 7, the step says it is not a Hyper-V host', async () => {
    const r = await runCapture(['doctor', ...hostArgs(omi), '--ntlm-empty-authenticate-body', '--operation-timeout', '1', '--read-timeout', '2']);
    assert.equal(r.code, 7, r.stdout);
    assert.match(r.stdout, /^\[FAIL\] Hyper-V namespace +not a Hyper-V host: Open Management Infrastructure/m);
    assert.match(r.stdout, /Hyper-V runs only on Windows/);
    assert.match(r.stdout, /^\[WARN\] Offered auth schemes +the host sent no answer within 2 s/m);
  });

  test('a Hyper-V namespace that shows the user no Msvm_VirtualSystemManagementService: exit 7, the fix names the role and the group', async () => {
    const empty = await startEmulatedHost({ emptyHypervNamespace: true });
    try {
      const r = await runCapture(['doctor', ...hostArgs(empty)]);
      assert.equal(r.code, 7, r.stdout);
      assert.match(r.stdout, /^\[FAIL\] Hyper-V namespace +root\/virtualization\/v2 answers an Enumerate of Msvm_VirtualSystemManagementService with no instance/m);
      assert.match(r.stdout, /'Hyper-V Administrators' group/);
      assert.match(r.stdout, /FAILED at hyperv-namespace/);
    } finally {
      await empty.close();
    }
  });

  test('settings that cannot be used: exit 2, the target step fails, nothing else runs', async () => {
    const r = await runCapture(['doctor', '--port', '5985', '--json'], { env: defaultEnv() });
    assert.equal(r.code, 2);
    const doc = jsonDoc<DoctorDoc>(r.stdout);
    assert.deepEqual(doc.steps.map((s) => [s.id, s.status]), [['target', 'fail']]);
    assert.match(doc.steps[0]!.summary, /--host is required/);
  });
});

test('a library message naming both the option and its flag says the flag once on the CLI', async () => {
  const { inFlagTerms } = await import('../src/cli/option-names.js');
  assert.equal(inFlagTerms('Pass the CA with --ca-trust-path (caTrustPath), or pin it with --cert-fingerprint sha256:AB (certFingerprint).'), 'Pass the CA with --ca-trust-path, or pin it with --cert-fingerprint sha256:AB.');
  assert.equal(inFlagTerms('Use --transport ntlm'), 'Use --transport ntlm', 'idempotent: a flag already written as a flag is left alone');
});
