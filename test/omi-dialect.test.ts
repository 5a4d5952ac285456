// End to end against the emulated host in its OMI dialect (src/emulator/dialect.ts): the CLI and the
// library over real sockets, NTLM with message encryption over http (column-0 part headers both ways,
// OMI's extra CRLF) and Basic over https, identify in the SOAP namespace, the cim dialect's
// __cimnamespace selector, <p:Method> replies, --dialect auto, and OMI's silence to a request
// without credentials. The same commands against the Windows dialect show both stay served.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { EXIT } from '../src/cli/exit-codes.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { generateTestCertificates } from '../src/emulator/tls.js';
import { WsmanClient } from '../src/wsman/client.js';
import { isNotFoundFault, WsmanFaultError } from '../src/wsman/fault.js';
import { isMissingClassOrNamespace } from '../src/hyperv/jobs.js';
import { classTarget } from '../src/wsman/dialect.js';
import { HYPERV_NAMESPACE } from '../src/wsman/namespaces.js';
import { encryptMessage } from '../src/auth/message-encryption.js';
import { hasIndentedPartHeader } from '../src/emulator/dialect.js';
import { defaultEnv, hostArgs, jsonDoc, jsonLines, runCapture } from './helpers/cli-harness.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseParams } from '../src/cli/key-value.js';
import { buildInvokeRequest } from '../src/wsman/requests.js';

let omi: EmulatedHost;
let windows: EmulatedHost;

before(async () => {
  omi = await startEmulatedHost({ dialect: 'omi', requestLog: true });
  windows = await startEmulatedHost({ requestLog: true });
});
after(async () => {
  await omi.close();
  await windows.close();
});

type Json = Record<string, unknown>;
const CIM = ['--dialect', 'cim', '--namespace', 'root/virtualization/v2'];
const lastRequests = (host: EmulatedHost, n: number): readonly (typeof host.requests)[number][] => host.requests.slice(-n);

describe('identify', () => {
  test('OMI answers in the SOAP namespace; the CLI reads it', async () => {
    const r = await runCapture(['identify', ...hostArgs(omi), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const doc = jsonDoc(r.stdout);
    assert.equal(doc.productVersion, '1.0.8-6');
    assert.equal(doc.protocolVersion, 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd');
  });
});

describe('cim dialect: get / enumerate / invoke with message encryption', () => {
  test('get sends the DMTF URI and __cimnamespace, over an encrypted NTLM session', async () => {
    const r = await runCapture(['get', 'Msvm_ConcreteJob', ...CIM, '--selector', `InstanceID=${FIXTURE_JOB_IDS.failedConcrete}`, ...hostArgs(omi), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.equal(jsonDoc<Json>(r.stdout).className, 'Msvm_ConcreteJob');
    const [rec] = lastRequests(omi, 1);
    assert.equal(rec!.resourceUri, 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Msvm_ConcreteJob');
    assert.deepEqual(rec!.selectors, { InstanceID: FIXTURE_JOB_IDS.failedConcrete, __cimnamespace: 'root/virtualization/v2' });
    assert.equal(rec!.encrypted, true);
  });

  test('enumerate carries __cimnamespace too', async () => {
    const r = await runCapture(['enumerate', 'Msvm_MigrationJob', ...CIM, ...hostArgs(omi), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.ok(jsonLines(r.stdout).length >= 2);
    const enumerate = omi.requests.filter((q) => q.operation === 'Enumerate').at(-1)!;
    assert.deepEqual(enumerate.selectors, { __cimnamespace: 'root/virtualization/v2' });
  });

  test('invoke: DMTF action, <p:GetError> reply, embedded Msvm_Error decoded', async () => {
    const r = await runCapture(['invoke', 'Msvm_ConcreteJob', 'GetError', ...CIM, '--selector', `InstanceID=${FIXTURE_JOB_IDS.failedConcrete}`, ...hostArgs(omi), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const doc = jsonDoc<Json>(r.stdout);
    assert.equal(doc.returnValue, 0);
    assert.equal(((doc.outParams as Json).Error as Json).className, 'Msvm_Error');
    const [rec] = lastRequests(omi, 1);
    assert.equal(rec!.action, 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Msvm_ConcreteJob/GetError');
  });

  test('a namespace that does not exist is an error, never the default namespace', async () => {
    const r = await runCapture(['get', 'Msvm_ConcreteJob', '--dialect', 'cim', '--namespace', 'root/nowhere', '--selector', `InstanceID=${FIXTURE_JOB_IDS.failedConcrete}`, ...hostArgs(omi)]);
    assert.equal(r.code, EXIT.NOT_FOUND, r.stderr);
    assert.deepEqual(lastRequests(omi, 1)[0]!.selectors.__cimnamespace, 'root/nowhere');
    // OMI's own words and its CIM_Error status (CIM_ERR_INVALID_NAMESPACE), as the real server sends them.
    assert.match(r.stderr, /ERR_WSMAN_FAULT: wsa:DestinationUnreachable: The target namespace does not exist\. \[OMI_Error CIMStatusCode 3\]/);
  });

  test('faults as OMI writes them (a CIM_Error, no WSManFault): unknown class, missing instance, read by the typed fault parser', async () => {
    const client = new WsmanClient({ host: omi.hostname, port: omi.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
    try {
      const t = classTarget('cim', HYPERV_NAMESPACE, 'Msvm_NoSuchClass');
      const unknownClass = await client.get(t.resourceUri, { ...t.selectors, InstanceID: 'x' }).then(() => undefined, (e: unknown) => e);
      assert.ok(unknownClass instanceof WsmanFaultError);
      assert.equal(unknownClass.subcodeName, 'wsa:DestinationUnreachable');
      assert.equal(unknownClass.cimStatusCode, 5);
      assert.equal(unknownClass.cimError?.className, 'OMI_Error');
      assert.equal(unknownClass.wsmanCode, undefined);
      assert.ok(isMissingClassOrNamespace(unknownClass));
      const job = classTarget('cim', HYPERV_NAMESPACE, 'Msvm_ConcreteJob');
      const missing = await client.get(job.resourceUri, { ...job.selectors, InstanceID: 'no-such-job' }).then(() => undefined, (e: unknown) => e);
      assert.ok(missing instanceof WsmanFaultError);
      assert.equal(missing.cimStatusCode, 6);
      assert.equal(missing.reason, 'CIM ERROR:NOT_FOUND: The requested object cannot be found.');
      assert.ok(isNotFoundFault(missing));
      assert.ok(!isMissingClassOrNamespace(missing));
    } finally {
      await client.close();
    }
  });

  test('the wmi dialect against OMI does not reach the namespace asked for: OMI used its default one and the call fails', async () => {
    const r = await runCapture(['get', 'Msvm_ConcreteJob', '--selector', `InstanceID=${FIXTURE_JOB_IDS.failedConcrete}`, ...hostArgs(omi)]);
    assert.notEqual(r.code, EXIT.OK);
    assert.deepEqual(lastRequests(omi, 1)[0]!.selectors, { InstanceID: FIXTURE_JOB_IDS.failedConcrete });
  });

  test('a WQL query goes to the class it selects from, with __cimnamespace (as OMI takes it)', async () => {
    for (const args of [
      ['--wql', `SELECT * FROM Msvm_ConcreteJob WHERE InstanceID = '${FIXTURE_JOB_IDS.failedConcrete}'`],
      ['Msvm_ConcreteJob', '--where', `InstanceID = '${FIXTURE_JOB_IDS.failedConcrete}'`],
    ]) {
      const r = await runCapture(['enumerate', ...args, ...CIM, ...hostArgs(omi), '--json']);
      assert.equal(r.code, EXIT.OK, r.stderr);
      assert.deepEqual(jsonLines(r.stdout).map((d) => ((d as Json).properties as Json).InstanceID), [FIXTURE_JOB_IDS.failedConcrete]);
      const enumerate = omi.requests.filter((q) => q.operation === 'Enumerate').at(-1)!;
      assert.equal(enumerate.resourceUri, 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Msvm_ConcreteJob');
      assert.deepEqual(enumerate.selectors, { __cimnamespace: 'root/virtualization/v2' });
    }
  });

  test('a WQL query about another class than the URI\'s is refused by OMI (CIM_ERR_INVALID_QUERY); one with no readable FROM class is refused up front', async () => {
    const r = await runCapture(['enumerate', '--resource-uri', 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Msvm_ConcreteJob', '--selector', '__cimnamespace=root/virtualization/v2', '--wql', 'SELECT * FROM Msvm_MigrationJob', ...hostArgs(omi)]);
    assert.equal(r.code, EXIT.WSMAN_FAULT, r.stderr);
    assert.match(r.stderr, /wsman:InternalError: The query is not valid for the specified query language\. \[OMI_Error CIMStatusCode 15\]/);
    const bad = await runCapture(['enumerate', '--wql', 'SELECT *', '--dialect', 'cim', ...hostArgs(omi)]);
    assert.equal(bad.code, EXIT.USAGE);
    assert.match(bad.stderr, /goes to the class it selects from/);
  });
});

describe('--dialect auto', () => {
  test('asks Identify first: cim for OMI, wmi for Windows', async () => {
    for (const [host, uri] of [
      [omi, 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Msvm_ConcreteJob'],
      [windows, 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob'],
    ] as const) {
      const r = await runCapture(['get', 'Msvm_ConcreteJob', '--dialect', 'auto', '--selector', `InstanceID=${FIXTURE_JOB_IDS.completedConcrete}`, ...hostArgs(host), '--json']);
      assert.equal(r.code, EXIT.OK, r.stderr);
      const [identify, get] = lastRequests(host, 2);
      assert.equal(identify!.operation, 'Identify');
      assert.equal(get!.resourceUri, uri);
    }
  });

  test('with --wql: the class URI and __cimnamespace for OMI, the namespace\'s * URI for Windows', async () => {
    for (const [host, uri, selectors] of [
      [omi, 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Msvm_ConcreteJob', { __cimnamespace: 'root/virtualization/v2' }],
      [windows, 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/*', {}],
    ] as const) {
      const r = await runCapture(['enumerate', '--wql', `SELECT * FROM Msvm_ConcreteJob WHERE InstanceID = '${FIXTURE_JOB_IDS.completedConcrete}'`, '--dialect', 'auto', ...hostArgs(host), '--json']);
      assert.equal(r.code, EXIT.OK, r.stderr);
      assert.equal(jsonLines(r.stdout).length, 1);
      const identify = host.requests.filter((q) => q.operation === 'Identify').at(-1)!;
      const enumerate = host.requests.filter((q) => q.operation === 'Enumerate').at(-1)!;
      assert.ok(host.requests.indexOf(identify) < host.requests.indexOf(enumerate));
      assert.equal(enumerate.resourceUri, uri);
      assert.deepEqual(enumerate.selectors, selectors);
    }
  });
});

describe('Basic over https against the OMI dialect', () => {
  test('get and invoke in the cim dialect', async () => {
    const certs = await generateTestCertificates();
    const host = await startEmulatedHost({ dialect: 'omi', tls: { cert: certs.cert, key: certs.key }, auth: { basic: true }, requestLog: true });
    try {
      const client = new WsmanClient({ host: 'localhost', port: host.port, scheme: 'https', transport: 'basic', user: DEFAULT_USER, password: DEFAULT_PASSWORD, ca: certs.caCert });
      const t = classTarget('cim', HYPERV_NAMESPACE, 'Msvm_ConcreteJob');
      const inst = await client.getInstance(t.resourceUri, { ...t.selectors, InstanceID: FIXTURE_JOB_IDS.completedConcrete });
      assert.equal(inst.properties.InstanceID, FIXTURE_JOB_IDS.completedConcrete);
      const out = await client.invoke(t.resourceUri, 'GetError', { selectors: { ...t.selectors, InstanceID: FIXTURE_JOB_IDS.completedConcrete } });
      assert.equal(out.output.local, 'GetError');
      assert.equal(out.returnValue, 0);
      await client.close();
    } finally {
      await host.close();
      await certs.cleanup();
    }
  });
});

describe('what the OMI dialect refuses', () => {
  test('a request without credentials gets no answer at all (no 401 challenge): the connection stays silent', async () => {
    // Real OMI (1.0.8-6) holds such a request unanswered and closes the connection after 60 s.
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ host: omi.hostname, port: omi.port, path: '/wsman', method: 'POST', headers: { 'content-type': 'application/soap+xml;charset=UTF-8' } }, (res) => resolve(`HTTP ${res.statusCode}`));
      req.setTimeout(1000, () => {
        resolve('no answer in 1 s');
        req.destroy();
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      req.end('<s:Envelope/>');
    });
    assert.equal(outcome, 'no answer in 1 s');
    assert.equal(lastRequests(omi, 1)[0]!.httpStatus, 0);
  });

  test('identify --unauthenticated: no answer, and the error says what works instead', async () => {
    const r = await runCapture(['identify', '--unauthenticated', '--host', omi.hostname, '--port', String(omi.port), '--scheme', 'http', '--operation-timeout', '1', '--read-timeout', '2']);
    assert.equal(r.code, EXIT.CONNECTION);
    assert.match(r.stderr, /ERR_TIMEOUT: The host sent no answer within 2 s \(--read-timeout\) to an Identify without credentials\. .*Microsoft OMI.*identify with --user, without --unauthenticated/);
    assert.doesNotMatch(r.stderr, /Raise the read timeout/);
  });

  test('OMI\'s framing rule: an indented part header is not understood, a column-0 one is (what the client sends)', () => {
    const session = { seal: (m: Uint8Array) => ({ signature: new Uint8Array(16), sealed: m }) } as unknown as Parameters<typeof encryptMessage>[0];
    assert.equal(hasIndentedPartHeader(encryptMessage(session, new Uint8Array(4), 'UTF-8', { partHeaderIndent: '\t' })), true);
    assert.equal(hasIndentedPartHeader(encryptMessage(session, new Uint8Array(4))), false);
  });
});

describe('CLI dialect options', () => {
  test('a config profile (or $HYPERV_WSMAN_DIALECT) may name the dialect; the flag wins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-dialect-'));
    try {
      const cfg = join(dir, 'config.json');
      writeFileSync(cfg, JSON.stringify({ profiles: { omi: { dialect: 'cim' } } }), { mode: 0o600 });
      const get = ['get', 'Msvm_ConcreteJob', '--namespace', 'root/virtualization/v2', '--selector', `InstanceID=${FIXTURE_JOB_IDS.failedConcrete}`, ...hostArgs(omi)];
      const r = await runCapture([...get, '--config', cfg, '--profile', 'omi']);
      assert.equal(r.code, EXIT.OK, r.stderr);
      assert.equal(lastRequests(omi, 1)[0]!.selectors.__cimnamespace, 'root/virtualization/v2');
      const viaEnv = await runCapture(get, { env: { ...defaultEnv(), HYPERV_WSMAN_DIALECT: 'cim' } });
      assert.equal(viaEnv.code, EXIT.OK, viaEnv.stderr);
      const flagWins = await runCapture([...get, '--config', cfg, '--profile', 'omi', '--dialect', 'wmi']);
      assert.notEqual(flagWins.code, EXIT.OK);
      assert.equal(lastRequests(omi, 1)[0]!.selectors.__cimnamespace, undefined);
      const bad = await runCapture([...get, '--config', cfg, '--profile', 'omi'], { env: { ...defaultEnv(), HYPERV_WSMAN_DIALECT: 'soap' } });
      assert.equal(bad.code, EXIT.USAGE);
      assert.match(bad.stderr, /dialect must be one of wmi, cim, auto; got "soap"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--dialect contradicting --resource-uri is a usage error', async () => {
    const r = await runCapture(['get', '--resource-uri', 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service', '--dialect', 'cim', ...hostArgs(windows)]);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /--dialect cim contradicts --resource-uri/);
  });

  test('--param Name:instance=FILE must hold a CIM-XML INSTANCE', async () => {
    const r = await runCapture(['invoke', 'Msvm_ConcreteJob', 'GetError', '--dialect', 'cim', '--param', `X:instance=${import.meta.filename}`, ...hostArgs(omi)]);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /is not a CIM-XML INSTANCE/);
  });

  test('a __cimnamespace selector that contradicts --namespace is refused', async () => {
    const r = await runCapture(['get', 'Msvm_ConcreteJob', ...CIM, '--selector', '__cimnamespace=interop', '--selector', 'InstanceID=X', ...hostArgs(omi)]);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /contradicts the namespace/);
  });

  test('--param Name:instance=FILE decodes the CIM-XML file, and the cim dialect sends it as a WS-CIM element', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-param-'));
    try {
      const file = join(dir, 'obj.xml');
      writeFileSync(file, '<INSTANCE CLASSNAME="X_TestObject"><PROPERTY NAME="id" TYPE="uint64"><VALUE>5</VALUE></PROPERTY></INSTANCE>');
      const params = parseParams([`obj:instance=${file}`], 'interop');
      const xml = buildInvokeRequest({ to: 'http://h/wsman' }, 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/TestEmbeddedOperations', 'TestEmbedded', { params }).xml;
      assert.match(xml, /<p:obj xmlns:c0="http:\/\/schemas\.dmtf\.org\/wbem\/wscim\/1\/cim-schema\/2\/X_TestObject" xsi:type="c0:X_TestObject_Type"><c0:id>5<\/c0:id><\/p:obj>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
