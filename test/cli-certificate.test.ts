/**
 * The CLI with --transport certificate: `cert new` makes a certificate, the emulated host maps it,
 * `job-error` reads a failed job's Msvm_Error with no password anywhere; usage errors exit 2 naming
 * the flag, refusals exit 4, an encrypted key without a passphrase and without a terminal fails at once.
 */
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FIXTURE_JOB_IDS, generateTestCertificates, startEmulatedHost, type EmulatedHost, type TestCertificates } from '../src/emulator/index.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { emptyHome, runCapture } from './helpers/cli-harness.js';

let server: TestCertificates;
let dir: string;
let host: EmulatedHost;
let made: { certPem: string; certKeyPem: string; thumbprint: string; issuerThumbprint: string };

/** No password in the environment: certificate authentication must not need one. */
const env = (): Record<string, string> => ({ HOME: emptyHome() });

before(async () => {
  server = await generateTestCertificates();
  dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-cli-cert-'));
  const r = await runCapture(['cert', 'new', '--upn', 'svc-hyperv@localhost', '--out', join(dir, 'c'), '--key-type', 'ec', '--json'], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  made = JSON.parse(r.stdout) as typeof made;
  const pem = readFileSync(made.certPem, 'utf8');
  host = await startEmulatedHost({
    requestLog: true,
    tls: { cert: server.cert, key: server.key },
    clientCertificates: { issuers: [pem], mappings: [{ subject: 'svc-hyperv@localhost', issuerThumbprint: made.issuerThumbprint, user: 'Administrator' }] },
  });
});
after(async () => {
  await host?.close();
  await server?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const connection = (): string[] => ['--host', host.hostname, '--port', String(host.port), '--scheme', 'https', '--ca-trust-path', server.caCertPath, '--transport', 'certificate'];

describe('hyperv-wsman --transport certificate', () => {
  test('cert new writes the key 0600, the certificate and the host script; refuses to overwrite without --force', async () => {
    assert.equal(statSync(made.certKeyPem).mode & 0o777, 0o600);
    assert.match(readFileSync(join(dir, 'c', 'map-on-host.ps1'), 'utf8'), /New-Item -Path WSMan:\\localhost\\ClientCertificate -Subject 'svc-hyperv@localhost'/);
    const again = await runCapture(['cert', 'new', '--upn', 'svc-hyperv@localhost', '--out', join(dir, 'c')], { env: env() });
    assert.equal(again.code, EXIT.USAGE);
    assert.match(again.stderr, /--force/);
  });

  test('job-error of a failed job: the decoded Msvm_Error, exit 0, no password given', async () => {
    const r = await runCapture(['job-error', FIXTURE_JOB_IDS.failedConcrete, ...connection(), '--cert-pem', made.certPem, '--cert-key-pem', made.certKeyPem], { env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /failed to modify device/);
    assert.ok(host.requests.some((q) => q.authScheme === 'certificate' && q.user === 'Administrator'));
  });

  test('usage errors exit 2 and name the flag: http, missing --cert-key-pem', async () => {
    const http = await runCapture(['identify', '--host', '127.0.0.1', '--port', '5985', '--scheme', 'http', '--transport', 'certificate', '--cert-pem', made.certPem, '--cert-key-pem', made.certKeyPem], { env: env() });
    assert.equal(http.code, EXIT.USAGE);
    assert.match(http.stderr, /needs https/);
    const missing = await runCapture(['identify', ...connection(), '--cert-pem', made.certPem], { env: env() });
    assert.equal(missing.code, EXIT.USAGE);
    assert.match(missing.stderr, /--cert-key-pem/);
  });

  test('an encrypted key: no passphrase and no terminal fails at once (exit 2); the passphrase from the environment works and never shows', async () => {
    const enc = join(dir, 'enc.key');
    writeFileSync(enc, createPrivateKey(readFileSync(made.certKeyPem)).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'S3cret-pass' }) as string, { mode: 0o600 });
    const t0 = Date.now();
    const none = await runCapture(['identify', ...connection(), '--cert-pem', made.certPem, '--cert-key-pem', enc], { env: env() });
    assert.equal(none.code, EXIT.USAGE);
    assert.match(none.stderr, /HYPERV_WSMAN_CERT_KEY_PASSWORD/);
    assert.ok(Date.now() - t0 < 10_000, 'no prompt, no hang');
    const ok = await runCapture(['identify', ...connection(), '--cert-pem', made.certPem, '--cert-key-pem', enc, '--verbose', '--debug'], { env: { ...env(), HYPERV_WSMAN_CERT_KEY_PASSWORD: 'S3cret-pass' } });
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(!(ok.stdout + ok.stderr).includes('S3cret-pass'));
    assert.ok(!(ok.stdout + ok.stderr).includes('PRIVATE KEY'));
  });

  test('a certificate the host does not trust (another self-signed one): exit 4 naming its issuer', async () => {
    const other = await runCapture(['cert', 'new', '--upn', 'nobody@localhost', '--out', join(dir, 'o'), '--json'], { env: env() });
    const o = JSON.parse(other.stdout) as typeof made;
    const r = await runCapture(['job-error', FIXTURE_JOB_IDS.failedConcrete, ...connection(), '--cert-pem', o.certPem, '--cert-key-pem', o.certKeyPem], { env: env() });
    assert.equal(r.code, EXIT.AUTH, r.stderr);
    assert.match(r.stderr, /issuer "CN=nobody"/);
  });
});
