// The emulated Hyper-V host, driven over real sockets with hand-written WS-Man envelopes (not the
// project's client): Identify, Get, Enumerate/Pull/Release with WQL, GetError/GetErrorEx, the jobs
// that asynchronous methods start, faults, Basic, NTLM with message encryption, HTTPS with channel binding.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import { parseXml } from '../src/xml/parse.js';
import { attr, child, childrenNamed, elements, isNil, lookupNamespace, path, textOf, type XmlElement } from '../src/xml/tree.js';
import { NS, WQL_DIALECT } from '../src/wsman/namespaces.js';
import { NtlmClientContext } from '../src/auth/ntlm/client-context.js';
import { channelBindingApplicationData } from '../src/auth/ntlm/channel-binding.js';
import { ENCRYPTED_CONTENT_TYPE, decryptMessage, encryptMessage } from '../src/auth/message-encryption.js';
import {
  DEFAULT_JOBS,
  DEFAULT_PASSWORD,
  DEFAULT_USER,
  FIXTURE_JOB_IDS,
  FIXTURE_VMS,
  STARTED_JOB_STEPS,
  generateTestCertificates,
  startEmulatedHost,
  type EmulatedHost,
  type EmulatedHostOptions,
  type TestCertificates,
} from '../src/emulator/index.js';

// ---------------------------------------------------------------------------------------------
// A tiny hand-written WS-Man client for the tests

const V2 = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2';
const CONCRETE = `${V2}/Msvm_ConcreteJob`;
const MIGRATION = `${V2}/Msvm_MigrationJob`;
const STORAGE = `${V2}/Msvm_StorageJob`;
const ALL = `${V2}/*`;
const A = {
  get: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Get',
  enumerate: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate',
  pull: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull',
  release: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Release',
} as const;
const ANON = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';
const BASIC = `Basic ${Buffer.from(`${DEFAULT_USER}:${DEFAULT_PASSWORD}`).toString('base64')}`;

let counter = 0;
const newId = (): string => `uuid:0000C0DE-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

interface EnvelopeOptions {
  readonly action?: string | null;
  readonly resourceUri?: string | null;
  readonly selectors?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
  readonly messageId?: string | null;
  readonly maxEnvelopeSize?: string | null;
  readonly operationTimeout?: string | null;
  readonly replyTo?: string | null;
  readonly extraHeaders?: string;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function envelope(o: EnvelopeOptions): string {
  const h: string[] = ['<a:To>http://127.0.0.1:5985/wsman</a:To>'];
  if (o.resourceUri !== null) h.push(`<w:ResourceURI s:mustUnderstand="true">${esc(o.resourceUri ?? CONCRETE)}</w:ResourceURI>`);
  if (o.replyTo !== null) h.push(`<a:ReplyTo><a:Address s:mustUnderstand="true">${o.replyTo ?? ANON}</a:Address></a:ReplyTo>`);
  if (o.action !== null) h.push(`<a:Action s:mustUnderstand="true">${esc(o.action ?? A.get)}</a:Action>`);
  if (o.maxEnvelopeSize !== null) h.push(`<w:MaxEnvelopeSize s:mustUnderstand="true">${o.maxEnvelopeSize ?? '153600'}</w:MaxEnvelopeSize>`);
  const messageId = o.messageId === undefined ? newId() : o.messageId;
  if (messageId !== null) h.push(`<a:MessageID>${messageId}</a:MessageID>`);
  h.push('<w:Locale xml:lang="en-US" s:mustUnderstand="false"/><p:DataLocale xml:lang="en-US" s:mustUnderstand="false"/>');
  if (o.operationTimeout !== null) h.push(`<w:OperationTimeout>${o.operationTimeout ?? 'PT60.000S'}</w:OperationTimeout>`);
  if (o.selectors) h.push(`<w:SelectorSet>${o.selectors.map(([n, v]) => `<w:Selector Name="${esc(n)}">${esc(v)}</w:Selector>`).join('')}</w:SelectorSet>`);
  if (o.extraHeaders) h.push(o.extraHeaders);
  return (
    `<s:Envelope xmlns:s="${NS.soap}" xmlns:a="${NS.wsa}" xmlns:n="${NS.wsen}" xmlns:w="${NS.wsman}" xmlns:p="${NS.wsmv}">` +
    `<s:Header>${h.join('')}</s:Header><s:Body>${o.body ?? ''}</s:Body></s:Envelope>`
  );
}

const jobSelector = (id: string): ReadonlyArray<readonly [string, string]> => [['InstanceID', id]];
const getJob = (id: string, resourceUri = CONCRETE): string => envelope({ action: A.get, resourceUri, selectors: jobSelector(id) });
const invokeJob = (method: string, id: string, resourceUri = CONCRETE, input = ''): string =>
  envelope({ action: `${resourceUri}/${method}`, resourceUri, selectors: jobSelector(id), body: `<p:${method}_INPUT xmlns:p="${resourceUri}">${input}</p:${method}_INPUT>` });
const wqlEnumerate = (query: string, extra = ''): string =>
  envelope({ action: A.enumerate, resourceUri: ALL, body: `<n:Enumerate>${extra}<w:Filter Dialect="${WQL_DIALECT}">${esc(query)}</w:Filter></n:Enumerate>` });
const pullBody = (context: string, max?: number): string =>
  envelope({ action: A.pull, resourceUri: ALL, body: `<n:Pull><n:EnumerationContext>${context}</n:EnumerationContext>${max ? `<n:MaxElements>${max}</n:MaxElements>` : ''}</n:Pull>` });

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** Header lines as sent (Node joins repeated WWW-Authenticate lines in `headers`). */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** Each WWW-Authenticate header line of a reply. */
function wwwAuthenticate(reply: Reply): string[] {
  const out: string[] = [];
  for (let i = 0; i < reply.rawHeaders.length; i += 2) if (reply.rawHeaders[i]!.toLowerCase() === 'www-authenticate') out.push(reply.rawHeaders[i + 1]!);
  return out;
}

interface PostOptions {
  readonly authorization?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly agent?: http.Agent;
  readonly ca?: string;
  readonly path?: string;
  readonly method?: string;
}

function post(url: string, body: Uint8Array | string, o: PostOptions = {}): Promise<Reply> {
  const u = new URL(url);
  const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const headers: Record<string, string> = { 'Content-Type': o.contentType ?? 'application/soap+xml;charset=UTF-8', 'Content-Length': String(data.length), ...o.headers };
  if (o.authorization) headers.Authorization = o.authorization;
  const options: https.RequestOptions = { hostname: u.hostname, port: u.port, path: o.path ?? u.pathname, method: o.method ?? 'POST', headers, agent: o.agent, ...(o.ca ? { ca: o.ca } : {}) };
  return new Promise((resolve, reject) => {
    const req = (u.protocol === 'https:' ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

function soap(reply: Reply): XmlElement {
  assert.match(String(reply.headers['content-type']), /^application\/soap\+xml/);
  return parseXml(reply.body);
}

function bodyElement(doc: XmlElement): XmlElement {
  const body = child(doc, NS.soap, 'Body');
  assert.ok(body, 'reply has an s:Body');
  const first = elements(body)[0];
  assert.ok(first, 's:Body has a child');
  return first;
}

function headerText(doc: XmlElement, ns: string, local: string): string | undefined {
  const el = path(doc, [NS.soap, 'Header'], [ns, local]);
  return el && textOf(el);
}

interface FaultShape {
  readonly code: string;
  readonly subcode: { ns: string; local: string } | undefined;
  readonly reason: string;
  readonly detail: string | undefined;
  readonly wsmanCode: string | undefined;
  readonly machine: string | undefined;
  readonly message: XmlElement;
  readonly action: string | undefined;
  readonly relatesTo: string | undefined;
}

function resolveQName(el: XmlElement, qname: string): { ns: string; local: string } {
  const [prefix, local] = qname.includes(':') ? qname.split(':') : ['', qname];
  return { ns: lookupNamespace(el.scope, prefix!) ?? '', local: local! };
}

function fault(reply: Reply): FaultShape {
  assert.equal(reply.status, 500, 'Windows answers SOAP faults with HTTP 500');
  const doc = soap(reply);
  const f = bodyElement(doc);
  assert.equal(f.local, 'Fault');
  const codeValue = path(f, [NS.soap, 'Code'], [NS.soap, 'Value'])!;
  const subValue = path(f, [NS.soap, 'Code'], [NS.soap, 'Subcode'], [NS.soap, 'Value']);
  const detail = child(f, NS.soap, 'Detail')!;
  const wsmanFault = child(detail, NS.wsmanfault, 'WSManFault')!;
  return {
    code: resolveQName(codeValue, textOf(codeValue)).local,
    subcode: subValue && resolveQName(subValue, textOf(subValue)),
    reason: textOf(path(f, [NS.soap, 'Reason'], [NS.soap, 'Text'])!),
    detail: (() => {
      const d = child(detail, NS.wsman, 'FaultDetail');
      return d && textOf(d);
    })(),
    wsmanCode: attr(wsmanFault, 'Code'),
    machine: attr(wsmanFault, 'Machine'),
    message: child(wsmanFault, NS.wsmanfault, 'Message')!,
    action: headerText(doc, NS.wsa, 'Action'),
    relatesTo: headerText(doc, NS.wsa, 'RelatesTo'),
  };
}

function providerFault(f: FaultShape): { code: string | undefined; machine: string | undefined; message: string; operation: string; parameterInfo: string; providerName: string } {
  const pf = child(f.message, NS.wsmanfault, 'ProviderFault');
  assert.ok(pf, 'f:Message holds an f:ProviderFault');
  assert.equal(attr(pf, 'provider'), 'WMI Provider');
  assert.match(attr(pf, 'path') ?? '', /WsmWmiPl\.dll$/);
  const inner = child(pf, NS.wsmanfault, 'WSManFault')!;
  const status = path(pf, [NS.wsmanfault, 'ExtendedError'])!;
  const ext = elements(status)[0]!;
  assert.equal(ext.local, '__ExtendedStatus');
  const prop = (name: string): string => textOf(childrenNamed(ext, ext.ns, name)[0]!);
  assert.ok(isNil(childrenNamed(ext, ext.ns, 'StatusCode')[0]!), '__ExtendedStatus/StatusCode is nil');
  assert.ok(isNil(childrenNamed(ext, ext.ns, 'Description')[0]!), '__ExtendedStatus/Description is nil');
  return {
    code: attr(inner, 'Code'),
    machine: attr(inner, 'Machine'),
    message: textOf(child(inner, NS.wsmanfault, 'Message')!),
    operation: prop('Operation'),
    parameterInfo: prop('ParameterInfo'),
    providerName: prop('ProviderName'),
  };
}

/** Property of a WS-Man instance by local name (the instance's own namespace). */
function prop(instance: XmlElement, name: string): XmlElement | undefined {
  return child(instance, instance.ns, name);
}

/** Parse the CIM-XML text of an Error/Errors out-parameter into name -> VALUE text(s). */
function cimXml(text: string): { root: XmlElement; values: Map<string, string | string[] | null>; props: Map<string, XmlElement> } {
  const root = parseXml(text);
  const values = new Map<string, string | string[] | null>();
  const props = new Map<string, XmlElement>();
  for (const p of elements(root)) {
    const name = attr(p, 'NAME')!;
    props.set(name, p);
    if (p.local === 'PROPERTY') {
      const v = child(p, '', 'VALUE');
      values.set(name, v ? textOf(v) : null);
    } else {
      const arr = child(p, '', 'VALUE.ARRAY');
      values.set(name, arr ? childrenNamed(arr, '', 'VALUE').map(textOf) : null);
    }
  }
  return { root, values, props };
}

const FAILED_VM = FIXTURE_VMS.failed;

// ---------------------------------------------------------------------------------------------

describe('emulated host over HTTP with Basic (AllowUnencrypted)', () => {
  let host: EmulatedHost;
  let agent: http.Agent;
  const send = (xml: string, o: PostOptions = {}): Promise<Reply> => post(host.url, xml, { authorization: BASIC, agent, ...o });

  before(async () => {
    host = await startEmulatedHost({ auth: { basic: true, negotiate: true }, allowUnencrypted: true, requestLog: true });
    agent = new http.Agent({ keepAlive: true });
  });
  after(async () => {
    agent.destroy();
    await host.close();
  });

  test('The URL, port and scheme describe a loopback listener', () => {
    assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/wsman$/);
    assert.equal(host.scheme, 'http');
    assert.equal(host.hostname, '127.0.0.1');
    assert.ok(host.port > 0);
  });

  test('Identify with WSMANIDENTIFY: unauthenticated needs no credentials and lists no SecurityProfiles', async () => {
    const reply = await post(host.url, `<s:Envelope xmlns:s="${NS.soap}" xmlns:wsmid="${NS.wsmid}"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`, {
      headers: { WSMANIDENTIFY: 'unauthenticated' },
      agent,
    });
    assert.equal(reply.status, 200);
    const id = bodyElement(soap(reply));
    assert.equal(id.ns, NS.wsmid);
    assert.equal(id.local, 'IdentifyResponse');
    assert.equal(textOf(child(id, NS.wsmid, 'ProtocolVersion')!), 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd');
    assert.equal(textOf(child(id, NS.wsmid, 'ProductVendor')!), 'Microsoft Corporation');
    assert.equal(textOf(child(id, NS.wsmid, 'ProductVersion')!), 'OS: 10.0.20348 SP: 0.0 Stack: 3.0');
    assert.equal(child(id, NS.wsmid, 'SecurityProfiles'), undefined);
  });

  test('Identify without that header needs authentication, and then lists the SecurityProfiles', async () => {
    const body = `<s:Envelope xmlns:s="${NS.soap}" xmlns:wsmid="${NS.wsmid}"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`;
    assert.equal((await post(host.url, body, { agent })).status, 401);
    const reply = await send(body);
    assert.equal(reply.status, 200);
    const profiles = childrenNamed(child(bodyElement(soap(reply)), NS.wsmid, 'SecurityProfiles')!, NS.wsmid, 'SecurityProfileName').map(textOf);
    assert.ok(profiles.includes('http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic'));
    assert.ok(profiles.includes('http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/spnego-kerberos'));
  });

  test('No credentials: 401 listing Negotiate and Basic realm="WSMAN"; a wrong password is 401 too', async () => {
    const none = await post(host.url, getJob(FIXTURE_JOB_IDS.completedConcrete), { agent });
    assert.equal(none.status, 401);
    assert.deepEqual(wwwAuthenticate(none), ['Negotiate', 'Basic realm="WSMAN"'], 'one header line per scheme, as Windows sends them');
    assert.equal(none.body.length, 0);
    const wrong = await post(host.url, getJob(FIXTURE_JOB_IDS.completedConcrete), { agent, authorization: `Basic ${Buffer.from(`${DEFAULT_USER}:nope`).toString('base64')}` });
    assert.equal(wrong.status, 401);
  });

  test('User names are case-insensitive and may carry a machine prefix', async () => {
    const auth = `Basic ${Buffer.from(`.\\administrator:${DEFAULT_PASSWORD}`).toString('base64')}`;
    assert.equal((await post(host.url, getJob(FIXTURE_JOB_IDS.completedConcrete), { agent, authorization: auth })).status, 200);
  });

  test('Get returns the instance the way WinRM renders WMI objects', async () => {
    const request = getJob(FIXTURE_JOB_IDS.failedConcrete);
    const messageId = /<a:MessageID>([^<]+)</.exec(request)![1];
    const reply = await send(request);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.server, 'Microsoft-HTTPAPI/2.0');
    const doc = soap(reply);
    assert.equal(doc.prefix, 's');
    assert.equal(attr(doc, 'lang', 'http://www.w3.org/XML/1998/namespace'), 'en-US');
    assert.equal(doc.scope.p, NS.wsmv, 'p on the Envelope is the Microsoft wsman namespace');
    assert.equal(headerText(doc, NS.wsa, 'Action'), 'http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse');
    assert.equal(headerText(doc, NS.wsa, 'RelatesTo'), messageId);
    assert.equal(headerText(doc, NS.wsa, 'To'), ANON);
    assert.match(headerText(doc, NS.wsa, 'MessageID')!, /^uuid:[0-9A-F-]{36}$/);

    const job = bodyElement(doc);
    assert.equal(job.local, 'Msvm_ConcreteJob');
    assert.equal(job.ns, CONCRETE);
    assert.equal(attr(job, 'type', NS.xsi), 'p:Msvm_ConcreteJob_Type');
    const names = elements(job).map((e) => e.local);
    assert.deepEqual(names, [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())), 'properties in alphabetical order');
    assert.equal(new Set(names).size, 41, 'all 41 properties of Msvm_ConcreteJob, none repeated for scalar arrays of one');
    assert.equal(textOf(prop(job, 'InstanceID')!), FIXTURE_JOB_IDS.failedConcrete);
    assert.equal(textOf(prop(job, 'JobState')!), '10');
    assert.equal(textOf(prop(job, 'ErrorCode')!), '32768');
    assert.equal(textOf(prop(job, 'OperationalStatus')!), '6');
    assert.equal(textOf(prop(job, 'Cancellable')!), 'true');
    assert.ok(isNil(prop(job, 'Notify')!), 'NULL is xsi:nil');
    assert.equal(textOf(prop(job, 'ErrorDescription')!), `'${FAILED_VM.name}' failed to modify device 'Virtual Hard Disk'. (Virtual machine ID ${FAILED_VM.id})`);
    const start = child(prop(job, 'StartTime')!, NS.cim, 'Datetime');
    assert.equal(start && textOf(start), '2026-11-20T10:25:00.123000Z');
    const elapsed = child(prop(job, 'ElapsedTime')!, NS.cim, 'Interval');
    assert.equal(elapsed && textOf(elapsed), 'P0DT0H0M3.500000S');
    assert.equal(textOf(child(prop(job, 'TimeBeforeRemoval')!, NS.cim, 'Interval')!), 'P0DT0H5M0S');
  });

  test('Selector names and values are matched case-insensitively, and __cimnamespace may accompany them', async () => {
    const reply = await send(
      envelope({
        action: A.get,
        resourceUri: CONCRETE,
        selectors: [
          ['instanceid', FIXTURE_JOB_IDS.completedConcrete.toLowerCase()],
          ['__cimnamespace', 'root\\virtualization\\v2'],
        ],
      }),
    );
    assert.equal(reply.status, 200);
    assert.equal(textOf(prop(bodyElement(soap(reply)), 'InstanceID')!), FIXTURE_JOB_IDS.completedConcrete);
  });

  test('A migration job carries MigrationType, VirtualSystemName and DestinationHost', async () => {
    const job = bodyElement(soap(await send(getJob(FIXTURE_JOB_IDS.failedMigration, MIGRATION))));
    assert.equal(job.local, 'Msvm_MigrationJob');
    assert.equal(textOf(prop(job, 'MigrationType')!), '32768');
    assert.equal(textOf(prop(job, 'DestinationHost')!), 'HV-EMU02');
    assert.equal(textOf(prop(job, 'VirtualSystemName')!), FIXTURE_VMS.migrating.id);
    assert.equal(prop(job, 'NewResourceSettingData') && isNil(prop(job, 'NewResourceSettingData')!), true, 'a NULL array is one nil element');
  });

  test('Get of a missing instance: a:DestinationUnreachable with the WMI ProviderFault and __ExtendedStatus', async () => {
    const request = getJob('00000000-0000-0000-0000-000000000000');
    const f = fault(await send(request));
    assert.equal(f.code, 'Sender');
    assert.deepEqual(f.subcode, { ns: NS.wsa, local: 'DestinationUnreachable' });
    assert.equal(f.reason, 'The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors. ');
    assert.equal(f.detail, 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidResourceURI');
    assert.equal(f.wsmanCode, '2150858752');
    assert.equal(f.machine, '127.0.0.1', 'outer Machine is the name the client used');
    assert.equal(f.action, 'http://schemas.xmlsoap.org/ws/2004/08/addressing/fault');
    assert.equal(f.relatesTo, /<a:MessageID>([^<]+)</.exec(request)![1]);
    const p = providerFault(f);
    assert.equal(p.code, '2150858752');
    assert.equal(p.machine, 'HV-EMU01');
    assert.equal(p.operation, 'GetObject');
    assert.equal(p.parameterInfo, 'Msvm_ConcreteJob.InstanceID="00000000-0000-0000-0000-000000000000"');
  });

  test('A job is only found under its own class URI (or a superclass)', async () => {
    assert.equal(fault(await send(getJob(FIXTURE_JOB_IDS.completedConcrete, MIGRATION))).wsmanCode, '2150858752');
    const viaSuper = bodyElement(soap(await send(getJob(FIXTURE_JOB_IDS.completedMigration, `${V2}/CIM_ConcreteJob`))));
    assert.equal(viaSuper.local, 'Msvm_MigrationJob');
  });

  test('Wrong, missing and duplicate selectors are w:InvalidSelectors with their fault details', async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<readonly [string, string]>, string, string]> = [
      [[['Name', FIXTURE_JOB_IDS.completedConcrete]], '2150858843', 'UnexpectedSelectors'],
      [[], '2150858842', 'InsufficientSelectors'],
      [
        [
          ['InstanceID', FIXTURE_JOB_IDS.completedConcrete],
          ['INSTANCEID', FIXTURE_JOB_IDS.completedConcrete],
        ],
        '2150858847',
        'DuplicateSelectors',
      ],
    ];
    for (const [selectors, code, detail] of cases) {
      const f = fault(await send(envelope({ action: A.get, selectors })));
      assert.deepEqual(f.subcode, { ns: NS.wsman, local: 'InvalidSelectors' });
      assert.equal(f.wsmanCode, code);
      assert.equal(f.detail, `http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/${detail}`);
      assert.equal(f.action, 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault');
    }
  });

  test('__cimnamespace naming another namespace is refused (w:InternalError, Receiver)', async () => {
    const f = fault(
      await send(
        envelope({
          action: A.get,
          selectors: [
            ['InstanceID', FIXTURE_JOB_IDS.completedConcrete],
            ['__cimnamespace', 'root/cimv2'],
          ],
        }),
      ),
    );
    assert.equal(f.code, 'Receiver');
    assert.deepEqual(f.subcode, { ns: NS.wsman, local: 'InternalError' });
    assert.equal(f.wsmanCode, '2150859067');
  });

  test('An unknown class or namespace is DestinationUnreachable with the WMI reason in the ProviderFault', async () => {
    const cls = fault(await send(getJob(FIXTURE_JOB_IDS.completedConcrete, `${V2}/Msvm_NoSuchJob`)));
    assert.deepEqual(cls.subcode, { ns: NS.wsa, local: 'DestinationUnreachable' });
    assert.equal(providerFault(cls).message, 'The specified class does not exist in the given namespace. ');
    const ns = fault(await send(getJob(FIXTURE_JOB_IDS.completedConcrete, 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/Msvm_ConcreteJob')));
    assert.equal(providerFault(ns).message, 'Invalid namespace ');
    const notWmi = fault(await send(getJob(FIXTURE_JOB_IDS.completedConcrete, 'http://example.com/whatever')));
    assert.equal(notWmi.wsmanCode, '2150858811');
  });

  test('Header faults: missing MessageID, missing ReplyTo, MaxEnvelopeSize below 8192, negative OperationTimeout', async () => {
    const noId = fault(await send(envelope({ action: A.get, selectors: jobSelector(FIXTURE_JOB_IDS.completedConcrete), messageId: null })));
    assert.deepEqual(noId.subcode, { ns: NS.wsa, local: 'InvalidMessageInformationHeader' });
    assert.equal(noId.wsmanCode, '2150858767');
    assert.equal(noId.relatesTo, undefined, 'nothing to relate to');

    const noReplyTo = fault(await send(envelope({ action: A.get, selectors: jobSelector(FIXTURE_JOB_IDS.completedConcrete), replyTo: null })));
    assert.deepEqual(noReplyTo.subcode, { ns: NS.wsa, local: 'MessageInformationHeaderRequired' });

    const otherReplyTo = fault(await send(envelope({ action: A.get, selectors: jobSelector(FIXTURE_JOB_IDS.completedConcrete), replyTo: 'http://elsewhere/' })));
    assert.deepEqual(otherReplyTo.subcode, { ns: NS.wsman, local: 'UnsupportedFeature' });
    assert.equal(otherReplyTo.detail, 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/AddressingMode');

    const small = fault(await send(envelope({ action: A.get, selectors: jobSelector(FIXTURE_JOB_IDS.completedConcrete), maxEnvelopeSize: '4096' })));
    assert.deepEqual(small.subcode, { ns: NS.wsman, local: 'EncodingLimit' });
    assert.equal(small.wsmanCode, '2150858805');

    const negative = fault(await send(envelope({ action: A.get, selectors: jobSelector(FIXTURE_JOB_IDS.completedConcrete), operationTimeout: 'PT-1S' })));
    assert.deepEqual(negative.subcode, { ns: NS.wsa, local: 'InvalidMessageInformationHeader' });
    assert.equal(negative.wsmanCode, '2150858767');
    assert.equal(textOf(negative.message), 'The WS-Management service cannot process the request. The XML contains an invalid timeout field in the SOAP header: PT-1S. ');
  });

  test('Locale with mustUnderstand="true" and MustComply options are refused', async () => {
    const locale = fault(
      await send(
        envelope({ action: A.get, selectors: jobSelector(FIXTURE_JOB_IDS.completedConcrete), extraHeaders: '<w:Locale xml:lang="en-US" s:mustUnderstand="true"/>' }).replace(
          '<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>',
          '',
        ),
      ),
    );
    assert.equal(locale.detail, 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/Locale');
    const options = fault(
      await send(
        envelope({
          action: A.get,
          selectors: jobSelector(FIXTURE_JOB_IDS.completedConcrete),
          extraHeaders: '<w:OptionSet s:mustUnderstand="true"><w:Option Name="wmi:x" MustComply="true">1</w:Option></w:OptionSet>',
        }),
      ),
    );
    assert.deepEqual(options.subcode, { ns: NS.wsman, local: 'InvalidOptions' });
    assert.equal(options.wsmanCode, '2150858833');
  });

  test('A response larger than the request MaxEnvelopeSize is a w:EncodingLimit fault', async () => {
    // Jobs whose names alone exceed the client's 8192-byte limit.
    const many = Array.from({ length: 3 }, (_, i) => ({
      ...DEFAULT_JOBS[0]!,
      instanceId: `BIG0000${i}-0000-4000-8000-000000000000`,
      elementName: 'x'.repeat(9000),
    }));
    for (const j of many) host.model.add(j);
    try {
      const f = fault(await send(envelope({ action: A.get, selectors: jobSelector(many[0]!.instanceId), maxEnvelopeSize: '8192' })));
      assert.deepEqual(f.subcode, { ns: NS.wsman, local: 'EncodingLimit' });
      assert.equal(f.wsmanCode, '2150858824');
      assert.equal(f.detail, 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MaxEnvelopeSize');
    } finally {
      for (const j of many) host.model.remove(j.instanceId);
    }
  });

  test('Enumerate + Pull + Release with WQL: paging with MaxElements until EndOfSequence', async () => {
    const start = bodyElement(soap(await send(wqlEnumerate('SELECT * FROM CIM_ConcreteJob'))));
    assert.equal(start.local, 'EnumerateResponse');
    assert.equal(child(start, NS.wsman, 'Items'), undefined, 'no items without OptimizeEnumeration');
    const context = textOf(child(start, NS.wsen, 'EnumerationContext')!);
    assert.match(context, /^uuid:/);

    const seen: Array<{ cls: string; id: string }> = [];
    let pulls = 0;
    for (;;) {
      const reply = bodyElement(soap(await send(pullBody(context, 4))));
      assert.equal(reply.local, 'PullResponse');
      pulls++;
      const items = elements(child(reply, NS.wsen, 'Items')!);
      assert.ok(items.length <= 4);
      for (const it of items) seen.push({ cls: it.local, id: textOf(prop(it, 'InstanceID')!) });
      if (child(reply, NS.wsen, 'EndOfSequence')) {
        assert.equal(child(reply, NS.wsen, 'EnumerationContext'), undefined, 'no context once the sequence ended');
        break;
      }
      assert.equal(textOf(child(reply, NS.wsen, 'EnumerationContext')!), context);
    }
    assert.equal(pulls, Math.ceil(DEFAULT_JOBS.length / 4));
    assert.deepEqual(
      seen.map((s) => s.id),
      DEFAULT_JOBS.map((j) => j.instanceId),
    );
    assert.deepEqual(new Set(seen.map((s) => s.cls)), new Set(['Msvm_ConcreteJob', 'Msvm_MigrationJob', 'Msvm_StorageJob']), 'each item in its own class element');

    const again = fault(await send(pullBody(context)));
    assert.deepEqual(again.subcode, { ns: NS.wsen, local: 'InvalidEnumerationContext' });
    assert.equal(again.code, 'Receiver');
    assert.equal(again.action, 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault');
    const released = await send(envelope({ action: A.release, resourceUri: ALL, body: `<n:Release><n:EnumerationContext>${context}</n:EnumerationContext></n:Release>` }));
    assert.equal(released.status, 200);
    assert.equal(headerText(soap(released), NS.wsa, 'Action'), 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/ReleaseResponse');
  });

  test('OptimizeEnumeration returns the first items in EnumerateResponse; Release ends the enumeration early', async () => {
    const start = bodyElement(soap(await send(wqlEnumerate('SELECT InstanceID, JobState FROM Msvm_ConcreteJob WHERE ErrorCode <> 0', '<w:OptimizeEnumeration/><w:MaxElements>2</w:MaxElements>'))));
    const items = elements(child(start, NS.wsman, 'Items')!);
    assert.equal(items.length, 2);
    assert.deepEqual(
      elements(items[0]!).map((e) => e.local),
      ['InstanceID', 'JobState'],
      'the WQL projection limits the properties',
    );
    assert.equal(child(start, NS.wsman, 'EndOfSequence'), undefined);
    const context = textOf(child(start, NS.wsen, 'EnumerationContext')!);
    const release = envelope({ action: A.release, resourceUri: ALL, body: `<n:Release><n:EnumerationContext>${context}</n:EnumerationContext></n:Release>` });
    assert.equal((await send(release)).status, 200);
    assert.deepEqual(fault(await send(pullBody(context))).subcode, { ns: NS.wsen, local: 'InvalidEnumerationContext' });
    assert.deepEqual(fault(await send(release)).subcode, { ns: NS.wsen, local: 'InvalidEnumerationContext' });
  });

  test('WQL conditions select jobs: JobState = 10, InstanceID = ..., ErrorCode <> 0 AND class', async () => {
    const ids = async (query: string): Promise<string[]> => {
      const r = bodyElement(soap(await send(wqlEnumerate(query, '<w:OptimizeEnumeration/><w:MaxElements>100</w:MaxElements>'))));
      assert.ok(child(r, NS.wsman, 'EndOfSequence'));
      return elements(child(r, NS.wsman, 'Items')!).map((i) => textOf(prop(i, 'InstanceID')!));
    };
    assert.deepEqual(await ids('SELECT * FROM Msvm_ConcreteJob WHERE JobState = 10'), [FIXTURE_JOB_IDS.failedConcrete, FIXTURE_JOB_IDS.twoErrors, FIXTURE_JOB_IDS.accessDenied, FIXTURE_JOB_IDS.failedNoDetails]);
    assert.deepEqual(await ids(`SELECT * FROM Msvm_MigrationJob WHERE InstanceID = '${FIXTURE_JOB_IDS.failedMigration}'`), [FIXTURE_JOB_IDS.failedMigration]);
    assert.deepEqual(await ids('SELECT * FROM CIM_Job WHERE ErrorCode <> 0 AND JobState <> 10'), [FIXTURE_JOB_IDS.terminated, FIXTURE_JOB_IDS.killed]);
    assert.deepEqual(await ids('SELECT * FROM Msvm_VirtualSystemSettingData'), [], 'a class without instances enumerates nothing');
  });

  test('Enumerate of a class URI without a filter returns its instances; .../* without a filter is refused', async () => {
    const r = bodyElement(
      soap(await send(envelope({ action: A.enumerate, resourceUri: STORAGE, body: '<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>10</w:MaxElements></n:Enumerate>' }))),
    );
    assert.deepEqual(
      elements(child(r, NS.wsman, 'Items')!).map((i) => textOf(prop(i, 'InstanceID')!)),
      [FIXTURE_JOB_IDS.storage],
    );
    const f = fault(await send(envelope({ action: A.enumerate, resourceUri: ALL, body: '<n:Enumerate/>' })));
    assert.deepEqual(f.subcode, { ns: NS.wsman, local: 'UnsupportedFeature' });
    assert.equal(f.detail, 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/FilteringRequired');
  });

  test('EnumerationMode EnumerateObjectAndEPR wraps each instance with its EPR in w:Item', async () => {
    const r = bodyElement(
      soap(await send(wqlEnumerate(`SELECT * FROM Msvm_StorageJob`, '<w:OptimizeEnumeration/><w:EnumerationMode>EnumerateObjectAndEPR</w:EnumerationMode>'))),
    );
    const item = elements(child(r, NS.wsman, 'Items')!)[0]!;
    assert.equal(item.local, 'Item');
    const epr = child(item, NS.wsa, 'EndpointReference')!;
    const selector = path(epr, [NS.wsa, 'ReferenceParameters'], [NS.wsman, 'SelectorSet'], [NS.wsman, 'Selector'])!;
    assert.equal(attr(selector, 'Name'), 'InstanceID');
    assert.equal(textOf(selector), FIXTURE_JOB_IDS.storage);
  });

  test("The host's Msvm_VirtualSystemManagementService: Enumerate (MOF defaults, EPR with CIM_Service's four keys), WQL, Get by its keys; fewer keys are InsufficientSelectors", async () => {
    const VSMS = `${V2}/Msvm_VirtualSystemManagementService`;
    const r = bodyElement(
      soap(await send(envelope({ action: A.enumerate, resourceUri: VSMS, body: '<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>10</w:MaxElements><w:EnumerationMode>EnumerateObjectAndEPR</w:EnumerationMode></n:Enumerate>' }))),
    );
    const items = elements(child(r, NS.wsman, 'Items')!);
    assert.equal(items.length, 1, 'exactly one per host');
    const instance = elements(items[0]!)[0]!;
    assert.equal(instance.local, 'Msvm_VirtualSystemManagementService');
    const text = (name: string): string => textOf(prop(instance, name)!);
    assert.equal(text('Name'), 'vmms');
    assert.equal(text('CreationClassName'), 'Msvm_VirtualSystemManagementService');
    assert.equal(text('SystemCreationClassName'), 'Msvm_ComputerSystem');
    assert.equal(text('SystemName'), 'HV-EMU01');
    assert.equal(text('ElementName'), 'Hyper-V Virtual System Management Service');
    assert.equal(text('Caption'), 'Virtual System Management Service');
    assert.equal(text('EnabledState'), '2');
    assert.equal(text('HealthState'), '5');
    assert.equal(text('Started'), 'true');
    assert.ok(isNil(prop(instance, 'InstallDate')!));
    const epr = child(items[0]!, NS.wsa, 'EndpointReference')!;
    const selectors = childrenNamed(path(epr, [NS.wsa, 'ReferenceParameters'], [NS.wsman, 'SelectorSet'])!, NS.wsman, 'Selector').map((sel) => [attr(sel, 'Name')!, textOf(sel)] as const);
    assert.deepEqual(selectors, [
      ['CreationClassName', 'Msvm_VirtualSystemManagementService'],
      ['Name', 'vmms'],
      ['SystemCreationClassName', 'Msvm_ComputerSystem'],
      ['SystemName', 'HV-EMU01'],
      ['__cimnamespace', 'root/virtualization/v2'],
    ]);

    const wql = async (query: string): Promise<number> => elements(child(bodyElement(soap(await send(wqlEnumerate(query, '<w:OptimizeEnumeration/>')))), NS.wsman, 'Items')!).length;
    assert.equal(await wql(`SELECT * FROM Msvm_VirtualSystemManagementService WHERE Name = 'vmms'`), 1);
    assert.equal(await wql(`SELECT * FROM Msvm_VirtualSystemManagementService WHERE Name = 'other'`), 0);
    const bad = fault(await send(wqlEnumerate(`SELECT * FROM Msvm_VirtualSystemManagementService WHERE NoSuchProperty = 1`)));
    assert.deepEqual(bad.subcode, { ns: NS.wsen, local: 'CannotProcessFilter' });

    const got = bodyElement(soap(await send(envelope({ action: A.get, resourceUri: VSMS, selectors: selectors.filter(([n]) => n !== '__cimnamespace').map(([n, v]) => [n.toUpperCase(), v.toLowerCase()] as const) }))));
    assert.equal(textOf(prop(got, 'Name')!), 'vmms');
    const partial = fault(await send(envelope({ action: A.get, resourceUri: VSMS, selectors: [['CreationClassName', 'Msvm_VirtualSystemManagementService'], ['Name', 'vmms']] })));
    assert.equal(partial.detail, 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InsufficientSelectors');
    const other = fault(await send(envelope({ action: A.get, resourceUri: VSMS, selectors: [...selectors.slice(0, 3), ['SystemName', 'HV-OTHER']] })));
    assert.equal(providerFault(other).parameterInfo, 'Msvm_VirtualSystemManagementService.CreationClassName="Msvm_VirtualSystemManagementService",Name="vmms",SystemCreationClassName="Msvm_ComputerSystem",SystemName="HV-OTHER"');
  });

  test('Paging also respects MaxEnvelopeSize: fewer items per reply than MaxElements', async () => {
    const r = bodyElement(soap(await send(envelope({ action: A.enumerate, resourceUri: CONCRETE, maxEnvelopeSize: '16384', body: '<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>50</w:MaxElements></n:Enumerate>' }))));
    const n = elements(child(r, NS.wsman, 'Items')!).length;
    assert.ok(n >= 1 && n < DEFAULT_JOBS.filter((j) => j.className === 'Msvm_ConcreteJob').length, `got ${n} items`);
    assert.equal(child(r, NS.wsman, 'EndOfSequence'), undefined);
  });

  test('Invalid WQL is wsen:CannotProcessFilter 2150858778 with the query in __ExtendedStatus', async () => {
    const query = 'SELECT * FORM Msvm_ConcreteJob';
    const f = fault(await send(wqlEnumerate(query)));
    assert.deepEqual(f.subcode, { ns: NS.wsen, local: 'CannotProcessFilter' });
    assert.equal(f.wsmanCode, '2150858778');
    assert.equal(f.action, 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault');
    const p = providerFault(f);
    assert.equal(p.code, '2150858778');
    assert.equal(p.operation, 'ExecQuery');
    assert.equal(p.parameterInfo, query);
    assert.equal(p.providerName, 'WinMgmt');
    const unknownClass = providerFault(fault(await send(wqlEnumerate('SELECT * FROM Msvm_Nope'))));
    assert.equal(unknownClass.message, 'The specified class does not exist in the given namespace. ');
    const unknownProperty = providerFault(fault(await send(wqlEnumerate('SELECT * FROM Msvm_ConcreteJob WHERE Nope = 1'))));
    assert.equal(unknownProperty.message, 'Invalid query ');
    const dialect = fault(await send(envelope({ action: A.enumerate, resourceUri: ALL, body: '<n:Enumerate><w:Filter Dialect="http://www.w3.org/TR/1999/REC-xpath-19991116">/</w:Filter></n:Enumerate>' })));
    assert.deepEqual(dialect.subcode, { ns: NS.wsen, local: 'FilterDialectRequestedUnavailable' });
  });

  test('GetError of a job that completed without error: ReturnValue 0 and a nil Error', async () => {
    const reply = await send(invokeJob('GetError', FIXTURE_JOB_IDS.completedConcrete));
    assert.equal(reply.status, 200);
    const doc = soap(reply);
    assert.equal(headerText(doc, NS.wsa, 'Action'), `${CONCRETE}/GetErrorResponse`);
    const out = bodyElement(doc);
    assert.equal(out.local, 'GetError_OUTPUT');
    assert.equal(out.ns, CONCRETE);
    assert.ok(isNil(child(out, CONCRETE, 'Error')!));
    assert.equal(textOf(child(out, CONCRETE, 'ReturnValue')!), '0');
  });

  test('nullErrorForm picks how a NULL Error is written: absent, nil or empty', async () => {
    const id = FIXTURE_JOB_IDS.completedMigration;
    try {
      host.model.update(id, { nullErrorForm: 'absent' });
      const absent = bodyElement(soap(await send(invokeJob('GetError', id, MIGRATION))));
      assert.equal(child(absent, MIGRATION, 'Error'), undefined);
      host.model.update(id, { nullErrorForm: 'empty' });
      const empty = child(bodyElement(soap(await send(invokeJob('GetErrorEx', id, MIGRATION)))), MIGRATION, 'Errors')!;
      assert.equal(isNil(empty), false);
      assert.equal(textOf(empty), '');
    } finally {
      host.model.update(id, { nullErrorForm: 'nil' });
    }
  });

  test('GetError of a running job returns no error (only stopped jobs have one)', async () => {
    const out = bodyElement(soap(await send(invokeJob('GetError', FIXTURE_JOB_IDS.runningConcrete))));
    assert.ok(isNil(child(out, CONCRETE, 'Error')!));
  });

  test('GetError of the failed job: escaped CIM-XML Msvm_Error that parses and round-trips markup and CJK', async () => {
    const reply = await send(invokeJob('GetError', FIXTURE_JOB_IDS.failedConcrete));
    assert.ok(reply.body.includes('&lt;INSTANCE CLASSNAME="Msvm_Error"&gt;'), 'embedded as escaped text, not as XML');
    assert.ok(reply.body.includes('&amp;lt;01&amp;gt; &amp;amp;'), 'markup in values is escaped twice on the wire');
    const out = bodyElement(soap(reply));
    assert.equal(textOf(child(out, CONCRETE, 'ReturnValue')!), '0');
    const names = elements(out).map((e) => e.local);
    assert.deepEqual(names, ['Error', 'ReturnValue'], 'Error precedes ReturnValue');
    const { root, values, props } = cimXml(textOf(child(out, CONCRETE, 'Error')!));
    assert.equal(root.local, 'INSTANCE');
    assert.equal(attr(root, 'CLASSNAME'), 'Msvm_Error');
    assert.equal(values.get('Message'), `'${FAILED_VM.name}' failed to modify device 'Virtual Hard Disk'. (Virtual machine ID ${FAILED_VM.id})`);
    assert.equal(values.get('MessageID'), '32768');
    assert.deepEqual(values.get('MessageArguments'), [FAILED_VM.name, 'Virtual Hard Disk', FAILED_VM.id]);
    assert.equal(values.get('ErrorSourceFormat'), '0');
    assert.equal(values.get('OtherErrorType'), null, 'NULL is a PROPERTY without VALUE');
    assert.equal(attr(props.get('MessageArguments')!, 'TYPE'), 'string');
    assert.equal(props.get('MessageArguments')!.local, 'PROPERTY.ARRAY');
    assert.equal(attr(props.get('CIMStatusCode')!, 'TYPE'), 'uint32');
    assert.equal(attr(props.get('Message')!, 'PROPAGATED'), 'true');
    assert.equal(values.size, 15, 'all CIM_Error properties, no system properties by default');
    assert.match(String((values.get('RecommendedActions') as string[])[0]), /exists & that the account "NT VIRTUAL MACHINE\\<VM ID>"/);
  });

  test('errorXmlSystemProperties adds __CLASS, __GENUS ... with CLASSORIGIN="___SYSTEM"', async () => {
    const id = FIXTURE_JOB_IDS.killed;
    host.model.update(id, { errorXmlSystemProperties: true });
    try {
      const { values, props } = cimXml(textOf(child(bodyElement(soap(await send(invokeJob('GetError', id)))), CONCRETE, 'Error')!));
      assert.equal(values.get('__CLASS'), 'Msvm_Error');
      assert.equal(values.get('__GENUS'), '2');
      assert.equal(attr(props.get('__PATH')!, 'CLASSORIGIN'), '___SYSTEM');
      assert.equal(values.get('Message'), 'The job was killed.');
    } finally {
      host.model.update(id, { errorXmlSystemProperties: false });
    }
  });

  test('GetError of the failed migration job: the live-migration Msvm_Error', async () => {
    const out = bodyElement(soap(await send(invokeJob('GetError', FIXTURE_JOB_IDS.failedMigration, MIGRATION))));
    assert.equal(out.ns, MIGRATION);
    const { values } = cimXml(textOf(child(out, MIGRATION, 'Error')!));
    assert.equal(values.get('MessageID'), '21502');
    assert.match(String(values.get('Message')), /^Virtual machine migration operation for 'sql02' failed at migration source 'HV-EMU01'/);
    assert.match(String(values.get('ProbableCauseDescription')), /HV-EMU02/);
  });

  test('GetErrorEx returns every error as a repeated p:Errors', async () => {
    const out = bodyElement(soap(await send(invokeJob('GetErrorEx', FIXTURE_JOB_IDS.twoErrors))));
    const errors = childrenNamed(out, CONCRETE, 'Errors');
    assert.equal(errors.length, 2);
    const messages = errors.map((e) => cimXml(textOf(e)).values.get('Message'));
    assert.match(String(messages[0]), /failed to add device 'Synthetic SCSI Controller'/);
    assert.match(String(messages[1]), /Failed to open attachment 'C:\\ClusterStorage\\Volume1\\app03\\disk1\.vhdx'/);
    assert.equal(textOf(child(out, CONCRETE, 'ReturnValue')!), '0');
  });

  test('GetError refused with 32769 (Access Denied) carries no error', async () => {
    const out = bodyElement(soap(await send(invokeJob('GetError', FIXTURE_JOB_IDS.accessDenied))));
    assert.equal(textOf(child(out, CONCRETE, 'ReturnValue')!), '32769');
    assert.ok(isNil(child(out, CONCRETE, 'Error')!));
  });

  test('Invoking a method the class does not have is a:ActionNotSupported', async () => {
    const f = fault(await send(invokeJob('GetErrors', FIXTURE_JOB_IDS.failedConcrete)));
    assert.deepEqual(f.subcode, { ns: NS.wsa, local: 'ActionNotSupported' });
    assert.equal(f.wsmanCode, '2150858771');
    const wrongInput = fault(await send(envelope({ action: `${CONCRETE}/GetError`, selectors: jobSelector(FIXTURE_JOB_IDS.failedConcrete), body: `<p:GetErrorEx_INPUT xmlns:p="${CONCRETE}"/>` })));
    assert.deepEqual(wrongInput.subcode, { ns: NS.wsman, local: 'SchemaValidationError' });
    const missing = fault(await send(invokeJob('GetError', '11111111-1111-1111-1111-111111111111')));
    assert.equal(providerFault(missing).operation, 'ExecMethod');
  });

  test('A progressing job advances on every Get and ends Completed', async () => {
    const id = 'ABCDEF00-0000-4000-8000-000000000001';
    host.model.add({ className: 'Msvm_ConcreteJob', instanceId: id, jobState: 4, percentComplete: 0, errorCode: 0, progress: { steps: 4, finalState: 7 } });
    try {
      const seen: Array<[string, string]> = [];
      for (let i = 0; i < 5; i++) {
        const job = bodyElement(soap(await send(getJob(id))));
        seen.push([textOf(prop(job, 'JobState')!), textOf(prop(job, 'PercentComplete')!)]);
      }
      assert.deepEqual(seen, [
        ['4', '25'],
        ['4', '50'],
        ['4', '75'],
        ['7', '100'],
        ['7', '100'],
      ]);
    } finally {
      host.model.remove(id);
    }
  });

  test('MigrateVirtualSystemToHost returns 4096 and a Job EPR to a migration job that fails after progressing', async () => {
    const service = `${V2}/Msvm_VirtualSystemMigrationService`;
    const input =
      `<p:ComputerSystem><a:Address>${ANON}</a:Address><a:ReferenceParameters><w:ResourceURI>${V2}/Msvm_ComputerSystem</w:ResourceURI>` +
      `<w:SelectorSet><w:Selector Name="CreationClassName">Msvm_ComputerSystem</w:Selector><w:Selector Name="Name">${FIXTURE_VMS.migrating.id}</w:Selector></w:SelectorSet></a:ReferenceParameters></p:ComputerSystem>` +
      `<p:DestinationHost>HV-EMU09</p:DestinationHost>`;
    const reply = await send(
      envelope({
        action: `${service}/MigrateVirtualSystemToHost`,
        resourceUri: service,
        selectors: [
          ['CreationClassName', 'Msvm_VirtualSystemMigrationService'],
          ['Name', 'vmms'],
        ],
        body: `<p:MigrateVirtualSystemToHost_INPUT xmlns:p="${service}">${input}</p:MigrateVirtualSystemToHost_INPUT>`,
      }),
    );
    const out = bodyElement(soap(reply));
    assert.equal(out.local, 'MigrateVirtualSystemToHost_OUTPUT');
    assert.equal(textOf(child(out, service, 'ReturnValue')!), '4096');
    const jobEpr = child(out, service, 'Job')!;
    assert.equal(textOf(child(jobEpr, NS.wsa, 'Address')!), ANON);
    const refs = child(jobEpr, NS.wsa, 'ReferenceParameters')!;
    assert.equal(textOf(child(refs, NS.wsman, 'ResourceURI')!), MIGRATION);
    const selectors = childrenNamed(child(refs, NS.wsman, 'SelectorSet')!, NS.wsman, 'Selector').map((s) => [attr(s, 'Name') ?? '', textOf(s)] as const);
    const instanceId = selectors.find(([n]) => n === 'InstanceID')![1];
    assert.match(instanceId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);

    // Poll with the EPR's own selectors, as a client should.
    const poll = envelope({ action: A.get, resourceUri: MIGRATION, selectors });
    const states: string[] = [];
    for (let i = 0; i < STARTED_JOB_STEPS.migration; i++) states.push(textOf(prop(bodyElement(soap(await send(poll))), 'JobState')!));
    assert.deepEqual(states, [...Array(STARTED_JOB_STEPS.migration - 1).fill('4'), '10']);
    const error = cimXml(textOf(child(bodyElement(soap(await send(invokeJob('GetError', instanceId, MIGRATION)))), MIGRATION, 'Error')!)).values;
    assert.match(String(error.get('Message')), /migration operation for 'sql02' failed at migration source 'HV-EMU01'/);
    assert.deepEqual(error.get('MessageArguments'), ['sql02', 'HV-EMU01', FIXTURE_VMS.migrating.id, 'HV-EMU09']);
    host.model.remove(instanceId);
  });

  test('ResizeVirtualHardDisk starts a Msvm_StorageJob that completes', async () => {
    const service = `${V2}/Msvm_ImageManagementService`;
    const out = bodyElement(
      soap(
        await send(
          envelope({
            action: `${service}/ResizeVirtualHardDisk`,
            resourceUri: service,
            selectors: [['Name', 'ims']],
            body: `<p:ResizeVirtualHardDisk_INPUT xmlns:p="${service}"><p:Path>C:\\vhd\\a.vhdx</p:Path><p:MaxInternalSize>1073741824</p:MaxInternalSize></p:ResizeVirtualHardDisk_INPUT>`,
          }),
        ),
      ),
    );
    assert.equal(textOf(child(out, service, 'ReturnValue')!), '4096');
    const refs = path(out, [service, 'Job'], [NS.wsa, 'ReferenceParameters'])!;
    assert.equal(textOf(child(refs, NS.wsman, 'ResourceURI')!), STORAGE);
    const id = textOf(childrenNamed(child(refs, NS.wsman, 'SelectorSet')!, NS.wsman, 'Selector').find((s) => attr(s, 'Name') === 'InstanceID')!);
    let last = '';
    for (let i = 0; i < STARTED_JOB_STEPS.resize; i++) last = textOf(prop(bodyElement(soap(await send(getJob(id, STORAGE)))), 'JobState')!);
    assert.equal(last, '7');
    host.model.remove(id);
  });

  test('RequestStateChange(4) terminates a running job; then GetError reports the cancellation', async () => {
    const id = 'ABCDEF00-0000-4000-8000-000000000002';
    host.model.add({ className: 'Msvm_ConcreteJob', instanceId: id, jobState: 4, percentComplete: 10, errorCode: 0, elementName: 'Export Virtual Machine' });
    try {
      const rv = (xml: string): Promise<string> => send(xml).then((r) => textOf(child(bodyElement(soap(r)), CONCRETE, 'ReturnValue')!));
      assert.equal(await rv(invokeJob('RequestStateChange', id, CONCRETE, '<p:RequestedState>4</p:RequestedState>')), '0');
      assert.equal(host.model.get(id)!.jobState, 8);
      assert.equal(await rv(invokeJob('RequestStateChange', id, CONCRETE, '<p:RequestedState>4</p:RequestedState>')), '4097');
      const error = cimXml(textOf(child(bodyElement(soap(await send(invokeJob('GetError', id)))), CONCRETE, 'Error')!)).values;
      assert.equal(error.get('Message'), "The operation 'Export Virtual Machine' was canceled by a client request.");
      assert.deepEqual(fault(await send(invokeJob('RequestStateChange', id))).subcode, { ns: NS.wsman, local: 'InvalidParameter' });
    } finally {
      host.model.remove(id);
    }
  });

  test('Only POST /wsman exists; oversize bodies are 413; other content types 415', async () => {
    assert.equal((await post(host.url, 'x', { authorization: BASIC, path: '/other' })).status, 404);
    assert.equal((await post(host.url, '', { authorization: BASIC, method: 'GET' })).status, 405);
    assert.equal((await post(host.url, 'x'.repeat(600_000), { authorization: BASIC })).status, 413);
    assert.equal((await post(host.url, getJob(FIXTURE_JOB_IDS.completedConcrete), { authorization: BASIC, contentType: 'text/xml' })).status, 415);
  });

  test('Malformed XML and SOAP 1.1 envelopes are faults', async () => {
    assert.deepEqual(fault(await send('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>')).subcode, { ns: NS.wsman, local: 'SchemaValidationError' });
    const v11 = fault(await send('<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>'));
    assert.equal(v11.code, 'VersionMismatch');
    assert.equal(v11.subcode, undefined);
  });

  test('The request log records operation, resource, selectors, method, user and faults', () => {
    const log = host.requests;
    const getError = log.find((r) => r.method === 'GetError' && r.selectors.InstanceID === FIXTURE_JOB_IDS.failedConcrete);
    assert.ok(getError);
    assert.equal(getError.operation, 'Invoke');
    assert.equal(getError.resourceUri, CONCRETE);
    assert.equal(getError.user, DEFAULT_USER);
    assert.equal(getError.authScheme, 'basic');
    assert.equal(getError.httpStatus, 200);
    assert.ok(log.some((r) => r.httpStatus === 401 && r.operation === 'Rejected' && r.authFailure === 'no credentials'));
    assert.ok(log.some((r) => r.httpStatus === 500 && r.fault === 'CannotProcessFilter' && r.operation === 'Enumerate'));
  });
});

describe('emulated host with Windows defaults (Negotiate only, AllowUnencrypted=false)', () => {
  let host: EmulatedHost;
  before(async () => {
    host = await startEmulatedHost({ users: { Administrator: DEFAULT_PASSWORD, operator: 'P@ss w0rd!' }, auth: { basic: true }, requestLog: true });
  });
  after(() => host.close());

  test('Basic over plain HTTP is refused even with the right password, and not offered', async () => {
    const reply = await post(host.url, getJob(FIXTURE_JOB_IDS.completedConcrete), { authorization: BASIC });
    assert.equal(reply.status, 401);
    assert.deepEqual(wwwAuthenticate(reply), ['Negotiate']);
    assert.match(host.requests.at(-1)!.authFailure!, /AllowUnencrypted=false/);
  });

  test('NTLM over HTTP: handshake on a keep-alive connection, then sealed requests and replies', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const client = new NtlmClientContext({ user: 'HV-EMU01\\operator', password: 'P@ss w0rd!' });
      const challenge = await post(host.url, '', { agent, authorization: `Negotiate ${Buffer.from(client.createNegotiate()).toString('base64')}` });
      assert.equal(challenge.status, 401);
      const token = /^Negotiate (\S+)$/.exec(String(challenge.headers['www-authenticate']))?.[1];
      assert.ok(token, 'the 401 carries the CHALLENGE');
      const done = await post(host.url, '', { agent, authorization: `Negotiate ${Buffer.from(client.createAuthenticate(Buffer.from(token, 'base64'))).toString('base64')}` });
      assert.equal(done.status, 200);
      assert.equal(done.body.length, 0);

      // Same connection, no Authorization header: the body is sealed with the NTLM session.
      const sealed = encryptMessage(client.session, Buffer.from(invokeJob('GetError', FIXTURE_JOB_IDS.failedConcrete), 'utf8'));
      const reply = await post(host.url, sealed, { agent, contentType: ENCRYPTED_CONTENT_TYPE });
      assert.equal(reply.status, 200);
      assert.match(String(reply.headers['content-type']), /^multipart\/encrypted;protocol="application\/HTTP-SPNEGO-session-encrypted"/);
      const plain = decryptMessage(client.session, reply.body, String(reply.headers['content-type']));
      const out = bodyElement(parseXml(plain));
      assert.equal(out.local, 'GetError_OUTPUT');
      assert.equal(cimXml(textOf(child(out, CONCRETE, 'Error')!)).values.get('MessageID'), '32768');

      // Faults are sealed too, and still HTTP 500.
      const faultReply = await post(host.url, encryptMessage(client.session, Buffer.from(getJob('nope'), 'utf8')), { agent, contentType: ENCRYPTED_CONTENT_TYPE });
      assert.equal(faultReply.status, 500);
      const faultDoc = parseXml(decryptMessage(client.session, faultReply.body, String(faultReply.headers['content-type'])));
      assert.equal(bodyElement(faultDoc).local, 'Fault');

      // Plain SOAP on the authenticated connection is refused: AllowUnencrypted=false.
      const plainRequest = await post(host.url, getJob(FIXTURE_JOB_IDS.completedConcrete), { agent });
      assert.equal(plainRequest.status, 500);
      assert.equal(plainRequest.body.length, 0);

      const entry = host.requests.find((r) => r.method === 'GetError' && r.encrypted);
      assert.equal(entry?.user, 'operator');
      assert.equal(entry?.authScheme, 'ntlm');
    } finally {
      agent.destroy();
    }
  });

  test('NTLM state belongs to the connection: a new connection without Authorization gets 401', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const client = new NtlmClientContext({ user: 'Administrator', password: DEFAULT_PASSWORD });
    try {
      const challenge = await post(host.url, '', { agent, authorization: `Negotiate ${Buffer.from(client.createNegotiate()).toString('base64')}` });
      const token = String(challenge.headers['www-authenticate']).split(' ')[1]!;
      assert.equal((await post(host.url, '', { agent, authorization: `Negotiate ${Buffer.from(client.createAuthenticate(Buffer.from(token, 'base64'))).toString('base64')}` })).status, 200);
    } finally {
      agent.destroy();
    }
    const fresh = await post(host.url, encryptMessage(client.session, Buffer.from(getJob(FIXTURE_JOB_IDS.completedConcrete))), { contentType: ENCRYPTED_CONTENT_TYPE, headers: { Connection: 'close' } });
    assert.equal(fresh.status, 401);
  });

  test('A UTF-16 request (BOM, charset=UTF-16) is understood', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const client = new NtlmClientContext({ user: DEFAULT_USER, password: DEFAULT_PASSWORD });
      const challenge = await post(host.url, '', { agent, authorization: `Negotiate ${Buffer.from(client.createNegotiate()).toString('base64')}` });
      const token = String(challenge.headers['www-authenticate']).split(' ')[1]!;
      await post(host.url, '', { agent, authorization: `Negotiate ${Buffer.from(client.createAuthenticate(Buffer.from(token, 'base64'))).toString('base64')}` });
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(getJob(FIXTURE_JOB_IDS.failedConcrete), 'utf16le')]);
      const reply = await post(host.url, encryptMessage(client.session, utf16, 'UTF-16'), { agent, contentType: ENCRYPTED_CONTENT_TYPE });
      assert.equal(reply.status, 200);
      const job = bodyElement(parseXml(decryptMessage(client.session, reply.body, String(reply.headers['content-type']))));
      assert.equal(textOf(prop(job, 'ErrorDescription')!), `'${FAILED_VM.name}' failed to modify device 'Virtual Hard Disk'. (Virtual machine ID ${FAILED_VM.id})`);
    } finally {
      agent.destroy();
    }
  });

  test('With auth.ntlm the bare NTLM scheme is offered and accepted', async () => {
    const ntlmHost = await startEmulatedHost({ auth: { ntlm: true, negotiate: false } });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.deepEqual(wwwAuthenticate(await post(ntlmHost.url, '', { agent })), ['NTLM']);
      const client = new NtlmClientContext({ user: DEFAULT_USER, password: DEFAULT_PASSWORD });
      assert.equal((await post(ntlmHost.url, '', { agent, authorization: `Negotiate ${Buffer.from(client.createNegotiate()).toString('base64')}` })).status, 401, 'Negotiate is not offered');
      const fresh = new NtlmClientContext({ user: DEFAULT_USER, password: DEFAULT_PASSWORD });
      const challenge = await post(ntlmHost.url, '', { agent, authorization: `NTLM ${Buffer.from(fresh.createNegotiate()).toString('base64')}` });
      const [scheme, token] = String(challenge.headers['www-authenticate']).split(' ');
      assert.equal(scheme, 'NTLM');
      const done = await post(ntlmHost.url, '', { agent, authorization: `NTLM ${Buffer.from(fresh.createAuthenticate(Buffer.from(token!, 'base64'))).toString('base64')}` });
      assert.equal(done.status, 200);
    } finally {
      agent.destroy();
      await ntlmHost.close();
    }
  });

  test('A wrong NTLM password is 401 with the reason in the log', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const client = new NtlmClientContext({ user: 'Administrator', password: 'wrong' });
      const challenge = await post(host.url, '', { agent, authorization: `Negotiate ${Buffer.from(client.createNegotiate()).toString('base64')}` });
      const token = String(challenge.headers['www-authenticate']).split(' ')[1]!;
      const reply = await post(host.url, '', { agent, authorization: `Negotiate ${Buffer.from(client.createAuthenticate(Buffer.from(token, 'base64'))).toString('base64')}` });
      assert.equal(reply.status, 401);
      assert.match(host.requests.at(-1)!.authFailure!, /bad-password/);
    } finally {
      agent.destroy();
    }
  });
});

describe('emulated host over HTTPS with a generated CA', () => {
  let certs: TestCertificates;
  let host: EmulatedHost;
  const start = (o: EmulatedHostOptions = {}): Promise<EmulatedHost> => startEmulatedHost({ tls: { cert: certs.cert, key: certs.key }, ...o });

  before(async () => {
    certs = await generateTestCertificates();
    host = await start({ auth: { basic: true } });
  });
  after(async () => {
    await host.close();
    await certs.cleanup();
  });

  test('TLS verification against the generated CA succeeds and Basic works over HTTPS', async () => {
    assert.match(host.url, /^https:\/\/127\.0\.0\.1:\d+\/wsman$/);
    const reply = await post(host.url, getJob(FIXTURE_JOB_IDS.storage, STORAGE), { authorization: BASIC, ca: certs.caCert });
    assert.equal(reply.status, 200);
    assert.equal(bodyElement(soap(reply)).local, 'Msvm_StorageJob');
    assert.deepEqual(wwwAuthenticate(await post(host.url, '', { ca: certs.caCert })), ['Negotiate', 'Basic realm="WSMAN"'], 'Basic is offered over HTTPS');
  });

  test('Without the CA the certificate is not trusted (verification is really on)', async () => {
    await assert.rejects(post(host.url, getJob(FIXTURE_JOB_IDS.completedConcrete), { authorization: BASIC }), (err: NodeJS.ErrnoException) => /certificate/i.test(err.message) || err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  test('The certificate names localhost and 127.0.0.1 and is signed by the CA', () => {
    const leaf = new X509Certificate(certs.cert);
    assert.match(leaf.subjectAltName ?? '', /DNS:localhost/);
    assert.match(leaf.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.equal(leaf.verify(new X509Certificate(certs.caCert).publicKey), true);
  });

  async function ntlmOverHttps(h: EmulatedHost, bindings: Uint8Array | undefined): Promise<number> {
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: certs.caCert });
    try {
      const client = new NtlmClientContext({ user: DEFAULT_USER, password: DEFAULT_PASSWORD });
      const challenge = await post(h.url, '', { agent, ca: certs.caCert, authorization: `Negotiate ${Buffer.from(client.createNegotiate()).toString('base64')}` });
      const token = String(challenge.headers['www-authenticate']).split(' ')[1]!;
      const auth = `Negotiate ${Buffer.from(client.createAuthenticate(Buffer.from(token, 'base64'), bindings)).toString('base64')}`;
      // Over HTTPS the SOAP request itself travels with the AUTHENTICATE, unencrypted at the message level.
      const reply = await post(h.url, getJob(FIXTURE_JOB_IDS.completedConcrete), { agent, ca: certs.caCert, authorization: auth });
      return reply.status;
    } finally {
      agent.destroy();
    }
  }

  test('NTLM over HTTPS with the right channel binding succeeds; a wrong one is refused (Relaxed)', async () => {
    const right = channelBindingApplicationData(new Uint8Array(new X509Certificate(certs.cert).raw));
    const wrong = channelBindingApplicationData(new Uint8Array(new X509Certificate(certs.caCert).raw));
    assert.equal(await ntlmOverHttps(host, right), 200);
    assert.equal(await ntlmOverHttps(host, wrong), 401);
    assert.equal(await ntlmOverHttps(host, undefined), 200, 'Relaxed accepts a client that sends no binding');
  });

  test('CbtHardeningLevel strict refuses NTLM without channel binding; none ignores a wrong one', async () => {
    const strict = await start({ cbtHardeningLevel: 'strict' });
    const none = await start({ cbtHardeningLevel: 'none' });
    try {
      assert.equal(await ntlmOverHttps(strict, undefined), 401);
      assert.equal(await ntlmOverHttps(strict, channelBindingApplicationData(new Uint8Array(new X509Certificate(certs.cert).raw))), 200);
      assert.equal(await ntlmOverHttps(none, channelBindingApplicationData(new Uint8Array(new X509Certificate(certs.caCert).raw))), 200);
    } finally {
      await strict.close();
      await none.close();
    }
  });
});

describe('startEmulatedHost options', () => {
  test('Contradictory or out-of-range options are refused before listening', async () => {
    await assert.rejects(startEmulatedHost({ auth: { basic: false, negotiate: false, ntlm: false } }), { code: 'ERR_INVALID_OPTION' });
    await assert.rejects(startEmulatedHost({ maxEnvelopeSize: 100 }), { code: 'ERR_INVALID_OPTION' });
    await assert.rejects(startEmulatedHost({ port: 70000 }), { code: 'ERR_INVALID_OPTION' });
  });

  test('emptyHypervNamespace: no job and no Msvm_VirtualSystemManagementService; refused together with jobs', async () => {
    await assert.rejects(startEmulatedHost({ emptyHypervNamespace: true, jobs: DEFAULT_JOBS }), { code: 'ERR_INVALID_OPTION' });
    const host = await startEmulatedHost({ emptyHypervNamespace: true, auth: { basic: true }, allowUnencrypted: true });
    try {
      assert.deepEqual(host.model.list(), []);
      for (const cls of ['Msvm_VirtualSystemManagementService', 'Msvm_ConcreteJob']) {
        const reply = await post(host.url, envelope({ action: A.enumerate, resourceUri: `${V2}/${cls}`, body: '<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>10</w:MaxElements></n:Enumerate>' }), { authorization: BASIC });
        const r = bodyElement(soap(reply));
        assert.deepEqual(elements(child(r, NS.wsman, 'Items')!), [], cls);
        assert.ok(child(r, NS.wsman, 'EndOfSequence'), cls);
      }
    } finally {
      await host.close();
    }
  });

  test('Custom jobs and computer name replace the defaults', async () => {
    const host = await startEmulatedHost({
      jobs: [{ className: 'Msvm_ConcreteJob', instanceId: 'CAFE0000-0000-4000-8000-000000000000', jobState: 7, percentComplete: 100, errorCode: 0 }],
      computerName: 'LAB-HV7',
      auth: { basic: true },
      allowUnencrypted: true,
    });
    try {
      assert.deepEqual(
        host.model.list().map((j) => j.instanceId),
        ['CAFE0000-0000-4000-8000-000000000000'],
      );
      const f = fault(await post(host.url, getJob(FIXTURE_JOB_IDS.completedConcrete), { authorization: BASIC }));
      assert.equal(providerFault(f).machine, 'LAB-HV7');
      assert.deepEqual(host.requests, [], 'no log unless requestLog is on');
      assert.throws(() => host.model.add(host.model.list()[0]!), { code: 'ERR_INVALID_OPTION' });
    } finally {
      await host.close();
    }
  });
});
