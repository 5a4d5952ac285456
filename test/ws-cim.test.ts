// WS-CIM instances (DSP0230) as WinRM returns them from Get/Pull, and embedded-instance out-parameters
// in both forms (MS-WSMV 3.1.4.1.26 for null arrays; protocol-facts 2 for GetError's Error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCimXmlInstance } from '../src/cim/cim-xml.js';
import { CimDateTime, CimInterval, isCimInstance, isCimReference } from '../src/cim/types.js';
import { decodeEmbeddedInstanceParam, decodeWsCimInstance, type WsCimClassSchema } from '../src/cim/ws-cim.js';
import { CimDecodeError, ErrorCodes, HypervWsmanError, XmlForbiddenError } from '../src/errors.js';
import { escapeText } from '../src/xml/escape.js';
import { parseXml } from '../src/xml/parse.js';
import { child, type XmlElement } from '../src/xml/tree.js';

const V2 = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2';
const JOB_URI = `${V2}/Msvm_ConcreteJob`;
const ERROR_URI = `${V2}/Msvm_Error`;
const ENV_NS =
  'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
  'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"';

/** The subset of Msvm_ConcreteJob's MOF (protocol-facts 4.1) that the fixture uses. */
const JOB_SCHEMA: WsCimClassSchema = {
  Cancellable: { type: 'boolean' },
  Caption: { type: 'string' },
  CommunicationStatus: { type: 'uint16' },
  DeleteOnCompletion: { type: 'boolean' },
  ElapsedTime: { type: 'datetime' },
  ErrorCode: { type: 'uint16' },
  ErrorDescription: { type: 'string' },
  ErrorSummaryDescription: { type: 'string' },
  HealthState: { type: 'uint16' },
  InstanceID: { type: 'string' },
  JobRunTimes: { type: 'uint32' },
  JobState: { type: 'uint16' },
  JobType: { type: 'uint16' },
  OperationalStatus: { type: 'uint16', isArray: true },
  Owner: { type: 'string' },
  PercentComplete: { type: 'uint16' },
  Priority: { type: 'uint32' },
  RunDay: { type: 'sint8' },
  StartTime: { type: 'datetime' },
  StatusDescriptions: { type: 'string', isArray: true },
  TimeBeforeRemoval: { type: 'datetime' },
  TimeOfLastStateChange: { type: 'datetime' },
  TimeSubmitted: { type: 'datetime' },
  UntilTime: { type: 'datetime' },
};

/** Shaped like a WinRM Get of a Hyper-V job: p: re-declared on the instance, pretty-printed datetimes. */
const JOB_GET_RESPONSE = `<s:Envelope ${ENV_NS}><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse</a:Action></s:Header><s:Body>
<p:Msvm_ConcreteJob xmlns:p="${JOB_URI}" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="p:Msvm_ConcreteJob_Type" xml:lang="en-US">
  <p:Cancellable>true</p:Cancellable>
  <p:Caption>Creating Virtual Machine</p:Caption>
  <p:CommunicationStatus xsi:nil="true"/>
  <p:DeleteOnCompletion>FALSE</p:DeleteOnCompletion>
  <p:ElapsedTime>
    <cim:Interval>P0DT0H0M1.528479S</cim:Interval>
  </p:ElapsedTime>
  <p:ErrorCode>32768</p:ErrorCode>
  <p:ErrorDescription>'TestVM' failed to start. &lt;see event log&gt; &amp; retry</p:ErrorDescription>
  <p:ErrorSummaryDescription xsi:nil="true"/>
  <p:HealthState>5</p:HealthState>
  <p:InstanceID>8A1F2E3D-0000-4B5C-9D8E-7F6A5B4C3D2E</p:InstanceID>
  <p:JobRunTimes>1</p:JobRunTimes>
  <p:JobState>10</p:JobState>
  <p:JobType>12</p:JobType>
  <p:OperationalStatus>6</p:OperationalStatus>
  <p:OperationalStatus>2</p:OperationalStatus>
  <p:Owner>CONTOSO\\admin</p:Owner>
  <p:PercentComplete>100</p:PercentComplete>
  <p:Priority>0</p:Priority>
  <p:RunDay xsi:nil="true"/>
  <p:StartTime>
    <cim:Datetime>2024-03-05T14:22:10.123456-08:00</cim:Datetime>
  </p:StartTime>
  <p:StatusDescriptions>Error</p:StatusDescriptions>
  <p:TimeBeforeRemoval><cim:Interval>P0DT0H5M0S</cim:Interval></p:TimeBeforeRemoval>
  <p:TimeOfLastStateChange><cim:Datetime>2024-03-05T14:22:11.65193Z</cim:Datetime></p:TimeOfLastStateChange>
  <p:TimeSubmitted><cim:Datetime>2024-03-05T14:22:10.000000+00:00</cim:Datetime></p:TimeSubmitted>
  <p:UntilTime xsi:nil="true"/>
</p:Msvm_ConcreteJob>
</s:Body></s:Envelope>`;

function bodyChild(envelope: string): XmlElement {
  const env = parseXml(envelope);
  const body = child(env, 'http://www.w3.org/2003/05/soap-envelope', 'Body')!;
  const first = body.children.find((c) => c.kind === 'element');
  assert.ok(first && first.kind === 'element');
  return first;
}

test('a Msvm_ConcreteJob from Get, decoded with a schema', () => {
  const job = decodeWsCimInstance(bodyChild(JOB_GET_RESPONSE), JOB_SCHEMA);
  assert.equal(job.kind, 'instance');
  assert.equal(job.className, 'Msvm_ConcreteJob');
  assert.equal(job.source, 'ws-cim');
  const p = job.properties;
  assert.equal(p.Cancellable, true);
  assert.equal(p.DeleteOnCompletion, false);
  assert.equal(p.CommunicationStatus, null);
  assert.equal(p.ErrorCode, 32768);
  assert.equal(p.ErrorDescription, "'TestVM' failed to start. <see event log> & retry");
  assert.equal(p.ErrorSummaryDescription, null);
  assert.equal(p.InstanceID, '8A1F2E3D-0000-4B5C-9D8E-7F6A5B4C3D2E');
  assert.equal(p.JobState, 10);
  assert.deepEqual(p.OperationalStatus, [6, 2]);
  assert.deepEqual(p.StatusDescriptions, ['Error'], 'schema isArray makes one element an array');
  assert.equal(p.Owner, 'CONTOSO\\admin');
  assert.equal(p.RunDay, null);
  assert.equal(p.UntilTime, null);

  const elapsed = p.ElapsedTime;
  assert.ok(elapsed instanceof CimInterval);
  assert.deepEqual([elapsed.seconds, elapsed.microseconds], [1, 528479]);
  const removal = p.TimeBeforeRemoval;
  assert.ok(removal instanceof CimInterval);
  assert.equal(removal.totalMilliseconds, 300_000);
  const start = p.StartTime;
  assert.ok(start instanceof CimDateTime);
  assert.equal(start.date?.toISOString(), '2024-03-05T22:22:10.123Z');
  assert.equal(start.utcOffsetMinutes, -480);
  assert.equal(start.microseconds, 123456);
  assert.ok(p.TimeOfLastStateChange instanceof CimDateTime);

  assert.deepEqual(job.propertyInfo.OperationalStatus, { type: 'uint16', isArray: true });
  assert.deepEqual(job.propertyInfo.StartTime, { type: 'datetime', isArray: false });
  assert.deepEqual(job.propertyInfo.CommunicationStatus, { type: 'uint16', isArray: false });
  assert.deepEqual(Object.keys(p).slice(0, 3), ['Cancellable', 'Caption', 'CommunicationStatus']);
});

test('without a schema: text stays a string of type unknown, structure is still decoded', () => {
  const job = decodeWsCimInstance(bodyChild(JOB_GET_RESPONSE));
  assert.equal(job.properties.JobState, '10');
  assert.equal(job.propertyInfo.JobState?.type, 'unknown');
  assert.equal(job.properties.Cancellable, 'true');
  assert.deepEqual(job.properties.OperationalStatus, ['6', '2'], 'repeated elements make an array');
  assert.deepEqual(job.properties.StatusDescriptions, 'Error', 'a single element stays scalar');
  assert.ok(job.properties.StartTime instanceof CimDateTime);
  assert.equal(job.propertyInfo.StartTime?.type, 'datetime');
  assert.equal(job.properties.CommunicationStatus, null);
});

test('null arrays (xsi:nil + m:IsNullArray), schema-declared arrays and case-insensitive schema names', () => {
  const el = parseXml(
    `<p:X xmlns:p="urn:x" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:m="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">` +
      '<p:Octets xsi:nil="true" m:IsNullArray="true"/>' +
      '<p:Declared xsi:nil="true"/>' +
      '<p:Repeated>1</p:Repeated><p:Repeated xsi:nil="true"/><p:Repeated>3</p:Repeated>' +
      '<p:elementname>vm</p:elementname>' +
      '</p:X>',
  );
  const inst = decodeWsCimInstance(el, {
    Declared: { type: 'uint8', isArray: true },
    Repeated: { type: 'uint64' },
    ElementName: { type: 'string' },
  });
  assert.equal(inst.className, 'X');
  assert.equal(inst.properties.Octets, null);
  assert.deepEqual(inst.propertyInfo.Octets, { type: 'unknown', isArray: true });
  assert.equal(inst.properties.Declared, null);
  assert.deepEqual(inst.propertyInfo.Declared, { type: 'uint8', isArray: true });
  assert.deepEqual(inst.properties.Repeated, [1n, null, 3n]);
  assert.equal(inst.properties.elementname, 'vm');
  assert.equal(inst.propertyInfo.elementname?.type, 'string');
});

test('elements of one name apart from each other are still one array, in order of first appearance', () => {
  const el = parseXml('<p:X xmlns:p="urn:x"><p:A>1</p:A><p:B>b</p:B><p:A>2</p:A><p:C>c</p:C><p:A>3</p:A></p:X>');
  const inst = decodeWsCimInstance(el, { A: { type: 'uint16' } });
  assert.deepEqual(Object.keys(inst.properties), ['A', 'B', 'C']);
  assert.deepEqual(inst.properties.A, [1, 2, 3]);
  assert.deepEqual(inst.propertyInfo.A, { type: 'uint16', isArray: true });
  assert.equal(inst.properties.B, 'b');
});

test('instances of one shape share their propertyInfo; each keeps its own values, __proto__ included', () => {
  const doc = (id: string, state: string): XmlElement =>
    parseXml(`<p:Y xmlns:p="urn:y"><p:InstanceID>${id}</p:InstanceID><p:__proto__>${state}</p:__proto__><p:JobState>${state}</p:JobState></p:Y>`);
  const schema: WsCimClassSchema = { JobState: { type: 'uint16' } };
  const [a, b] = [decodeWsCimInstance(doc('a', '7'), schema), decodeWsCimInstance(doc('b', '10'), schema)];
  assert.equal(a.propertyInfo, b.propertyInfo, 'one table for both');
  assert.deepEqual([a.properties.InstanceID, a.properties.JobState, b.properties.InstanceID, b.properties.JobState], ['a', 7, 'b', 10]);
  assert.ok(Object.hasOwn(b.properties, '__proto__'));
  assert.equal(Object.getPrototypeOf(b.properties), Object.prototype);
  assert.equal((b.properties as Record<string, unknown>)['__proto__'], '10');
  // Another shape of the same class (a property missing) gets its own table, and the next of the first shape is still right.
  const c = decodeWsCimInstance(parseXml('<p:Y xmlns:p="urn:y"><p:InstanceID>c</p:InstanceID></p:Y>'), schema);
  assert.deepEqual(Object.keys(c.properties), ['InstanceID']);
  assert.notEqual(c.propertyInfo, a.propertyInfo);
  assert.deepEqual(Object.keys(decodeWsCimInstance(doc('d', '2'), schema).properties), ['InstanceID', '__proto__', 'JobState']);
});

test('xsi:type cim:cimXxx annotations type the values when there is no schema (MSFT_WmiError)', () => {
  // From WinRb/WinRM tests/spec/stubs/responses/wmi_error_v2.xml (protocol-facts 5.2 c), trimmed.
  const el = parseXml(
    "<p:MSFT_WmiError b:IsCIM_Error='true' xmlns:b='http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd' xmlns:cim='http://schemas.dmtf.org/wbem/wscim/1/common' " +
      "xmlns:p='http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError' xsi:type='p:MSFT_WmiError_Type' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance'>" +
      "<p:CIMStatusCode xsi:type='cim:cimUnsignedInt'>27</p:CIMStatusCode>" +
      "<p:CIMStatusCodeDescription xsi:nil='true' xsi:type='cim:cimString'/>" +
      "<p:ErrorType xsi:type='cim:cimUnsignedShort'>0</p:ErrorType>" +
      "<p:MessageID xsi:type='cim:cimString'>HRESULT 0x803381a5</p:MessageID>" +
      "<p:error_Code xsi:type='cim:cimUnsignedInt'>2150859173</p:error_Code>" +
      "<p:Big xsi:type='cim:cimUnsignedLong'>18446744073709551615</p:Big>" +
      "<p:Flag xsi:type='xs:boolean' xmlns:xs='http://www.w3.org/2001/XMLSchema'>1</p:Flag>" +
      '</p:MSFT_WmiError>',
  );
  const inst = decodeWsCimInstance(el);
  assert.equal(inst.className, 'MSFT_WmiError');
  assert.deepEqual(inst.properties, {
    CIMStatusCode: 27,
    CIMStatusCodeDescription: null,
    ErrorType: 0,
    MessageID: 'HRESULT 0x803381a5',
    error_Code: 2150859173,
    Big: 18446744073709551615n,
    Flag: true,
  });
  assert.deepEqual(inst.propertyInfo.CIMStatusCodeDescription, { type: 'string', isArray: false });
  assert.deepEqual(inst.propertyInfo.error_Code, { type: 'uint32', isArray: false });
});

test('booleans are case-insensitive, strings keep their whitespace, numbers are trimmed', () => {
  const el = parseXml('<p:X xmlns:p="urn:x"><p:A>TRUE</p:A><p:B> 0 </p:B><p:C>  two  spaces  </p:C><p:D>\n  7\n</p:D><p:E></p:E></p:X>');
  const inst = decodeWsCimInstance(el, { A: { type: 'boolean' }, B: { type: 'boolean' }, C: { type: 'string' }, D: { type: 'sint32' }, E: { type: 'string' } });
  assert.deepEqual(inst.properties, { A: true, B: false, C: '  two  spaces  ', D: 7, E: '' });
});

test('references (EPR children) and nested instances (xsi:type X_Type)', () => {
  const el = parseXml(
    `<p:Msvm_AffectedJobElement xmlns:p="${V2}/Msvm_AffectedJobElement" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ` +
      'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      '<p:AffectingElement><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address>' +
      `<a:ReferenceParameters><w:ResourceURI>${JOB_URI}</w:ResourceURI><w:SelectorSet><w:Selector Name="InstanceID">8A1F</w:Selector></w:SelectorSet></a:ReferenceParameters></p:AffectingElement>` +
      `<p:Detail xmlns:q="${V2}/Msvm_Detail" xsi:type="q:Msvm_Detail_Type"><q:Code>5</q:Code><q:Text>x</q:Text></p:Detail>` +
      '</p:Msvm_AffectedJobElement>',
  );
  const inst = decodeWsCimInstance(el, { AffectingElement: { type: 'reference' } });
  const ref = inst.properties.AffectingElement;
  assert.ok(isCimReference(ref));
  assert.equal(ref.className, 'Msvm_ConcreteJob');
  assert.equal(ref.namespace, 'root/virtualization/v2');
  assert.deepEqual(ref.selectors, { InstanceID: '8A1F' });
  const detail = inst.properties.Detail;
  assert.ok(isCimInstance(detail));
  assert.equal(detail.className, 'Msvm_Detail');
  assert.deepEqual(detail.properties, { Code: '5', Text: 'x' });
  assert.deepEqual(inst.propertyInfo.Detail, { type: 'instance', isArray: false });
});

test('className from a *_Type element name when there is no xsi:type', () => {
  const inst = decodeWsCimInstance(parseXml('<p:Msvm_Foo_Type xmlns:p="urn:x"><p:A>1</p:A></p:Msvm_Foo_Type>'));
  assert.equal(inst.className, 'Msvm_Foo');
});

test('values that do not fit the schema raise CimDecodeError naming the property', () => {
  const cases: Array<[string, WsCimClassSchema]> = [
    ['<p:JobState>ten</p:JobState>', { JobState: { type: 'uint16' } }],
    ['<p:JobState>70000</p:JobState>', { JobState: { type: 'uint16' } }],
    ['<p:Flag>yes</p:Flag>', { Flag: { type: 'boolean' } }],
    ['<p:When>not a date</p:When>', { When: { type: 'datetime' } }],
    ['<p:When><cim:Datetime>2024-13-01T00:00:00Z</cim:Datetime></p:When>', {}],
    ['<p:When><cim:Interval>P1Y</cim:Interval></p:When>', {}],
    ['<p:JobState><cim:Datetime>2024-01-01T00:00:00Z</cim:Datetime></p:JobState>', { JobState: { type: 'uint16' } }],
    ['<p:JobState><p:Nested>1</p:Nested></p:JobState>', { JobState: { type: 'uint16' } }],
    ['<p:Target>text</p:Target>', { Target: { type: 'reference' } }],
  ];
  for (const [inner, schema] of cases) {
    const el = parseXml(`<p:X xmlns:p="urn:x" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common">${inner}</p:X>`);
    assert.throws(
      () => decodeWsCimInstance(el, schema),
      (err: unknown) => err instanceof CimDecodeError && err.code === ErrorCodes.CIM_DECODE && /X\.\w+/.test(err.message),
      inner,
    );
  }
});

test('datetime text without a cim: wrapper is read in whichever spelling it has', () => {
  const el = parseXml(
    '<p:X xmlns:p="urn:x"><p:A>20240305142210.123456-480</p:A><p:B>PT5M</p:B><p:C>2024-03-05T14:22:10Z</p:C><p:D>2024-03-05</p:D><p:E>12:00:00</p:E></p:X>',
  );
  const s = { type: 'datetime' } as const;
  const inst = decodeWsCimInstance(el, { A: s, B: s, C: s, D: s, E: s });
  assert.equal((inst.properties.A as CimDateTime).utcOffsetMinutes, -480);
  assert.equal((inst.properties.B as CimInterval).minutes, 5);
  assert.equal((inst.properties.C as CimDateTime).date?.toISOString(), '2024-03-05T14:22:10.000Z');
  assert.equal((inst.properties.D as CimDateTime).date?.toISOString(), '2024-03-05T00:00:00.000Z');
  assert.equal((inst.properties.E as CimDateTime).date, null);
});

// ---------------------------------------------------------------------------------------------
// Embedded-instance out-parameters

/** CIM_Error's properties (protocol-facts 4.3); Msvm_Error adds none. */
const CIM_ERROR_SCHEMA: WsCimClassSchema = {
  ErrorType: { type: 'uint16' },
  OtherErrorType: { type: 'string' },
  OwningEntity: { type: 'string' },
  MessageID: { type: 'string' },
  Message: { type: 'string' },
  MessageArguments: { type: 'string', isArray: true },
  PerceivedSeverity: { type: 'uint16' },
  ProbableCause: { type: 'uint16' },
  ProbableCauseDescription: { type: 'string' },
  RecommendedActions: { type: 'string', isArray: true },
  ErrorSource: { type: 'string' },
  ErrorSourceFormat: { type: 'uint16' },
  OtherErrorSourceFormat: { type: 'string' },
  CIMStatusCode: { type: 'uint32' },
  CIMStatusCodeDescription: { type: 'string' },
};

const MESSAGE = "'TestVM' could not initialize: \"C:\\VMs\\R&D <old>.vhdx\" 仮想マシン";

const ERROR_CIM_XML =
  '<INSTANCE CLASSNAME="Msvm_Error">' +
  '<PROPERTY NAME="CIMStatusCode" TYPE="uint32"><VALUE>1</VALUE></PROPERTY>' +
  '<PROPERTY NAME="ErrorSourceFormat" TYPE="uint16"><VALUE>0</VALUE></PROPERTY>' +
  '<PROPERTY NAME="ErrorType" TYPE="uint16"><VALUE>4</VALUE></PROPERTY>' +
  `<PROPERTY NAME="Message" TYPE="string"><VALUE>${escapeText(MESSAGE)}</VALUE></PROPERTY>` +
  '<PROPERTY.ARRAY NAME="MessageArguments" TYPE="string"><VALUE.ARRAY><VALUE>TestVM</VALUE></VALUE.ARRAY></PROPERTY.ARRAY>' +
  '<PROPERTY NAME="MessageID" TYPE="string"><VALUE>12010</VALUE></PROPERTY>' +
  '<PROPERTY NAME="OtherErrorType" TYPE="string"></PROPERTY>' +
  '<PROPERTY NAME="OwningEntity" TYPE="string"><VALUE>Microsoft-Windows-Hyper-V-Worker</VALUE></PROPERTY>' +
  '<PROPERTY NAME="PerceivedSeverity" TYPE="uint16"><VALUE>3</VALUE></PROPERTY>' +
  '<PROPERTY.ARRAY NAME="RecommendedActions" TYPE="string"></PROPERTY.ARRAY>' +
  '</INSTANCE>';

const ERROR_WS_CIM =
  `<p:Error xmlns:p1="${ERROR_URI}" xsi:type="p1:Msvm_Error_Type">` +
  '<p1:CIMStatusCode>1</p1:CIMStatusCode>' +
  '<p1:ErrorSourceFormat>0</p1:ErrorSourceFormat>' +
  '<p1:ErrorType>4</p1:ErrorType>' +
  `<p1:Message>${escapeText(MESSAGE)}</p1:Message>` +
  '<p1:MessageArguments>TestVM</p1:MessageArguments>' +
  '<p1:MessageID>12010</p1:MessageID>' +
  '<p1:OtherErrorType xsi:nil="true"/>' +
  '<p1:OwningEntity>Microsoft-Windows-Hyper-V-Worker</p1:OwningEntity>' +
  '<p1:PerceivedSeverity>3</p1:PerceivedSeverity>' +
  '<p1:RecommendedActions xsi:nil="true" m:IsNullArray="true"/>' +
  '</p:Error>';

function getErrorOutput(errorElement: string): XmlElement | undefined {
  const env = bodyChild(
    `<s:Envelope ${ENV_NS}><s:Body><p:GetError_OUTPUT xmlns:p="${JOB_URI}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` +
      `xmlns:m="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">${errorElement}<p:ReturnValue>0</p:ReturnValue></p:GetError_OUTPUT></s:Body></s:Envelope>`,
  );
  return child(env, JOB_URI, 'Error');
}

test('decodeEmbeddedInstanceParam: absent, xsi:nil, empty and whitespace-only all mean NULL', () => {
  assert.equal(decodeEmbeddedInstanceParam(undefined), null);
  assert.equal(decodeEmbeddedInstanceParam(getErrorOutput('')), null, 'absent element');
  assert.equal(decodeEmbeddedInstanceParam(getErrorOutput('<p:Error xsi:nil="true"/>')), null);
  assert.equal(decodeEmbeddedInstanceParam(getErrorOutput('<p:Error/>')), null);
  assert.equal(decodeEmbeddedInstanceParam(getErrorOutput('<p:Error></p:Error>')), null);
  assert.equal(decodeEmbeddedInstanceParam(getErrorOutput('<p:Error>\n   \t</p:Error>')), null);
});

test('decodeEmbeddedInstanceParam: entity-escaped CIM-XML, CDATA CIM-XML and WS-CIM give the same instance', () => {
  const escaped = decodeEmbeddedInstanceParam(getErrorOutput(`<p:Error>\n${escapeText(ERROR_CIM_XML)}\n</p:Error>`));
  const cdata = decodeEmbeddedInstanceParam(getErrorOutput(`<p:Error><![CDATA[${ERROR_CIM_XML}]]></p:Error>`));
  const wsCim = decodeEmbeddedInstanceParam(getErrorOutput(ERROR_WS_CIM), { schema: CIM_ERROR_SCHEMA });
  assert.ok(escaped && cdata && wsCim);
  assert.equal(escaped.source, 'cim-xml');
  assert.equal(wsCim.source, 'ws-cim');
  for (const inst of [escaped, cdata, wsCim]) assert.equal(inst.className, 'Msvm_Error');
  const expected = {
    CIMStatusCode: 1,
    ErrorSourceFormat: 0,
    ErrorType: 4,
    Message: MESSAGE,
    MessageArguments: ['TestVM'],
    MessageID: '12010',
    OtherErrorType: null,
    OwningEntity: 'Microsoft-Windows-Hyper-V-Worker',
    PerceivedSeverity: 3,
    RecommendedActions: null,
  };
  assert.deepEqual(escaped.properties, expected);
  assert.deepEqual(cdata.properties, expected);
  assert.deepEqual(wsCim.properties, expected);
  assert.deepEqual(wsCim.propertyInfo, escaped.propertyInfo);
});

test('decodeEmbeddedInstanceParam: an instance we encoded ourselves comes back equal', () => {
  const original = decodeEmbeddedInstanceParam(getErrorOutput(`<p:Error>${escapeText(ERROR_CIM_XML)}</p:Error>`))!;
  const again = decodeEmbeddedInstanceParam(getErrorOutput(`<p:Error>${escapeText(encodeCimXmlInstance(original))}</p:Error>`))!;
  assert.deepEqual(again.properties, original.properties);
});

test('decodeEmbeddedInstanceParam: text that is not an instance, or refused XML, raises a typed error', () => {
  assert.throws(() => decodeEmbeddedInstanceParam(getErrorOutput('<p:Error>Job failed</p:Error>')), CimDecodeError);
  assert.throws(() => decodeEmbeddedInstanceParam(getErrorOutput('<p:Error>&lt;INSTANCE CLASSNAME="X"&gt;</p:Error>')), (e: unknown) => e instanceof HypervWsmanError);
  assert.throws(
    () => decodeEmbeddedInstanceParam(getErrorOutput(`<p:Error>${escapeText('<!DOCTYPE x [<!ENTITY e "e">]><INSTANCE CLASSNAME="X"/>')}</p:Error>`)),
    XmlForbiddenError,
  );
  assert.throws(() => decodeEmbeddedInstanceParam(getErrorOutput(`<p:Error>${escapeText(ERROR_CIM_XML)}</p:Error>`), { maxBytes: 64 }), (e: unknown) => e instanceof HypervWsmanError && e.code === ErrorCodes.XML_TOO_LARGE);
});
