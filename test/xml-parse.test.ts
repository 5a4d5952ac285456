import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseXml, decodeXmlBytes } from '../src/xml/parse.js';
import { escapeAttr, escapeText } from '../src/xml/escape.js';
import { attr, child, isNil, resolveQName, textOf } from '../src/xml/tree.js';
import { XmlEncodeError, XmlForbiddenError, XmlParseError, XmlTooLargeError } from '../src/errors.js';

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
