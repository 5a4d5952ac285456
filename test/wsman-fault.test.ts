/**
 * WS-Man / SOAP fault parsing. Fixtures in test/fixtures/faults/:
 *  a-invalid-message-information-header.xml  [R] fact sheet 5.2(a): pypsrp recording from a Windows host, HTTP 500.
 *  b-cannot-process-filter.xml               [R] fact sheet 5.2(b): WinRb/WinRM soap_fault_v2.xml s:Fault, verbatim;
 *                                                the envelope around it is assembled with Windows' usual prefixes.
 *  c-wmi-error-quota-limit.xml               [R] fact sheet 5.2(c): WinRb/WinRM wmi_error_v2.xml Code + MSFT_WmiError
 *                                                verbatim; the sheet elides the Reason, filled with the WMI Message text.
 *  d-wsmv-4.10-destination-unreachable.xml   [S] MS-WSMV 4.10 fault response, verbatim (its `a:` prefix is undeclared).
 *  e-invalid-selectors.xml                   [R] fact sheet 5.2(e) (openwsman #83, Windows 7): subcode, reason,
 *                                                faultDetail and message text; XML assembled around them.
 *  f-timed-out.xml, f-schema-validation-error.xml, f-internal-error-wmi.xml
 *                                            [I] fact sheet 5.2(f): pywinrm winrm/tests/test_exceptions.py, verbatim.
 *  destination-unreachable-missing-instance.xml
 *                                            [R] Windows Server 2012 R2 answer to a Get of a missing Win32_Process,
 *                                                from microsoft/omi's wsman parser test (TestInnerMessageFaultResponse).
 *  omi-internal-error-no-detail.xml          [I] WinRb/WinRM soap_fault_omi.xml (SOAP-ENV: prefixes, no Detail).
 *  omi-invalid-class.xml, omi-not-found.xml [R] OMI 1.0.8-6 (github:microsoft/omi d2c06c16, `configure --dev`) on loopback,
 *                                                2026-12-07: HTTP 500 to a Get of a class root/cimv2 lacks and of
 *                                                MSFT_President Key=99 in interop; body verbatim (interop/omi).
 *  must-understand-no-subcode.xml, no-reason.xml
 *                                            [I] pywinrm test_exceptions.py (no subcode; no Reason).
 * The per-subcode faults built by `windowsFault` below are synthetic, written in Windows' shape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ErrorCodes, HypervWsmanError, ProtocolError } from '../src/errors.js';
import { parseXml } from '../src/xml/parse.js';
import { child, textOf, type XmlElement } from '../src/xml/tree.js';
import { NS } from '../src/wsman/namespaces.js';
import {
  findFault,
  isAccessDeniedFault,
  isNotFoundFault,
  isTimeoutFault,
  parseFault,
  WsmanFaultError,
  type WsmanFaultInfo,
} from '../src/wsman/fault.js';
import { CANONICAL_PREFIX, FAULT_SUBCODES, WSMAN_ERROR_CODES } from '../src/wsman/fault-codes.js';

const FIXTURES = new URL('./fixtures/faults/', import.meta.url);

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

function actionOf(env: XmlElement): string | undefined {
  const header = child(env, NS.soap, 'Header');
  const action = header ? child(header, NS.wsa, 'Action') : undefined;
  return action ? textOf(action).trim() : undefined;
}

/** Parse a whole response body the way the session layer will: find the fault, then parse it. */
function faultFrom(raw: string, httpStatus = 500): WsmanFaultError {
  const env = parseXml(raw);
  const fault = findFault(env);
  assert.ok(fault, 'expected an s:Fault in the envelope');
  return parseFault(fault, raw, httpStatus, actionOf(env));
}

function load(name: string, httpStatus = 500): WsmanFaultError {
  return faultFrom(fixture(name), httpStatus);
}

const WINDOWS_XMLNS =
  'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
  'xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" ' +
  'xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"';

/** A synthetic fault in the shape Windows sends. */
function windowsFault(o: { code: string; subcode?: string; reason?: string; detail?: string }): string {
  const sub = o.subcode ? `<s:Subcode><s:Value>${o.subcode}</s:Value></s:Subcode>` : '';
  const reason = o.reason !== undefined ? `<s:Reason><s:Text xml:lang="en-US">${o.reason}</s:Text></s:Reason>` : '';
  const detail = o.detail !== undefined ? `<s:Detail>${o.detail}</s:Detail>` : '';
  return (
    `<s:Envelope xml:lang="en-US" ${WINDOWS_XMLNS}><s:Header><a:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</a:Action></s:Header>` +
    `<s:Body><s:Fault><s:Code><s:Value>${o.code}</s:Value>${sub}</s:Code>${reason}${detail}</s:Fault></s:Body></s:Envelope>`
  );
}

function wsmanFaultXml(code: number, message: string, machine = 'HV01'): string {
  return `<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="${code}" Machine="${machine}"><f:Message>${message}</f:Message></f:WSManFault>`;
}

/** Everything that must not depend on the prefixes the server chose. */
function prefixFree(info: WsmanFaultInfo): unknown {
  return JSON.parse(JSON.stringify(info, (k, v: unknown) => (k === 'xml' || k === 'raw' || k === 'qname' ? undefined : v)));
}

// ---------------------------------------------------------------------------------------------
// Real captures (fact sheet 5.2)

test('(a) 500 InvalidMessageInformationHeader: codes, reason, WSManFault, one-line message', () => {
  const raw = fixture('a-invalid-message-information-header.xml');
  const f = faultFrom(raw, 500);
  assert.ok(f instanceof WsmanFaultError);
  assert.ok(f instanceof HypervWsmanError);
  assert.equal(f.code, ErrorCodes.WSMAN_FAULT);
  assert.equal(f.name, 'WsmanFaultError');
  assert.equal(f.soapCode, 'Sender');
  assert.equal(f.soapCodeNs, NS.soap);
  assert.deepEqual(f.subcode, { ns: NS.wsa, local: 'InvalidMessageInformationHeader', qname: 'a:InvalidMessageInformationHeader' });
  assert.equal(f.subcodeName, 'wsa:InvalidMessageInformationHeader');
  assert.equal(f.reason, 'The WS-Management service cannot process the request. The request contains one or more invalid SOAP headers.');
  assert.equal(f.wsmanCode, 2150858767);
  assert.equal(f.wsmanCodeHex, '0x8033800F');
  assert.equal(f.machine, '127.0.0.1');
  assert.equal(f.wsmanMessage, 'The WS-Management service cannot process the request. The XML contains an invalid timeout field in the SOAP header: PT-1S.');
  assert.equal(f.info.message, f.wsmanMessage);
  assert.equal(f.providerFault, undefined);
  assert.equal(f.httpStatus, 500);
  assert.equal(f.action, 'http://schemas.xmlsoap.org/ws/2004/08/addressing/fault');
  assert.equal(f.rawXml, raw);
  assert.equal(
    f.message,
    'wsa:InvalidMessageInformationHeader: The WS-Management service cannot process the request. The request contains one or more invalid SOAP headers. ' +
      '[WSManFault 0x8033800F: The WS-Management service cannot process the request. The XML contains an invalid timeout field in the SOAP header: PT-1S.]',
  );
  assert.ok(!f.message.includes('\n'));
  assert.equal(f.detailElements.length, 1);
  assert.equal(f.detailElements[0]!.local, 'WSManFault');
  assert.equal(f.detailElements[0]!.ns, NS.wsmanfault);
  assert.equal(isNotFoundFault(f) || isTimeoutFault(f) || isAccessDeniedFault(f), false);
});

test('(b) CannotProcessFilter: ProviderFault with inner WSManFault and __ExtendedStatus', () => {
  const f = load('b-cannot-process-filter.xml');
  assert.equal(f.subcodeName, 'wsen:CannotProcessFilter');
  assert.equal(f.subcode?.qname, 'n:CannotProcessFilter');
  assert.equal(f.action, 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault');
  assert.equal(f.wsmanCode, 2150858778);
  assert.equal(f.wsmanCodeHex, '0x8033801A');
  assert.equal(f.machine, 'localhost');
  // The outer f:Message holds only the ProviderFault, so the inner message is used.
  assert.equal(f.wsmanMessage, 'The specified class does not exist in the given namespace.');
  const pf = f.providerFault;
  assert.ok(pf);
  assert.equal(pf.provider, 'WMI Provider');
  assert.equal(pf.path, '%systemroot%\\system32\\WsmWmiPl.dll');
  assert.equal(pf.providerId, undefined);
  assert.equal(pf.wsmanCode, 2150858778);
  assert.equal(pf.message, 'The specified class does not exist in the given namespace.');
  const ext = pf.extendedError;
  assert.ok(ext);
  assert.equal(ext.kind, 'instance');
  assert.equal(ext.className, '__ExtendedStatus');
  assert.equal(ext.source, 'ws-cim');
  assert.deepEqual(ext.properties, {
    Description: null,
    Operation: 'ExecQuery',
    ParameterInfo: 'Select * from Win32_Processa where name="sshd.exe"',
    ProviderName: 'WinMgmt',
    StatusCode: null,
  });
  assert.deepEqual(ext.propertyInfo['Operation'], { type: 'unknown', isArray: false });
  assert.deepEqual(f.extendedStatus?.properties, ext.properties);
  assert.ok(ext.raw?.includes('__ExtendedStatus'));
  assert.equal(
    f.message,
    'wsen:CannotProcessFilter: The data source could not process the filter. The filter might be missing or it might be invalid. Change the filter and try the request again. ' +
      '[WSManFault 0x8033801A: The specified class does not exist in the given namespace.]',
  );
  assert.equal(isNotFoundFault(f), false);
});

test('(c) QuotaLimit with MSFT_WmiError in Detail', () => {
  const f = load('c-wmi-error-quota-limit.xml');
  assert.equal(f.soapCode, 'Sender');
  assert.equal(f.subcodeName, 'wsman:QuotaLimit');
  assert.equal(f.wsmanCode, undefined);
  const wmi = f.wmiError;
  assert.ok(wmi);
  assert.equal(wmi.className, 'MSFT_WmiError');
  assert.equal(wmi.properties['error_Code'], '2150859173');
  assert.equal(wmi.properties['MessageID'], 'HRESULT 0x803381a5');
  assert.equal(wmi.properties['CIMStatusCodeDescription'], null);
  assert.equal(wmi.properties['error_Category'], '30');
  assert.equal(Object.keys(wmi.properties).length, 17);
  assert.equal(f.extendedStatus, undefined);
  assert.match(f.message, /^wsman:QuotaLimit: The WS-Management service cannot process the request\. This user is allowed a maximum number of 30 concurrent shells/);
  // No WSManFault: the WMI error code is shown instead; its message repeats the reason, so it is not doubled.
  assert.ok(f.message.endsWith('[MSFT_WmiError 0x803381A5]'), f.message);
  assert.ok(WSMAN_ERROR_CODES[2150859173]?.includes('QUOTA_MAX_SHELLS'));
});

test('(d) MS-WSMV 4.10 DestinationUnreachable: undeclared a: prefix, FaultDetail, providerId, empty Machine', () => {
  const f = load('d-wsmv-4.10-destination-unreachable.xml');
  // The spec example writes a:DestinationUnreachable but only declares wsa:, so the conventional binding is used.
  assert.deepEqual(f.subcode, { ns: NS.wsa, local: 'DestinationUnreachable', qname: 'a:DestinationUnreachable' });
  assert.equal(f.subcodeName, 'wsa:DestinationUnreachable');
  assert.equal(f.reason, 'The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors.');
  assert.equal(f.faultDetail, 'wsman:faultDetail/ResourceNotFound');
  assert.equal(f.wsmanCode, 32768);
  assert.equal(f.wsmanCodeHex, '0x00008000');
  assert.equal(f.machine, 'http://localhost:80/wsman');
  assert.equal(f.providerFault?.providerId, 'D9A2A039-A4B3-4A70-8CB9-8D7714EAD776');
  assert.equal(f.providerFault?.wsmanCode, 32768);
  assert.equal(f.providerFault?.extendedError, undefined);
  assert.equal(f.wsmanMessage, f.reason);
  // The message repeats the reason, so the summary does not print it twice.
  assert.equal(f.message, `wsa:DestinationUnreachable: ${f.reason} [WSManFault 0x00008000]`);
  assert.deepEqual(
    f.detailElements.map((d) => `${d.ns}#${d.local}`),
    [`${NS.wsman}#FaultDetail`, `${NS.wsmanfault}#WSManFault`],
  );
  assert.equal(isNotFoundFault(f), true);
});

test('(e) InvalidSelectors with UnexpectedSelectors detail counts as not found', () => {
  const f = load('e-invalid-selectors.xml');
  assert.equal(f.subcodeName, 'wsman:InvalidSelectors');
  assert.equal(f.faultDetail, 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors');
  assert.equal(f.wsmanCode, 2150858843);
  assert.equal(f.wsmanCodeHex, '0x8033805B');
  assert.equal(f.wsmanMessage, 'The Windows Remote Shell cannot process the request because it requires the following selector: ShellId. Retry with the correct selector.');
  assert.equal(isNotFoundFault(f), true);
  assert.equal(isTimeoutFault(f), false);
});

test('(f) TimedOut (Receiver, 2150858793) is a timeout and not "not found"', () => {
  const f = load('f-timed-out.xml');
  assert.equal(f.soapCode, 'Receiver');
  assert.equal(f.subcodeName, 'wsman:TimedOut');
  assert.equal(f.wsmanCode, 2150858793);
  assert.equal(f.wsmanCodeHex, '0x80338029');
  assert.equal(f.machine, 'server2022.domain.test');
  assert.equal(f.reason, 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.');
  assert.equal(isTimeoutFault(f), true);
  assert.equal(isNotFoundFault(f), false);
  assert.equal(isAccessDeniedFault(f), false);
  assert.equal(FAULT_SUBCODES['wsman:TimedOut']?.soapCode, 'Receiver');
});

test('(f) SchemaValidationError: xml:lang="" reason and 0x80338041', () => {
  const f = load('f-schema-validation-error.xml');
  assert.equal(f.soapCode, 'Sender');
  assert.equal(f.subcodeName, 'wsman:SchemaValidationError');
  assert.equal(f.reason, 'Reason text.');
  assert.equal(f.wsmanCode, 0x80338041);
  assert.equal(f.wsmanMessage, 'Detail message.');
  assert.equal(f.message, 'wsman:SchemaValidationError: Reason text. [WSManFault 0x80338041: Detail message.]');
});

test('(f) InternalError with MSFT_WmiError only: WMI code in the summary', () => {
  const f = load('f-internal-error-wmi.xml');
  assert.equal(f.soapCode, 'Receiver');
  assert.equal(f.subcodeName, 'wsman:InternalError');
  assert.equal(f.wsmanCode, undefined);
  assert.equal(f.wmiError?.properties['error_Code'], '2150859174');
  assert.equal(f.wmiError?.properties['Message'], 'WMI Message. ');
  assert.equal(f.message, 'wsman:InternalError: Reason text. [MSFT_WmiError 0x803381A6: WMI Message.]');
});

// ---------------------------------------------------------------------------------------------
// One fault per subcode the library branches on

test('a:DestinationUnreachable, Code 2150858752, ProviderFault + __ExtendedStatus: not found (real 2012 R2 reply)', () => {
  const f = load('destination-unreachable-missing-instance.xml');
  assert.equal(f.subcodeName, 'wsa:DestinationUnreachable');
  assert.equal(f.faultDetail, 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidResourceURI');
  assert.equal(f.wsmanCode, 2150858752);
  assert.equal(f.wsmanCodeHex, '0x80338000');
  assert.equal(f.machine, '10.68.240.26');
  assert.equal(f.providerFault?.provider, 'WMI Provider');
  assert.equal(f.providerFault?.path, 'C:\\Windows\\system32\\WsmWmiPl.dll');
  assert.equal(f.providerFault?.wsmanCode, 2150858752);
  assert.equal(f.extendedStatus?.properties['Operation'], 'GetObject');
  assert.equal(f.extendedStatus?.properties['ParameterInfo'], 'Win32_Process.Handle="29"');
  assert.equal(f.extendedStatus?.properties['ProviderName'], 'CIMWin32');
  assert.equal(f.extendedStatus?.properties['StatusCode'], null);
  assert.equal(isNotFoundFault(f), true);
  assert.ok(WSMAN_ERROR_CODES[2150858752]?.startsWith('ERROR_WSMAN_RESOURCE_NOT_FOUND'));
});

test('w:InvalidSelectors (synthetic, Hyper-V shape): not found', () => {
  const f = faultFrom(
    windowsFault({
      code: 's:Sender',
      subcode: 'w:InvalidSelectors',
      reason: 'The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ',
      detail:
        '<w:FaultDetail>http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors</w:FaultDetail>' +
        wsmanFaultXml(2150858843, 'The WS-Management service cannot process the request because the request contained invalid selectors for the resource. '),
    }),
  );
  assert.equal(f.subcodeName, 'wsman:InvalidSelectors');
  assert.equal(f.subcode?.ns, NS.wsman);
  assert.equal(isNotFoundFault(f), true);
});

test('wsa:ActionNotSupported (synthetic): known subcode, no category', () => {
  const f = faultFrom(
    windowsFault({
      code: 's:Sender',
      subcode: 'a:ActionNotSupported',
      reason: 'The WS-Management service cannot process the request because the WS-Addressing Action URI in the request is not compatible with the resource.',
      detail: wsmanFaultXml(2150858771, 'The action is not supported by the service.'),
    }),
  );
  assert.equal(f.subcodeName, 'wsa:ActionNotSupported');
  assert.equal(FAULT_SUBCODES[f.subcodeName!]?.soapCode, 'Sender');
  assert.equal(f.wsmanCodeHex, '0x80338013');
  assert.equal(isNotFoundFault(f) || isTimeoutFault(f) || isAccessDeniedFault(f), false);
  assert.match(f.message, /^wsa:ActionNotSupported: .* \[WSManFault 0x80338013: The action is not supported by the service\.\]$/);
});

test('w:TimedOut without a WSManFault, and a timeout known only by its code', () => {
  const bySubcode = faultFrom(windowsFault({ code: 's:Receiver', subcode: 'w:TimedOut', reason: 'The operation has timed out.' }));
  assert.equal(isTimeoutFault(bySubcode), true);
  const byEnumSubcode = faultFrom(windowsFault({ code: 's:Receiver', subcode: 'n:TimedOut', reason: 'The enumerator has timed out.' }));
  assert.equal(byEnumSubcode.subcodeName, 'wsen:TimedOut');
  assert.equal(isTimeoutFault(byEnumSubcode), true);
  const byCode = faultFrom(windowsFault({ code: 's:Receiver', reason: 'x', detail: wsmanFaultXml(2150858793, 'timed out') }));
  assert.equal(byCode.subcode, undefined);
  assert.equal(isTimeoutFault(byCode), true);
});

test('w:AccessDenied with Win32 code 5, and access denied known only from MSFT_WmiError', () => {
  const f = faultFrom(
    windowsFault({ code: 's:Sender', subcode: 'w:AccessDenied', reason: 'Access is denied. ', detail: wsmanFaultXml(5, 'Access is denied. ') }),
  );
  assert.equal(f.subcodeName, 'wsman:AccessDenied');
  assert.equal(f.wsmanCode, 5);
  assert.equal(f.wsmanCodeHex, '0x00000005');
  assert.equal(f.message, 'wsman:AccessDenied: Access is denied. [WSManFault 0x00000005]');
  assert.equal(isAccessDeniedFault(f), true);
  assert.equal(isNotFoundFault(f), false);

  const wmiOnly = faultFrom(
    windowsFault({
      code: 's:Receiver',
      subcode: 'w:InternalError',
      reason: 'The WMI service returned an access denied error.',
      detail:
        '<p:MSFT_WmiError xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError"><p:error_Code>2147749891</p:error_Code></p:MSFT_WmiError>',
    }),
  );
  assert.equal(isAccessDeniedFault(wmiOnly), true);
});

test('w:SchemaValidationError (synthetic) and w:EncodingLimit with FaultDetail', () => {
  const schema = faultFrom(
    windowsFault({ code: 's:Sender', subcode: 'w:SchemaValidationError', reason: 'The SOAP XML in the message does not match the corresponding XML schema definition.', detail: wsmanFaultXml(2150858817, 'x') }),
  );
  assert.equal(schema.subcodeName, 'wsman:SchemaValidationError');
  assert.ok(WSMAN_ERROR_CODES[schema.wsmanCode!]?.startsWith('ERROR_WSMAN_SCHEMA_VALIDATION_ERROR'));

  const limit = faultFrom(
    windowsFault({
      code: 's:Sender',
      subcode: 'w:EncodingLimit',
      reason: 'The WS-Management service cannot process the request because the MaxEnvelopeSize is too small.',
      detail:
        '<w:FaultDetail>http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MinimumEnvelopeLimit</w:FaultDetail>' +
        wsmanFaultXml(2150858823, 'MaxEnvelopeSize is below 8192.'),
    }),
  );
  assert.equal(limit.subcodeName, 'wsman:EncodingLimit');
  assert.equal(limit.faultDetail, 'http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MinimumEnvelopeLimit');
  assert.equal(limit.wsmanCodeHex, '0x80338047');
  assert.equal(FAULT_SUBCODES['wsman:EncodingLimit']?.soapCode, 'Sender');
});

// ---------------------------------------------------------------------------------------------
// Prefix independence, odd shapes

test('the same fault written with env:/addr:/wsman:/fault: prefixes or default namespaces parses identically', () => {
  const reference = load('destination-unreachable-missing-instance.xml');

  const renamed = fixture('destination-unreachable-missing-instance.xml')
    .replace(/xmlns:s=/g, 'xmlns:env=')
    .replace(/<(\/?)s:/g, '<$1env:')
    .replace(/>s:Sender</g, '>env:Sender<')
    .replace(/xmlns:a=/g, 'xmlns:addr=')
    .replace(/<(\/?)a:/g, '<$1addr:')
    .replace(/>a:DestinationUnreachable</g, '>addr:DestinationUnreachable<')
    .replace(/xmlns:w=/g, 'xmlns:wsman=')
    .replace(/<(\/?)w:/g, '<$1wsman:')
    .replace(/xmlns:f=/g, 'xmlns:fault=')
    .replace(/<(\/?)f:/g, '<$1fault:')
    .replace(/xmlns:p="http:\/\/schemas\.dmtf\.org\/wbem\/wscim\/1\/cim-schema\/2\/__ExtendedStatus"/, 'xmlns:cls="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/__ExtendedStatus"')
    .replace(/<(\/?)p:(__ExtendedStatus|Description|Operation|ParameterInfo|ProviderName|StatusCode)/g, '<$1cls:$2')
    .replace('xsi:type="p:__ExtendedStatus_Type"', 'xsi:type="cls:__ExtendedStatus_Type"');
  assert.ok(renamed.includes('<env:Fault>') && renamed.includes('<fault:ProviderFault') && renamed.includes('<cls:Operation'));
  const viaPrefixes = faultFrom(renamed);
  assert.equal(viaPrefixes.subcode?.qname, 'addr:DestinationUnreachable');
  assert.deepEqual(prefixFree(viaPrefixes.info), prefixFree(reference.info));
  assert.equal(viaPrefixes.message, reference.message);

  // SOAP as the default namespace: the unprefixed QName "Sender" resolves to it.
  const defaults =
    '<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"><Body><Fault>' +
    '<Code><Value>Sender</Value><Subcode><Value>wsa:DestinationUnreachable</Value></Subcode></Code>' +
    '<Reason><Text xml:lang="en-US">The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors. </Text></Reason>' +
    '<Detail><FaultDetail xmlns="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidResourceURI</FaultDetail>' +
    '<WSManFault xmlns="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858752" Machine="10.68.240.26"><Message><ProviderFault provider="WMI Provider" path="C:\\Windows\\system32\\WsmWmiPl.dll">' +
    '<WSManFault Code="2150858752" Machine="VMMUR-W12R2-02.SCX.com"><Message>The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors. </Message></WSManFault>' +
    '<ExtendedError><__ExtendedStatus xmlns="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/__ExtendedStatus" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    '<Description xsi:nil="true"/><Operation>GetObject</Operation><ParameterInfo>Win32_Process.Handle="29"</ParameterInfo><ProviderName>CIMWin32</ProviderName><StatusCode xsi:nil="true"/>' +
    '</__ExtendedStatus></ExtendedError></ProviderFault></Message></WSManFault></Detail></Fault></Body></Envelope>';
  const viaDefaults = faultFrom(defaults);
  assert.deepEqual(prefixFree(viaDefaults.info), prefixFree(reference.info));
});

test('unknown Detail children are kept as self-contained XML and never break parsing', () => {
  const f = faultFrom(
    windowsFault({
      code: 's:Sender',
      subcode: 'w:InvalidParameter',
      reason: 'Bad parameter.',
      detail:
        '<v:VendorInfo xmlns:v="urn:example:vendor" v:level="3"><v:Item kind="a &amp; b">x &lt; y</v:Item><v:Nested><v:Deep/></v:Nested></v:VendorInfo>' +
        wsmanFaultXml(2150858810, 'Parameter Foo is invalid.') +
        '<Plain>no namespace</Plain>',
    }),
  );
  assert.equal(f.subcodeName, 'wsman:InvalidParameter');
  assert.equal(f.wsmanCode, 2150858810);
  assert.deepEqual(
    f.detailElements.map((d) => [d.ns, d.local]),
    [
      ['urn:example:vendor', 'VendorInfo'],
      [NS.wsmanfault, 'WSManFault'],
      ['', 'Plain'],
    ],
  );
  const vendor = parseXml(f.detailElements[0]!.xml);
  assert.equal(vendor.ns, 'urn:example:vendor');
  assert.equal(vendor.attrs[0]?.value, '3');
  assert.equal(textOf(vendor), 'x < y');
  assert.equal(parseXml(f.detailElements[2]!.xml).ns, '');
});

test('fault with no Detail (OMI, SOAP-ENV: prefixes)', () => {
  const f = load('omi-internal-error-no-detail.xml');
  assert.equal(f.soapCode, 'Receiver');
  assert.equal(f.soapCodeNs, NS.soap);
  assert.equal(f.subcodeName, 'wsman:InternalError');
  assert.equal(f.reason, 'get-instance: instance name parameter is missing');
  assert.deepEqual(f.detailElements, []);
  assert.equal(f.wsmanCode, undefined);
  assert.equal(f.faultDetail, undefined);
  assert.equal(f.message, 'wsman:InternalError: get-instance: instance name parameter is missing');
});

test('OMI faults: a CIM_Error (OMI_Error, wsmb:IsCIM_Error) instead of WSManFault gives cimError and cimStatusCode (real captures)', () => {
  const cls = load('omi-invalid-class.xml');
  assert.equal(cls.subcodeName, 'wsa:DestinationUnreachable');
  assert.equal(cls.reason, 'The specified class does not exist.');
  assert.equal(cls.wsmanCode, undefined);
  assert.equal(cls.cimError?.className, 'OMI_Error');
  assert.equal(cls.cimError?.properties.OwningEntity, 'OMI:CIMOM');
  assert.equal(cls.cimError?.properties.ErrorType, null);
  assert.equal(cls.cimStatusCode, 5);
  assert.equal(cls.message, 'wsa:DestinationUnreachable: The specified class does not exist. [OMI_Error CIMStatusCode 5]');
  const missing = load('omi-not-found.xml');
  assert.equal(missing.cimStatusCode, 6);
  // The reason already carries the CIM_Error's message: said once.
  assert.equal(missing.message, 'wsa:DestinationUnreachable: CIM ERROR:NOT_FOUND: The requested object cannot be found. [OMI_Error CIMStatusCode 6]');
  assert.ok(isNotFoundFault(missing));
  // CIM_ERR_NOT_FOUND alone, under another subcode, still means not found; CIM_ERR_ACCESS_DENIED means access denied.
  const cimOnly = (status: number): WsmanFaultError =>
    faultFrom(
      windowsFault({
        code: 's:Receiver',
        subcode: 'w:InternalError',
        reason: 'x',
        detail: `<p:CIM_Error xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_Error" xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd" b:IsCIM_Error="true"><p:CIMStatusCode>${status}</p:CIMStatusCode></p:CIM_Error>`,
      }),
    );
  assert.ok(isNotFoundFault(cimOnly(6)));
  assert.ok(!isNotFoundFault(cimOnly(15)));
  assert.ok(isAccessDeniedFault(cimOnly(2)));
  // Without the IsCIM_Error mark, an instance in the detail is not taken for a CIM_Error.
  const unmarked = faultFrom(windowsFault({ code: 's:Receiver', subcode: 'w:InternalError', reason: 'x', detail: '<p:CIM_Error xmlns:p="urn:x"><p:CIMStatusCode>6</p:CIMStatusCode></p:CIM_Error>' }));
  assert.equal(unmarked.cimStatusCode, undefined);
  assert.ok(!isNotFoundFault(unmarked));
});

test('fault with no Subcode (s:MustUnderstand) and fault with no Reason', () => {
  const mu = load('must-understand-no-subcode.xml');
  assert.equal(mu.soapCode, 'MustUnderstand');
  assert.equal(mu.subcode, undefined);
  assert.equal(mu.subcodeName, undefined);
  assert.equal(mu.reason, 'Test reason.');
  assert.equal(mu.message, 'MustUnderstand: Test reason.');

  const noReason = load('no-reason.xml', 501);
  assert.equal(noReason.soapCode, 'Unknown');
  assert.equal(noReason.reason, '');
  assert.equal(noReason.httpStatus, 501);
  assert.equal(noReason.message, 'Unknown: no reason given in the fault');
  assert.equal('wsmanCode' in noReason.info, false);
});

test('several Reason texts: the English one is chosen; an unknown subcode namespace keeps the qname', () => {
  const raw =
    `<s:Envelope ${WINDOWS_XMLNS} xmlns:v="urn:vendor:faults"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>v:Overheated</s:Value></s:Subcode></s:Code>` +
    '<s:Reason><s:Text xml:lang="de-DE">Zu heiß.</s:Text><s:Text xml:lang="en-GB">Too hot.</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>';
  const f = faultFrom(raw);
  assert.equal(f.reason, 'Too hot.');
  assert.deepEqual(f.subcode, { ns: 'urn:vendor:faults', local: 'Overheated', qname: 'v:Overheated' });
  assert.equal(f.subcodeName, undefined);
  assert.equal(f.message, 'v:Overheated: Too hot.');
});

test('a ProviderFault carrying its own text (no inner WSManFault) supplies the message', () => {
  const f = faultFrom(
    windowsFault({
      code: 's:Receiver',
      subcode: 'w:InternalError',
      reason: 'Provider failed.',
      detail:
        '<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858755" Machine="">' +
        '<f:Message><f:ProviderFault provider="microsoft.powershell" path="C:\\Windows\\system32\\pwrshplugin.dll">The plugin failed to load.</f:ProviderFault></f:Message></f:WSManFault>',
    }),
  );
  assert.equal(f.machine, undefined);
  assert.equal(f.wsmanMessage, 'The plugin failed to load.');
  assert.equal(f.providerFault?.message, 'The plugin failed to load.');
  assert.equal(f.providerFault?.wsmanCode, undefined);
});

test('findFault: Body/Fault only; parseFault refuses a non-Fault element', () => {
  const ok = parseXml(`<s:Envelope ${WINDOWS_XMLNS}><s:Header/><s:Body><p:Thing/></s:Body></s:Envelope>`);
  assert.equal(findFault(ok), undefined);
  assert.equal(findFault(parseXml('<Envelope><Body><Fault/></Body></Envelope>')), undefined);
  const env = parseXml(fixture('f-timed-out.xml'));
  const fault = findFault(env);
  assert.equal(fault?.local, 'Fault');
  assert.throws(() => parseFault(env, ''), ProtocolError);
});

test('code tables: every subcode key uses a canonical prefix; categories name known subcodes', () => {
  const prefixes = new Set(Object.values(CANONICAL_PREFIX));
  for (const [name, entry] of Object.entries(FAULT_SUBCODES)) {
    assert.ok(prefixes.has(name.split(':')[0]!), name);
    assert.ok(entry.soapCode === 'Sender' || entry.soapCode === 'Receiver', name);
  }
  for (const name of [
    'wsa:DestinationUnreachable',
    'wsa:ActionNotSupported',
    'wsa:EndpointUnavailable',
    'wsa:InvalidMessageInformationHeader',
    'wsa:MessageInformationHeaderRequired',
    'wsman:AccessDenied',
    'wsman:EncodingLimit',
    'wsman:InternalError',
    'wsman:InvalidOptions',
    'wsman:InvalidParameter',
    'wsman:InvalidSelectors',
    'wsman:QuotaLimit',
    'wsman:SchemaValidationError',
    'wsman:TimedOut',
    'wsman:UnsupportedFeature',
    'wsman:CannotProcessFilter',
    'wsen:CannotProcessFilter',
    'wsen:InvalidEnumerationContext',
  ]) {
    assert.ok(FAULT_SUBCODES[name], `missing ${name}`);
  }
  for (const code of [2150858752, 2150858767, 2150858778, 2150858793, 2150858817, 2150858843, 5, 2150859173]) {
    assert.ok(WSMAN_ERROR_CODES[code], `missing code ${code}`);
  }
});

test('WinRM code meanings follow wsmerror.h MessageText', () => {
  // wsmerror.h (Windows SDK; same text in dahall/Vanara PInvoke/WsmSvc/wsmerror.cs), typed by hand:
  // ERROR_WSMAN_MAX_ENVELOPE_SIZE 0x80338047 "The maximum envelope size in the request is too large. ..."
  assert.match(WSMAN_ERROR_CODES[0x80338047] ?? '', /^ERROR_WSMAN_MAX_ENVELOPE_SIZE \(0x80338047\): .*too large/);
  assert.doesNotMatch(WSMAN_ERROR_CODES[0x80338047] ?? '', /too small/);
  // ERROR_WSMAN_MAX_ENVELOPE_SIZE_EXCEEDED 0x80338048 "The response that the WS-Management service computed exceeds
  // the maximum envelope size in the request."
  assert.match(WSMAN_ERROR_CODES[0x80338048] ?? '', /^ERROR_WSMAN_MAX_ENVELOPE_SIZE_EXCEEDED \(0x80338048\): the response .*exceeds/);
  // ERROR_WSMAN_INVALID_RESOURCE_URI 0x8033803B "... The resource URI is missing or it has an incorrect format."
  assert.match(WSMAN_ERROR_CODES[0x8033803b] ?? '', /^ERROR_WSMAN_INVALID_RESOURCE_URI \(0x8033803B\): the resource URI is missing or has an incorrect format/);
  // ERROR_WSMAN_MIN_ENVELOPE_SIZE 0x8033807E "... because the envelope size in the request is too small."
  assert.match(WSMAN_ERROR_CODES[0x8033807e] ?? '', /^ERROR_WSMAN_MIN_ENVELOPE_SIZE \(0x8033807E\): .*too small/);
  // ERROR_WSMAN_ENUMERATE_TIMED_OUT 0x8033801C "The pull operation did not get any data in the MaxTime duration. But the
  // enumeration is still valid. ..."
  assert.match(WSMAN_ERROR_CODES[0x8033801c] ?? '', /still valid/);
  // The four meanings the table used to mark "(inferred)" are sourced now.
  for (const code of [0x80338046, 0x803380fa, 0x803380fb, 0x80338108]) assert.doesNotMatch(WSMAN_ERROR_CODES[code] ?? '(missing)', /inferred|missing/, `0x${code.toString(16)}`);
  assert.match(WSMAN_ERROR_CODES[0x80338046] ?? '', /cannot locate the system/);
  assert.match(WSMAN_ERROR_CODES[0x803380fa] ?? '', /not a singleton/);
});
