/**
 * End to end over real sockets: our client against the emulated Hyper-V host, over HTTPS with a
 * generated CA (Basic and NTLM with channel binding) and over HTTP with NTLM message encryption.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_JOBS, DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, FIXTURE_VMS, generateTestCertificates, startEmulatedHost, type EmulatedHost, type TestCertificates } from '../src/emulator/index.js';
import { AuthenticationError, InvalidOptionError, TlsError } from '../src/errors.js';
import { HypervJobs, JobFailedError, JobNotFoundError, jobRefFromOutput } from '../src/hyperv/jobs.js';
import { getErrorToJson } from '../src/hyperv/job-json.js';
import { WsmanClient } from '../src/wsman/client.js';
import { isNotFoundFault, WsmanFaultError } from '../src/wsman/fault.js';
import { HYPERV_NAMESPACE, wmiResourceUri } from '../src/wsman/namespaces.js';
import type { ConnectionOptions } from '../src/options.js';

let certs: TestCertificates;
const hosts: EmulatedHost[] = [];
before(async () => {
  certs = await generateTestCertificates();
});
after(async () => {
  for (const h of hosts) await h.close();
  await certs?.cleanup();
});

async function host(opts: Parameters<typeof startEmulatedHost>[0] = {}): Promise<EmulatedHost> {
  const h = await startEmulatedHost({ requestLog: true, ...opts });
  hosts.push(h);
  return h;
}

function client(h: EmulatedHost, extra: Partial<ConnectionOptions> = {}): WsmanClient {
  return new WsmanClient({ host: h.hostname, port: h.port, scheme: h.scheme, user: DEFAULT_USER, password: DEFAULT_PASSWORD, ...extra });
}

describe('HTTPS + Basic, CA file from a generated CA', () => {
  let h: EmulatedHost;
  let c: WsmanClient;
  let jobs: HypervJobs;
  before(async () => {
    h = await host({ tls: { cert: certs.cert, key: certs.key }, auth: { basic: true } });
    c = client(h, { transport: 'basic', caTrustPath: certs.caCertPath });
    jobs = new HypervJobs(c);
  });
  after(() => c.close());

  test('Identify', async () => {
    const id = await c.identify();
    assert.equal(id.productVendor, 'Microsoft Corporation');
    assert.match(id.protocolVersion, /wsman/);
  });

  test('GetError on an OK job: ReturnValue 0, error null', async () => {
    const r = await jobs.getError(FIXTURE_JOB_IDS.completedConcrete);
    assert.equal(r.returnValue, 0);
    assert.equal(r.returnValueName, 'Completed with No Error');
    assert.equal(r.error, null);
    assert.equal(r.jobClass, 'Msvm_ConcreteJob');
  });

  test('GetError on a failed Msvm_ConcreteJob: typed Msvm_Error with escaping and CJK intact', async () => {
    const r = await jobs.getError(FIXTURE_JOB_IDS.failedConcrete);
    assert.ok(r.error);
    assert.equal(r.error.className, 'Msvm_Error');
    assert.ok(r.error.message?.includes(FIXTURE_VMS.failed.name), r.error.message ?? '');
    assert.equal(r.error.messageId, '32768');
    assert.deepEqual(r.error.messageArguments[0], FIXTURE_VMS.failed.name);
    assert.equal(r.error.errorType, 4);
    assert.equal(r.error.errorTypeName, 'Software Error');
    assert.equal(typeof r.error.raw, 'string');
    const json = JSON.parse(JSON.stringify(getErrorToJson(r))) as { error: { properties: Record<string, unknown>; valueMapNames: Record<string, unknown> } };
    assert.equal(json.error.valueMapNames.ErrorType, 'Software Error');
    assert.ok(Array.isArray(json.error.properties.MessageArguments));
  });

  test('GetError on a failed Msvm_MigrationJob is found without naming the class', async () => {
    const r = await jobs.getError(FIXTURE_JOB_IDS.failedMigration);
    assert.equal(r.jobClass, 'Msvm_MigrationJob');
    assert.ok(r.error?.message);
    assert.equal(r.returnValue, 0);
  });

  test('a null Error out parameter: xsi:nil, empty element or absent all decode to null', async () => {
    for (const form of ['nil', 'empty', 'absent'] as const) {
      h.model.update(FIXTURE_JOB_IDS.completedConcrete, { nullErrorForm: form });
      const r = await jobs.getError(FIXTURE_JOB_IDS.completedConcrete, 'Msvm_ConcreteJob');
      assert.equal(r.error, null, form);
      assert.equal(r.returnValue, 0, form);
    }
  });

  test('WMI system properties (__PATH, CLASSORIGIN="___SYSTEM") in the Msvm_Error are kept, not fatal', async () => {
    h.model.update(FIXTURE_JOB_IDS.failedConcrete, { errorXmlSystemProperties: true });
    const r = await jobs.getError(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob');
    // An embedded error instance has no path: WMI writes __PATH as NULL, __CLASS as the class.
    assert.ok(r.error && '__PATH' in r.error.instance.properties);
    assert.equal(r.error?.instance.properties.__CLASS, 'Msvm_Error');
    assert.equal(r.error?.instance.propertyInfo.__PATH?.classOrigin, '___SYSTEM');
    assert.ok(r.error?.message);
    h.model.update(FIXTURE_JOB_IDS.failedConcrete, { errorXmlSystemProperties: false });
  });

  test('GetError that the host refuses returns its code and name', async () => {
    const r = await jobs.getError(FIXTURE_JOB_IDS.accessDenied);
    assert.equal(r.returnValue, 32769);
    assert.equal(r.returnValueName, 'Access Denied');
  });

  test('GetErrorEx returns every error', async () => {
    const r = await jobs.getErrorEx(FIXTURE_JOB_IDS.twoErrors);
    assert.equal(r.errors.length, 2);
    assert.notEqual(r.errors[0]!.message, r.errors[1]!.message);
  });

  test('a missing job is a typed JobNotFoundError after searching both classes', async () => {
    await assert.rejects(jobs.getError('00000000-0000-0000-0000-000000000000'), (e: unknown) => {
      assert.ok(e instanceof JobNotFoundError);
      assert.equal(e.code, 'ERR_NOT_FOUND');
      assert.deepEqual(e.searched, ['Msvm_ConcreteJob', 'Msvm_MigrationJob']);
      const cause = e.cause;
      assert.ok(cause instanceof WsmanFaultError);
      assert.equal(cause.subcodeName, 'wsa:DestinationUnreachable');
      assert.equal(cause.wsmanCode, 2150858752);
      assert.ok(cause.extendedStatus, 'the ProviderFault carries __ExtendedStatus');
      return true;
    });
  });

  test('wrong selector names give wsman:InvalidSelectors, read as not-found', async () => {
    const uri = wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ConcreteJob');
    await assert.rejects(c.get(uri, { JobID: 'x' }), (e: unknown) => e instanceof WsmanFaultError && e.subcodeName === 'wsman:InvalidSelectors' && isNotFoundFault(e));
  });

  test('getJob and listJobs give typed jobs with named states', async () => {
    const j = await jobs.getJob(FIXTURE_JOB_IDS.failedConcrete);
    assert.equal(j.jobState, 10);
    assert.equal(j.jobStateName, 'Exception');
    assert.equal(typeof j.percentComplete, 'number');
    const failed: string[] = [];
    for await (const job of jobs.listJobs({ where: 'JobState = 10', maxElements: 2 })) failed.push(job.instanceId);
    assert.ok(failed.includes(FIXTURE_JOB_IDS.failedConcrete));
    assert.ok(failed.includes(FIXTURE_JOB_IDS.failedMigration));
    const all: string[] = [];
    for await (const job of jobs.listJobs({ maxElements: 3 })) all.push(job.instanceId);
    const expected = DEFAULT_JOBS.filter((j) => j.className !== 'Msvm_StorageJob').length;
    assert.equal(all.length, expected);
  });
});

describe('TLS verification', () => {
  test('an untrusted certificate is refused by default, with advice', async () => {
    const h = await host({ tls: { cert: certs.cert, key: certs.key }, auth: { basic: true } });
    const c = client(h, { transport: 'basic' });
    await assert.rejects(c.identify(), (e: unknown) => e instanceof TlsError && /caTrustPath|ca-trust-path/.test(e.message));
    await c.close();
  });

  test("serverCertValidation: 'ignore' is an explicit opt-out", async () => {
    const h = await host({ tls: { cert: certs.cert, key: certs.key }, auth: { basic: true } });
    const c = client(h, { transport: 'basic', serverCertValidation: 'ignore' });
    assert.equal((await c.identify()).productVendor, 'Microsoft Corporation');
    await c.close();
  });
});

describe('NTLM', () => {
  test('over HTTP every message is encrypted, and one handshake serves many calls', async () => {
    const h = await host();
    const c = client(h, { transport: 'ntlm', scheme: 'http' });
    const jobs = new HypervJobs(c);
    const r1 = await jobs.getError(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob');
    const r2 = await jobs.getError(FIXTURE_JOB_IDS.failedMigration, 'Msvm_MigrationJob');
    const r3 = await jobs.getErrorEx(FIXTURE_JOB_IDS.twoErrors);
    assert.ok(r1.error && r2.error && r3.errors.length === 2);
    const soap = h.requests.filter((r) => r.operation !== 'Handshake' && r.operation !== 'Rejected');
    assert.ok(soap.length >= 3);
    assert.ok(soap.every((r) => r.encrypted), 'every SOAP request travelled encrypted');
    const challenges = h.requests.filter((r) => r.httpStatus === 401);
    assert.equal(challenges.length, 1, 'exactly one NTLM challenge for the whole session');
    await c.close();
  });

  test('over HTTPS with channel binding, accepted by a strict host', async () => {
    const h = await host({ tls: { cert: certs.cert, key: certs.key }, cbtHardeningLevel: 'strict' });
    const c = client(h, { transport: 'ntlm', caTrustPath: certs.caCertPath });
    const r = await new HypervJobs(c).getError(FIXTURE_JOB_IDS.failedConcrete);
    assert.ok(r.error);
    await c.close();
  });

  test('without channel binding a strict host refuses, and the error says CBT was not sent', async () => {
    const h = await host({ tls: { cert: certs.cert, key: certs.key }, cbtHardeningLevel: 'strict' });
    const c = client(h, { transport: 'ntlm', caTrustPath: certs.caCertPath, sendCbt: false });
    await assert.rejects(c.identify(), (e: unknown) => e instanceof AuthenticationError && e.details.channelBindingSent === false && /channel binding/.test(e.message));
    await c.close();
  });

  test('a wrong password is one clear AuthenticationError, not retried, password not echoed', async () => {
    const h = await host();
    const c = new WsmanClient({ host: h.hostname, port: h.port, scheme: 'http', user: `HV-EMU01\\${DEFAULT_USER}`, password: 'not-the-Password-42' });
    await assert.rejects(c.identify(), (e: unknown) => {
      assert.ok(e instanceof AuthenticationError);
      assert.equal(e.details.attempted, 'ntlm');
      assert.ok(e.details.offered.includes('Negotiate'));
      assert.doesNotMatch(e.message, /not-the-Password-42/);
      return true;
    });
    assert.equal(h.requests.filter((r) => r.httpStatus === 401).length, 2, 'challenge + one rejected AUTHENTICATE, no retry');
    await c.close();
  });

  test('a method that starts a job: take the Job reference (whatever its class) and wait for it', async () => {
    const h = await host();
    const c = client(h, { transport: 'ntlm', scheme: 'http' });
    const jobs = new HypervJobs(c);
    const svc = wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_VirtualSystemMigrationService');
    const out = await c.invoke(svc, 'MigrateVirtualSystemToHost', { selectors: { Name: 'vmms' }, params: { DestinationHost: 'hv02' } });
    assert.equal(out.returnValue, 4096);
    const ref = jobRefFromOutput(out);
    assert.ok(ref);
    assert.equal(ref.className, 'Msvm_MigrationJob');
    assert.deepEqual(Object.keys(ref.selectors), ['InstanceID'], '__cimnamespace is not sent back with a WMI resource URI');
    const seen: number[] = [];
    await assert.rejects(
      jobs.waitForJob(ref, { pollIntervalMs: 5, maxPollIntervalMs: 20, timeoutMs: 30_000, onProgress: (j) => seen.push(j.percentComplete ?? -1) }),
      (e: unknown) => e instanceof JobFailedError && e.jobError?.error !== null && e.jobError?.error !== undefined && e.job.jobState === 10,
    );
    assert.ok(seen.length >= 2, 'progress was reported while polling');
    const storage = await c.invoke(wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ImageManagementService'), 'ResizeVirtualHardDisk', { selectors: { Name: 'vhd' }, params: { Path: 'C:\\vm\\disk.vhdx', MaxInternalSize: 1n << 40n } });
    const sref = jobRefFromOutput(storage);
    assert.equal(sref?.className, 'Msvm_StorageJob');
    const done = await jobs.waitForJob(sref!, { pollIntervalMs: 5, maxPollIntervalMs: 20, timeoutMs: 30_000 });
    assert.equal(done.jobState, 7);
    // msvm-storagejob.md: "Expansion (4) Expanding the size of a VHD image." (the ConcreteJob table's 4 is
    // "Modify Management Service Settings").
    assert.equal(done.jobType, 4);
    assert.equal(done.jobTypeName, 'Expansion');
    await c.close();
  });
});

describe('refused before any I/O', () => {
  test('Basic over plain HTTP', () => {
    assert.throws(() => new WsmanClient({ host: '127.0.0.1', port: 1, scheme: 'http', transport: 'basic', user: 'u', password: 'p' }), InvalidOptionError);
  });
  test("messageEncryption 'always' with Basic", () => {
    assert.throws(() => new WsmanClient({ host: '127.0.0.1', transport: 'basic', messageEncryption: 'always', user: 'u', password: 'p' }), InvalidOptionError);
  });
  test('NTLM without encryption over HTTP', () => {
    assert.throws(() => new WsmanClient({ host: '127.0.0.1', scheme: 'http', messageEncryption: 'never', user: 'u', password: 'p' }), InvalidOptionError);
  });
  test('a port inside host (it has its own option); a bare IPv6 address is a host', () => {
    assert.throws(() => new WsmanClient({ host: '127.0.0.1:5985', user: 'u', password: 'p' }), /includes a port; pass the port as the port option/);
    assert.throws(() => new WsmanClient({ host: '[::1]:5986', user: 'u', password: 'p' }), InvalidOptionError);
    assert.doesNotThrow(() => new WsmanClient({ host: 'fe80::1', user: 'u', password: 'p' }));
  });
  test('read timeout not above the operation timeout', () => {
    assert.throws(() => new WsmanClient({ host: '127.0.0.1', user: 'u', password: 'p', operationTimeoutSec: 30, readTimeoutSec: 30 }), InvalidOptionError);
  });
});
