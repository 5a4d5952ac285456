import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseXml,
  decodeXmlBytes,
  MAX_XML_ATTRIBUTES,
  MAX_XML_DEPTH,
  MAX_XML_NAMESPACE_DECLARATIONS,
  MAX_XML_NODES,
  MAX_XML_TEXT_LENGTH,
} from '../src/xml/parse.js';
import { escapeAttr, escapeText } from '../src/xml/escape.js';
import { attr, child, elements, isNil, lookupNamespace, namespacesInScope, resolveQName, textOf, type XmlElement } from '../src/xml/tree.js';
import { XmlEncodeError, XmlForbiddenError, XmlLimitError, XmlParseError, XmlTooLargeError } from '../src/errors.js';

test('elements resolve by namespace URI whatever the prefix', () => {
  const a = parseXml('<s:E xmlns:s="urn:x"><s:B>1</s:B></s:E>');
  const b = parseXml('<env:E xmlns:env="urn:x"><env:B>1</env:B></env:E>');
  const c = parseXml('<E xmlns="urn:x"><B>1</B></E>');
  for (const r of [a, b, c]) {
    assert.equal(r.ns, 'urn:x');
    assert.equal(textOf(child(r, 'urn:x', 'B')!), '1');
  }
});

test('predefined entities and character references are decoded, in text and attributes', () => {
  const r = parseXml('<a v="&quot;x&quot; &amp; &#x41;">&lt;b&gt; &amp;amp; &#26085;&#x672C;</a>');
  assert.equal(attr(r, 'v'), '"x" & A');
  assert.equal(textOf(r), '<b> &amp; 日本');
});

test('CDATA content is kept verbatim', () => {
  const r = parseXml('<a><![CDATA[<INSTANCE CLASSNAME="X"/> & more]]></a>');
  assert.equal(textOf(r), '<INSTANCE CLASSNAME="X"/> & more');
});

test('DOCTYPE and entity declarations are refused (no entity expansion, no XXE)', () => {
  const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>';
  assert.throws(() => parseXml(bomb), XmlForbiddenError);
  assert.throws(() => parseXml('<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>'), XmlForbiddenError);
});

test('undefined entities are a parse error, not silently kept', () => {
  assert.throws(() => parseXml('<a>&nbsp;</a>'), XmlParseError);
});

test('malformed and truncated documents are typed errors', () => {
  for (const bad of ['<a><b></a>', '<a><b>', '<a>', '', '   ', 'not xml', '<a></b>', '<s:E xmlns:s="u"><s:Body>', '<a/><b/>', '<p:x/>']) {
    assert.throws(() => parseXml(bad), XmlParseError, `should refuse ${JSON.stringify(bad)}`);
  }
});

test('size cap applies before parsing', () => {
  const big = '<a>' + 'x'.repeat(2000) + '</a>';
  assert.throws(() => parseXml(big, { maxBytes: 1000 }), (e: unknown) => e instanceof XmlTooLargeError && e.limit === 1000);
  assert.equal(textOf(parseXml(big, { maxBytes: 5000 })).length, 2000);
});

test('xsi:nil and QName resolution', () => {
  const r = parseXml('<a xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:w="urn:w"><b xsi:nil="true"/><c>w:Foo</c></a>');
  assert.equal(isNil(child(r, '', 'b')!), true);
  const q = resolveQName(child(r, '', 'c')!, textOf(child(r, '', 'c')!));
  assert.deepEqual([q.ns, q.local], ['urn:w', 'Foo']);
});

test('bytes: UTF-8 BOM and UTF-16LE are honoured', () => {
  const s = '<a>héllo 日本</a>';
  const u16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
  assert.equal(textOf(parseXml(decodeXmlBytes(u16))), 'héllo 日本');
  const u8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]);
  assert.equal(textOf(parseXml(u8)), 'héllo 日本');
});

test('escaping round-trips awkward strings', () => {
  for (const s of ['a<b>&c', `"quoted" 'single'`, 'line1\nline2\r\n', 'tab\tend', '日本語 ü €', ']]>', '&amp;']) {
    const r = parseXml(`<a v="${escapeAttr(s)}">${escapeText(s)}</a>`);
    assert.equal(attr(r, 'v'), s);
    assert.equal(textOf(r), s);
  }
});

test('characters XML cannot carry are refused when writing', () => {
  assert.throws(() => escapeText('a\u0000b'), XmlEncodeError);
  assert.throws(() => escapeAttr('\uD800'), XmlEncodeError);
  assert.equal(escapeText('😀'), '😀');
});

test('inputs the old validator let through but XML forbids are refused (found while replacing it)', () => {
  const bad = [
    '<a><b></x/><c/></b></a>', // an end tag with "/" used to nest the tree wrongly
    '<a/>x',
    '<! <a/>',
    '<r><!FOO></r>',
    '<![CDATA[x]]><a/>',
    '<a =>',
    '<a\u1680b/>',
    '<r><?xml version="1.0"?></r>',
    '<r><?pi a"?><b/><?pi "?></r>', // used to lose <b/> silently
    '<r>&#X41;</r>',
  ];
  for (const s of bad) assert.throws(() => parseXml(s), XmlParseError, JSON.stringify(s));
});

test('well-formed documents with every construct still parse', () => {
  const r = parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a x=\'1\' y="2"><?pi data?><![CDATA[<raw>]]>t&#x41;&#65;<b/><!-- in --></a>\n');
  assert.equal(attr(r, 'x'), '1');
  assert.equal(textOf(r), '<raw>tAA');
});

// ---------------------------------------------------------------------------------------------
// The reader's bounds (src/xml/limits.ts): each one accepted at the bound, refused one past it.

function limitHit(name: string, max: number): (e: unknown) => boolean {
  return (e) => e instanceof XmlLimitError && e.limit === name && e.max === max && e.code === 'ERR_XML_LIMIT';
}

function nested(depth: number, open = (i: number): string => `<e${i % 2}>`, close = (i: number): string => `</e${i % 2}>`): string {
  let a = '';
  let b = '';
  for (let i = 0; i < depth; i++) {
    a += open(i);
    b = close(i) + b;
  }
  return a + 'v' + b;
}

test(`depth: ${MAX_XML_DEPTH} levels read, ${MAX_XML_DEPTH + 1} refused (with content or empty)`, () => {
  assert.equal(textOf(parseXml(nested(MAX_XML_DEPTH))), 'v');
  assert.throws(() => parseXml(nested(MAX_XML_DEPTH + 1)), limitHit('depth', MAX_XML_DEPTH));
  const emptyAtBound = `${'<a>'.repeat(MAX_XML_DEPTH - 1)}<b/>${'</a>'.repeat(MAX_XML_DEPTH - 1)}`;
  assert.equal(parseXml(emptyAtBound).local, 'a');
  const emptyPast = `${'<a>'.repeat(MAX_XML_DEPTH)}<b/>${'</a>'.repeat(MAX_XML_DEPTH)}`;
  assert.throws(() => parseXml(emptyPast), limitHit('depth', MAX_XML_DEPTH));
});

test(`attributes: ${MAX_XML_ATTRIBUTES} on one element read (declarations count), ${MAX_XML_ATTRIBUTES + 1} refused`, () => {
  const attrs = (n: number): string => Array.from({ length: n }, (_, i) => (i === 0 ? 'xmlns:p="urn:p"' : `p:a${i}="${i}"`)).join(' ');
  assert.equal(parseXml(`<r ${attrs(MAX_XML_ATTRIBUTES)}/>`).attrs.length, MAX_XML_ATTRIBUTES - 1);
  assert.throws(() => parseXml(`<r ${attrs(MAX_XML_ATTRIBUTES + 1)}/>`), limitHit('attributes', MAX_XML_ATTRIBUTES));
  // Repeats are still found once the tag has many attributes.
  assert.throws(() => parseXml(`<r ${attrs(40)} p:a7="x"/>`), XmlParseError);
});

test(`namespace declarations: ${MAX_XML_NAMESPACE_DECLARATIONS} in a document read, one more refused`, () => {
  const decls = (n: number): string => {
    // Spread over sibling elements, each under the per-element attribute bound.
    const per = 200;
    let out = '';
    for (let done = 0; done < n; done += per) {
      const k = Math.min(per, n - done);
      out += `<c ${Array.from({ length: k }, (_, i) => `xmlns:n${done + i}="urn:${done + i}"`).join(' ')}/>`;
    }
    return `<r>${out}</r>`;
  };
  const r = parseXml(decls(MAX_XML_NAMESPACE_DECLARATIONS));
  assert.equal(lookupNamespace(elements(r).at(-1)!.scope, `n${MAX_XML_NAMESPACE_DECLARATIONS - 1}`), `urn:${MAX_XML_NAMESPACE_DECLARATIONS - 1}`);
  assert.throws(() => parseXml(decls(MAX_XML_NAMESPACE_DECLARATIONS + 1)), limitHit('namespaceDeclarations', MAX_XML_NAMESPACE_DECLARATIONS));
});

test(`nodes: ${MAX_XML_NODES} elements and text nodes read, one more refused`, () => {
  // The root plus (MAX - 1) empty children: exactly the bound.
  assert.equal(parseXml(`<r>${'<c/>'.repeat(MAX_XML_NODES - 1)}</r>`).children.length, MAX_XML_NODES - 1);
  assert.throws(() => parseXml(`<r>${'<c/>'.repeat(MAX_XML_NODES)}</r>`), limitHit('nodes', MAX_XML_NODES));
  // Text nodes count too.
  assert.throws(() => parseXml(`<r>${'<c/>t'.repeat(MAX_XML_NODES / 2)}</r>`), limitHit('nodes', MAX_XML_NODES));
});

test(`text: ${MAX_XML_TEXT_LENGTH} characters in one text node read, one more refused (text, entities, CDATA)`, () => {
  const at = 'x'.repeat(MAX_XML_TEXT_LENGTH);
  assert.equal(textOf(parseXml(`<r>${at}</r>`)).length, MAX_XML_TEXT_LENGTH);
  assert.throws(() => parseXml(`<r>${at}y</r>`), limitHit('textLength', MAX_XML_TEXT_LENGTH));
  // Counted after decoding, and across a comment that does not split the text.
  assert.throws(() => parseXml(`<r>${at.slice(1)}<!-- c -->&amp;&amp;</r>`), limitHit('textLength', MAX_XML_TEXT_LENGTH));
  assert.equal(textOf(parseXml(`<r><![CDATA[${at}]]></r>`)).length, MAX_XML_TEXT_LENGTH);
  assert.throws(() => parseXml(`<r><![CDATA[${at}y]]></r>`), limitHit('textLength', MAX_XML_TEXT_LENGTH));
});

test('nested namespace declarations are chained, not copied: 100 levels of 100 declarations each', () => {
  // The attack: every level re-declares many prefixes. With copied scopes this costs depth x declarations.
  const per = MAX_XML_NAMESPACE_DECLARATIONS / MAX_XML_DEPTH - 1; // plus the default namespace: exactly the document bound
  let xml = '';
  for (let d = 0; d < MAX_XML_DEPTH; d++) xml += `<e xmlns="urn:d${d}" ${Array.from({ length: per }, (_, i) => `xmlns:p${i}="urn:${d}:${i}"`).join(' ')}>`;
  xml += 'v' + '</e>'.repeat(MAX_XML_DEPTH);
  const root = parseXml(xml);
  let leaf: XmlElement = root;
  while (elements(leaf).length > 0) leaf = elements(leaf)[0]!;
  assert.equal(leaf.ns, `urn:d${MAX_XML_DEPTH - 1}`);
  // Innermost declaration wins; the leaf holds only its own declarations, the rest is inherited.
  assert.equal(lookupNamespace(leaf.scope, 'p5'), `urn:${MAX_XML_DEPTH - 1}:5`);
  assert.equal(Object.keys(leaf.scope).length, per + 1);
  assert.equal(Object.keys(namespacesInScope(leaf.scope)).length, per + 2);
  // An undeclared prefix named after an Object.prototype member still finds nothing through the chain.
  assert.equal(lookupNamespace(leaf.scope, 'constructor'), undefined);
  assert.equal(resolveQName(leaf, 'toString:x').ns, '');
  // One declaration more anywhere is past the document bound.
  assert.throws(() => parseXml(xml.replace('<e ', '<e xmlns:extra="urn:x" ')), limitHit('namespaceDeclarations', MAX_XML_NAMESPACE_DECLARATIONS));
});

test('a DOCTYPE or ENTITY declaration is refused wherever markup may stand; inside a comment or CDATA it is only text', () => {
  for (const s of ['<!doctype a><a/>', '<a><!DOCTYPE a></a>', '<a><!ENTITY x "y"></a>']) assert.throws(() => parseXml(s), XmlForbiddenError, s);
  assert.equal(textOf(parseXml('<a><![CDATA[<!DOCTYPE a>]]><!-- <!ENTITY x "y"> --></a>')), '<!DOCTYPE a>');
});

test('line ends are normalised (CR LF and CR read as LF) in text, attributes and CDATA; &#xD; stays a CR', () => {
  const r = parseXml('<a v="1\r\n2\r3&#xD;">x\r\ny\rz&#xD;<![CDATA[c\r\nd]]></a>');
  assert.equal(attr(r, 'v'), '1\n2\n3\r');
  assert.equal(textOf(r), 'x\ny\nz\rc\nd');
});

test('names read through the shared name cache: thousands of distinct names, long names, attributes, repeats after eviction', () => {
  const names = Array.from({ length: 3000 }, (_, i) => `n${i.toString(36)}`);
  const long = `p:${'L'.repeat(100)}`;
  const body = names.map((n, i) => `<p:${n} a:${n}="${i}" b="${i}"/>`).join('');
  const doc = `<p:R xmlns:p="urn:p" xmlns:a="urn:a"><${long}/>${body}<p:${names[0]}/><${long} xmlns="urn:d"/></p:R>`;
  for (let round = 0; round < 2; round++) {
    const kids = elements(parseXml(doc));
    assert.equal(kids.length, names.length + 3);
    assert.deepEqual([kids[0]!.name, kids[0]!.prefix, kids[0]!.local, kids[0]!.ns], [long, 'p', 'L'.repeat(100), 'urn:p']);
    names.forEach((n, i) => {
      const k = kids[i + 1]!;
      assert.deepEqual([k.name, k.prefix, k.local, k.ns], [`p:${n}`, 'p', n, 'urn:p']);
      assert.deepEqual(k.attrs.map((a) => [a.name, a.ns, a.local, a.value]), [[`a:${n}`, 'urn:a', n, String(i)], ['b', '', 'b', String(i)]]);
    });
    assert.equal(kids[names.length + 1]!.local, names[0]);
    assert.equal(kids[names.length + 2]!.ns, 'urn:p', 'a default namespace does not apply to a prefixed name');
  }
  // A name seen before with one prefix binding resolves by the binding in scope, not by the cache.
  assert.equal(parseXml('<p:n0 xmlns:p="urn:other"/>').ns, 'urn:other');
  assert.throws(() => parseXml(`<r xmlns:a="urn:a"><e a:${names[0]}="1" a:${names[0]}="2"/></r>`), XmlParseError, 'a repeated attribute is still found');
});
