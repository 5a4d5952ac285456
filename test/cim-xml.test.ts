// DSP0201 CIM-XML embedded instances (DTD DSP0203 2.4.0), as WMI renders them (protocol-facts 2 and 3):
// https://www.dmtf.org/sites/default/files/standards/documents/DSP0201_2.4.1.pdf
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCimXmlElement, decodeCimXmlInstance, decodeCimScalar, encodeCimXmlInstance } from '../src/cim/cim-xml.js';
import { parseCimDateTime } from '../src/cim/datetime.js';
import { CimDateTime, CimInterval, cimValueToJson, isCimInstance, type CimInstance, type CimReference, type CimValue } from '../src/cim/types.js';
import {
  CimDecodeError,
  ErrorCodes,
  HypervWsmanError,
  InvalidOptionError,
  XmlForbiddenError,
  XmlParseError,
  XmlTooLargeError,
} from '../src/errors.js';
import { escapeText } from '../src/xml/escape.js';
import { parseXml } from '../src/xml/parse.js';
import { child, textOf } from '../src/xml/tree.js';

const JOB_URI = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob';

/** A Msvm_Error as WMI would write it (shape from the recorded instances in protocol-facts 2). */
const MSVM_ERROR = [
  '<INSTANCE CLASSNAME="Msvm_Error">',
  '<PROPERTY NAME="__CLASS" CLASSORIGIN="___SYSTEM" TYPE="string"><VALUE>Msvm_Error</VALUE></PROPERTY>',
  '<PROPERTY NAME="__PATH" CLASSORIGIN="___SYSTEM" TYPE="string"></PROPERTY>',
  '<PROPERTY NAME="CIMStatusCode" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="uint32"><VALUE>1</VALUE></PROPERTY>',
  '<PROPERTY NAME="CIMStatusCodeDescription" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="string"></PROPERTY>',
  '<PROPERTY NAME="ErrorSource" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="string"><VALUE>Msvm_ComputerSystem.Name="5A2B7D0C-1E3F-4A5B-8C9D-0E1F2A3B4C5D"</VALUE></PROPERTY>',
  '<PROPERTY NAME="ErrorSourceFormat" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="uint16"><VALUE>0</VALUE></PROPERTY>',
  '<PROPERTY NAME="ErrorType" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="uint16"><VALUE>4</VALUE></PROPERTY>',
  "<PROPERTY NAME=\"Message\" CLASSORIGIN=\"CIM_Error\" PROPAGATED=\"true\" TYPE=\"string\"><VALUE>'TestVM' failed to start. (Virtual machine ID 5A2B7D0C-1E3F-4A5B-8C9D-0E1F2A3B4C5D)</VALUE></PROPERTY>",
  '<PROPERTY.ARRAY NAME="MessageArguments" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="string"><VALUE.ARRAY><VALUE>TestVM</VALUE><VALUE>5A2B7D0C-1E3F-4A5B-8C9D-0E1F2A3B4C5D</VALUE></VALUE.ARRAY></PROPERTY.ARRAY>',
  '<PROPERTY NAME="MessageID" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="string"><VALUE>12010</VALUE></PROPERTY>',
  '<PROPERTY NAME="OtherErrorSourceFormat" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="string"></PROPERTY>',
  '<PROPERTY NAME="OtherErrorType" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="string"></PROPERTY>',
  '<PROPERTY NAME="OwningEntity" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="string"><VALUE>Microsoft-Windows-Hyper-V-Worker</VALUE></PROPERTY>',
  '<PROPERTY NAME="PerceivedSeverity" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="uint16"><VALUE>3</VALUE></PROPERTY>',
  '<PROPERTY NAME="ProbableCause" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="uint16"><VALUE>0</VALUE></PROPERTY>',
  '<PROPERTY NAME="ProbableCauseDescription" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="string"></PROPERTY>',
  '<PROPERTY.ARRAY NAME="RecommendedActions" CLASSORIGIN="CIM_Error" PROPAGATED="true" TYPE="string"></PROPERTY.ARRAY>',
  '</INSTANCE>',
].join('');

function getErrorResponse(errorElementContent: string): string {
  return (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">' +
    '<s:Header><a:Action>' + JOB_URI + '/GetErrorResponse</a:Action></s:Header>' +
    `<s:Body><p:GetError_OUTPUT xmlns:p="${JOB_URI}"><p:Error>${errorElementContent}</p:Error><p:ReturnValue>0</p:ReturnValue></p:GetError_OUTPUT></s:Body></s:Envelope>`
  );
}

/** The text of p:Error in a parsed GetError response, as the SOAP layer hands it over. */
function errorText(envelope: string): string {
  const env = parseXml(envelope);
  const body = child(env, 'http://www.w3.org/2003/05/soap-envelope', 'Body')!;
  const out = child(body, JOB_URI, 'GetError_OUTPUT')!;
  return textOf(child(out, JOB_URI, 'Error')!);
}

function isCode(code: string) {
  return (err: unknown) => err instanceof HypervWsmanError && err.code === code;
}

test('decodes a Msvm_Error with types, nulls, arrays and system properties', () => {
  const inst = decodeCimXmlInstance(MSVM_ERROR);
  assert.equal(inst.kind, 'instance');
  assert.equal(inst.className, 'Msvm_Error');
  assert.equal(inst.source, 'cim-xml');
  assert.equal(inst.raw, MSVM_ERROR);
  assert.deepEqual(inst.properties, {
    __CLASS: 'Msvm_Error',
    __PATH: null,
    CIMStatusCode: 1,
    CIMStatusCodeDescription: null,
    ErrorSource: 'Msvm_ComputerSystem.Name="5A2B7D0C-1E3F-4A5B-8C9D-0E1F2A3B4C5D"',
    ErrorSourceFormat: 0,
    ErrorType: 4,
    Message: "'TestVM' failed to start. (Virtual machine ID 5A2B7D0C-1E3F-4A5B-8C9D-0E1F2A3B4C5D)",
    MessageArguments: ['TestVM', '5A2B7D0C-1E3F-4A5B-8C9D-0E1F2A3B4C5D'],
    MessageID: '12010',
    OtherErrorSourceFormat: null,
    OtherErrorType: null,
    OwningEntity: 'Microsoft-Windows-Hyper-V-Worker',
    PerceivedSeverity: 3,
    ProbableCause: 0,
    ProbableCauseDescription: null,
    RecommendedActions: null,
  });
  assert.deepEqual(Object.keys(inst.properties).slice(0, 3), ['__CLASS', '__PATH', 'CIMStatusCode']);
  assert.deepEqual(inst.propertyInfo.__PATH, { type: 'string', isArray: false, classOrigin: '___SYSTEM' });
  assert.deepEqual(inst.propertyInfo.ErrorType, { type: 'uint16', isArray: false, classOrigin: 'CIM_Error', propagated: true });
  assert.deepEqual(inst.propertyInfo.RecommendedActions, { type: 'string', isArray: true, classOrigin: 'CIM_Error', propagated: true });
});

test('escaping: double-escaped on the SOAP wire, un-escaped once by the SOAP parser, once by the decoder', () => {
  // Written by hand as a server sends it: the CIM-XML is escaped once, its own escapes a second time.
  const wire = getErrorResponse(
    '&lt;INSTANCE CLASSNAME=&quot;Msvm_Error&quot;&gt;' +
      '&lt;PROPERTY NAME=&quot;Message&quot; TYPE=&quot;string&quot;&gt;&lt;VALUE&gt;' +
      'Cannot open &amp;quot;C:\\VMs\\R&amp;amp;D &amp;lt;old&amp;gt;.vhdx&amp;quot; &amp;apos;x&amp;apos; &amp;#x4E2D;' +
      '&lt;/VALUE&gt;&lt;/PROPERTY&gt;' +
      '&lt;PROPERTY NAME=&quot;ErrorType&quot; TYPE=&quot;uint16&quot;&gt;&lt;VALUE&gt;4&lt;/VALUE&gt;&lt;/PROPERTY&gt;' +
      '&lt;/INSTANCE&gt;',
  );
  const text = errorText(wire);
  assert.ok(text.startsWith('<INSTANCE CLASSNAME="Msvm_Error">'));
  assert.ok(text.includes('R&amp;D &lt;old&gt;'), 'one level of escaping remains after the SOAP parser');
  const inst = decodeCimXmlInstance(text);
  assert.equal(inst.properties.Message, 'Cannot open "C:\\VMs\\R&D <old>.vhdx" \'x\' 中');
  assert.equal(inst.properties.ErrorType, 4);
  assert.equal(inst.raw, text);
});

test('escaping: a programmatically escaped instance decodes the same as the hand-escaped fixture', () => {
  const text = errorText(getErrorResponse(escapeText(MSVM_ERROR)));
  assert.equal(text, MSVM_ERROR);
  assert.deepEqual(decodeCimXmlInstance(text).properties, decodeCimXmlInstance(MSVM_ERROR).properties);
});

test('CDATA form: the instance arrives inside a CDATA section', () => {
  const cim =
    '<INSTANCE CLASSNAME="Msvm_Error"><PROPERTY NAME="Message" TYPE="string"><VALUE>a &amp; b &lt;c&gt;</VALUE></PROPERTY>' +
    '<PROPERTY NAME="ErrorType" TYPE="uint16"><VALUE>4</VALUE></PROPERTY></INSTANCE>';
  const text = errorText(getErrorResponse(`<![CDATA[${cim}]]>`));
  assert.equal(text, cim);
  const inst = decodeCimXmlInstance(text);
  assert.equal(inst.properties.Message, 'a & b <c>');
  assert.equal(inst.properties.ErrorType, 4);
});

test('non-ASCII and CJK text survives, written directly and as character references', () => {
  const direct = 'Ünïcödé – 仮想マシン「テスト」を起動できませんでした 😀';
  const cim =
    '<INSTANCE CLASSNAME="Msvm_Error">' +
    `<PROPERTY NAME="Message" TYPE="string"><VALUE>${direct}</VALUE></PROPERTY>` +
    '<PROPERTY NAME="Ref" TYPE="string"><VALUE>&#x4EEE;&#24819;&#x1F600;</VALUE></PROPERTY>' +
    '</INSTANCE>';
  const inst = decodeCimXmlInstance(errorText(getErrorResponse(escapeText(cim))));
  assert.equal(inst.properties.Message, direct);
  assert.equal(inst.properties.Ref, '仮想😀');
  // And from UTF-8 bytes straight through parseXml.
  const fromBytes = decodeCimXmlElement(parseXml(new TextEncoder().encode(cim)));
  assert.equal(fromBytes.properties.Message, direct);
});

test('arrays: VALUE.NULL elements, empty VALUE.ARRAY, typed elements', () => {
  const inst = decodeCimXmlInstance(
    '<INSTANCE CLASSNAME="X">' +
      '<PROPERTY.ARRAY NAME="Args" TYPE="string"><VALUE.ARRAY><VALUE>a</VALUE><VALUE.NULL/><VALUE></VALUE><VALUE> c </VALUE></VALUE.ARRAY></PROPERTY.ARRAY>' +
      '<PROPERTY.ARRAY NAME="OperationalStatus" TYPE="uint16" ARRAYSIZE="2"><VALUE.ARRAY><VALUE>6</VALUE><VALUE> 2 </VALUE></VALUE.ARRAY></PROPERTY.ARRAY>' +
      '<PROPERTY.ARRAY NAME="Empty" TYPE="uint64"><VALUE.ARRAY></VALUE.ARRAY></PROPERTY.ARRAY>' +
      '<PROPERTY.ARRAY NAME="Flags" TYPE="boolean"><VALUE.ARRAY><VALUE>TRUE</VALUE><VALUE.NULL/><VALUE>false</VALUE></VALUE.ARRAY></PROPERTY.ARRAY>' +
      '</INSTANCE>',
  );
  assert.deepEqual(inst.properties, {
    Args: ['a', null, '', ' c '],
    OperationalStatus: [6, 2],
    Empty: [],
    Flags: [true, null, false],
  });
  assert.equal(inst.propertyInfo.OperationalStatus?.isArray, true);
  assert.equal(inst.propertyInfo.OperationalStatus?.type, 'uint16');
});

test('nulls: PROPERTY without VALUE, PROPERTY.ARRAY without VALUE.ARRAY, PROPERTY.REFERENCE without VALUE.REFERENCE', () => {
  const inst = decodeCimXmlInstance(
    '<INSTANCE CLASSNAME="X">' +
      '<PROPERTY NAME="S" TYPE="string"></PROPERTY>' +
      '<PROPERTY NAME="N" TYPE="uint32"/>' +
      '<PROPERTY NAME="D" TYPE="datetime"><QUALIFIER NAME="Description" TYPE="string"><VALUE>ignored</VALUE></QUALIFIER></PROPERTY>' +
      '<PROPERTY.ARRAY NAME="A" TYPE="string"></PROPERTY.ARRAY>' +
      '<PROPERTY.REFERENCE NAME="R" REFERENCECLASS="CIM_ManagedElement"></PROPERTY.REFERENCE>' +
      '</INSTANCE>',
  );
  assert.deepEqual(inst.properties, { S: null, N: null, D: null, A: null, R: null });
  assert.deepEqual(inst.propertyInfo.A, { type: 'string', isArray: true });
  assert.deepEqual(inst.propertyInfo.R, { type: 'reference', isArray: false });
  // An empty VALUE is an empty string, not NULL.
  assert.equal(decodeCimXmlInstance('<INSTANCE CLASSNAME="X"><PROPERTY NAME="S" TYPE="string"><VALUE/></PROPERTY></INSTANCE>').properties.S, '');
});

test('PROPAGATED, CLASSORIGIN (including ___SYSTEM properties such as __PATH) and xml:lang', () => {
  const path = '\\\\HV12OSDEMO1\\root\\virtualization\\v2:Msvm_MemorySettingData.InstanceID="Microsoft:5A2B\\\\4764"';
  const inst = decodeCimXmlInstance(
    '<INSTANCE CLASSNAME="Msvm_MemorySettingData" xml:lang="en-US">' +
      '<QUALIFIER NAME="dynamic" TYPE="boolean" PROPAGATED="true"><VALUE>TRUE</VALUE></QUALIFIER>' +
      '<PROPERTY NAME="Description" TYPE="string" xml:lang="de-DE"><VALUE>Arbeitsspeicher</VALUE></PROPERTY>' +
      `<PROPERTY NAME="__PATH" CLASSORIGIN="___SYSTEM" TYPE="string"><VALUE>${path.replace(/"/g, '&quot;')}</VALUE></PROPERTY>` +
      '<PROPERTY NAME="__GENUS" CLASSORIGIN="___SYSTEM" TYPE="sint32"><VALUE>2</VALUE></PROPERTY>' +
      '<PROPERTY NAME="Caption" CLASSORIGIN="CIM_ManagedElement" PROPAGATED="true" TYPE="string"><VALUE>Memory</VALUE></PROPERTY>' +
      '<PROPERTY NAME="Limit" CLASSORIGIN="CIM_ResourceAllocationSettingData" PROPAGATED="false" TYPE="uint64"><VALUE>1048576</VALUE></PROPERTY>' +
      '</INSTANCE>',
  );
  assert.equal(inst.properties.__PATH, path);
  assert.equal(inst.properties.__GENUS, 2);
  assert.equal(inst.properties.Description, 'Arbeitsspeicher');
  assert.equal(inst.properties.Limit, 1048576n);
  assert.deepEqual(inst.propertyInfo.__PATH, { type: 'string', isArray: false, classOrigin: '___SYSTEM' });
  assert.deepEqual(inst.propertyInfo.Caption, { type: 'string', isArray: false, classOrigin: 'CIM_ManagedElement', propagated: true });
  assert.deepEqual(inst.propertyInfo.Limit, { type: 'uint64', isArray: false, classOrigin: 'CIM_ResourceAllocationSettingData' });
});

test('booleans: WMI uppercase TRUE/FALSE and DSP0201 lowercase, compared case-insensitively', () => {
  const inst = decodeCimXmlInstance(
    '<INSTANCE CLASSNAME="X">' +
      '<PROPERTY NAME="A" TYPE="boolean"><VALUE>TRUE</VALUE></PROPERTY>' +
      '<PROPERTY NAME="B" TYPE="boolean"><VALUE>FALSE</VALUE></PROPERTY>' +
      '<PROPERTY NAME="C" TYPE="boolean"><VALUE>true</VALUE></PROPERTY>' +
      '<PROPERTY NAME="D" TYPE="boolean"><VALUE> False </VALUE></PROPERTY>' +
      '</INSTANCE>',
  );
  assert.deepEqual(inst.properties, { A: true, B: false, C: true, D: false });
  assert.throws(
    () => decodeCimXmlInstance('<INSTANCE CLASSNAME="X"><PROPERTY NAME="A" TYPE="boolean"><VALUE>yes</VALUE></PROPERTY></INSTANCE>'),
    isCode(ErrorCodes.CIM_DECODE),
  );
});

test('references: INSTANCEPATH, LOCALINSTANCEPATH, INSTANCENAME and a reference-valued key', () => {
  const inst = decodeCimXmlInstance(
    '<INSTANCE CLASSNAME="Msvm_AffectedJobElement">' +
      '<PROPERTY.REFERENCE NAME="AffectingElement" REFERENCECLASS="CIM_Job"><VALUE.REFERENCE><INSTANCEPATH>' +
      '<NAMESPACEPATH><HOST>HV01</HOST><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virtualization"/><NAMESPACE NAME="v2"/></LOCALNAMESPACEPATH></NAMESPACEPATH>' +
      '<INSTANCENAME CLASSNAME="Msvm_ConcreteJob"><KEYBINDING NAME="InstanceID"><KEYVALUE VALUETYPE="string">8A1F2E3D-0000-4B5C-9D8E-7F6A5B4C3D2E</KEYVALUE></KEYBINDING></INSTANCENAME>' +
      '</INSTANCEPATH></VALUE.REFERENCE></PROPERTY.REFERENCE>' +
      '<PROPERTY.REFERENCE NAME="AffectedElement"><VALUE.REFERENCE><LOCALINSTANCEPATH>' +
      '<LOCALNAMESPACEPATH><NAMESPACE NAME="root/virtualization/v2"/></LOCALNAMESPACEPATH>' +
      '<INSTANCENAME CLASSNAME="Msvm_ComputerSystem">' +
      '<KEYBINDING NAME="CreationClassName"><KEYVALUE>Msvm_ComputerSystem</KEYVALUE></KEYBINDING>' +
      '<KEYBINDING NAME="Name"><KEYVALUE>5A2B7D0C-1E3F-4A5B-8C9D-0E1F2A3B4C5D</KEYVALUE></KEYBINDING>' +
      '</INSTANCENAME></LOCALINSTANCEPATH></VALUE.REFERENCE></PROPERTY.REFERENCE>' +
      '<PROPERTY.REFERENCE NAME="Plain"><VALUE.REFERENCE><INSTANCENAME CLASSNAME="Msvm_Foo"><KEYBINDING NAME="Id"><KEYVALUE VALUETYPE="numeric">7</KEYVALUE></KEYBINDING></INSTANCENAME></VALUE.REFERENCE></PROPERTY.REFERENCE>' +
      '<PROPERTY.REFERENCE NAME="Nested"><VALUE.REFERENCE><INSTANCENAME CLASSNAME="Msvm_Link">' +
      '<KEYBINDING NAME="Target"><VALUE.REFERENCE><LOCALINSTANCEPATH><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/></LOCALNAMESPACEPATH>' +
      '<INSTANCENAME CLASSNAME="Msvm_Foo"><KEYBINDING NAME="Id"><KEYVALUE>a"b</KEYVALUE></KEYBINDING></INSTANCENAME></LOCALINSTANCEPATH></VALUE.REFERENCE></KEYBINDING>' +
      '</INSTANCENAME></VALUE.REFERENCE></PROPERTY.REFERENCE>' +
      '</INSTANCE>',
  );
  const expected: Record<string, CimReference> = {
    AffectingElement: { kind: 'reference', className: 'Msvm_ConcreteJob', namespace: 'root/virtualization/v2', selectors: { InstanceID: '8A1F2E3D-0000-4B5C-9D8E-7F6A5B4C3D2E' } },
    AffectedElement: {
      kind: 'reference',
      className: 'Msvm_ComputerSystem',
      namespace: 'root/virtualization/v2',
      selectors: { CreationClassName: 'Msvm_ComputerSystem', Name: '5A2B7D0C-1E3F-4A5B-8C9D-0E1F2A3B4C5D' },
    },
    Plain: { kind: 'reference', className: 'Msvm_Foo', selectors: { Id: '7' } },
    Nested: { kind: 'reference', className: 'Msvm_Link', selectors: { Target: 'root:Msvm_Foo.Id="a\\"b"' } },
  };
  assert.deepEqual(inst.properties, expected);
  assert.deepEqual(inst.propertyInfo.AffectingElement, { type: 'reference', isArray: false });
});

test('datetimes: timestamp, interval, wildcards and a negative offset', () => {
  const inst = decodeCimXmlInstance(
    '<INSTANCE CLASSNAME="Msvm_ConcreteJob">' +
      '<PROPERTY NAME="StartTime" TYPE="datetime"><VALUE>20240305142210.123456-480</VALUE></PROPERTY>' +
      '<PROPERTY NAME="TimeBeforeRemoval" TYPE="datetime"><VALUE>00000000000500.000000:000</VALUE></PROPERTY>' +
      '<PROPERTY NAME="UntilTime" TYPE="datetime"><VALUE>19980401135809.000000+***</VALUE></PROPERTY>' +
      '<PROPERTY NAME="AutomaticStartupActionDelay" PROPAGATED="true" TYPE="datetime"><VALUE> 00000000000000.000000:000 </VALUE></PROPERTY>' +
      '</INSTANCE>',
  );
  const start = inst.properties.StartTime;
  assert.ok(start instanceof CimDateTime);
  assert.equal(start.date?.toISOString(), '2024-03-05T22:22:10.123Z');
  assert.equal(start.utcOffsetMinutes, -480);
  const removal = inst.properties.TimeBeforeRemoval;
  assert.ok(removal instanceof CimInterval);
  assert.equal(removal.totalMilliseconds, 300_000);
  const until = inst.properties.UntilTime;
  assert.ok(until instanceof CimDateTime);
  assert.equal(until.date, null);
  assert.ok(inst.properties.AutomaticStartupActionDelay instanceof CimInterval);
  assert.equal(inst.propertyInfo.StartTime?.type, 'datetime');
  assert.throws(
    () => decodeCimXmlInstance('<INSTANCE CLASSNAME="X"><PROPERTY NAME="T" TYPE="datetime"><VALUE>2024-03-05T14:22:10Z</VALUE></PROPERTY></INSTANCE>'),
    (err: unknown) => err instanceof CimDecodeError && err.message.includes('X.T'),
  );
});

test('unknown or missing TYPE keeps the text as a string of type unknown', () => {
  const inst = decodeCimXmlInstance(
    '<INSTANCE CLASSNAME="X">' +
      '<PROPERTY NAME="Obj" TYPE="object"><VALUE> 42 </VALUE></PROPERTY>' +
      '<PROPERTY NAME="NoType"><VALUE>7</VALUE></PROPERTY>' +
      '</INSTANCE>',
  );
  assert.deepEqual(inst.properties, { Obj: ' 42 ', NoType: '7' });
  assert.equal(inst.propertyInfo.Obj?.type, 'unknown');
  assert.equal(inst.propertyInfo.NoType?.type, 'unknown');
});

test('numbers: 64-bit as bigint, small integers range-checked, reals with INF/-INF/NaN, whitespace trimmed', () => {
  const props: Array<[string, string, CimValue]> = [
    ['uint64', '18446744073709551615', 18446744073709551615n],
    ['sint64', '-9223372036854775808', -9223372036854775808n],
    ['uint8', ' 255 ', 255],
    ['sint8', '-128', -128],
    ['uint16', '65535', 65535],
    ['sint16', '-32768', -32768],
    ['uint32', '4294967295', 4294967295],
    ['sint32', '+2147483647', 2147483647],
    ['uint32', '0x1F', 31],
    ['real64', '1.5e3', 1500],
    ['real64', '-.25', -0.25],
    ['real32', 'INF', Infinity],
    ['real32', '-INF', -Infinity],
    ['real64', 'NaN', NaN],
    ['char16', ' ', ' '],
    ['string', '  padded\n', '  padded\n'],
  ];
  const body = props.map(([type, text], i) => `<PROPERTY NAME="P${i}" TYPE="${type}"><VALUE>${text}</VALUE></PROPERTY>`).join('');
  const inst = decodeCimXmlInstance(`<INSTANCE CLASSNAME="X">${body}</INSTANCE>`);
  props.forEach(([type, , expected], i) => {
    assert.deepEqual(inst.properties[`P${i}`], expected, `P${i} ${type}`);
  });
});

test('bad numbers raise CimDecodeError naming the property', () => {
  const bad: Array<[string, string]> = [
    ['uint8', '256'],
    ['uint8', '-1'],
    ['sint8', '-129'],
    ['uint16', '1.5'],
    ['uint32', 'abc'],
    ['uint32', ''],
    ['sint32', '2147483648'],
    ['uint64', '18446744073709551616'],
    ['sint64', '9223372036854775808'],
    ['real64', '1,5'],
    ['real32', ''],
    ['real64', '0x10'],
  ];
  for (const [type, text] of bad) {
    assert.throws(
      () => decodeCimXmlInstance(`<INSTANCE CLASSNAME="X"><PROPERTY NAME="Bad" TYPE="${type}"><VALUE>${text}</VALUE></PROPERTY></INSTANCE>`),
      (err: unknown) => err instanceof CimDecodeError && err.code === ErrorCodes.CIM_DECODE && err.message.includes('X.Bad'),
      `${type} ${JSON.stringify(text)}`,
    );
  }
  assert.throws(
    () => decodeCimXmlInstance('<INSTANCE CLASSNAME="X"><PROPERTY.ARRAY NAME="A" TYPE="uint8"><VALUE.ARRAY><VALUE>1</VALUE><VALUE>300</VALUE></VALUE.ARRAY></PROPERTY.ARRAY></INSTANCE>'),
    (err: unknown) => err instanceof CimDecodeError && err.message.includes('X.A[1]'),
  );
});

test('malformed CIM-XML raises a typed error, never a crash', () => {
  const cases: Array<[string, string]> = [
    ['', ErrorCodes.CIM_DECODE],
    ['   ', ErrorCodes.CIM_DECODE],
    ['Job failed', ErrorCodes.CIM_DECODE],
    ['<INSTANCE CLASSNAME="X"><PROPERTY NAME="A" TYPE="string"><VALUE>a</VALUE>', ErrorCodes.XML_MALFORMED],
    ['<INSTANCE CLASSNAME="X"></INSTANCE><INSTANCE CLASSNAME="Y"></INSTANCE>', ErrorCodes.XML_MALFORMED],
    ['<INSTANCE CLASSNAME="X"><VALUE>&bogus;</VALUE></INSTANCE>', ErrorCodes.XML_MALFORMED],
    ['<CLASS NAME="X"/>', ErrorCodes.CIM_DECODE],
    ['<INSTANCE/>', ErrorCodes.CIM_DECODE],
    ['<INSTANCE CLASSNAME="X"><METHOD NAME="M"/></INSTANCE>', ErrorCodes.CIM_DECODE],
    ['<INSTANCE CLASSNAME="X"><PROPERTY TYPE="string"/></INSTANCE>', ErrorCodes.CIM_DECODE],
    ['<INSTANCE CLASSNAME="X"><PROPERTY NAME="A" TYPE="string"/><PROPERTY NAME="A" TYPE="string"/></INSTANCE>', ErrorCodes.CIM_DECODE],
    ['<INSTANCE CLASSNAME="X"><PROPERTY NAME="A" TYPE="string"><VALUE>1</VALUE><VALUE>2</VALUE></PROPERTY></INSTANCE>', ErrorCodes.CIM_DECODE],
    ['<INSTANCE CLASSNAME="X"><PROPERTY NAME="A" TYPE="string"><VALUE><b>x</b></VALUE></PROPERTY></INSTANCE>', ErrorCodes.CIM_DECODE],
    ['<INSTANCE CLASSNAME="X"><PROPERTY.ARRAY NAME="A" TYPE="string"><VALUE.ARRAY><X/></VALUE.ARRAY></PROPERTY.ARRAY></INSTANCE>', ErrorCodes.CIM_DECODE],
    ['<INSTANCE CLASSNAME="X"><PROPERTY.REFERENCE NAME="R"><VALUE.REFERENCE/></PROPERTY.REFERENCE></INSTANCE>', ErrorCodes.CIM_DECODE],
    ['<INSTANCE CLASSNAME="X"><PROPERTY.REFERENCE NAME="R"><VALUE.REFERENCE><LOCALINSTANCEPATH/></VALUE.REFERENCE></PROPERTY.REFERENCE></INSTANCE>', ErrorCodes.CIM_DECODE],
    ['<VALUE.OBJECT><CLASS NAME="X"/></VALUE.OBJECT>', ErrorCodes.CIM_DECODE],
  ];
  for (const [text, code] of cases) {
    assert.throws(() => decodeCimXmlInstance(text), isCode(code), JSON.stringify(text));
  }
  assert.throws(() => decodeCimXmlInstance('<INSTANCE CLASSNAME="X"><PROPERTY NAME="A"'), XmlParseError);
});

test('a DOCTYPE in the embedded text is refused (no entity expansion)', () => {
  const lol =
    '<?xml version="1.0"?><!DOCTYPE INSTANCE [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' +
    '<INSTANCE CLASSNAME="X"><PROPERTY NAME="A" TYPE="string"><VALUE>&b;</VALUE></PROPERTY></INSTANCE>';
  assert.throws(() => decodeCimXmlInstance(lol), XmlForbiddenError);
  // Also when it arrives escaped inside a SOAP reply.
  assert.throws(() => decodeCimXmlInstance(errorText(getErrorResponse(escapeText(lol)))), XmlForbiddenError);
});

test('an XML declaration before the INSTANCE is accepted', () => {
  const inst = decodeCimXmlInstance('<?xml version="1.0" encoding="utf-8"?>\n<INSTANCE CLASSNAME="X"><PROPERTY NAME="A" TYPE="uint16"><VALUE>1</VALUE></PROPERTY></INSTANCE>');
  assert.equal(inst.properties.A, 1);
});

test('maxBytes caps the embedded text', () => {
  assert.throws(() => decodeCimXmlInstance(MSVM_ERROR, { maxBytes: 100 }), XmlTooLargeError);
  assert.equal(decodeCimXmlInstance(MSVM_ERROR, { maxBytes: 100_000 }).className, 'Msvm_Error');
});

test('EmbeddedObject="instance" strings decode into nested instances; undecodable ones stay strings', () => {
  const inner = '<INSTANCE CLASSNAME="Msvm_VirtualSystemSettingData"><PROPERTY NAME="ElementName" TYPE="string"><VALUE>Fritz &amp; &lt;the cat&gt;</VALUE></PROPERTY></INSTANCE>';
  const text =
    '<INSTANCE CLASSNAME="Msvm_MigrationJob">' +
    `<PROPERTY NAME="NewSystemSettingData" TYPE="string" EmbeddedObject="instance"><VALUE>${escapeText(inner)}</VALUE></PROPERTY>` +
    `<PROPERTY.ARRAY NAME="NewResourceSettingData" TYPE="string" EmbeddedObject="instance"><VALUE.ARRAY><VALUE>${escapeText(inner)}</VALUE><VALUE.NULL/></VALUE.ARRAY></PROPERTY.ARRAY>` +
    '<PROPERTY NAME="Broken" TYPE="string" EmbeddedObject="instance"><VALUE>&lt;INSTANCE</VALUE></PROPERTY>' +
    '<PROPERTY NAME="NotXml" TYPE="string" EmbeddedObject="object"><VALUE>plain</VALUE></PROPERTY>' +
    '<PROPERTY NAME="ViaQualifier" TYPE="string"><QUALIFIER NAME="EmbeddedInstance" TYPE="string"><VALUE>Msvm_VirtualSystemSettingData</VALUE></QUALIFIER>' +
    `<VALUE>${escapeText(inner)}</VALUE></PROPERTY>` +
    '<PROPERTY NAME="NullEmbedded" TYPE="string" EmbeddedObject="instance"></PROPERTY>' +
    '</INSTANCE>';
  const inst = decodeCimXmlInstance(text);
  const nested = inst.properties.NewSystemSettingData;
  assert.ok(isCimInstance(nested));
  assert.equal(nested.className, 'Msvm_VirtualSystemSettingData');
  assert.equal(nested.properties.ElementName, 'Fritz & <the cat>');
  assert.equal(nested.raw, inner);
  assert.deepEqual(inst.propertyInfo.NewSystemSettingData, { type: 'instance', isArray: false, embeddedObject: 'instance' });
  const arr = inst.properties.NewResourceSettingData;
  assert.ok(Array.isArray(arr) && arr.length === 2 && isCimInstance(arr[0]) && arr[1] === null);
  assert.equal(inst.properties.Broken, '<INSTANCE');
  assert.equal(inst.propertyInfo.Broken?.type, 'string');
  assert.equal(inst.properties.NotXml, 'plain');
  assert.ok(isCimInstance(inst.properties.ViaQualifier));
  assert.equal(inst.properties.NullEmbedded, null);
  assert.equal(inst.propertyInfo.NullEmbedded?.type, 'instance');
});

test('wrappers: VALUE.NAMEDINSTANCE and VALUE.OBJECT, and decodeCimXmlElement on a parsed tree', () => {
  const named = parseXml(
    '<VALUE.NAMEDINSTANCE><INSTANCENAME CLASSNAME="X"><KEYBINDING NAME="Id"><KEYVALUE>1</KEYVALUE></KEYBINDING></INSTANCENAME>' +
      '<INSTANCE CLASSNAME="X"><PROPERTY NAME="Id" TYPE="uint32"><VALUE>1</VALUE></PROPERTY></INSTANCE></VALUE.NAMEDINSTANCE>',
  );
  assert.deepEqual(decodeCimXmlElement(named).properties, { Id: 1 });
  const obj = decodeCimXmlElement(parseXml(`<VALUE.OBJECT>${MSVM_ERROR}</VALUE.OBJECT>`), 'raw text');
  assert.equal(obj.className, 'Msvm_Error');
  assert.equal(obj.raw, 'raw text');
  assert.equal(decodeCimXmlElement(parseXml(MSVM_ERROR)).raw, undefined);
  // Under a default namespace the CIM-XML vocabulary is still found.
  const scoped = decodeCimXmlElement(parseXml('<INSTANCE xmlns="urn:x" CLASSNAME="X"><PROPERTY NAME="A" TYPE="uint8"><VALUE>5</VALUE></PROPERTY></INSTANCE>'));
  assert.equal(scoped.properties.A, 5);
});

test('a property named __proto__ is an own property and does not touch the prototype', () => {
  const inst = decodeCimXmlInstance('<INSTANCE CLASSNAME="X"><PROPERTY NAME="__proto__" TYPE="string"><VALUE>polluted</VALUE></PROPERTY></INSTANCE>');
  assert.equal(Object.getPrototypeOf(inst.properties), Object.prototype);
  assert.ok(Object.hasOwn(inst.properties, '__proto__'));
  assert.equal(Object.getOwnPropertyDescriptor(inst.properties, '__proto__')?.value, 'polluted');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('decodeCimScalar converts one value by type', () => {
  assert.equal(decodeCimScalar('uint64', '42'), 42n);
  assert.equal(decodeCimScalar('boolean', 'TRUE'), true);
  assert.equal(decodeCimScalar('unknown', ' x '), ' x ');
  assert.throws(() => decodeCimScalar('uint8', '999', 'param "P"'), (err: unknown) => err instanceof CimDecodeError && err.message.startsWith('param "P"'));
});

// ---------------------------------------------------------------------------------------------
// Encoding

const TRICKY = `a<b & c>"d" 'e' \r\n\ttab  仮想マシン 😀 ]]> &amp;`;

test('encode -> decode round trip keeps <, &, quotes, CR, whitespace, non-ASCII and CJK', () => {
  const properties: Record<string, CimValue> = {
    Message: TRICKY,
    Padded: '  both ends  ',
    Empty: '',
    Args: [TRICKY, null, 'x'],
    Flag: true,
    Count: 42n,
    Ratio: 0.5,
    Small: -7,
    Started: parseCimDateTime('20240305142210.123456-480'),
    Timeout: parseCimDateTime('00000000000500.000000:000'),
    Nothing: null,
  };
  const text = encodeCimXmlInstance({ className: 'Msvm_Test', properties });
  const inst = decodeCimXmlInstance(text);
  assert.equal(inst.className, 'Msvm_Test');
  assert.deepEqual(inst.properties, { ...properties, Small: -7n });
  assert.equal(inst.propertyInfo.Small?.type, 'sint64');
  assert.equal(inst.propertyInfo.Ratio?.type, 'real64');
  assert.equal(inst.propertyInfo.Started?.type, 'datetime');

  // And after the envelope builder escapes it once more and the SOAP parser un-escapes it.
  const viaSoap = decodeCimXmlInstance(errorText(getErrorResponse(escapeText(text))));
  assert.deepEqual(viaSoap.properties, inst.properties);
});

test('encode writes the DSP0201 shapes', () => {
  const text = encodeCimXmlInstance({
    className: 'Msvm_VirtualSystemSettingData',
    properties: { ElementName: 'a&b', Notes: ['x', null], Boot: null, Enabled: false },
    propertyInfo: {
      Notes: { type: 'string', isArray: true },
      Boot: { type: 'uint16', isArray: true },
      Enabled: { type: 'boolean', isArray: false, classOrigin: 'CIM_X', propagated: true },
    },
  });
  assert.equal(
    text,
    '<INSTANCE CLASSNAME="Msvm_VirtualSystemSettingData">' +
      '<PROPERTY NAME="ElementName" TYPE="string"><VALUE>a&amp;b</VALUE></PROPERTY>' +
      '<PROPERTY.ARRAY NAME="Notes" TYPE="string"><VALUE.ARRAY><VALUE>x</VALUE><VALUE.NULL/></VALUE.ARRAY></PROPERTY.ARRAY>' +
      '<PROPERTY.ARRAY NAME="Boot" TYPE="uint16"></PROPERTY.ARRAY>' +
      '<PROPERTY NAME="Enabled" CLASSORIGIN="CIM_X" PROPAGATED="true" TYPE="boolean"><VALUE>false</VALUE></PROPERTY>' +
      '</INSTANCE>',
  );
});

test('encode -> decode round trip of a decoded instance keeps properties and propertyInfo', () => {
  const original = decodeCimXmlInstance(MSVM_ERROR);
  const again = decodeCimXmlInstance(encodeCimXmlInstance(original));
  assert.deepEqual(again.properties, original.properties);
  assert.deepEqual(again.propertyInfo, original.propertyInfo);
});

test('encode: declared types are honoured and checked', () => {
  const inst = decodeCimXmlInstance(
    encodeCimXmlInstance({
      className: 'X',
      properties: { State: 2, Big: 5n, Text: '0x10', When: '20240305142210.000000+000', Real: 'INF' },
      propertyInfo: {
        State: { type: 'uint16', isArray: false },
        Big: { type: 'uint64', isArray: false },
        Text: { type: 'uint8', isArray: false },
        When: { type: 'datetime', isArray: false },
        Real: { type: 'real32', isArray: false },
      },
    }),
  );
  assert.deepEqual(cimValueToJson(inst), {
    className: 'X',
    properties: { State: 2, Big: '5', Text: 16, When: '2024-03-05T14:22:10.000Z', Real: 'INF' },
  });
  assert.equal(inst.properties.Real, Infinity);

  const bad: Array<[CimValue, string, boolean]> = [
    [300, 'uint8', false],
    [1.5, 'uint16', false],
    ['abc', 'uint16', false],
    [true, 'uint16', false],
    ['x', 'datetime', false],
    [1, 'boolean', false],
    [[1, 2], 'uint16', false],
    [3, 'uint16', true],
  ];
  for (const [value, type, isArray] of bad) {
    assert.throws(
      () => encodeCimXmlInstance({ className: 'X', properties: { P: value }, propertyInfo: { P: { type: type as 'uint16', isArray } } }),
      InvalidOptionError,
      `${String(value)} as ${type}`,
    );
  }
  // NUL cannot be carried by XML 1.0 at all.
  assert.throws(() => encodeCimXmlInstance({ className: 'X', properties: { P: 'a\u0000b' } }), isCode(ErrorCodes.XML_ENCODE));
});

test('encode: embedded instances and references', () => {
  const inner = decodeCimXmlInstance('<INSTANCE CLASSNAME="Inner"><PROPERTY NAME="Name" TYPE="string"><VALUE>a &amp; &lt;b&gt;</VALUE></PROPERTY></INSTANCE>');
  const target: CimReference = {
    kind: 'reference',
    className: 'Msvm_ComputerSystem',
    namespace: 'root\\virtualization\\v2',
    selectors: { CreationClassName: 'Msvm_ComputerSystem', Name: 'x"y' },
  };
  const text = encodeCimXmlInstance({ className: 'Outer', properties: { Settings: inner, Many: [inner, null], Target: target, Local: { kind: 'reference', className: 'C', selectors: {} } } });
  assert.ok(text.includes('EmbeddedObject="instance"'));
  const outer = decodeCimXmlInstance(text);
  const settings = outer.properties.Settings as CimInstance;
  assert.ok(isCimInstance(settings));
  assert.equal(settings.properties.Name, 'a & <b>');
  assert.deepEqual((outer.properties.Many as unknown[])[1], null);
  assert.deepEqual(outer.properties.Target, { ...target, namespace: 'root/virtualization/v2' });
  assert.deepEqual(outer.properties.Local, { kind: 'reference', className: 'C', selectors: {} });
  assert.throws(() => encodeCimXmlInstance({ className: 'X', properties: { R: [target] } }), InvalidOptionError);
  assert.throws(() => encodeCimXmlInstance({ className: 'X', properties: { R: { kind: 'reference', selectors: {} } } }), InvalidOptionError);
});

test('nested embedded instances are decoded to a bounded depth, deeper ones stay strings', () => {
  let inst: CimInstance = decodeCimXmlInstance('<INSTANCE CLASSNAME="L0"><PROPERTY NAME="V" TYPE="uint8"><VALUE>0</VALUE></PROPERTY></INSTANCE>');
  for (let i = 1; i <= 12; i++) inst = { ...inst, className: `L${i}`, properties: { Inner: inst }, propertyInfo: {} };
  const decoded = decodeCimXmlInstance(encodeCimXmlInstance(inst));
  let cur: CimValue = decoded;
  let levels = 0;
  while (isCimInstance(cur) && cur.properties.Inner !== undefined) {
    cur = cur.properties.Inner;
    levels++;
  }
  assert.equal(levels, 9, 'the top instance plus eight embedded levels are decoded');
  assert.equal(typeof cur, 'string');
});
