/**
 * Golden envelopes: test/golden/*.xml are written by hand from the specs (MS-WSMV 4.1.4, DSP0226,
 * protocol-facts 1.2 and 1.4), not dumped from the builders, so a builder that drifts from the specified
 * shape fails here. Comparison is by exclusive XML canonicalization (xml-crypto) after dropping
 * indentation, so formatting, attribute order, quoting, entity spelling and where namespaces are declared
 * do not matter, while any difference in names, prefixes, attributes or text does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { ExclusiveCanonicalization } from 'xml-crypto';
import type { CimReference } from '../src/cim/types.js';
import { InvalidOptionError } from '../src/errors.js';
import type { EnvelopeContext } from '../src/wsman/envelope.js';
import type { EmbeddedInstanceParam } from '../src/wsman/invoke-params.js';
import { ACTION, HYPERV_NAMESPACE, NS, wmiResourceUri } from '../src/wsman/namespaces.js';
import {
  buildEnumerateRequest,
  buildGetRequest,
  buildIdentifyRequest,
  buildInvokeRequest,
  buildPullRequest,
  buildReleaseRequest,
  type WsmanRequest,
} from '../src/wsman/requests.js';
import { parseXml } from '../src/xml/parse.js';
import { child, childrenNamed, elements, path, textOf } from '../src/xml/tree.js';

const FIXED_MESSAGE_ID = 'uuid:0F1E2D3C-4B5A-4968-8776-655443322110';
// 60 s as in the MS-WSMV 4.1.4 example (the library default is 20 s, as pywinrm's).
const CTX: EnvelopeContext = { to: 'http://hyperv-host.example:5985/wsman', operationTimeoutSec: 60, newMessageId: () => FIXED_MESSAGE_ID };

const ALL_CLASSES = wmiResourceUri(HYPERV_NAMESPACE);
const CONCRETE_JOB = wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ConcreteJob');
const MIGRATION_JOB = wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_MigrationJob');
const VSMS = wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_VirtualSystemManagementService');
const JOB_INSTANCE_ID = 'B7A0F3C2-5D4E-4F61-8A9B-0C1D2E3F4A5B';
const ENUMERATION_CONTEXT = 'uuid:6C0D9E51-2B7A-4C3D-9E8F-0A1B2C3D4E5F';

/** A MessageID value of any case; replaced by one constant so that only the header's presence and place count. */
const MESSAGE_ID = /(<(?:[A-Za-z_][\w.-]*:)?MessageID(?:\s[^>]*)?>)\s*uuid:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\s*(<\/)/g;
const NORMALISED_MESSAGE_ID = '$1uuid:00000000-0000-0000-0000-000000000000$2';

const UUID_V4_UPPER = /^uuid:[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

// DOM node types (W3C DOM Level 1), named here because lib "dom" is not part of this project.
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

interface DomNode {
  readonly nodeType: number;
  readonly nodeValue: string | null;
  readonly childNodes: ArrayLike<DomNode>;
  removeChild(node: DomNode): unknown;
}

/** Remove indentation: whitespace-only text beside elements. Leaf text (values) is kept byte for byte. */
function dropIndentation(node: DomNode): void {
  const kids = Array.from(node.childNodes);
  const hasElementChild = kids.some((k) => k.nodeType === ELEMENT_NODE);
  for (const k of kids) {
    if (hasElementChild && k.nodeType === TEXT_NODE && (k.nodeValue ?? '').trim() === '') node.removeChild(k);
    else if (k.nodeType === ELEMENT_NODE) dropIndentation(k);
  }
}

function canonical(xml: string): string {
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: { warning: () => undefined, error: (m: string) => errors.push(m), fatalError: (m: string) => errors.push(m) },
  }).parseFromString(xml.replace(MESSAGE_ID, NORMALISED_MESSAGE_ID), 'text/xml');
  assert.deepEqual(errors, [], 'the XML parses');
  const root = doc.documentElement;
  assert.ok(root, 'the document has a root element');
  dropIndentation(root);
  // Exclusive c14n without comments: the goldens' explanatory comments do not take part.
  return new ExclusiveCanonicalization().process(root, {});
}

function golden(name: string): string {
  return readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');
}

function assertMatchesGolden(request: WsmanRequest, file: string): void {
  assert.equal(canonical(request.xml), canonical(golden(file)), `builder output differs from test/golden/${file}:\n${request.xml}`);
}

const EMBEDDED_SETTINGS: EmbeddedInstanceParam = {
  kind: 'instance',
  className: 'Msvm_VirtualSystemSettingData',
  properties: { ElementName: 'vm <1> & "co"', Notes: ['first', 'second'], VirtualNumaEnabled: true },
  propertyInfo: { Notes: { type: 'string', isArray: true } },
};

const COMPUTER_SYSTEM: CimReference = {
  kind: 'reference',
  className: 'Msvm_ComputerSystem',
  namespace: HYPERV_NAMESPACE,
  selectors: { CreationClassName: 'Msvm_ComputerSystem', Name: '5F5D5C4E-1A2B-4C3D-8E9F-0A1B2C3D4E5F' },
};

const CASES: ReadonlyArray<{ readonly file: string; readonly build: () => WsmanRequest }> = [
  { file: 'identify.xml', build: () => buildIdentifyRequest() },
  {
    file: 'get-concretejob.xml',
    build: () =>
      buildGetRequest(
        { ...CTX, maxEnvelopeSize: 512000, operationTimeoutSec: 20, locale: 'fr-FR', dataLocale: 'de-DE' },
        CONCRETE_JOB,
        { InstanceID: `Microsoft:O'Brien <&> "job"` },
        [{ name: 'wmi:Purpose', value: 'golden & test' }],
      ),
  },
  {
    file: 'enumerate-wql.xml',
    build: () =>
      buildEnumerateRequest(CTX, ALL_CLASSES, {
        wql: "SELECT * FROM Msvm_ConcreteJob WHERE InstanceID = 'Microsoft:a<b&c' AND JobState = 10",
        optimize: true,
        maxElements: 32,
      }),
  },
  {
    file: 'enumerate-associated-instances.xml',
    build: () =>
      buildEnumerateRequest(CTX, ALL_CLASSES, {
        association: {
          kind: 'AssociatedInstances',
          object: { resourceUri: CONCRETE_JOB, selectors: { InstanceID: 'Microsoft:a<b&c' } },
          associationClassName: 'Msvm_AffectedJobElement',
          role: 'AffectingElement',
          resultClassName: 'Msvm_ComputerSystem',
          resultRole: 'AffectedElement',
        },
        maxElements: 32,
      }),
  },
  {
    file: 'enumerate-association-instances.xml',
    build: () =>
      buildEnumerateRequest(CTX, ALL_CLASSES, {
        association: {
          kind: 'AssociationInstances',
          object: { resourceUri: wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ComputerSystem'), selectors: { CreationClassName: 'Msvm_ComputerSystem', Name: 'B6E2F8A1-4C3D-4E9F-A0B7-5D1C8E3F2A64' } },
          role: 'AffectedElement',
          resultClassName: 'Msvm_AffectedJobElement',
          includeResultProperties: ['AffectingElement', 'ElementEffects'],
        },
        optimize: false,
      }),
  },
  { file: 'pull.xml', build: () => buildPullRequest(CTX, ALL_CLASSES, ENUMERATION_CONTEXT, 50) },
  { file: 'release.xml', build: () => buildReleaseRequest(CTX, ALL_CLASSES, ENUMERATION_CONTEXT) },
  { file: 'invoke-geterror-concretejob.xml', build: () => buildInvokeRequest(CTX, CONCRETE_JOB, 'GetError', { selectors: { InstanceID: JOB_INSTANCE_ID } }) },
  { file: 'invoke-geterror-migrationjob.xml', build: () => buildInvokeRequest(CTX, MIGRATION_JOB, 'GetError', { selectors: { InstanceID: JOB_INSTANCE_ID } }) },
  { file: 'invoke-geterrorex-concretejob.xml', build: () => buildInvokeRequest(CTX, CONCRETE_JOB, 'GetErrorEx', { selectors: { InstanceID: JOB_INSTANCE_ID } }) },
  { file: 'invoke-geterrorex-migrationjob.xml', build: () => buildInvokeRequest(CTX, MIGRATION_JOB, 'GetErrorEx', { selectors: { InstanceID: JOB_INSTANCE_ID } }) },
  {
    file: 'invoke-params.xml',
    build: () =>
      buildInvokeRequest(CTX, VSMS, 'ExampleMethod', {
        selectors: { CreationClassName: 'Msvm_VirtualSystemManagementService', Name: 'vmms' },
        params: {
          S: 'Tom & Jerry <vm>',
          N: 42,
          B: false,
          A: ['first', 'second & last'],
          Z: null,
          D: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
          E: EMBEDDED_SETTINGS,
          R: COMPUTER_SYSTEM,
        },
      }),
  },
];

describe('golden envelopes (hand-written from the specs)', () => {
  for (const { file, build } of CASES) {
    it(file, () => assertMatchesGolden(build(), file));
  }

  it('the fixed MessageID generator is used and reported', () => {
    for (const { file, build } of CASES) {
      const req = build();
      if (file === 'identify.xml') {
        assert.equal(req.messageId, '', 'Identify carries no MessageID');
        continue;
      }
      assert.equal(req.messageId, FIXED_MESSAGE_ID, file);
      assert.equal(textOf(path(parseXml(req.xml), [NS.soap, 'Header'], [NS.wsa, 'MessageID'])!), FIXED_MESSAGE_ID, file);
    }
  });

  it('reports the action and retry class of each request', () => {
    const byFile = new Map(CASES.map(({ file, build }) => [file, build()]));
    assert.equal(byFile.get('get-concretejob.xml')!.action, ACTION.get);
    assert.equal(byFile.get('enumerate-wql.xml')!.action, ACTION.enumerate);
    assert.equal(byFile.get('invoke-geterror-migrationjob.xml')!.action, `${MIGRATION_JOB}/GetError`);
    assert.equal(byFile.get('invoke-geterror-migrationjob.xml')!.label, 'Invoke GetError');
    assert.equal(byFile.get('invoke-params.xml')!.idempotent, false, 'Invoke is not retried unless the caller says so');
    assert.equal(byFile.get('pull.xml')!.idempotent, true);
  });
});

describe('the canonical comparison itself', () => {
  const text = golden('invoke-geterror-concretejob.xml');

  it('ignores formatting, attribute order, namespace declaration order and the MessageID value', () => {
    const reshaped = text
      .replace(/>\s+</g, '><')
      .replace(
        '<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>',
        "<w:Locale s:mustUnderstand='false' xml:lang='en-US'></w:Locale>",
      )
      .replace(
        /<s:Envelope [^>]*>/,
        `<s:Envelope xmlns:wsmv="${NS.wsmv}" xmlns:w="${NS.wsman}" xmlns:a="${NS.wsa}" xmlns:s="${NS.soap}" xmlns:unused="urn:unused">`,
      )
      .replace(FIXED_MESSAGE_ID, 'uuid:a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d');
    assert.notEqual(reshaped, text);
    assert.equal(canonical(reshaped), canonical(text));
  });

  it('sees a one-character change in a value, a name or an attribute', () => {
    const base = canonical(text);
    const mutations: ReadonlyArray<readonly [string | RegExp, string]> = [
      [`>${JOB_INSTANCE_ID}<`, `>${JOB_INSTANCE_ID.replace('B7', 'B8')}<`],
      ['<p:GetError_INPUT ', '<p:GetErrorX_INPUT '],
      ['<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>', '<w:Locale xml:lang="en-US" s:mustUnderstand="true"/>'],
      ['<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>', '<w:Locale xml:lang="en-GB" s:mustUnderstand="false"/>'],
      [/<a:MessageID>([^<]*)<\/a:MessageID>/, '<a:MessageId>$1</a:MessageId>'],
      [/<a:To>([^<]*)<\/a:To>/, '<wsa:To xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">$1</wsa:To>'],
    ];
    for (const [from, to] of mutations) {
      const changed = text.replace(from, to);
      assert.notEqual(changed, text, `mutation ${String(from)} applies`);
      assert.notEqual(canonical(changed), base, `mutation ${String(from)} -> ${to} is noticed`);
    }
  });

  it('keeps whitespace inside values', () => {
    const padded = text.replace(`>${JOB_INSTANCE_ID}<`, `> ${JOB_INSTANCE_ID}<`);
    assert.notEqual(canonical(padded), canonical(text));
  });
});

describe('MessageID', () => {
  const ctx: EnvelopeContext = { to: CTX.to };
  const builders: ReadonlyArray<readonly [string, () => WsmanRequest]> = [
    ['Get', () => buildGetRequest(ctx, CONCRETE_JOB, { InstanceID: JOB_INSTANCE_ID })],
    ['Enumerate', () => buildEnumerateRequest(ctx, ALL_CLASSES, { wql: 'SELECT * FROM Msvm_ConcreteJob' })],
    ['Pull', () => buildPullRequest(ctx, ALL_CLASSES, ENUMERATION_CONTEXT)],
    ['Release', () => buildReleaseRequest(ctx, ALL_CLASSES, ENUMERATION_CONTEXT)],
    ['Invoke', () => buildInvokeRequest(ctx, CONCRETE_JOB, 'GetError', { selectors: { InstanceID: JOB_INSTANCE_ID } })],
  ];

  it('is a fresh uuid: + random UUID on every call when no generator is given', () => {
    const seen = new Set<string>();
    for (const [label, build] of builders) {
      for (let i = 0; i < 3; i++) {
        const req = build();
        assert.match(req.messageId, UUID_V4_UPPER, `${label} MessageID ${req.messageId}`);
        const header = child(parseXml(req.xml), NS.soap, 'Header')!;
        const ids = childrenNamed(header, NS.wsa, 'MessageID');
        assert.equal(ids.length, 1, `${label} sends exactly one MessageID`);
        assert.equal(textOf(ids[0]!), req.messageId, `${label} reports the MessageID it sent`);
        assert.ok(!seen.has(req.messageId), `${label} MessageID is not reused`);
        seen.add(req.messageId);
      }
    }
    assert.equal(seen.size, builders.length * 3);
  });
});

describe('the association filter', () => {
  const object = { resourceUri: CONCRETE_JOB, selectors: { InstanceID: JOB_INSTANCE_ID } };

  it('refuses a second filter beside it', () => {
    assert.throws(() => buildEnumerateRequest(CTX, ALL_CLASSES, { wql: 'SELECT * FROM Msvm_ConcreteJob', association: { kind: 'AssociatedInstances', object } }), /one filter; got wql and association/);
  });

  it('refuses names that are not CIM names, before anything is sent', () => {
    const bad: ReadonlyArray<readonly [string, () => WsmanRequest]> = [
      ['role', () => buildEnumerateRequest(CTX, ALL_CLASSES, { association: { kind: 'AssociatedInstances', object, role: 'Affecting Element' } })],
      ['association class', () => buildEnumerateRequest(CTX, ALL_CLASSES, { association: { kind: 'AssociatedInstances', object, associationClassName: 'Msvm_<x>' } })],
      ['result class', () => buildEnumerateRequest(CTX, ALL_CLASSES, { association: { kind: 'AssociationInstances', object, resultClassName: '1Class' } })],
      ['result role', () => buildEnumerateRequest(CTX, ALL_CLASSES, { association: { kind: 'AssociatedInstances', object, resultRole: '' } })],
    ];
    for (const [what, build] of bad) assert.throws(build, (e: unknown) => e instanceof InvalidOptionError && e.message.includes(what), what);
  });

  it('refuses a source instance without keys', () => {
    assert.throws(() => buildEnumerateRequest(CTX, ALL_CLASSES, { association: { kind: 'AssociatedInstances', object: { resourceUri: CONCRETE_JOB, selectors: {} } } }), /keys \(selectors\)/);
  });

  it('leaves out what is not given: only Object for a bare AssociatedInstances', () => {
    const req = buildEnumerateRequest(CTX, ALL_CLASSES, { association: { kind: 'AssociatedInstances', object } });
    const filter = path(parseXml(req.xml), [NS.soap, 'Body'], [NS.wsen, 'Enumerate'], [NS.wsman, 'Filter'])!;
    const query = child(filter, NS.cimbinding, 'AssociatedInstances')!;
    assert.deepEqual(elements(query).map((e) => e.local), ['Object']);
  });
});

describe('escaping', () => {
  const nasty = `O'Brien <&> "quoted" &amp; ]]> 日本語`;

  it('selector values: escaped on the wire, intact after parsing', () => {
    const req = buildInvokeRequest(CTX, CONCRETE_JOB, 'GetError', { selectors: { InstanceID: nasty } });
    assert.ok(req.xml.includes('O\'Brien &lt;&amp;&gt; "quoted" &amp;amp; ]]&gt; 日本語'), req.xml);
    assert.ok(!req.xml.includes('<&>'), 'no raw < or & in the text');
    const sel = path(parseXml(req.xml), [NS.soap, 'Header'], [NS.wsman, 'SelectorSet'], [NS.wsman, 'Selector'])!;
    assert.equal(textOf(sel), nasty);
  });

  it('selector names and option names and values, which are attributes or text', () => {
    const req = buildGetRequest(CTX, CONCRETE_JOB, { [`Key"<&'`]: 'v' }, [{ name: `wmi:"x"<&'`, value: nasty }]);
    const header = child(parseXml(req.xml), NS.soap, 'Header')!;
    const sel = path(header, [NS.wsman, 'SelectorSet'], [NS.wsman, 'Selector'])!;
    assert.equal(sel.attrs.find((a) => a.local === 'Name')?.value, `Key"<&'`);
    const opt = path(header, [NS.wsman, 'OptionSet'], [NS.wsman, 'Option'])!;
    assert.equal(opt.attrs.find((a) => a.local === 'Name')?.value, `wmi:"x"<&'`);
    assert.equal(textOf(opt), nasty);
  });

  it('WQL text with quotes, < and &', () => {
    const wql = `SELECT * FROM Msvm_ConcreteJob WHERE ElementName = 'a<b' AND Description = "x&y" AND Caption <> 'O''Brien'`;
    const req = buildEnumerateRequest(CTX, ALL_CLASSES, { wql });
    assert.ok(req.xml.includes(`ElementName = 'a&lt;b' AND Description = "x&amp;y" AND Caption &lt;&gt; 'O''Brien'`), req.xml);
    const filter = path(parseXml(req.xml), [NS.soap, 'Body'], [NS.wsen, 'Enumerate'], [NS.wsman, 'Filter'])!;
    assert.equal(textOf(filter), wql);
  });
});
