/**
 * The schemas in wsdl/ against the envelopes our builders produce, checked by libxml2's validator
 * (libxml2-wasm, see helpers/xsd.ts: xmllint's validator, from npm). Positive cases: every request shape validates, with selector values that need escaping.
 * Negative cases: hand-mutated envelopes must fail, for the reason the mutation introduced, which
 * proves the schemas are strict enough to catch real mistakes.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { EnvelopeContext } from '../src/wsman/envelope.js';
import { HYPERV_NAMESPACE, NS, wmiResourceUri } from '../src/wsman/namespaces.js';
import {
  buildEnumerateRequest,
  buildGetRequest,
  buildIdentifyRequest,
  buildInvokeRequest,
  buildPullRequest,
  buildReleaseRequest,
} from '../src/wsman/requests.js';
import { parseXml } from '../src/xml/parse.js';
import { attr, child, childrenNamed, elements, lookupNamespace, type XmlElement } from '../src/xml/tree.js';
import { checkWellFormed, validateXsd, type LintResult } from './helpers/xsd.js';

const WSDL_DIR = fileURLToPath(new URL('../wsdl/', import.meta.url));
const DRIVER = join(WSDL_DIR, 'wsman-request.xsd');
const WSDL_FILE = join(WSDL_DIR, 'hyperv-job-geterror.wsdl');

const XS = 'http://www.w3.org/2001/XMLSchema';
const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const SOAP12_BINDING_NS = 'http://schemas.xmlsoap.org/wsdl/soap12/';

const JOB_CLASSES = ['Msvm_ConcreteJob', 'Msvm_MigrationJob'] as const;
const JOB_METHODS = ['GetError', 'GetErrorEx'] as const;

/** Needs escaping in text (<, &, >), harmless quotes, and non-ASCII (CJK) that must pass through as is. */
const AWKWARD_INSTANCE_ID = `Microsoft:<&>"'-ジョブ-日本語-{5F5D5C4E-0000-4000-8000-000000000001}`;

const CTX: EnvelopeContext = { to: 'https://hyperv-host.example:5986/wsman', operationTimeoutSec: 60 };

function validateEnvelope(name: string, xml: string): LintResult {
  return validateXsd(DRIVER, xml, `${name}.xml`);
}

function assertValid(name: string, xml: string): void {
  const r = validateEnvelope(name, xml);
  assert.equal(r.status, 'valid', `${name} should validate against wsman-request.xsd:\n${r.messages}\n${xml}`);
}

/** Fails unless validation (not parsing, not schema compilation) rejects `xml`, with `expected` in the report. */
function assertRejected(name: string, xml: string, expected: RegExp): void {
  const r = validateEnvelope(name, xml);
  assert.equal(r.status, 'invalid', `${name} should fail schema validation, got ${r.status}:\n${r.messages}`);
  assert.match(r.messages, expected, `${name} failed, but not for the expected reason:\n${r.messages}`);
}

/** String surgery on a known-good envelope; refuses a mutation that changes nothing. */
function mutate(xml: string, from: string | RegExp, to: string): string {
  const out = xml.replace(from, to);
  assert.notEqual(out, xml, `mutation ${String(from)} did not apply`);
  return out;
}

function jobRequest(className: string, method: string, instanceId = AWKWARD_INSTANCE_ID): string {
  const uri = wmiResourceUri(HYPERV_NAMESPACE, className);
  return buildInvokeRequest(CTX, uri, method, { selectors: { InstanceID: instanceId }, idempotent: true }).xml;
}

function schemaFiles(): string[] {
  return readdirSync(WSDL_DIR)
    .filter((f) => f.endsWith('.xsd'))
    .sort();
}

describe('the validator', () => {
  it('reports a document that is not well-formed, and a schema that does not compile', () => {
    assert.equal(checkWellFormed('<a><b></a>').status, 'not-well-formed');
    const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-xsd-'));
    try {
      const broken = join(dir, 'broken.xsd');
      writeFileSync(broken, `<xs:schema xmlns:xs="${XS}"><xs:element nme="x"/></xs:schema>`);
      const r = validateXsd(broken, '<x/>');
      assert.equal(r.status, 'schema-broken');
      assert.match(r.messages, /attribute 'name' is required/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('wsdl/ files themselves', () => {
  it('the WSDL is well-formed XML', () => {
    const r = checkWellFormed(readFileSync(WSDL_FILE), WSDL_FILE);
    assert.equal(r.status, 'valid', r.messages);
  });

  it('has the expected schema set', () => {
    assert.deepEqual(schemaFiles(), [
      'hyperv-job.xsd',
      'msvm-concretejob.xsd',
      'msvm-migrationjob.xsd',
      'soap-envelope.xsd',
      'ws-addressing.xsd',
      'ws-enumeration.xsd',
      'wsman-cimbinding.xsd',
      'wsman-identity.xsd',
      'wsman-request.xsd',
      'wsman.xsd',
      'wsmv.xsd',
      'xml.xsd',
    ]);
    assert.ok(existsSync(join(WSDL_DIR, 'README.md')), 'wsdl/README.md describes the files');
  });

  for (const file of schemaFiles()) {
    it(`${file} compiles as an XML Schema`, () => {
      // Any instance will do: a schema that does not compile says so before validating anything.
      const r = validateXsd(join(WSDL_DIR, file), '<compile-probe/>');
      assert.equal(r.status, 'invalid', `${file} does not compile:\n${r.messages}`);
      assert.match(r.messages, /compile-probe.*No matching global declaration/, r.messages);
    });
  }

  const JOB = (cls: string) => `xmlns:p="${wmiResourceUri(HYPERV_NAMESPACE, cls)}"`;
  const SAMPLES: ReadonlyArray<{ readonly schema: string; readonly xml: string }> = [
    { schema: 'soap-envelope.xsd', xml: `<s:Envelope xmlns:s="${NS.soap}"><s:Header><x:Any xmlns:x="urn:x"/></s:Header><s:Body/></s:Envelope>` },
    { schema: 'ws-addressing.xsd', xml: `<a:MessageID xmlns:a="${NS.wsa}">uuid:9A989269-283B-4624-BAC5-BC291F72E854</a:MessageID>` },
    { schema: 'wsman.xsd', xml: `<w:MaxEnvelopeSize xmlns:w="${NS.wsman}" xmlns:s="${NS.soap}" s:mustUnderstand="true">8192</w:MaxEnvelopeSize>` },
    { schema: 'wsmv.xsd', xml: `<p:DataLocale xmlns:p="${NS.wsmv}" xmlns:s="${NS.soap}" xml:lang="de-DE" s:mustUnderstand="false"/>` },
    { schema: 'ws-enumeration.xsd', xml: `<n:Pull xmlns:n="${NS.wsen}"><n:EnumerationContext>uuid:1</n:EnumerationContext><n:MaxElements>5</n:MaxElements></n:Pull>` },
    { schema: 'wsman-identity.xsd', xml: `<i:Identify xmlns:i="${NS.wsmid}"/>` },
    {
      schema: 'wsman-cimbinding.xsd',
      xml: `<b:AssociationInstances xmlns:b="${NS.cimbinding}" xmlns:a="${NS.wsa}"><b:Object><a:Address>${NS.wsa}/role/anonymous</a:Address></b:Object><b:Role>AffectedElement</b:Role></b:AssociationInstances>`,
    },
    { schema: 'hyperv-job.xsd', xml: '<GetError_OUTPUT><ReturnValue>0</ReturnValue></GetError_OUTPUT>' },
    // A reply as MS-WSMV 4.1.4 shapes one: out-parameter, then ReturnValue; NULL as xsi:nil.
    {
      schema: 'msvm-concretejob.xsd',
      xml: `<p:GetError_OUTPUT ${JOB('Msvm_ConcreteJob')} xmlns:xsi="${NS.xsi}"><p:Error xsi:nil="true"/><p:ReturnValue>0</p:ReturnValue></p:GetError_OUTPUT>`,
    },
    {
      schema: 'msvm-migrationjob.xsd',
      xml:
        `<p:GetErrorEx_OUTPUT ${JOB('Msvm_MigrationJob')}>` +
        '<p:Errors>&lt;INSTANCE CLASSNAME="Msvm_Error"&gt;&lt;/INSTANCE&gt;</p:Errors>' +
        '<p:Errors>&lt;INSTANCE CLASSNAME="Msvm_Error"&gt;&lt;/INSTANCE&gt;</p:Errors>' +
        '<p:ReturnValue>32768</p:ReturnValue></p:GetErrorEx_OUTPUT>',
    },
    // MS-WSMV 3.1.4.1.26: a null array is one nil element marked IsNullArray.
    {
      schema: 'msvm-migrationjob.xsd',
      xml:
        `<p:GetErrorEx_OUTPUT ${JOB('Msvm_MigrationJob')} xmlns:xsi="${NS.xsi}" xmlns:m="${NS.wsmv}">` +
        '<p:Errors xsi:nil="true" m:IsNullArray="true"/><p:ReturnValue>0</p:ReturnValue></p:GetErrorEx_OUTPUT>',
    },
  ];
  for (const [i, sample] of SAMPLES.entries()) {
    it(`${sample.schema} accepts a minimal instance (#${i + 1})`, () => {
      const r = validateXsd(join(WSDL_DIR, sample.schema), sample.xml, `sample-${i}.xml`);
      assert.equal(r.status, 'valid', r.messages);
    });
  }

  it('the job schemas reject a negative ReturnValue and a second Error', () => {
    const ns = JOB('Msvm_ConcreteJob');
    const schema = join(WSDL_DIR, 'msvm-concretejob.xsd');
    const negative = `<p:GetError_OUTPUT ${ns}><p:ReturnValue>-1</p:ReturnValue></p:GetError_OUTPUT>`;
    assert.equal(validateXsd(schema, negative).status, 'invalid');
    const twice = `<p:GetError_OUTPUT ${ns}><p:Error>a</p:Error><p:Error>b</p:Error><p:ReturnValue>0</p:ReturnValue></p:GetError_OUTPUT>`;
    assert.equal(validateXsd(schema, twice).status, 'invalid');
  });
});

describe('the WSDL agrees with the schemas and with DSP0227 / MS-WSMV naming', () => {
  const wsdl = parseXml(readFileSync(WSDL_FILE, 'utf8'));

  /** Global element names declared by a schema file, following xs:include (chameleon). */
  function declaredElements(file: string): Set<string> {
    const schema = parseXml(readFileSync(join(WSDL_DIR, file), 'utf8'));
    const names = new Set(childrenNamed(schema, XS, 'element').map((e) => attr(e, 'name') ?? ''));
    for (const inc of childrenNamed(schema, XS, 'include')) {
      for (const n of declaredElements(attr(inc, 'schemaLocation') ?? '')) names.add(n);
    }
    return names;
  }

  /** Namespace URI -> declared global element names, from the WSDL's xs:import list. */
  const declared = new Map<string, Set<string>>();
  const typesSchema = child(child(wsdl, WSDL_NS, 'types')!, XS, 'schema')!;
  for (const imp of childrenNamed(typesSchema, XS, 'import')) {
    const ns = attr(imp, 'namespace') ?? '';
    const loc = attr(imp, 'schemaLocation') ?? '';
    const schema = parseXml(readFileSync(join(WSDL_DIR, loc), 'utf8'));
    assert.equal(attr(schema, 'targetNamespace'), ns, `${loc} declares the namespace the WSDL imports it for`);
    declared.set(ns, declaredElements(loc));
  }

  function resolve(el: XmlElement, qname: string): { ns: string; local: string } {
    const [prefix, local] = qname.includes(':') ? (qname.split(':') as [string, string]) : ['', qname];
    const ns = lookupNamespace(el.scope, prefix);
    assert.ok(ns !== undefined, `prefix "${prefix}" of ${qname} is declared`);
    return { ns, local };
  }

  it('every message part names an element declared by an imported schema', () => {
    const messages = childrenNamed(wsdl, WSDL_NS, 'message');
    assert.ok(messages.length >= 10);
    for (const m of messages) {
      for (const part of childrenNamed(m, WSDL_NS, 'part')) {
        const { ns, local } = resolve(part, attr(part, 'element') ?? '');
        assert.ok(declared.get(ns)?.has(local), `${attr(m, 'name')}/${attr(part, 'name')}: {${ns}}${local} is declared`);
      }
    }
  });

  it('each class has GetError and GetErrorEx with Action = resource URI + "/" + method', () => {
    const bindings = childrenNamed(wsdl, WSDL_NS, 'binding');
    const portTypes = childrenNamed(wsdl, WSDL_NS, 'portType');
    const messages = new Map(childrenNamed(wsdl, WSDL_NS, 'message').map((m) => [attr(m, 'name'), m]));
    for (const cls of JOB_CLASSES) {
      const uri = wmiResourceUri(HYPERV_NAMESPACE, cls);
      const binding: XmlElement | undefined = bindings.find((b) => attr(b, 'name') === `${cls}_Binding`);
      const portType: XmlElement | undefined = portTypes.find((p) => attr(p, 'name') === `${cls}_PortType`);
      assert.ok(binding, `${cls} has a binding`);
      assert.ok(portType, `${cls} has a portType`);
      assert.equal(attr(child(binding, SOAP12_BINDING_NS, 'binding')!, 'style'), 'document');
      for (const method of JOB_METHODS) {
        const bop: XmlElement | undefined = childrenNamed(binding, WSDL_NS, 'operation').find((o) => attr(o, 'name') === method);
        assert.ok(bop, `${cls} binding has ${method}`);
        assert.equal(attr(child(bop, SOAP12_BINDING_NS, 'operation')!, 'soapAction'), `${uri}/${method}`);
        const headerParts: Array<string | undefined> = childrenNamed(child(bop, WSDL_NS, 'input')!, SOAP12_BINDING_NS, 'header').map((h) => attr(h, 'part'));
        assert.deepEqual(headerParts, ['To', 'ResourceURI', 'ReplyTo', 'Action', 'MaxEnvelopeSize', 'MessageID', 'Locale', 'DataLocale', 'OperationTimeout', 'SelectorSet', 'OptionSet']);

        const pop: XmlElement | undefined = childrenNamed(portType, WSDL_NS, 'operation').find((o) => attr(o, 'name') === method);
        assert.ok(pop, `${cls} portType has ${method}`);
        const input: XmlElement = child(pop, WSDL_NS, 'input')!;
        const output: XmlElement = child(pop, WSDL_NS, 'output')!;
        assert.equal(attr(input, 'Action', NS.wsa), `${uri}/${method}`);
        assert.equal(attr(output, 'Action', NS.wsa), `${uri}/${method}Response`);
        // Body elements: {resource URI}Method_INPUT / Method_OUTPUT (MS-WSMV 4.1.4).
        const ends: ReadonlyArray<readonly [XmlElement, string]> = [[input, 'INPUT'], [output, 'OUTPUT']];
        for (const [io, suffix] of ends) {
          const msg = messages.get(resolve(io, attr(io, 'message') ?? '').local);
          assert.ok(msg, `${cls}.${method} ${suffix} message exists`);
          const part = child(msg, WSDL_NS, 'part')!;
          assert.deepEqual(resolve(part, attr(part, 'element') ?? ''), { ns: uri, local: `${method}_${suffix}` });
        }
      }
    }
  });

  it('the output elements carry the out-parameter before ReturnValue, typed as the MOF says', () => {
    const shared = parseXml(readFileSync(join(WSDL_DIR, 'hyperv-job.xsd'), 'utf8'));
    const outputs: Record<string, { readonly param: string; readonly max: string }> = {
      GetError_OUTPUT: { param: 'Error', max: '1' },
      GetErrorEx_OUTPUT: { param: 'Errors', max: 'unbounded' },
    };
    for (const [name, want] of Object.entries(outputs)) {
      const decl = childrenNamed(shared, XS, 'element').find((e) => attr(e, 'name') === name)!;
      const seq = child(child(decl, XS, 'complexType')!, XS, 'sequence')!;
      const [param, ret] = elements(seq);
      assert.equal(attr(param!, 'name'), want.param);
      assert.equal(attr(param!, 'nillable'), 'true');
      assert.equal(attr(param!, 'minOccurs'), '0');
      assert.equal(attr(param!, 'maxOccurs') ?? '1', want.max);
      assert.equal(attr(ret!, 'name'), 'ReturnValue');
      assert.equal(attr(ret!, 'type'), 'xs:unsignedInt');
    }
  });
});

describe('envelopes built by src/wsman validate against wsdl/wsman-request.xsd', () => {
  for (const cls of JOB_CLASSES) {
    for (const method of JOB_METHODS) {
      it(`${cls}.${method} with an InstanceID that needs escaping`, () => {
        const xml = jobRequest(cls, method);
        assert.ok(xml.includes('&lt;&amp;&gt;'), 'the selector value is escaped');
        assert.ok(xml.includes('ジョブ-日本語'), 'CJK text passes through unescaped');
        assertValid(`${cls}-${method}`, xml);
      });
    }
  }

  it('Invoke with options and non-default context values', () => {
    const ctx: EnvelopeContext = { ...CTX, maxEnvelopeSize: 8192, operationTimeoutSec: 0.5, locale: 'fr-FR', dataLocale: 'de-DE' };
    const uri = wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ConcreteJob');
    const xml = buildInvokeRequest(ctx, uri, 'GetError', {
      selectors: { InstanceID: 'x' },
      options: [{ name: 'wmi:Context', value: '<a&b>' }, { name: 'wmiarray:Items', value: '1' }, { name: 'wmiarray:Items', value: '2', mustComply: false }],
    }).xml;
    assertValid('invoke-options', xml);
  });

  const star = wmiResourceUri(HYPERV_NAMESPACE);
  const job = wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ConcreteJob');
  const others: ReadonlyArray<readonly [string, () => string]> = [
    ['Identify', () => buildIdentifyRequest().xml],
    ['Get', () => buildGetRequest(CTX, job, { InstanceID: AWKWARD_INSTANCE_ID }).xml],
    ['Enumerate (WQL, optimized)', () => buildEnumerateRequest(CTX, star, { wql: "SELECT * FROM Msvm_ConcreteJob WHERE InstanceID = 'a<&b'" }).xml],
    ['Enumerate (EPRs, not optimized)', () => buildEnumerateRequest(CTX, job, { mode: 'EnumerateObjectAndEPR', optimize: false }).xml],
    ['Enumerate (association filter)', () => associationRequest()],
    ['Pull', () => buildPullRequest(CTX, star, 'uuid:3C5A1D5E-0000-4000-8000-00000000000A', 25).xml],
    ['Release', () => buildReleaseRequest(CTX, star, 'uuid:3C5A1D5E-0000-4000-8000-00000000000A').xml],
  ];
  for (const [label, build] of others) {
    it(label, () => assertValid(label, build()));
  }

  // The hand-written goldens of test/golden-envelopes.test.ts, from the specs, agree with the schemas too.
  // invoke-params.xml is left out: its synthetic method is not described in wsdl/.
  const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url));
  const goldens = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.xml') && f !== 'invoke-params.xml').sort();
  it('covers the golden envelopes', () => assert.equal(goldens.length, 11));
  for (const file of goldens) {
    it(`golden ${file}`, () => {
      const r = validateXsd(DRIVER, readFileSync(join(GOLDEN_DIR, file)), file);
      assert.equal(r.status, 'valid', r.messages);
    });
  }

  it('Locale and DataLocale never carry mustUnderstand="true" (MS-WSMV 3.1.4.1.8/9)', () => {
    // wsman.xsd / wsmv.xsd say fixed="false", but libxml2 does not enforce `fixed` on attribute
    // references, so this rule is checked on the parsed envelopes instead.
    const all = [...JOB_CLASSES.flatMap((c) => JOB_METHODS.map((m) => jobRequest(c, m))), ...others.map(([, build]) => build())];
    let seen = 0;
    for (const xml of all) {
      const header = child(parseXml(xml), NS.soap, 'Header')!;
      for (const el of [child(header, NS.wsman, 'Locale'), child(header, NS.wsmv, 'DataLocale')]) {
        if (!el) continue;
        seen++;
        assert.notEqual(attr(el, 'mustUnderstand', NS.soap), 'true');
        assert.ok(attr(el, 'lang', 'http://www.w3.org/XML/1998/namespace'), 'xml:lang is present');
      }
    }
    assert.ok(seen >= 2 * (all.length - 1), 'every request but Identify has both headers');
  });
});

function associationRequest(): string {
  return buildEnumerateRequest(CTX, wmiResourceUri(HYPERV_NAMESPACE), {
    association: {
      kind: 'AssociatedInstances',
      object: { resourceUri: wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ConcreteJob'), selectors: { InstanceID: AWKWARD_INSTANCE_ID } },
      associationClassName: 'Msvm_AffectedJobElement',
      role: 'AffectingElement',
      resultRole: 'AffectedElement',
      includeResultProperties: ['ElementName', 'Name'],
    },
  }).xml;
}

describe('the association filter is checked against wsman-cimbinding.xsd, not passed through', () => {
  const good = associationRequest();

  it('the unmutated envelope is valid (baseline)', () => assertValid('association-baseline', good));

  it('Role before AssociationClassName (out of DSP0227 order)', () => {
    const swapped = mutate(good, /(<b:AssociationClassName>[^<]*<\/b:AssociationClassName>)(<b:Role>[^<]*<\/b:Role>)/, '$2$1');
    assertRejected('association-order', swapped, /AssociationClassName.*not expected/);
  });

  it('a role that is not a CIM name', () => {
    assertRejected('association-role', mutate(good, '<b:Role>AffectingElement</b:Role>', '<b:Role>Affecting Element</b:Role>'), /Role/);
  });

  it('no Object', () => {
    assertRejected('association-no-object', mutate(good, /<b:Object>.*<\/b:Object>/, ''), /Object/);
  });

  it('ResultRole in AssociationInstances, which has none', () => {
    const refs = mutate(good, /b:AssociatedInstances/g, 'b:AssociationInstances').replace(/<b:AssociationClassName>[^<]*<\/b:AssociationClassName>/, '');
    assertRejected('association-instances-result-role', refs, /ResultRole.*not expected/);
  });
});

describe('hand-mutated envelopes are rejected (the validator bites)', () => {
  const good = jobRequest('Msvm_ConcreteJob', 'GetError');

  it('the unmutated envelope is valid (baseline)', () => assertValid('baseline', good));

  it('MaxEnvelopeSize 100 (below the 8192 floor)', () => {
    assertRejected('maxenv-100', mutate(good, />153600</, '>100<'), /MaxEnvelopeSize.*minInclusive|less than the minimum/);
  });

  it('MaxEnvelopeSize without s:mustUnderstand', () => {
    assertRejected('maxenv-mu', mutate(good, '<w:MaxEnvelopeSize s:mustUnderstand="true">', '<w:MaxEnvelopeSize>'), /MaxEnvelopeSize.*mustUnderstand.*required/);
  });

  it('missing MessageID', () => {
    assertRejected('no-messageid', mutate(good, /<a:MessageID>[^<]*<\/a:MessageID>/, ''), /Missing child element.*MessageID/);
  });

  it('MessageID that is not uuid:UUID', () => {
    assertRejected('bad-messageid', mutate(good, /<a:MessageID>[^<]*</, '<a:MessageID>urn:example:42<'), /MessageID.*pattern/);
  });

  it('wrong body element name (GetErrors_INPUT)', () => {
    assertRejected('wrong-body', mutate(good, /GetError_INPUT/g, 'GetErrors_INPUT'), /GetErrors_INPUT.*No matching global element declaration/);
  });

  it('body element in the wrong namespace (class URI with a typo)', () => {
    assertRejected('wrong-body-ns', mutate(good, 'xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob"', 'xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualisation/v2/Msvm_ConcreteJob"'), /No matching global element declaration/);
  });

  it('an input parameter GetError does not have', () => {
    assertRejected('extra-param', mutate(good, '></p:GetError_INPUT>', '><p:Error>x</p:Error></p:GetError_INPUT>'), /GetError_INPUT.*content type is empty/);
  });

  it('Selector without its Name attribute', () => {
    assertRejected('selector-no-name', mutate(good, '<w:Selector Name="InstanceID">', '<w:Selector>'), /Selector.*Name.*required/);
  });

  it('the same selector name twice', () => {
    assertRejected('duplicate-selector', mutate(good, '</w:SelectorSet>', '<w:Selector Name="InstanceID">other</w:Selector></w:SelectorSet>'), /Duplicate key-sequence/);
  });

  it('negative OperationTimeout (PT-1S, which Windows faults)', () => {
    assertRejected('timeout-negative', mutate(good, 'PT60.000S', 'PT-1S'), /OperationTimeout/);
  });

  it('OperationTimeout in bare seconds instead of xs:duration', () => {
    assertRejected('timeout-seconds', mutate(good, 'PT60.000S', '60'), /OperationTimeout/);
  });

  it('ReplyTo with a non-anonymous address', () => {
    assertRejected('replyto', mutate(good, /role\/anonymous</, 'role/somewhere-else<'), /Address.*enumeration/);
  });

  it('Action without s:mustUnderstand', () => {
    assertRejected('action-mu', mutate(good, '<a:Action s:mustUnderstand="true">', '<a:Action>'), /Action.*mustUnderstand.*required/);
  });

  it('Locale without xml:lang', () => {
    assertRejected('locale-lang', mutate(good, /<w:Locale xml:lang="[^"]*"/, '<w:Locale'), /Locale.*lang.*required/);
  });

  it('a header this client never sends (misspelled)', () => {
    assertRejected('unknown-header', mutate(good, '</s:Header>', '<w:MaxEnvelopSize>153600</w:MaxEnvelopSize></s:Header>'), /MaxEnvelopSize.*not expected/);
  });

  it('a second Body after the first (SOAP 1.2 allows nothing after Body)', () => {
    assertRejected('two-bodies', mutate(good, '</s:Body>', '</s:Body><s:Body/>'), /Body.*not expected/);
  });

  it('Enumerate with MaxElements 0', () => {
    const xml = buildEnumerateRequest(CTX, wmiResourceUri(HYPERV_NAMESPACE), { wql: 'SELECT * FROM Msvm_ConcreteJob' }).xml;
    assertValid('enumerate-baseline', xml);
    assertRejected('enumerate-max0', mutate(xml, '<w:MaxElements>100<', '<w:MaxElements>0<'), /MaxElements/);
  });

  it('Enumerate with an unknown EnumerationMode', () => {
    const xml = buildEnumerateRequest(CTX, wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ConcreteJob'), { mode: 'EnumerateEPR' }).xml;
    assertValid('enumerate-mode-baseline', xml);
    assertRejected('enumerate-mode', mutate(xml, '>EnumerateEPR<', '>EnumerateEverything<'), /EnumerationMode.*enumeration/);
  });

  it('Pull without its EnumerationContext', () => {
    const xml = buildPullRequest(CTX, wmiResourceUri(HYPERV_NAMESPACE), 'uuid:3C5A1D5E-0000-4000-8000-00000000000A').xml;
    assertRejected('pull-no-context', mutate(xml, /<n:EnumerationContext>[^<]*<\/n:EnumerationContext>/, ''), /not expected. Expected is \( \{http:\/\/schemas.xmlsoap.org\/ws\/2004\/09\/enumeration\}EnumerationContext/);
  });

});
