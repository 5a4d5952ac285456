/**
 * pywinrm (Debian python3-winrm 0.3.0, with requests-ntlm and ntlm-auth: NTLM, WinRM message encryption
 * and channel binding we did not write) as a client of the emulated Hyper-V host. The driver
 * interop/py/pywinrm_client.py writes raw WS-Man envelopes, sends them with Protocol.send_message and
 * reads the replies with ElementTree; here we start the emulator and compare what pywinrm got with the
 * fixtures and with the emulator's request log.
 */
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_JOBS,
  DEFAULT_PASSWORD,
  DEFAULT_USER,
  FIXTURE_JOB_IDS,
  generateTestCertificates,
  startEmulatedHost,
  type EmulatedHost,
  type EmulatedHostOptions,
  type EmulatorRequestRecord,
  type JobFixture,
  type TestCertificates,
} from '../src/emulator/index.js';
import { runPythonPeer } from './python-peer.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newClientCertificate } from '../src/auth/certificate/new-certificate.js';

const PEER_PACKAGES = ['python3-winrm', 'python3-requests-ntlm', 'python3-ntlm-auth'];
const TEST_TIMEOUT_MS = 120_000;

interface PeerRequest {
  name: string;
  kind: 'getError' | 'get' | 'enumerate';
  className?: string;
  instanceId?: string;
  query?: string;
  maxElements?: number;
}

interface CimInstance {
  class: string;
  properties: Record<string, string | string[] | null>;
}

interface PeerResult {
  name: string;
  ok: boolean;
  reply?: {
    element?: string;
    returnValue?: string;
    error?: CimInstance | null;
    properties?: Record<string, string | null>;
    instanceIds?: string[];
    pulls?: number;
    ended?: boolean;
  };
  errorType?: string;
  httpStatus?: number;
  message?: string;
  fault?: { wsmanfault_code?: string; fault_code?: string; fault_subcode?: string; http_status_code?: number } | null;
}

interface PeerRun {
  versions: Record<string, string>;
  /** pywinrm's transport set up WinRM message encryption. */
  encrypted: boolean;
  /** One entry per NTLM AUTHENTICATE: whether requests-ntlm passed a certificate hash (channel bindings). */
  cbtSent: boolean[];
  results: PeerResult[];
}

interface PeerConnection {
  transport: 'ntlm' | 'basic' | 'certificate';
  certPem?: string;
  certKeyPem?: string;
  password?: string;
  messageEncryption?: 'auto' | 'always' | 'never';
  sendCbt?: boolean;
  trustCa?: boolean;
  /** CA file to trust instead of the suite's default test CA. */
  caPath?: string;
}

const WMI = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/';

const job = (id: string): JobFixture => {
  const found = DEFAULT_JOBS.find((j) => j.instanceId === id);
  assert.ok(found, `fixture ${id}`);
  return found;
};

/** Every shape of reply the Hyper-V job workflow needs. */
const REQUESTS: PeerRequest[] = [
  { name: 'getError-concrete-failed', kind: 'getError', className: 'Msvm_ConcreteJob', instanceId: FIXTURE_JOB_IDS.failedConcrete },
  { name: 'getError-migration-failed', kind: 'getError', className: 'Msvm_MigrationJob', instanceId: FIXTURE_JOB_IDS.failedMigration },
  { name: 'getError-concrete-completed', kind: 'getError', className: 'Msvm_ConcreteJob', instanceId: FIXTURE_JOB_IDS.completedConcrete },
  { name: 'getError-access-denied', kind: 'getError', className: 'Msvm_ConcreteJob', instanceId: FIXTURE_JOB_IDS.accessDenied },
  { name: 'get-failed-job', kind: 'get', className: 'Msvm_ConcreteJob', instanceId: FIXTURE_JOB_IDS.failedConcrete },
  { name: 'get-missing-job', kind: 'get', className: 'Msvm_ConcreteJob', instanceId: '00000000-0000-0000-0000-000000000000' },
  { name: 'enumerate-concrete', kind: 'enumerate', query: 'SELECT * FROM Msvm_ConcreteJob', maxElements: 3 },
];

let certs: TestCertificates;
before(async () => {
  certs = await generateTestCertificates();
});
after(async () => {
  await certs.cleanup();
});

async function withHost<T>(options: EmulatedHostOptions, body: (host: EmulatedHost) => Promise<T>): Promise<T> {
  const host = await startEmulatedHost({ requestLog: true, ...options });
  try {
    return await body(host);
  } finally {
    await host.close();
  }
}

function runPywinrm(host: EmulatedHost, c: PeerConnection, requests: readonly PeerRequest[] = REQUESTS): Promise<PeerRun> {
  return runPythonPeer<PeerRun>(
    'pywinrm_client.py',
    {
      endpoint: host.url,
      transport: c.transport,
      username: DEFAULT_USER,
      password: c.password ?? DEFAULT_PASSWORD,
      messageEncryption: c.messageEncryption ?? 'auto',
      sendCbt: c.sendCbt ?? true,
      ...(c.trustCa ? { caTrustPath: c.caPath ?? certs.caCertPath } : {}),
      ...(c.certPem !== undefined ? { certPem: c.certPem, certKeyPem: c.certKeyPem } : {}),
      requests,
    },
    PEER_PACKAGES,
  );
}

function result(run: PeerRun, name: string): PeerResult {
  const r = run.results.find((x) => x.name === name);
  assert.ok(r, `pywinrm ran ${name}`);
  return r;
}

function reply(run: PeerRun, name: string): NonNullable<PeerResult['reply']> {
  const r = result(run, name);
  assert.ok(r.ok && r.reply, `${name} succeeded: ${r.errorType ?? ''} ${r.message ?? ''}`);
  return r.reply;
}

/** What pywinrm read must be the fixtures' values, field by field. */
function assertReplies(run: PeerRun, host: EmulatedHost): void {
  const failed = job(FIXTURE_JOB_IDS.failedConcrete).errors![0]!;
  const concrete = reply(run, 'getError-concrete-failed');
  assert.equal(concrete.element, `{${WMI}Msvm_ConcreteJob}GetError_OUTPUT`);
  assert.equal(concrete.returnValue, '0');
  assert.equal(concrete.error?.class, 'Msvm_Error');
  assert.equal(concrete.error?.properties['MessageID'], failed.messageId);
  assert.equal(concrete.error?.properties['Message'], failed.message, 'markup, quotes and CJK survive both escaping layers and the encryption');
  assert.deepEqual(concrete.error?.properties['MessageArguments'], failed.messageArguments);
  assert.deepEqual(concrete.error?.properties['RecommendedActions'], failed.recommendedActions);

  const migrationError = job(FIXTURE_JOB_IDS.failedMigration).errors![0]!;
  const migration = reply(run, 'getError-migration-failed');
  assert.equal(migration.element, `{${WMI}Msvm_MigrationJob}GetError_OUTPUT`);
  assert.equal(migration.returnValue, '0');
  assert.equal(migration.error?.properties['MessageID'], '21502');
  assert.equal(migration.error?.properties['Message'], migrationError.message);
  assert.equal(migration.error?.properties['ProbableCauseDescription'], migrationError.probableCauseDescription);

  const completed = reply(run, 'getError-concrete-completed');
  assert.equal(completed.returnValue, '0');
  assert.equal(completed.error, null, 'a job that succeeded has a NULL Error');
  assert.equal(reply(run, 'getError-access-denied').returnValue, '32769');

  const got = reply(run, 'get-failed-job');
  assert.equal(got.element, `{${WMI}Msvm_ConcreteJob}Msvm_ConcreteJob`);
  assert.equal(got.properties?.['InstanceID'], FIXTURE_JOB_IDS.failedConcrete);
  assert.equal(got.properties?.['JobState'], '10');
  assert.equal(got.properties?.['ErrorCode'], '32768');

  const enumerated = reply(run, 'enumerate-concrete');
  assert.ok(enumerated.ended && (enumerated.pulls ?? 0) > 0, 'Enumerate plus at least one Pull to EndOfSequence');
  assert.deepEqual(
    [...(enumerated.instanceIds ?? [])].sort(),
    DEFAULT_JOBS.filter((j) => j.className === 'Msvm_ConcreteJob').map((j) => j.instanceId).sort(),
  );

  // The fault, as pywinrm's own SOAP fault parser read it, is the one the emulator logged.
  const missing = result(run, 'get-missing-job');
  assert.equal(missing.ok, false);
  assert.equal(missing.errorType, 'WinRMError');
  const logged = host.requests.find((r) => r.operation === 'Get' && r.httpStatus === 500);
  assert.ok(logged?.fault);
  assert.equal(missing.fault?.http_status_code, 500);
  assert.equal(missing.fault?.fault_code, 's:Sender');
  assert.equal(missing.fault?.fault_subcode?.split(':')[1], logged.fault);
  assert.match(missing.fault?.wsmanfault_code ?? '', /^\d+$/);
}

/** The SOAP requests the emulator served (handshake legs and refusals left out). */
function soapRequests(host: EmulatedHost): EmulatorRequestRecord[] {
  return host.requests.filter((r) => r.operation !== 'Handshake' && r.operation !== 'Rejected');
}

test('pywinrm, NTLM with message encryption over HTTP: every WS-Man operation round-trips sealed', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHost({}, async (host) => {
    const run = await runPywinrm(host, { transport: 'ntlm', messageEncryption: 'auto' });
    assert.equal(run.versions['pywinrm'], '0.3.0', 'the Debian bookworm pywinrm these tests were written against');
    assert.ok(run.encrypted, 'pywinrm chose encryption on http');
    assert.deepEqual(run.cbtSent, [false], 'one NTLM handshake, no channel binding without TLS');
    assertReplies(run, host);
    const served = soapRequests(host);
    assert.equal(served.length, REQUESTS.length + result(run, 'enumerate-concrete').reply!.pulls!);
    for (const r of served) {
      assert.equal(r.encrypted, true, `${r.operation} arrived sealed`);
      assert.equal(r.authScheme, 'ntlm');
      assert.equal(r.user?.toLowerCase(), DEFAULT_USER.toLowerCase());
    }
  });
});

test('pywinrm, NTLM over HTTPS trusting the test CA: accepted under CbtHardeningLevel=Strict because it sends channel bindings', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHost({ tls: certs, cbtHardeningLevel: 'strict' }, async (host) => {
    const run = await runPywinrm(host, { transport: 'ntlm', trustCa: true });
    assert.equal(run.encrypted, false, "message_encryption='auto' does not encrypt inside TLS");
    assert.deepEqual(run.cbtSent, [true], 'requests-ntlm 1.1.0 passes the certificate hash to ntlm-auth');
    assertReplies(run, host);
    assert.ok(soapRequests(host).every((r) => !r.encrypted && r.authScheme === 'ntlm'));
    assert.ok(!host.requests.some((r) => /cbt/.test(r.authFailure ?? '')), 'no channel binding failure logged');
  });
});

test('channel binding with SHA-384 and SHA-512 signed certificates: pywinrm computes the RFC 5929 hash independently and a strict host accepts it', { timeout: TEST_TIMEOUT_MS }, async () => {
  for (const digest of ['sha384', 'sha512'] as const) {
    const c = await generateTestCertificates({ digest });
    try {
      await withHost({ tls: c, cbtHardeningLevel: 'strict' }, async (host) => {
        const run = await runPywinrm(host, { transport: 'ntlm', trustCa: true, caPath: c.caCertPath }, REQUESTS.slice(0, 1));
        assert.deepEqual(run.cbtSent, [true], digest);
        assert.ok(!host.requests.some((r) => /cbt/.test(r.authFailure ?? '')), `${digest}: no channel binding failure`);
        assert.ok(soapRequests(host).length >= 1, `${digest}: the SOAP request was served`);
      });
    } finally {
      await c.cleanup();
    }
  }
});

test('pywinrm without channel bindings (send_cbt=False): Strict refuses it with 401, Relaxed accepts it', { timeout: TEST_TIMEOUT_MS }, async () => {
  const one = REQUESTS.slice(0, 1);
  await withHost({ tls: certs, cbtHardeningLevel: 'strict' }, async (host) => {
    const run = await runPywinrm(host, { transport: 'ntlm', trustCa: true, sendCbt: false }, one);
    assert.deepEqual(run.cbtSent, [false]);
    assert.equal(run.results[0]?.errorType, 'InvalidCredentialsError');
    assert.ok(host.requests.some((r) => r.httpStatus === 401 && /cbt-missing/.test(r.authFailure ?? '')), 'the emulator says why');
  });
  await withHost({ tls: certs, cbtHardeningLevel: 'relaxed' }, async (host) => {
    const run = await runPywinrm(host, { transport: 'ntlm', trustCa: true, sendCbt: false }, one);
    assert.equal(reply(run, 'getError-concrete-failed').error?.properties['MessageID'], '32768');
  });
});

test("pywinrm, NTLM over HTTPS with message_encryption='always': sealed messages inside TLS", { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHost({ tls: certs, cbtHardeningLevel: 'strict' }, async (host) => {
    const run = await runPywinrm(host, { transport: 'ntlm', trustCa: true, messageEncryption: 'always' });
    assert.ok(run.encrypted);
    assertReplies(run, host);
    assert.ok(soapRequests(host).every((r) => r.encrypted && r.authScheme === 'ntlm'));
  });
});

test('pywinrm, Basic over HTTPS', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHost({ tls: certs, auth: { basic: true } }, async (host) => {
    const run = await runPywinrm(host, { transport: 'basic', trustCa: true });
    assert.equal(run.encrypted, false);
    assert.deepEqual(run.cbtSent, [], 'no NTLM handshake');
    assertReplies(run, host);
    assert.ok(soapRequests(host).every((r) => r.authScheme === 'basic' && !r.encrypted));
  });
});

for (const negotiation of ['renegotiate', 'handshake'] as const) {
  test(`pywinrm, transport='certificate' against a host that asks for the certificate ${negotiation === 'renegotiate' ? 'after the request (TLS 1.2 renegotiation, as HTTP.sys)' : 'in the first handshake'}`, { timeout: TEST_TIMEOUT_MS }, async () => {
    // A certificate made by our own `cert new` code, mapped the way WinRM maps one; pywinrm is the client nobody here wrote.
    const made = newClientCertificate({ upn: 'svc-hyperv@localhost', days: 2 });
    const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-pywinrm-cert-'));
    try {
      writeFileSync(join(dir, 'client.crt'), made.certPem);
      writeFileSync(join(dir, 'client.key'), made.keyPem, { mode: 0o600 });
      const clientCertificates = { issuers: [made.certPem], mappings: [{ subject: made.upn, issuerThumbprint: made.issuerThumbprint, user: DEFAULT_USER }], negotiation };
      // Python offers TLS 1.3 with post-handshake authentication, which a Node server cannot ask for; the
      // renegotiating host is therefore one that speaks TLS 1.2 at most (Windows Server 2019 and older).
      await withHost({ tls: certs, clientCertificates, ...(negotiation === 'renegotiate' ? { tlsMaxVersion: 'TLSv1.2' as const } : {}) }, async (host) => {
        const run = await runPywinrm(host, { transport: 'certificate', trustCa: true, certPem: join(dir, 'client.crt'), certKeyPem: join(dir, 'client.key') });
        assert.equal(run.encrypted, false, 'TLS protects the body');
        assertReplies(run, host);
        assert.ok(soapRequests(host).every((r) => r.authScheme === 'certificate' && r.user === DEFAULT_USER));
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('pywinrm with a wrong password gets 401 (InvalidCredentialsError)', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withHost({}, async (host) => {
    const run = await runPywinrm(host, { transport: 'ntlm', password: `${DEFAULT_PASSWORD}-wrong` }, REQUESTS.slice(0, 1));
    assert.equal(run.results[0]?.ok, false);
    assert.equal(run.results[0]?.errorType, 'InvalidCredentialsError');
    assert.ok(host.requests.some((r) => r.httpStatus === 401 && /bad-password/.test(r.authFailure ?? '')), 'refused for the password, not for the protocol');
    assert.equal(soapRequests(host).length, 0, 'no SOAP request was served');
  });
});
