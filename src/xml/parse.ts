/**
 * The one place untrusted XML enters the library. fast-xml-parser does the tokenising; this module
 * adds what a WS-Man client needs on top: a hard size cap, refusal of DTDs (so no entity expansion,
 * no external entities), strict well-formedness, our own decoding of the five predefined entities and
 * character references, and namespace resolution into an XmlElement tree.
 */
import { XMLParser } from 'fast-xml-parser';
import { XmlForbiddenError, XmlParseError, XmlTooLargeError } from '../errors.js';
import { XML_NS, type XmlAttribute, type XmlElement, type XmlNode } from './tree.js';
import { checkWellFormed, MAX_XML_DEPTH } from './well-formed.js';

export { MAX_XML_DEPTH };

export interface ParseXmlOptions {
  /** Refuse documents larger than this many bytes (UTF-8). Default 16 MiB. */
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_XML_BYTES = 16 * 1024 * 1024;


const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false, // we decode entities ourselves (see decodeEntities)
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  commentPropName: false,
  allowBooleanAttributes: false,
  maxNestedTags: MAX_XML_DEPTH,
  // Our callbacks are the defaults, which ignore the path: skip building a path string for every tag.
  jPath: false,
  // By default names such as toString or hasOwnProperty come back renamed (`__toString`). We only read
  // the raw nodes through Object.keys, so keep names exactly as written. (__proto__, constructor
  // and prototype are still refused by the library, which surfaces as XmlParseError.)
  onDangerousProperty: (name: string) => name,
});

/** The five predefined entities (XML 1.0 4.6). A Map: `&constructor;` must find nothing. */
const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** Numeric character references (XML 1.0 4.1): decimal digits, or x and hex digits (X tolerated). */
const DECIMAL_REF = /^#([0-9]+)$/;
const HEX_REF = /^#[xX]([0-9a-fA-F]+)$/;

/**
 * Decode the five predefined entities and numeric character references; anything else is not
 * well-formed without a DTD. Every `&` must open a complete reference: a bare `&`, `&amp` or
 * `&#65abc;` (in text or in an attribute value) is refused here rather than kept as literal text or
 * half-decoded.
 */
export function decodeEntities(s: string): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let copied = 0;
  while (amp >= 0) {
    // A reference runs to the next ';'; another '&' or the end of the text first leaves it incomplete.
    let end = amp + 1;
    while (end < s.length && s.charCodeAt(end) !== 0x3b && s.charCodeAt(end) !== 0x26) end++;
    const ref = s.slice(amp + 1, end);
    if (end === s.length || s.charCodeAt(end) !== 0x3b || ref === '') {
      throw new XmlParseError(`Malformed XML: "&${clipRef(ref)}" is not a complete entity or character reference.`);
    }
    out += s.slice(copied, amp) + decodeReference(ref);
    copied = end + 1;
    amp = s.indexOf('&', copied);
  }
  return out + s.slice(copied);
}

/** The text of one reference, given what stands between '&' and ';'. */
function decodeReference(ref: string): string {
  const named = PREDEFINED.get(ref);
  if (named !== undefined) return named;
  if (!ref.startsWith('#')) throw new XmlParseError(`Undefined entity &${clipRef(ref)}; (DTD entities are not supported)`);
  const dec = DECIMAL_REF.exec(ref);
  const hex = dec ? undefined : HEX_REF.exec(ref);
  // Leading zeros are allowed, so the digit count is not bounded; parseInt of a huge one is Infinity.
  const cp = dec ? parseInt(dec[1]!, 10) : hex ? parseInt(hex[1]!, 16) : NaN;
  if (!Number.isFinite(cp) || !isXmlChar(cp)) throw new XmlParseError(`Invalid character reference &${clipRef(ref)};`);
  return String.fromCodePoint(cp);
}

function clipRef(ref: string): string {
  return ref.length > 40 ? `${ref.slice(0, 40)}...` : ref;
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Decode bytes to a string honouring a BOM (UTF-8, UTF-16LE/BE) or an explicit charset. */
export function decodeXmlBytes(bytes: Uint8Array, charset?: string): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  const cs = charset?.trim().toLowerCase();
  if (cs === 'utf-16' || cs === 'utf-16le') return new TextDecoder('utf-16le').decode(bytes);
  if (cs === 'utf-16be') return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}

type RawNode = Record<string, unknown>;

/**
 * Parse a document and return its root element.
 * Throws XmlTooLargeError, XmlForbiddenError (DOCTYPE) or XmlParseError (not well-formed, truncated).
 */
export function parseXml(input: string | Uint8Array, options: ParseXmlOptions = {}): XmlElement {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  // UTF-8 needs at most 3 bytes per UTF-16 code unit, so short strings need no exact count.
  const size = typeof input !== 'string' ? input.length : input.length * 3 <= maxBytes ? 0 : Buffer.byteLength(input, 'utf8');
  if (size > maxBytes) throw new XmlTooLargeError(size, maxBytes);
  let text = typeof input === 'string' ? input : decodeXmlBytes(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // A DTD is how entity-expansion and external-entity attacks arrive; WS-Man never needs one.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new XmlForbiddenError('The XML contains a DOCTYPE/ENTITY declaration, which is refused for safety.');
  }
  if (text.trim() === '') throw new XmlParseError('Empty XML document.');
  // fast-xml-parser's tokenizer accepts `<a><b></a>` and truncated input, so every document is checked
  // first; the same pass refuses the characters XML 1.0 excludes.
  checkWellFormed(text);
  let raw: RawNode[];
  try {
    raw = parser.parse(text) as RawNode[];
  } catch (err) {
    throw new XmlParseError(`Malformed XML: ${(err as Error).message}`, { cause: err });
  }
  const roots = raw.filter((n) => elementName(n) !== undefined);
  if (roots.length !== 1) throw new XmlParseError(`Expected exactly one root element, found ${roots.length}.`);
  for (const n of raw) {
    if (elementName(n) === undefined && typeof n['#text'] === 'string' && n['#text'].trim() !== '') {
      throw new XmlParseError('Text outside the root element.');
    }
  }
  return build(roots[0]!, elementName(roots[0]!)!, newScope({ xml: XML_NS }));
}

/**
 * Prefix -> namespace maps have no prototype: otherwise an undeclared prefix such as `constructor:`
 * or `toString:` would "resolve" to an inherited function (and `xmlns:__proto__` would be lost),
 * letting a non-string namespace reach every reader of `ns`.
 */
function newScope(from: Readonly<Record<string, string>>): Record<string, string> {
  const scope = Object.create(null) as Record<string, string>;
  // A plain copy: Object.assign is several times slower from a prototype-less source.
  for (const k of Object.keys(from)) scope[k] = from[k]!;
  return scope;
}

/** The element name of a raw node (its first key other than the attribute and text keys), if any. */
function elementName(n: RawNode): string | undefined {
  for (const k of Object.keys(n)) if (k !== ':@' && k !== '#text' && k !== '#cdata') return k;
  return undefined;
}

/** The first own key of a raw node: what kind of node it is (the name comes first in an element). */
function firstKey(n: RawNode): string | undefined {
  for (const k in n) if (Object.hasOwn(n, k)) return k;
  return undefined;
}

function build(n: RawNode, name: string, parentScope: Readonly<Record<string, string>>): XmlElement {
  const rawAttrs = n[':@'] as Record<string, string> | undefined;
  let scope = parentScope;
  const attrs: XmlAttribute[] = [];
  if (rawAttrs !== undefined) {
    const keys = Object.keys(rawAttrs);
    const values: string[] = [];
    for (const k of keys) {
      const v = String(rawAttrs[k]);
      // XML 1.0 AttValue excludes a literal '<' (checkWellFormed refuses it too).
      if (v.includes('<')) throw new XmlParseError(`Malformed XML: '<' in the value of attribute ${k} on <${name}>.`);
      const value = decodeEntities(v);
      values.push(value);
      if (k === 'xmlns' || k.startsWith('xmlns:')) {
        if (scope === parentScope) scope = newScope(parentScope);
        (scope as Record<string, string>)[k.length === 5 ? '' : k.slice(6)] = value;
      }
    }
    // Declarations apply to every attribute of the element, wherever they are written.
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
      const colon = k.indexOf(':');
      const prefix = colon < 0 ? '' : k.slice(0, colon);
      // Unprefixed attributes are in no namespace (Namespaces in XML 1.0 section 6.2).
      const ns = prefix === '' ? '' : scope[prefix];
      if (ns === undefined) throw new XmlParseError(`Undeclared namespace prefix "${prefix}" on attribute ${k}.`);
      attrs.push({ name: k, ns, local: colon < 0 ? k : k.slice(colon + 1), value: values[i]! });
    }
  }
  const colon = name.indexOf(':');
  const prefix = colon < 0 ? '' : name.slice(0, colon);
  const ns = scope[prefix];
  if (ns === undefined && prefix !== '') throw new XmlParseError(`Undeclared namespace prefix "${prefix}" on element <${name}>.`);
  const children: XmlNode[] = [];
  const kids = (n[name] ?? []) as RawNode[];
  for (const k of kids) {
    // A raw child is {'#text': text}, {'#cdata': [{'#text': text}]} or {[name]: children, ':@'?: attributes}.
    const key = firstKey(k);
    if (key === '#text') {
      children.push({ kind: 'text', value: decodeEntities(String(k[key])), cdata: false });
    } else if (key === '#cdata') {
      let s = '';
      for (const c of k[key] as RawNode[]) s += String(c['#text'] ?? '');
      children.push({ kind: 'text', value: s, cdata: true });
    } else if (key !== undefined && key !== ':@') {
      children.push(build(k, key, scope));
    }
  }
  return { kind: 'element', name, prefix, ns: ns ?? '', local: colon < 0 ? name : name.slice(colon + 1), attrs, children, scope };
}
