// The two addressing dialects (wmi / cim), the reply shapes OMI sends, and the typed error for a
// reply that fits no known shape. Pure functions, no sockets (the end-to-end side is in omi-dialect.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidOptionError, UnexpectedReplyError } from '../src/errors.js';
import { decodeWsCimInstance } from '../src/cim/ws-cim.js';
import { CimDateTime } from '../src/cim/types.js';
import { CIM_SCHEMA_PREFIX, checkReplyDialect, classTarget, dialectOfResourceUri, mergeSelectors } from '../src/wsman/dialect.js';
import { buildInvokeRequest } from '../src/wsman/requests.js';
import { parseIdentifyResponse, parseInvokeResponse, parseEnumerationPage } from '../src/wsman/responses.js';
import { embeddedInstance } from '../src/wsman/invoke-params.js';
import { NS } from '../src/wsman/namespaces.js';
import { parseXml } from '../src/xml/parse.js';
import { child, elements, type XmlElement } from '../src/xml/tree.js';

const body = (inner: string, extraNs = ''): XmlElement =>
  child(parseXml(`<s:Envelope xmlns:s="${NS.soap}"${extraNs}><s:Body>${inner}</s:Body></s:Envelope>`), NS.soap, 'Body')!;

const ctx = { to: 'http://127.0.0.1:5985/wsman', newMessageId: () => 'uuid:00000000-0000-0000-0000-000000000001' };

describe('classTarget', () => {
  test('wmi: namespace in the resource URI, no selector', () => {
    assert.deepEqual(classTarget('wmi', 'root\\cimv2', 'XYZ_Color'), { resourceUri: 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/XYZ_Color', selectors: {} });
  });
  test('cim: DMTF class URI and the namespace in __cimnamespace (with / separators)', () => {
    assert.deepEqual(classTarget('cim', 'root\\cimv2', 'XYZ_Color'), { resourceUri: `${CIM_SCHEMA_PREFIX}XYZ_Color`, selectors: { __cimnamespace: 'root/cimv2' } });
  });
  test('cim cannot address every class of a namespace', () => {
    assert.throws(() => classTarget('cim', 'root/cimv2', '*'), InvalidOptionError);
  });
  test('the dialect of a resource URI', () => {
    assert.equal(dialectOfResourceUri('HTTP://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/X'), 'wmi');
    assert.equal(dialectOfResourceUri(`${CIM_SCHEMA_PREFIX}X`), 'cim');
  });
  test('keys merge with __cimnamespace; a contradicting one is refused, an agreeing one kept once', () => {
    const t = classTarget('cim', 'root/omi', 'OMI_Identify');
    assert.deepEqual(mergeSelectors(t, { Key: '1' }), { Key: '1', __cimnamespace: 'root/omi' });
    assert.deepEqual(mergeSelectors(t, { __CIMNamespace: 'root\\omi' }), { __CIMNamespace: 'root\\omi' });
    assert.throws(() => mergeSelectors(t, { __cimnamespace: 'interop' }), /contradicts the namespace root\/omi/);
  });
});

describe('Identify replies', () => {
  const inner = (el: string): string =>
    `<${el}><wsmid:ProtocolVersion>${NS.wsman}</wsmid:ProtocolVersion><wsmid:ProductVendor>Microsoft</wsmid:ProductVendor><wsmid:ProductVersion>1.0.8-6</wsmid:ProductVersion>` +
    `<wsmid:SecurityProfiles><wsmid:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/basic</wsmid:SecurityProfileName></wsmid:SecurityProfiles></${el}>`;
  test('OMI: IdentifyResponse in the SOAP envelope namespace, children in wsmid', () => {
    const r = parseIdentifyResponse(body(inner('s:IdentifyResponse'), ` xmlns:wsmid="${NS.wsmid}"`));
    assert.equal(r.productVersion, '1.0.8-6');
    assert.deepEqual(r.securityProfiles, ['http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/basic']);
  });
  test('Windows: IdentifyResponse in wsmid', () => {
    assert.equal(parseIdentifyResponse(body(inner('wsmid:IdentifyResponse'), ` xmlns:wsmid="${NS.wsmid}"`)).productVendor, 'Microsoft');
  });
  test('anything else is an UnexpectedReplyError naming the element found', () => {
    assert.throws(
      () => parseIdentifyResponse(body('<x:Hello xmlns:x="urn:other"/>')),
      (e: unknown) => e instanceof UnexpectedReplyError && e.code === 'ERR_WSMAN_PROTOCOL' && /<x:Hello> \(namespace "urn:other"\)/.test(e.message) && e.found[0]?.namespace === 'urn:other',
    );
  });
});

describe('Invoke replies', () => {
  const CLS = `${CIM_SCHEMA_PREFIX}MSFT_Person`;
  test('Windows <Method_OUTPUT>', () => {
    const out = parseInvokeResponse(body(`<p:Add_OUTPUT xmlns:p="${CLS}"><p:ReturnValue>7</p:ReturnValue></p:Add_OUTPUT>`), 'Add', CLS);
    assert.equal(out.returnValue, 7);
  });
  test('OMI <Method> and <Class_OUTPUT>', () => {
    assert.equal(parseInvokeResponse(body(`<p:Add xmlns:p="${CIM_SCHEMA_PREFIX}Add"><p:ReturnValue>3</p:ReturnValue></p:Add>`), 'Add', CLS).returnValue, 3);
    assert.equal(parseInvokeResponse(body(`<p:MSFT_Person_OUTPUT xmlns:p="${CLS}"><p:ReturnValue>4</p:ReturnValue></p:MSFT_Person_OUTPUT>`), 'Add', CLS).returnValue, 4);
  });
  test('a ReturnValue that is an embedded instance: returnValue null, the element kept and decodable', () => {
    const out = parseInvokeResponse(
      body(
        `<p:TestEmbedded xmlns:p="${CIM_SCHEMA_PREFIX}TestEmbedded" xmlns:xsi="${NS.xsi}"><p:ReturnValue xmlns:q="${CIM_SCHEMA_PREFIX}X_TestObject" xsi:type="q:X_TestObject_Type"><q:id>15</q:id></p:ReturnValue></p:TestEmbedded>`,
      ),
      'TestEmbedded',
      `${CIM_SCHEMA_PREFIX}TestEmbeddedOperations`,
    );
    assert.equal(out.returnValue, null);
    const inst = decodeWsCimInstance(out.output);
    const rv = inst.properties.ReturnValue as { className: string; properties: Record<string, unknown> };
    assert.equal(rv.className, 'X_TestObject');
    assert.equal(rv.properties.id, '15');
  });
  test('no known output element: UnexpectedReplyError listing what was expected and found', () => {
    assert.throws(
      () => parseInvokeResponse(body(`<p:Other xmlns:p="urn:x"/>`), 'Add', CLS),
      (e: unknown) => e instanceof UnexpectedReplyError && /expected <Add_OUTPUT> or <Add> or <MSFT_Person_OUTPUT>, found <p:Other>/.test(e.message),
    );
  });
  test('an enumeration reply of another shape names what came instead', () => {
    assert.throws(() => parseEnumerationPage(body('<w:Nope xmlns:w="urn:y"/>'), 'PullResponse'), (e: unknown) => e instanceof UnexpectedReplyError && /reply to Pull .*<w:Nope>/.test(e.message));
  });
});

describe('A WMI URI answered from the DMTF namespace (namespace ignored)', () => {
  const wmiUri = classTarget('wmi', 'root/cimv2', 'MSFT_President').resourceUri;
  const inst = (ns: string): XmlElement => elements(body(`<p:MSFT_President xmlns:p="${ns}"/>`))[0]!;
  test('is refused with advice to use the cim dialect', () => {
    assert.throws(() => checkReplyDialect(wmiUri, inst(`${CIM_SCHEMA_PREFIX}MSFT_President`), 'Get'), (e: unknown) => e instanceof UnexpectedReplyError && /--dialect cim/.test(e.message));
  });
  test('a WMI-namespace instance, or any instance for a cim request, passes', () => {
    checkReplyDialect(wmiUri, inst(wmiUri), 'Get');
    checkReplyDialect(`${CIM_SCHEMA_PREFIX}MSFT_President`, inst(`${CIM_SCHEMA_PREFIX}MSFT_President`), 'Get');
  });
});

describe('Invoke input in the cim dialect', () => {
  const uri = `${CIM_SCHEMA_PREFIX}TestEmbeddedOperations`;
  test('an embedded instance is a nested WS-CIM element with xsi:type; arrays repeat; datetimes are cim:CIM_DateTime', () => {
    const when = new CimDateTime('20240102030405.000000+000', new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), 0, 0);
    const r = buildInvokeRequest(ctx, uri, 'TestEmbedded', {
      params: { testObjectsArray: [embeddedInstance('X_TestObject', { id: 5 }), embeddedInstance('X_TestObject', { id: 10, tags: ['a', 'b'], note: null })], at: when },
    });
    assert.match(r.xml, /<a:Action s:mustUnderstand="true">http:\/\/schemas\.dmtf\.org\/wbem\/wscim\/1\/cim-schema\/2\/TestEmbeddedOperations\/TestEmbedded<\/a:Action>/);
    assert.ok(
      r.xml.includes(
        `<p:testObjectsArray xmlns:c0="${CIM_SCHEMA_PREFIX}X_TestObject" xsi:type="c0:X_TestObject_Type"><c0:id>5</c0:id></p:testObjectsArray>` +
          `<p:testObjectsArray xmlns:c0="${CIM_SCHEMA_PREFIX}X_TestObject" xsi:type="c0:X_TestObject_Type"><c0:id>10</c0:id><c0:tags>a</c0:tags><c0:tags>b</c0:tags><c0:note xsi:nil="true"/></p:testObjectsArray>`,
      ),
      r.xml,
    );
    assert.match(r.xml, /<p:at><cim:CIM_DateTime>20240102030405\.000000\+000<\/cim:CIM_DateTime><\/p:at>/);
    // The whole request is well-formed XML with every prefix declared.
    parseXml(r.xml);
  });
  test('the wmi dialect keeps escaped CIM-XML text (what Hyper-V accepts)', () => {
    const r = buildInvokeRequest(ctx, 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_VirtualSystemManagementService', 'DefineSystem', {
      params: { SystemSettings: embeddedInstance('Msvm_VirtualSystemSettingData', { ElementName: 'vm1' }) },
    });
    assert.match(r.xml, /<p:SystemSettings>&lt;INSTANCE CLASSNAME="Msvm_VirtualSystemSettingData"&gt;/);
  });
  test('an explicit dialect wins over the URI', () => {
    const r = buildInvokeRequest(ctx, uri, 'TestEmbedded', { params: { single: embeddedInstance('X_TestObject', { id: 1 }) }, dialect: 'wmi' });
    assert.match(r.xml, /<p:single>&lt;INSTANCE/);
  });
});
