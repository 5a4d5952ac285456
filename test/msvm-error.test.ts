// Msvm_Error / CIM_Error typing. Property list: msvm-error.md (MicrosoftDocs/win32
// desktop-src/HyperV_v2); the instances below are hand-built, not captures (no real Msvm_Error
// CIM-XML text was found, protocol-facts §9 gap 3).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { CimDateTime, type CimInstance, type CimPropertyInfo, type CimValue } from '../src/cim/types.js';
import { CIM_ERROR_SCHEMA, MSVM_ERROR_SCHEMA } from '../src/hyperv/class-schemas.js';
import { errorSchemaFor, formatMsvmError, msvmErrorToJson, toMsvmError } from '../src/hyperv/msvm-error.js';

const RAW = '<INSTANCE CLASSNAME="Msvm_Error">...</INSTANCE>';

function instance(
  className: string,
  properties: Record<string, CimValue>,
  source: 'cim-xml' | 'ws-cim' = 'cim-xml',
  propertyInfo: Record<string, CimPropertyInfo> = {},
): CimInstance {
  return { kind: 'instance', className, properties, propertyInfo, source, raw: source === 'cim-xml' ? RAW : undefined };
}

const TYPED_PROPERTIES: Record<string, CimValue> = {
  __PATH: '\\\\HOST\\root\\virtualization\\v2:Msvm_Error',
  CIMStatusCode: 1,
  CIMStatusCodeDescription: null,
  ErrorSource: null,
  ErrorSourceFormat: 0,
  ErrorType: 4,
  Message: "'vm1' failed to start. (Virtual machine ID 1234)",
  MessageArguments: ['vm1', '1234'],
  MessageID: '12010',
  OtherErrorSourceFormat: null,
  OtherErrorType: null,
  OwningEntity: 'Microsoft-Windows-Hyper-V-VMMS',
  PerceivedSeverity: 3,
  ProbableCause: 47,
  ProbableCauseDescription: 'Not enough memory in the system to start the virtual machine.',
  RecommendedActions: ['Free memory on the host.', 'Retry.'],
};

// What an untyped WS-CIM decode gives: every value as text, one-element arrays as scalars.
const STRING_PROPERTIES: Record<string, CimValue> = {
  CIMStatusCode: '1',
  CIMStatusCodeDescription: null,
  ErrorSource: null,
  ErrorSourceFormat: '0',
  ErrorType: '4',
  Message: "'vm1' failed to start. (Virtual machine ID 1234)",
  MessageArguments: ['vm1', '1234'],
  MessageID: '12010',
  OtherErrorSourceFormat: null,
  OtherErrorType: null,
  OwningEntity: 'Microsoft-Windows-Hyper-V-VMMS',
  PerceivedSeverity: '3',
  ProbableCause: '47',
  ProbableCauseDescription: 'Not enough memory in the system to start the virtual machine.',
  RecommendedActions: 'Free memory on the host.',
};

describe('toMsvmError', () => {
  it('types a hand-built typed Msvm_Error instance', () => {
    const info: Record<string, CimPropertyInfo> = {
      ErrorType: { type: 'uint16', isArray: false, classOrigin: 'CIM_Error', propagated: true },
    };
    const inst = instance('Msvm_Error', TYPED_PROPERTIES, 'cim-xml', info);
    const e = toMsvmError(inst);
    assert.equal(e.className, 'Msvm_Error');
    assert.equal(e.errorType, 4);
    assert.equal(e.errorTypeName, 'Software Error');
    assert.equal(e.otherErrorType, null);
    assert.equal(e.owningEntity, 'Microsoft-Windows-Hyper-V-VMMS');
    assert.equal(e.messageId, '12010');
    assert.equal(e.message, "'vm1' failed to start. (Virtual machine ID 1234)");
    assert.deepEqual(e.messageArguments, ['vm1', '1234']);
    assert.equal(e.perceivedSeverity, 3);
    assert.equal(e.perceivedSeverityName, 'Degraded/Warning');
    assert.equal(e.probableCause, 47);
    assert.equal(e.probableCauseName, 'Software Error');
    assert.equal(e.probableCauseDescription, 'Not enough memory in the system to start the virtual machine.');
    assert.deepEqual(e.recommendedActions, ['Free memory on the host.', 'Retry.']);
    assert.equal(e.errorSource, null);
    assert.equal(e.errorSourceFormat, 0);
    assert.equal(e.errorSourceFormatName, 'Unknown');
    assert.equal(e.otherErrorSourceFormat, null);
    assert.equal(e.cimStatusCode, 1);
    assert.equal(e.cimStatusCodeName, 'CIM_ERR_FAILED');
    assert.equal(e.cimStatusCodeDescription, null);
    assert.equal(e.instance, inst);
    assert.equal(e.raw, RAW);
    assert.ok(Object.isFrozen(e));
  });

  it('gives the same typed fields from an all-strings (untyped WS-CIM) instance', () => {
    const e = toMsvmError(instance('Msvm_Error', STRING_PROPERTIES, 'ws-cim'));
    assert.equal(e.errorType, 4);
    assert.equal(e.perceivedSeverity, 3);
    assert.equal(e.perceivedSeverityName, 'Degraded/Warning');
    assert.equal(e.probableCause, 47);
    assert.equal(e.cimStatusCode, 1);
    assert.equal(e.cimStatusCodeName, 'CIM_ERR_FAILED');
    assert.equal(e.errorSourceFormat, 0);
    // A lone string for an array property is a one-element array.
    assert.deepEqual(e.recommendedActions, ['Free memory on the host.']);
    assert.equal(e.raw, undefined);
  });

  it('coerces bigint and trims numeric text', () => {
    const e = toMsvmError(instance('Msvm_Error', { CIMStatusCode: 6n, ErrorType: ' 10 ', PerceivedSeverity: '5' }));
    assert.equal(e.cimStatusCode, 6);
    assert.equal(e.cimStatusCodeName, 'CIM_ERR_NOT_FOUND');
    assert.equal(e.errorTypeName, 'Unsupported Operation Error');
    assert.equal(e.perceivedSeverityName, 'Major');
  });

  it('NULL arrays become [], NULL elements keep their position as ""', () => {
    const e = toMsvmError(instance('Msvm_Error', { MessageArguments: null, RecommendedActions: ['a', null, 'c'] }));
    assert.deepEqual(e.messageArguments, []);
    assert.deepEqual(e.recommendedActions, ['a', '', 'c']);
  });

  it('never throws on missing properties; everything is null or []', () => {
    const e = toMsvmError(instance('Msvm_Error', {}));
    assert.equal(e.message, null);
    assert.equal(e.messageId, null);
    assert.equal(e.errorType, null);
    assert.equal(e.errorTypeName, null);
    assert.equal(e.perceivedSeverityName, null);
    assert.equal(e.cimStatusCode, null);
    assert.equal(e.cimStatusCodeName, null);
    assert.deepEqual(e.messageArguments, []);
    assert.deepEqual(e.recommendedActions, []);
  });

  it('non-numeric text in a numeric property gives null, not NaN', () => {
    const e = toMsvmError(instance('Msvm_Error', { ErrorType: 'Software', CIMStatusCode: '' }));
    assert.equal(e.errorType, null);
    assert.equal(e.errorTypeName, null);
    assert.equal(e.cimStatusCode, null);
  });

  it('undocumented codes get reserved-range names or "no name known"', () => {
    const e = toMsvmError(instance('Msvm_Error', { ErrorType: 11, PerceivedSeverity: 1, CIMStatusCode: 0, ProbableCause: 500 }));
    assert.equal(e.errorTypeName, 'DMTF Reserved');
    assert.equal(e.perceivedSeverityName, 'Other');
    assert.equal(e.cimStatusCodeName, 'no name known');
    assert.equal(e.probableCauseName, 'DMTF Reserved');
  });

  it('finds properties regardless of case', () => {
    const e = toMsvmError(instance('Msvm_Error', { message: 'lower-case name', errortype: '2' }));
    assert.equal(e.message, 'lower-case name');
    assert.equal(e.errorTypeName, 'Communications Error');
  });

  it('names PerceivedSeverity of a v2 Msvm_Error with CIM_Error 2.22.1 (0..7)', () => {
    // Typed by hand from https://learn.microsoft.com/windows/win32/hyperv_v2/cim-error (Root\virtualization\v2,
    // Version("2.22.1")), PerceivedSeverity: Unknown (0), Other (1), Information (2), Degraded/Warning (3),
    // Minor (4), Major (5), Critical (6), Fatal/NonRecoverable (7), DMTF Reserved (..). Msvm_Error inherits it.
    const expected = ['Unknown', 'Other', 'Information', 'Degraded/Warning', 'Minor', 'Major', 'Critical', 'Fatal/NonRecoverable'];
    expected.forEach((name, n) => {
      assert.equal(toMsvmError(instance('Msvm_Error', { PerceivedSeverity: n })).perceivedSeverityName, name, `Msvm_Error ${n}`);
      assert.equal(toMsvmError(instance('CIM_Error', { PerceivedSeverity: n })).perceivedSeverityName, name, `CIM_Error ${n}`);
    });
    assert.equal(toMsvmError(instance('Msvm_Error', { PerceivedSeverity: 8 })).perceivedSeverityName, 'DMTF Reserved');
    assert.equal(toMsvmError(instance('MSFT_WmiError', { PerceivedSeverity: 2 })).perceivedSeverityName, 'Information');
  });

  it('chooses the severity table by namespace, not by the Msvm_ prefix', () => {
    // v1 (root\virtualization) carried the preliminary CIM_Error 2.8.1000: Unknown (0), Low (2), Medium (3),
    // High (4), Fatal (5) (https://learn.microsoft.com/previous-versions/windows/desktop/virtual/cim-error).
    const v1 = (n: number) => toMsvmError(instance('Msvm_Error', { PerceivedSeverity: n }), { namespace: 'root/virtualization' });
    assert.equal(v1(2).perceivedSeverityName, 'Low');
    assert.equal(v1(5).perceivedSeverityName, 'Fatal');
    assert.equal(v1(6).perceivedSeverityName, 'no name known');
    assert.equal(toMsvmError(instance('CIM_Error', { PerceivedSeverity: 4 }), { namespace: 'root\\virtualization' }).perceivedSeverityName, 'High');
    assert.equal(toMsvmError(instance('MSFT_WmiError', { PerceivedSeverity: 4 }), { namespace: 'root/virtualization' }).perceivedSeverityName, 'Minor');
    assert.equal(toMsvmError(instance('Msvm_Error', { PerceivedSeverity: 5 }), { namespace: 'root/virtualization/v2' }).perceivedSeverityName, 'Major');
    assert.equal(msvmErrorToJson(v1(3)).valueMapNames.PerceivedSeverity, 'Medium');
    assert.equal(errorSchemaFor('Msvm_SomeFutureError'), MSVM_ERROR_SCHEMA);
    assert.equal(errorSchemaFor('Vendor_Error'), CIM_ERROR_SCHEMA);
    assert.equal(MSVM_ERROR_SCHEMA.PerceivedSeverity?.valueMap, CIM_ERROR_SCHEMA.PerceivedSeverity?.valueMap);
    // A non-error class name never selects a job schema for an error.
    assert.equal(errorSchemaFor('Msvm_ConcreteJob'), MSVM_ERROR_SCHEMA);
  });

  it('unknown values keep their number and say no name is known', () => {
    const e = toMsvmError(instance('Msvm_Error', { Message: 'm', PerceivedSeverity: 70000, CIMStatusCode: 0 }));
    assert.equal(e.perceivedSeverityName, 'no name known');
    const text = formatMsvmError(e);
    assert.match(text, /^PerceivedSeverity: 70000 \(no name known\)$/m);
    assert.match(text, /^CIMStatusCode: 0 \(no name known\)$/m);
    assert.equal(msvmErrorToJson(e).valueMapNames.PerceivedSeverity, 'no name known');
  });

  it('an ErrorSourceFormat without its own name keeps its number', () => {
    // cim-error (v2): ErrorSourceFormat Unknown (0), Other (1), CIMObjectPath (2), DMTF Reserved (..)
    const e = toMsvmError(instance('Msvm_Error', { ErrorSource: 'x', ErrorSourceFormat: 7, Message: 'm' }));
    assert.match(formatMsvmError(e), /^ErrorSource: x \(7 \(DMTF Reserved\)\)$/m);
    const path = toMsvmError(instance('Msvm_Error', { ErrorSource: 'p', ErrorSourceFormat: 2, Message: 'm' }));
    assert.match(formatMsvmError(path), /^ErrorSource: p \(CIMObjectPath\)$/m);
  });

  it('ErrorSourceFormat Other uses OtherErrorSourceFormat', () => {
    const e = toMsvmError(
      instance('Msvm_Error', { ErrorSource: 'vm1', ErrorSourceFormat: 1, OtherErrorSourceFormat: 'VM name', Message: 'm' }),
    );
    assert.equal(e.errorSourceFormatName, 'Other');
    assert.match(formatMsvmError(e), /^ErrorSource: vm1 \(VM name\)$/m);
  });
});

describe('formatMsvmError', () => {
  it('puts the message first, then the details in order', () => {
    const text = formatMsvmError(toMsvmError(instance('Msvm_Error', TYPED_PROPERTIES)));
    const lines = text.split('\n');
    assert.equal(lines[0], "'vm1' failed to start. (Virtual machine ID 1234)");
    assert.ok(text.includes('MessageID: 12010'));
    assert.ok(text.includes('ErrorType: 4 (Software Error)'));
    assert.ok(text.includes('PerceivedSeverity: 3 (Degraded/Warning)'));
    assert.ok(text.includes('ProbableCause: 47 (Software Error): Not enough memory in the system to start the virtual machine.'));
    assert.ok(text.includes('CIMStatusCode: 1 (CIM_ERR_FAILED)'));
    assert.ok(text.includes('  - Free memory on the host.'));
    assert.ok(text.includes('  [1] 1234'));
    const order = ['MessageID:', 'ErrorType:', 'PerceivedSeverity:', 'ProbableCause:', 'CIMStatusCode:', 'RecommendedActions:', 'MessageArguments:'];
    const positions = order.map((label) => text.indexOf(label));
    assert.ok(positions.every((p) => p > 0), 'all labels present');
    assert.deepEqual([...positions].sort((a, b) => a - b), positions, 'labels in order');
    // NULL fields are left out rather than printed as "null".
    assert.ok(!text.includes('null'));
    assert.ok(!text.includes('ErrorSource:'));
  });

  it('says so when there is no message', () => {
    const text = formatMsvmError(toMsvmError(instance('Msvm_Error', { CIMStatusCode: 4 })));
    assert.equal(text.split('\n')[0], 'Msvm_Error (no message)');
    assert.ok(text.includes('CIMStatusCode: 4 (CIM_ERR_INVALID_PARAMETER)'));
  });
});

describe('msvmErrorToJson', () => {
  it('renders every property, typed, plus value-map names', () => {
    const json = msvmErrorToJson(toMsvmError(instance('Msvm_Error', STRING_PROPERTIES, 'ws-cim')));
    assert.equal(json.className, 'Msvm_Error');
    assert.equal(json.properties.ErrorType, 4);
    assert.equal(json.properties.CIMStatusCode, 1);
    assert.equal(json.properties.CIMStatusCodeDescription, null);
    assert.deepEqual(json.properties.MessageArguments, ['vm1', '1234']);
    assert.deepEqual(json.properties.RecommendedActions, ['Free memory on the host.']);
    assert.equal(Object.keys(json.properties).length, Object.keys(STRING_PROPERTIES).length);
    assert.deepEqual(json.valueMapNames, {
      CIMStatusCode: 'CIM_ERR_FAILED',
      ErrorSourceFormat: 'Unknown',
      ErrorType: 'Software Error',
      PerceivedSeverity: 'Degraded/Warning',
      ProbableCause: 'Software Error',
    });
  });

  it('keeps extra properties and survives JSON.stringify (no bigint)', () => {
    const when = new CimDateTime('20240101120000.000000+000', new Date(Date.UTC(2024, 0, 1, 12)), 0, 0);
    const inst = instance('Msvm_Error', {
      ...TYPED_PROPERTIES,
      VendorCounter: 18446744073709551615n,
      Timestamp: when,
      Flags: [1n, null],
    });
    const json = msvmErrorToJson(toMsvmError(inst));
    assert.equal(json.properties.__PATH, TYPED_PROPERTIES.__PATH);
    assert.equal(json.properties.VendorCounter, '18446744073709551615');
    assert.equal(json.properties.Timestamp, '2024-01-01T12:00:00.000Z');
    assert.deepEqual(json.properties.Flags, ['1', null]);
    const text = JSON.stringify(json);
    const back = JSON.parse(text) as { properties: Record<string, unknown> };
    assert.equal(back.properties.Message, TYPED_PROPERTIES.Message);
    assert.equal(back.properties.VendorCounter, '18446744073709551615');
  });
});
