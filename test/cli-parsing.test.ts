// The CLI's small parsers and renderers, without a host: K=V selectors and typed --param items,
// --state names through the JobState value map, the progress bar, the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOptionError } from '../src/errors.js';
import { parseParams, parseSelectors } from '../src/cli/key-value.js';
import { JOB_STATE_BY_SLUG, stateCondition } from '../src/cli/commands/jobs.js';
import { renderBar } from '../src/cli/progress.js';
import { formatTable, formatTsvRow } from '../src/cli/output.js';
import { encodeInvokeParams } from '../src/wsman/invoke-params.js';

test('selectors: K=V, values may contain "=", duplicates and bare keys are refused', () => {
  assert.deepEqual(parseSelectors(['InstanceID=ABC', 'Filter=a=b']), { InstanceID: 'ABC', Filter: 'a=b' });
  assert.deepEqual(parseSelectors(undefined), {});
  assert.throws(() => parseSelectors(['InstanceID']), InvalidOptionError);
  assert.throws(() => parseSelectors(['=x']), InvalidOptionError);
  assert.throws(() => parseSelectors(['A=1', 'A=2']), /given twice/);
  const proto = parseSelectors(['__proto__=x']);
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(proto['__proto__' as keyof typeof proto], 'x');
});

test('params keep the order given; a repeated name becomes an array', () => {
  const p = parseParams(['Z=1', 'A=x', 'Z=2', 'M='], 'root/virtualization/v2');
  assert.deepEqual(Object.keys(p), ['Z', 'A', 'M']);
  assert.deepEqual(p, { Z: ['1', '2'], A: 'x', M: '' });
  assert.equal(encodeInvokeParams(p), '<p:Z>1</p:Z><p:Z>2</p:Z><p:A>x</p:A><p:M></p:M>');
});

test('Name:ref=Class in the cim dialect: the DMTF URI and a __cimnamespace selector (OMI cannot resolve a WMI URI)', () => {
  const p = parseParams(['Person:ref=MSFT_Person?Key=7'], 'root/cimv2');
  const cim = encodeInvokeParams(p, 'cim');
  assert.match(cim, /<w:ResourceURI>http:\/\/schemas\.dmtf\.org\/wbem\/wscim\/1\/cim-schema\/2\/MSFT_Person<\/w:ResourceURI>/);
  assert.match(cim, /<w:Selector Name="__cimnamespace">root\/cimv2<\/w:Selector>/);
  assert.match(cim, /<w:Selector Name="Key">7<\/w:Selector>/);
  assert.doesNotMatch(cim, /wsman\/1\/wmi/);
  assert.match(encodeInvokeParams(p, 'wmi'), /wsman\/1\/wmi\/root\/cimv2\/MSFT_Person</);
  assert.doesNotMatch(encodeInvokeParams(p, 'wmi'), /__cimnamespace/);
  // A reference given by a DMTF URI is sent as given, whatever the dialect.
  const uri = parseParams(['T:ref=http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ComputerSystem?Name=h1'], 'x');
  assert.doesNotMatch(encodeInvokeParams(uri, 'cim'), /__cimnamespace/);
});

test('Name:ref builds an endpoint reference in the namespace, percent-decoded; a URI is taken as is', () => {
  const p = parseParams(['ComputerSystem:ref=Msvm_ComputerSystem?CreationClassName=Msvm_ComputerSystem&Name=a%26b%3Dc'], 'root/virtualization/v2');
  assert.deepEqual(p.ComputerSystem, {
    kind: 'reference',
    resourceUri: 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ComputerSystem',
    className: 'Msvm_ComputerSystem',
    namespace: 'root/virtualization/v2',
    selectors: { CreationClassName: 'Msvm_ComputerSystem', Name: 'a&b=c' },
  });
  const uri = parseParams(['Target:ref=http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ComputerSystem?Name=h1'], 'x');
  assert.deepEqual(uri.Target, { kind: 'reference', resourceUri: 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ComputerSystem', selectors: { Name: 'h1' } });
  assert.match(encodeInvokeParams(uri), /<p:Target><a:Address>.*<w:Selector Name="Name">h1<\/w:Selector>/);
  for (const bad of ['R:ref=?Name=x', 'R:ref=Not A Class', 'R:ref=C?Name', 'R:ref=C?N=%zz']) assert.throws(() => parseParams([bad], 'ns'), InvalidOptionError, bad);
});

test('Name:file reads the value from a file; Name:null is xsi:nil', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-param-'));
  try {
    const file = join(dir, 'vssd.xml');
    writeFileSync(file, '<INSTANCE CLASSNAME="Msvm_VirtualSystemSettingData"></INSTANCE>');
    const p = parseParams([`SystemSettings:file=${file}`, 'ReferenceConfiguration:null'], 'ns');
    assert.equal(p.SystemSettings, '<INSTANCE CLASSNAME="Msvm_VirtualSystemSettingData"></INSTANCE>');
    assert.equal(p.ReferenceConfiguration, null);
    assert.match(encodeInvokeParams(p), /^<p:SystemSettings>&lt;INSTANCE CLASSNAME="Msvm_VirtualSystemSettingData"&gt;&lt;\/INSTANCE&gt;<\/p:SystemSettings><p:ReferenceConfiguration xsi:nil="true"\/>$/);
    assert.throws(() => parseParams([`X:file=${join(dir, 'missing')}`], 'ns'), /cannot read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('param mistakes are InvalidOptionError', () => {
  for (const bad of ['noequals', '1abc=x', 'A:kind=x', 'A:null=x', '=x']) assert.throws(() => parseParams([bad], 'ns'), InvalidOptionError, bad);
  assert.throws(() => parseParams(['A:null', 'A=1'], 'ns'), /cannot be repeated/);
});

test('--state names come from the JobState value map', () => {
  assert.equal(JOB_STATE_BY_SLUG.get('exception'), 10);
  assert.equal(JOB_STATE_BY_SLUG.get('shutting-down'), 6);
  assert.equal(JOB_STATE_BY_SLUG.get('completed-with-warnings'), 32768);
  assert.equal(JOB_STATE_BY_SLUG.size, 12);
  assert.equal(stateCondition(['exception', 'Killed', 'exception']), 'JobState = 10 OR JobState = 9');
  assert.equal(stateCondition([]), undefined);
  assert.throws(() => stateCondition(['exploded']), InvalidOptionError);
});

test('progress bar and tables', () => {
  assert.equal(renderBar(0, 10), '[----------]   0%');
  assert.equal(renderBar(45, 10), '[#####-----]  45%');
  assert.equal(renderBar(100, 10), '[##########] 100%');
  assert.equal(renderBar(null, 10), '[----------]   ?%');
  assert.equal(formatTable(['A', 'BB', 'C'], [['xxx', 'y', 'last column'], ['', 'zzzz', '']]), 'A    BB    C\nxxx  y     last column\n     zzzz\n');
  assert.equal(formatTsvRow(['a\tb', 'c\nd']), 'a b\tc d\n');
});
