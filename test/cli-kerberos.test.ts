/**
 * `hyperv-wsman job-error --transport kerberos|negotiate` end to end against the emulated host and
 * its in-memory KDC: HTTP with message encryption and HTTPS with channel binding (CbtHardeningLevel
 * strict), with a password, a keytab and a credential cache ($KRB5CCNAME); and the auth exit code
 * (4) with a message that says what to do for a wrong password, an unknown SPN and clock skew.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, generateTestCertificates, startEmulatedHost, type EmulatedHost, type TestCertificates } from '../src/emulator/index.js';
import { emptyHome, runCapture, startEmulatorProcess, type CliRun } from './helpers/cli-harness.js';
import { kerberosFiles, type KerberosFiles } from './helpers/kerberos-env.js';

const cli = (argv: string[], env: Record<string, string>): Promise<CliRun> => runCapture(argv, { env: { HOME: emptyHome(), ...env } });

const withPassword = { HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD };

let certs: TestCertificates;
let http: EmulatedHost;
let https: EmulatedHost;
let httpFiles: KerberosFiles;
let httpsFiles: KerberosFiles;
before(async () => {
  certs = await generateTestCertificates();
  http = await startEmulatedHost({ kerberos: { kdc: true } });
  https = await startEmulatedHost({ tls: { cert: certs.cert, key: certs.key }, cbtHardeningLevel: 'strict', kerberos: { kdc: true }, requestLog: true });
  httpFiles = await kerberosFiles(http, DEFAULT_USER, DEFAULT_PASSWORD);
  httpsFiles = await kerberosFiles(https, DEFAULT_USER, DEFAULT_PASSWORD);
});
after(async () => {
  httpFiles.remove();
  httpsFiles.remove();
  await http.close();
  await https.close();
  await certs.cleanup();
});

const overHttp = (transport: string): string[] => ['--host', '127.0.0.1', '--port', String(http.port), '--scheme', 'http', '--transport', transport, '--krb5-config', httpFiles.krb5Config];
const overHttps = (transport: string): string[] => [
  '--host', '127.0.0.1', '--port', String(https.port), '--scheme', 'https', '--ca-trust-path', certs.caCertPath, '--transport', transport, '--krb5-config', httpsFiles.krb5Config,
];
const jobError = ['job-error', '--job-id', FIXTURE_JOB_IDS.failedMigration, '--json'];

function assertDecoded(r: { code: number; stdout: string; stderr: string }): void {
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { jobClass: string; error: { className: string } | null };
  assert.equal(out.jobClass, 'Msvm_MigrationJob');
  assert.equal(out.error?.className, 'Msvm_Error');
}

describe('job-error over Kerberos', () => {
  for (const transport of ['kerberos', 'negotiate']) {
    test(`--transport ${transport}, password, HTTP with message encryption`, async () => {
      assertDecoded(await cli([...jobError, ...overHttp(transport), '--user', DEFAULT_USER], withPassword));
    });
    test(`--transport ${transport}, keytab, HTTPS with channel binding (strict host)`, async () => {
      assertDecoded(await cli([...jobError, ...overHttps(transport), '--keytab', httpsFiles.keytab], {}));
      assert.equal(https.requests.at(-1)?.authScheme, 'kerberos');
    });
    test(`--transport ${transport}, credential cache from $KRB5CCNAME, no --user and no password`, async () => {
      assertDecoded(await cli([...jobError, ...overHttp(transport)], { KRB5CCNAME: `FILE:${httpFiles.ccache}` }));
    });
  }
  test('--kdc and --kerberos-service WSMAN instead of krb5.conf', async () => {
    const kdc = http.kerberos!.kdc!;
    const r = await cli([...jobError, '--host', '127.0.0.1', '--port', String(http.port), '--scheme', 'http', '--transport', 'kerberos', '--user', `${DEFAULT_USER}@EMULATOR.TEST`, '--kdc', `${kdc.host}:${kdc.port}`, '--kerberos-service', 'WSMAN'], withPassword);
    assertDecoded(r);
  });
});

describe('Kerberos failures exit 4 and say what to do', () => {
  test('wrong password', async () => {
    const r = await cli([...jobError, ...overHttp('kerberos'), '--user', DEFAULT_USER], { HYPERV_WSMAN_PASSWORD: 'not the password' });
    assert.equal(r.code, 4);
    assert.match(r.stderr, /Wrong password for Administrator@EMULATOR\.TEST/);
    assert.doesNotMatch(r.stderr + r.stdout, /not the password/);
  });
  test('unknown SPN names it and suggests --kerberos-hostname-override', async () => {
    const r = await cli([...jobError, ...overHttp('kerberos'), '--user', DEFAULT_USER, '--kerberos-hostname-override', 'hv99.example.com'], withPassword);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /HTTP\/hv99\.example\.com@EMULATOR\.TEST/);
    assert.match(r.stderr, /--kerberos-hostname-override; the service class is set with --kerberos-service, HTTP or WSMAN/);
    assert.doesNotMatch(r.stderr, /kerberosHostnameOverride|library:/, 'the CLI names its flags, once');
  });
  test('clock skew with the KDC', async () => {
    const skewed = await startEmulatedHost({ kerberos: { kdc: { clockOffsetSeconds: -900 } } });
    try {
      const kdc = skewed.kerberos!.kdc!;
      const r = await cli([...jobError, '--host', '127.0.0.1', '--port', String(skewed.port), '--scheme', 'http', '--transport', 'kerberos', '--user', `${DEFAULT_USER}@EMULATOR.TEST`, '--kdc', `${kdc.host}:${kdc.port}`], withPassword);
      assert.equal(r.code, 4);
      assert.match(r.stderr, /Clocks differ too much/);
      assert.match(r.stderr, /900 s behind/);
    } finally {
      await skewed.close();
    }
  });
  test('a realm without a KDC (krb5.conf names none, no DNS lookup): exit 4, says what to add', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvw-krb-nokdc-'));
    try {
      const conf = join(dir, 'krb5.conf');
      writeFileSync(conf, '[libdefaults]\n  default_realm = NOKDC.TEST\n  dns_lookup_kdc = false\n');
      const r = await cli([...jobError, '--host', '127.0.0.1', '--port', String(http.port), '--scheme', 'http', '--transport', 'kerberos', '--user', 'alice', '--krb5-config', conf], withPassword);
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /ERR_KDC_NOT_FOUND/);
      assert.match(r.stderr, /\[realms\] NOKDC\.TEST/);
      assert.match(r.stderr, /--kdc/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('Kerberos flags with another transport are refused (exit 2)', async () => {
    const r = await cli([...jobError, '--host', '127.0.0.1', '--port', String(http.port), '--scheme', 'http', '--user', DEFAULT_USER, '--kdc', '127.0.0.1'], withPassword);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--kdc applies only with --transport kerberos or negotiate/);
  });
});

describe('hyperv-wsman emulator --kerberos', () => {
  test('prints the realm, the KDC and a krb5.conf; the printed settings run job-error over Kerberos', async () => {
    const emulator = await startEmulatorProcess(['--kerberos', '--kerberos-realm', 'demo.test']);
    try {
      const { env, stdout: out } = emulator;
      assert.equal(env.HYPERV_WSMAN_TRANSPORT, 'kerberos');
      assert.equal(env.HYPERV_WSMAN_USER, `${DEFAULT_USER}@DEMO.TEST`);
      const conf = env.HYPERV_WSMAN_KRB5_CONFIG!;
      assert.match(readFileSync(conf, 'utf8'), /default_realm = DEMO\.TEST/);
      const kdc = /^# Kerberos realm DEMO\.TEST: KDC (127\.0\.0\.1:\d+) \(TCP and UDP\)/m.exec(out);
      assert.ok(kdc, out);
      assert.match(out, new RegExp(`^#\\s+kdc = ${kdc[1]!.replace(/\./g, '\\.')}$`, 'm'));
      assert.match(out, /HTTP\/127\.0\.0\.1@DEMO\.TEST/);
      assertDecoded(await runCapture([...jobError], { env }));
      // Negotiate with the same settings, and the flags printed for a client without the file.
      assertDecoded(await runCapture([...jobError, '--transport', 'negotiate'], { env }));
      const { HYPERV_WSMAN_KRB5_CONFIG: _omit, ...noFile } = env;
      assertDecoded(await runCapture([...jobError, '--kdc', kdc[1]!], { env: { ...noFile, KRB5_CONFIG: '/nonexistent/krb5.conf' } }));
      assert.equal(await emulator.stop(), 0, emulator.stderr());
      assert.equal(existsSync(conf), false, 'the krb5.conf is removed when the emulator stops');
    } finally {
      emulator.kill();
    }
  });

  test('--kerberos-realm without --kerberos is a usage error', async () => {
    const r = await runCapture(['emulator', '--kerberos-realm', 'X.TEST']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--kerberos-realm only applies with --kerberos/);
  });
});
