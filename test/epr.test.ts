// WS-Man endpoint references (DSP0226 5.1; MS-WSMV 3.1.4.1.1 for WMI resource URIs). Hyper-V's job EPR
// sits directly in the out-parameter (libvirt reads p:Job/a:ReferenceParameters); others wrap it in a:EndpointReference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classNameFromResourceUri, decodeEpr, encodeEpr, formatObjectPath, isEprElement, namespaceFromResourceUri } from '../src/cim/epr.js';
import type { CimReference } from '../src/cim/types.js';
import { CimDecodeError, InvalidOptionError } from '../src/errors.js';
import { parseXml } from '../src/xml/parse.js';
import { ANONYMOUS, NS } from '../src/wsman/namespaces.js';

const V2 = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2';
const JOB_URI = `${V2}/Msvm_ConcreteJob`;
const DECLS = `xmlns:a="${NS.wsa}" xmlns:w="${NS.wsman}"`;

const EPR_CHILDREN =
  `<a:Address>${ANONYMOUS}</a:Address>` +
  `<a:ReferenceParameters><w:ResourceURI>${JOB_URI}</w:ResourceURI>` +
  '<w:SelectorSet><w:Selector Name="InstanceID">8A1F2E3D-0000-4B5C-9D8E-7F6A5B4C3D2E</w:Selector></w:SelectorSet></a:ReferenceParameters>';

const EXPECTED_JOB: CimReference = {
  kind: 'reference',
  address: ANONYMOUS,
  resourceUri: JOB_URI,
  className: 'Msvm_ConcreteJob',
  namespace: 'root/virtualization/v2',
  selectors: { InstanceID: '8A1F2E3D-0000-4B5C-9D8E-7F6A5B4C3D2E' },
};

test('a job EPR without a wrapper, as Hyper-V returns p:Job', () => {
  const el = parseXml(`<p:Job xmlns:p="${V2}/Msvm_VirtualSystemManagementService" ${DECLS}>${EPR_CHILDREN}</p:Job>`);
  assert.ok(isEprElement(el));
  assert.deepEqual(decodeEpr(el), EXPECTED_JOB);
});

test('a job EPR inside a:EndpointReference, pretty-printed', () => {
  const el = parseXml(
    `<p:Job xmlns:p="urn:x" ${DECLS}>\n  <a:EndpointReference>\n    <a:Address>\n      ${ANONYMOUS}\n    </a:Address>\n` +
      `    <a:ReferenceParameters>\n      <w:ResourceURI>\n        ${JOB_URI}\n      </w:ResourceURI>\n` +
      '      <w:SelectorSet>\n        <w:Selector Name="InstanceID">8A1F2E3D-0000-4B5C-9D8E-7F6A5B4C3D2E</w:Selector>\n      </w:SelectorSet>\n' +
      '    </a:ReferenceParameters>\n  </a:EndpointReference>\n</p:Job>',
  );
  assert.ok(isEprElement(el));
  assert.deepEqual(decodeEpr(el), EXPECTED_JOB);
});

test('the a:EndpointReference element itself, with several selectors and no address', () => {
  const el = parseXml(
    `<a:EndpointReference ${DECLS}><a:ReferenceParameters><w:ResourceURI>${V2}/Msvm_ComputerSystem</w:ResourceURI>` +
      '<w:SelectorSet><w:Selector Name="CreationClassName">Msvm_ComputerSystem</w:Selector><w:Selector Name="Name">5A2B7D0C</w:Selector></w:SelectorSet>' +
      '</a:ReferenceParameters></a:EndpointReference>',
  );
  assert.deepEqual(decodeEpr(el), {
    kind: 'reference',
    resourceUri: `${V2}/Msvm_ComputerSystem`,
    className: 'Msvm_ComputerSystem',
    namespace: 'root/virtualization/v2',
    selectors: { CreationClassName: 'Msvm_ComputerSystem', Name: '5A2B7D0C' },
  });
});

test('a DMTF resource URI takes its namespace from the __cimnamespace selector', () => {
  const el = parseXml(
    `<x ${DECLS}><a:Address>https://h/wsman</a:Address><a:ReferenceParameters>` +
      '<w:ResourceURI>http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ComputerSystem</w:ResourceURI>' +
      '<w:SelectorSet><w:Selector Name="__cimnamespace">root/cimv2</w:Selector><w:Selector Name="Name">h</w:Selector></w:SelectorSet>' +
      '</a:ReferenceParameters></x>',
  );
  const ref = decodeEpr(el);
  assert.equal(ref.className, 'CIM_ComputerSystem');
  assert.equal(ref.namespace, 'root/cimv2');
  assert.equal(ref.address, 'https://h/wsman');
  assert.deepEqual(ref.selectors, { __cimnamespace: 'root/cimv2', Name: 'h' });
});

test('a selector holding a nested EPR is kept as an object-path string; special names stay own properties', () => {
  const el = parseXml(
    `<x ${DECLS}><a:ReferenceParameters><w:ResourceURI>${V2}/Msvm_Link</w:ResourceURI><w:SelectorSet>` +
      `<w:Selector Name="Target"><a:EndpointReference>${EPR_CHILDREN}</a:EndpointReference></w:Selector>` +
      '<w:Selector Name="__proto__">p</w:Selector>' +
      '</w:SelectorSet></a:ReferenceParameters></x>',
  );
  const ref = decodeEpr(el);
  assert.equal(ref.selectors.Target, 'root/virtualization/v2:Msvm_ConcreteJob.InstanceID="8A1F2E3D-0000-4B5C-9D8E-7F6A5B4C3D2E"');
  assert.ok(Object.hasOwn(ref.selectors, '__proto__'));
  assert.equal(Object.getPrototypeOf(ref.selectors), Object.prototype);
});

test('not an EPR, a nameless selector, or a repeated selector raise CimDecodeError', () => {
  const cases = [
    `<x ${DECLS}><y>1</y></x>`,
    `<x ${DECLS}><a:ReferenceParameters><w:SelectorSet><w:Selector>1</w:Selector></w:SelectorSet></a:ReferenceParameters></x>`,
    `<x ${DECLS}><a:ReferenceParameters><w:SelectorSet><w:Selector Name="A">1</w:Selector><w:Selector Name="A">2</w:Selector></w:SelectorSet></a:ReferenceParameters></x>`,
  ];
  for (const xml of cases) {
    const el = parseXml(xml);
    assert.throws(() => decodeEpr(el), CimDecodeError, xml);
  }
  assert.equal(isEprElement(parseXml(cases[0]!)), false);
});

test('resource URI helpers', () => {
  assert.equal(classNameFromResourceUri(JOB_URI), 'Msvm_ConcreteJob');
  assert.equal(classNameFromResourceUri(`${V2}/*`), undefined);
  assert.equal(classNameFromResourceUri('http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_Error?x=1'), 'CIM_Error');
  assert.equal(namespaceFromResourceUri(JOB_URI), 'root/virtualization/v2');
  assert.equal(namespaceFromResourceUri('http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Process'), 'root/cimv2');
  assert.equal(namespaceFromResourceUri('http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_Error'), undefined);
  assert.equal(formatObjectPath({ kind: 'reference', className: 'C', selectors: {} }), 'C');
  assert.equal(formatObjectPath({ kind: 'reference', className: 'C', namespace: 'root', selectors: { A: 'x\\y', B: '"' } }), 'root:C.A="x\\\\y",B="\\""');
});

test('encodeEpr writes the children of an EPR input parameter', () => {
  assert.equal(encodeEpr(EXPECTED_JOB), EPR_CHILDREN);
});

test('encodeEpr escapes values and round-trips through decodeEpr', () => {
  const ref: CimReference = {
    kind: 'reference',
    resourceUri: `${V2}/Msvm_ComputerSystem`,
    selectors: { CreationClassName: 'Msvm_ComputerSystem', Name: `a<b & "c" 'd' 仮想` },
  };
  const xml = encodeEpr(ref, 'http://host:5985/wsman');
  assert.ok(xml.includes('Name="Name">a&lt;b &amp; "c" \'d\' 仮想</w:Selector>'));
  const back = decodeEpr(parseXml(`<p:Param xmlns:p="urn:x" ${DECLS}>${xml}</p:Param>`));
  assert.deepEqual(back, {
    ...ref,
    address: 'http://host:5985/wsman',
    className: 'Msvm_ComputerSystem',
    namespace: 'root/virtualization/v2',
  });
});

test('encodeEpr builds a WMI resource URI from className and namespace; defaults the address; omits an empty SelectorSet', () => {
  const xml = encodeEpr({ kind: 'reference', className: 'Msvm_VirtualSystemManagementService', namespace: 'root\\virtualization\\v2', selectors: {} });
  assert.equal(
    xml,
    `<a:Address>${ANONYMOUS}</a:Address><a:ReferenceParameters><w:ResourceURI>${V2}/Msvm_VirtualSystemManagementService</w:ResourceURI></a:ReferenceParameters>`,
  );
  // A CIM-XML reference (no resource URI) becomes a WMI EPR.
  const fromCimXml = decodeEpr(
    parseXml(`<x ${DECLS}>${encodeEpr({ kind: 'reference', className: 'Msvm_ConcreteJob', namespace: 'root/virtualization/v2', selectors: { InstanceID: '1' } })}</x>`),
  );
  assert.equal(fromCimXml.resourceUri, JOB_URI);
  assert.throws(() => encodeEpr({ kind: 'reference', className: 'X', selectors: {} }), InvalidOptionError);
  assert.throws(() => encodeEpr({ kind: 'reference', selectors: { A: '1' } }), InvalidOptionError);
});
