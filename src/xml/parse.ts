/**
 * The one place untrusted XML enters the library. fast-xml-parser does the tokenising; this module
 * adds what a WS-Man client needs on top: a hard size cap, refusal of DTDs (so no entity expansion,
 * no external entities), strict well-formedness, our own decoding of the five predefined entities and
 * character references, and namespace resolution into an XmlElement tree.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { XmlForbiddenError, XmlParseError, XmlTooLargeError } from '../errors.js';
import { findForbiddenXmlChar } from './escape.js';
import { XML_NS, type XmlAttribute, type XmlElement, type XmlNode } from './tree.js';

export interface ParseXmlOptions {
  /** Refuse documents larger than this many bytes (UTF-8). Default 16 MiB. */
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_XML_BYTES = 16 * 1024 * 1024;

/**
 * Deepest element nesting accepted. WS-Man replies stay under 20 levels; the cap keeps a hostile
 * document (10k nested elements) from exhausting the stack in the recursive readers above this
 * module (build, textOf, serializeXml). fast-xml-parser enforces it and we report XmlParseError.
 */
export const MAX_XML_DEPTH = 100;

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
  // By default names such as toString or hasOwnProperty come back renamed (`__toString`). We only read
  // the raw nodes through Object.keys/entries, so keep names exactly as written. (__proto__, constructor
  // and prototype are still refused by the library, which surfaces as XmlParseError.)
  onDangerousProperty: (name: string) => name,
});

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Numeric character references (XML 1.0 4.1): decimal digits, or x and hex digits (X tolerated). */
const DECIMAL_REF = /^#([0-9]+)$/;
const HEX_REF = /^#[xX]([0-9a-fA-F]+)$/;

/**
 * Decode the five predefined entities and numeric character references; anything else is not
 * well-formed without a DTD. Every `&` must open a complete reference: fast-xml-parser's validator
 * does not look inside attribute values, so a bare `&`, `&amp` or `&#65abc;` is refused here rather
 * than kept as literal text or half-decoded.
 */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&]*)(;?)/g, (_m, ref: string, semi: string) => {
    if (semi !== ';' || ref === '') throw new XmlParseError(`Malformed XML: "&${clipRef(ref)}" is not a complete entity or character reference.`);
    if (ref.startsWith('#')) {
      const dec = DECIMAL_REF.exec(ref);
      const hex = dec ? undefined : HEX_REF.exec(ref);
      // Leading zeros are allowed, so the digit count is not bounded; parseInt of a huge one is Infinity.
      const cp = dec ? parseInt(dec[1]!, 10) : hex ? parseInt(hex[1]!, 16) : NaN;
      if (!Number.isFinite(cp) || !isXmlChar(cp)) throw new XmlParseError(`Invalid character reference &${clipRef(ref)};`);
      return String.fromCodePoint(cp);
    }
    // Own keys only: `&constructor;` must not decode to a stringified Object.prototype member.
    const v = Object.hasOwn(PREDEFINED, ref) ? PREDEFINED[ref] : undefined;
    if (v === undefined) throw new XmlParseError(`Undefined entity &${clipRef(ref)}; (DTD entities are not supported)`);
    return v;
  });
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
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) throw new XmlTooLargeError(size, maxBytes);
  let text = typeof input === 'string' ? input : decodeXmlBytes(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // A DTD is how entity-expansion and external-entity attacks arrive; WS-Man never needs one.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new XmlForbiddenError('The XML contains a DOCTYPE/ENTITY declaration, which is refused for safety.');
  }
  if (text.trim() === '') throw new XmlParseError('Empty XML document.');
  // XML 1.0 section 2.2: NUL, most C0 controls, U+FFFE/U+FFFF and lone surrogates are not characters of a
  // document. Refused here, as in character references, so no such text reaches a decoded value (where
  // re-serializing it, e.g. a fault's detail, would fail with XmlEncodeError instead).
  const bad = findForbiddenXmlChar(text);
  if (bad) throw new XmlParseError(`Malformed XML: character ${bad.codePoint} at offset ${bad.index} is not allowed in XML 1.0.`);
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    const e = valid.err;
    throw new XmlParseError(`Malformed XML at line ${e.line}, column ${e.col}: ${e.msg}`);
  }
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
  return build(roots[0]!, newScope({ xml: XML_NS }));
}

/**
 * Prefix -> namespace maps have no prototype: otherwise an undeclared prefix such as `constructor:`
 * or `toString:` would "resolve" to an inherited function (and `xmlns:__proto__` would be lost),
 * letting a non-string namespace reach every reader of `ns`.
 */
function newScope(from: Readonly<Record<string, string>>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, from);
}

function elementName(n: RawNode): string | undefined {
  for (const k of Object.keys(n)) if (k !== ':@' && k !== '#text' && k !== '#cdata') return k;
  return undefined;
}

function splitQName(q: string): [string, string] {
  const i = q.indexOf(':');
  return i < 0 ? ['', q] : [q.slice(0, i), q.slice(i + 1)];
}

function build(n: RawNode, parentScope: Readonly<Record<string, string>>): XmlElement {
  const name = elementName(n)!;
  const rawAttrs = (n[':@'] ?? {}) as Record<string, string>;
  let scope = parentScope;
  const plain: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(rawAttrs)) {
    // XML 1.0 AttValue excludes a literal '<'; the validator lets it through.
    if (String(v).includes('<')) throw new XmlParseError(`Malformed XML: '<' in the value of attribute ${k} on <${elementName(n)}>.`);
    const value = decodeEntities(String(v));
    if (k === 'xmlns') {
      if (scope === parentScope) scope = newScope(parentScope);
      (scope as Record<string, string>)[''] = value;
    } else if (k.startsWith('xmlns:')) {
      if (scope === parentScope) scope = newScope(parentScope);
      (scope as Record<string, string>)[k.slice(6)] = value;
    } else {
      plain.push([k, value]);
    }
  }
  const attrs: XmlAttribute[] = plain.map(([k, value]) => {
    const [p, local] = splitQName(k);
    // Unprefixed attributes are in no namespace (Namespaces in XML 1.0 section 6.2).
    const ns = p === '' ? '' : scope[p];
    if (ns === undefined) throw new XmlParseError(`Undeclared namespace prefix "${p}" on attribute ${k}.`);
    return { name: k, ns, local, value };
  });
  const [prefix, local] = splitQName(name);
  const ns = scope[prefix];
  if (ns === undefined && prefix !== '') throw new XmlParseError(`Undeclared namespace prefix "${prefix}" on element <${name}>.`);
  const children: XmlNode[] = [];
  const kids = (n[name] ?? []) as RawNode[];
  for (const k of kids) {
    if (typeof k['#text'] === 'string' || typeof k['#text'] === 'number') {
      children.push({ kind: 'text', value: decodeEntities(String(k['#text'])), cdata: false });
    } else if (Array.isArray(k['#cdata'])) {
      let s = '';
      for (const t of k['#cdata'] as RawNode[]) s += String(t['#text'] ?? '');
      children.push({ kind: 'text', value: s, cdata: true });
    } else if (elementName(k) !== undefined) {
      children.push(build(k, scope));
    }
  }
  return { kind: 'element', name, prefix, ns: ns ?? '', local, attrs, children, scope };
}
