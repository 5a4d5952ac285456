import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseXml } from '../src/xml/parse.js';
import { serializeXml } from '../src/xml/serialize.js';
import { child, elements, resolveQName, textOf, XSI_NS, type XmlElement, type XmlNode } from '../src/xml/tree.js';
import { XmlEncodeError } from '../src/errors.js';

/** The namespace-level content of a tree: what must survive a round trip (prefixes as written included). */
function shape(n: XmlNode): unknown {
  if (n.kind === 'text') return { text: n.value };
  return {
    name: n.name,
    ns: n.ns,
    local: n.local,
    attrs: n.attrs.map((a) => [a.name, a.ns, a.local, a.value]),
    children: n.children.map(shape),
  };
}

function roundTrip(el: XmlElement): XmlElement {
  return parseXml(serializeXml(el));
}

test('a whole Windows fault envelope survives serialize -> parse', () => {
  const text = readFileSync(new URL('./fixtures/faults/b-cannot-process-filter.xml', import.meta.url), 'utf8');
  const doc = parseXml(text);
  assert.deepEqual(shape(roundTrip(doc)), shape(doc));
});

test('a nested fragment is self-contained: ancestors\' declarations are re-declared on its root', () => {
  const doc = parseXml(
    '<s:Envelope xmlns:s="urn:soap" xmlns:w="urn:wsman" xmlns:unused="urn:unused"><s:Body><w:Item w:attr="1"><w:Sub/></w:Item></s:Body></s:Envelope>',
  );
  const item = elements(child(doc, 'urn:soap', 'Body')!)[0]!;
  const xml = serializeXml(item);
  assert.equal(xml, '<w:Item xmlns:w="urn:wsman" w:attr="1"><w:Sub/></w:Item>');
  assert.deepEqual(shape(parseXml(xml)), shape(item));
});

test('prefixes used only inside QName values (xsi:type, s:Value text) are declared', () => {
  const doc = parseXml(
    '<s:Envelope xmlns:s="urn:soap" xmlns:a="urn:addressing" xmlns:cim="urn:cim" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      '<s:Value>a:DestinationUnreachable</s:Value><s:Prop xsi:type="cim:cimString">v</s:Prop></s:Envelope>',
  );
  const value = child(doc, 'urn:soap', 'Value')!;
  const reparsedValue = roundTrip(value);
  assert.deepEqual(resolveQName(reparsedValue, textOf(reparsedValue)), { ns: 'urn:addressing', local: 'DestinationUnreachable', prefix: 'a' });

  const prop = roundTrip(child(doc, 'urn:soap', 'Prop')!);
  const type = prop.attrs.find((a) => a.ns === XSI_NS && a.local === 'type')!;
  assert.equal(resolveQName(prop, type.value).ns, 'urn:cim');
  // A URL-like value is not mistaken for a QName.
  const url = parseXml('<a:X xmlns:a="urn:a" xmlns:http="urn:not-used">http://example/x</a:X>');
  assert.equal(serializeXml(url), '<a:X xmlns:a="urn:a">http://example/x</a:X>');
});

test('default namespace, xmlns="" reset and a prefix rebound deeper down', () => {
  const doc = parseXml(
    '<Root xmlns="urn:default" xmlns:p="urn:one"><Child><Reset xmlns=""><Inner/></Reset></Child>' +
      '<p:A><p:B xmlns:p="urn:two"><p:C/></p:B></p:A></Root>',
  );
  const back = roundTrip(doc);
  assert.deepEqual(shape(back), shape(doc));
  const reset = child(child(back, 'urn:default', 'Child')!, '', 'Reset')!;
  assert.equal(reset.ns, '');
  assert.equal(child(reset, '', 'Inner')?.ns, '');
  const c = child(child(child(back, 'urn:one', 'A')!, 'urn:two', 'B')!, 'urn:two', 'C');
  assert.ok(c, 'p:C must stay in urn:two');
});

test('special characters in text and attributes are escaped and come back unchanged', () => {
  const doc = parseXml('<r a="x &quot;q&quot; &amp; &lt;t&gt; &#9;&#10;&#13;end" b=\'it&apos;s\'>1 &lt; 2 &amp;&amp; 3 &gt; 2 &#13; ]]&gt;<![CDATA[<raw & cdata>]]></r>');
  const xml = serializeXml(doc);
  const back = parseXml(xml);
  assert.equal(back.attrs[0]?.value, 'x "q" & <t> \t\n\rend');
  assert.equal(back.attrs[1]?.value, "it's");
  assert.equal(textOf(back), '1 < 2 && 3 > 2 \r ]]><raw & cdata>');
  assert.ok(!xml.includes('CDATA'), 'CDATA is written as escaped text');
});

test('empty elements are self-closed; xml:lang needs no declaration', () => {
  const doc = parseXml('<s:Text xmlns:s="urn:soap" xml:lang="en-US"></s:Text>');
  assert.equal(serializeXml(doc), '<s:Text xmlns:s="urn:soap" xml:lang="en-US"/>');
});

test('characters XML 1.0 cannot carry are refused, not dropped', () => {
  const el: XmlElement = { kind: 'element', name: 'r', prefix: '', ns: '', local: 'r', attrs: [], children: [{ kind: 'text', value: 'a\u0000b', cdata: false }], scope: {} };
  assert.throws(() => serializeXml(el), XmlEncodeError);
});
