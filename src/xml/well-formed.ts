/**
 * The XML reader: one forward pass over untrusted text that checks well-formedness (XML 1.0 fifth
 * edition, sections 2.2-2.8, 3.1, 4.1), resolves namespaces (Namespaces in XML 1.0) and builds the
 * XmlElement tree, inside the bounds of ./limits.ts. Text is crossed with indexOf, not character by
 * character; only markup is read closely. Namespace scopes are chained (an element holds only its
 * own declarations and a link to its parent's: see PARENT_SCOPE), so nested declarations cost memory
 * in proportion to the document, never to depth times declarations.
 */
import { XmlForbiddenError, XmlLimitError, XmlParseError } from '../errors.js';
import { decodeEntities, decodeReference } from './entities.js';
import { findForbiddenXmlChar } from './escape.js';
import * as limits from './limits.js';
import type { XmlLimitName } from './limits.js';
import { PARENT_SCOPE, XML_NS, type XmlAttribute, type XmlElement, type XmlNode } from './tree.js';

// Local copies: read on every tag, and some loaders turn imported bindings into property getters.
const MAX_XML_ATTRIBUTES = limits.MAX_XML_ATTRIBUTES;
const MAX_XML_DEPTH = limits.MAX_XML_DEPTH;
const MAX_XML_NAMESPACE_DECLARATIONS = limits.MAX_XML_NAMESPACE_DECLARATIONS;
const MAX_XML_NODES = limits.MAX_XML_NODES;
const MAX_XML_TEXT_LENGTH = limits.MAX_XML_TEXT_LENGTH;

const GT = 0x3e;
const SLASH = 0x2f;
const QUESTION = 0x3f;
const BANG = 0x21;
const EQUALS = 0x3d;
const SEMICOLON = 0x3b;
const HASH = 0x23;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const LOWER_X = 0x78;

/**
 * Candidates for the characters XML 1.0 excludes (section 2.2): C0 controls other than tab, LF and CR,
 * U+FFFE, U+FFFF and every surrogate (surrogate pairs are then let through). A regular expression
 * finds them several times faster than a loop over the text.
 */
const SUSPECT_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/g;

/** NameStartChar and NameChar (section 2.3) for ASCII: 1 = may start a name, 2 = may only continue one. */
const ASCII_NAME = new Uint8Array(128);
for (const c of ':_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz') ASCII_NAME[c.charCodeAt(0)] = 1;
for (const c of '-.0123456789') ASCII_NAME[c.charCodeAt(0)] = 2;

/**
 * Non-ASCII NameStartChar ranges (section 2.3) within the BMP (names with astral characters are
 * refused). U+1680 and U+FEFF are cut out, as when fast-xml-parser tokenised: they are name characters
 * for XML but whitespace (\s) to most regex-based tools, which would split the name there.
 */
const NAME_START_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0xc0, 0xd6],
  [0xd8, 0xf6],
  [0xf8, 0x2ff],
  [0x370, 0x37d],
  [0x37f, 0x167f],
  [0x1681, 0x1fff],
  [0x200c, 0x200d],
  [0x2070, 0x218f],
  [0x2c00, 0x2fef],
  [0x3001, 0xd7ff],
  [0xf900, 0xfdcf],
  [0xfdf0, 0xfefe],
  [0xff00, 0xfffd],
];
/** Further non-ASCII NameChar ranges. */
const NAME_MORE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0xb7, 0xb7],
  [0x300, 0x36f],
  [0x203f, 0x2040],
];

function inRanges(c: number, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  for (const [lo, hi] of ranges) if (c >= lo && c <= hi) return true;
  return false;
}

function isNameStart(c: number): boolean {
  return c < 0x80 ? ASCII_NAME[c] === 1 : inRanges(c, NAME_START_RANGES);
}

function isNameChar(c: number): boolean {
  return c < 0x80 ? ASCII_NAME[c] !== 0 : inRanges(c, NAME_START_RANGES) || inRanges(c, NAME_MORE_RANGES);
}

/** S (section 2.3). NaN (past the end) is not. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `| 0x20` maps exactly A-Z onto a-z (and no other code unit onto a-z). */
function isHexDigit(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** A character of an entity name (\w, as fast-xml-parser's validator read them); decodeReference then knows five. */
function isWordChar(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x5f;
}

const CR_LF = /\r\n?/g;

/** Prefix bindings before any declaration: only `xml` (Namespaces in XML 1.0, section 3). One object for every document. */
const DOCUMENT_SCOPE: Scope = Object.create(null) as Scope;
DOCUMENT_SCOPE.xml = XML_NS;

/** The namespace of xmlns attributes themselves, which no prefix may be bound to (Namespaces in XML 1.0, section 3). */
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Bindings in scope up to which a name is resolved by scanning them (see XmlReader.resolve). */
const NS_SCAN_LIMIT = 32;

/** A name as written in a tag, split at its first colon ('' prefix when it has none). */
interface QName {
  readonly name: string;
  readonly prefix: string;
  readonly local: string;
  /** `xmlns` or `xmlns:p`: a namespace declaration, not an attribute. */
  readonly declaration: boolean;
  readonly hash: number;
}

/**
 * Names seen in tags, shared by every tag (of every document) that writes them: a Pull page writes
 * the same few dozen names thousands of times, and one shared, internalised string per name (and per
 * prefix and local part) replaces three slices per tag, while consumers that key objects and maps
 * by local name find the key already hashed. Direct-mapped by a hash of the characters, so the
 * cache never holds more than QNAME_SLOTS names of at most MAX_CACHED_NAME characters, whatever a
 * peer sends; a collision only costs a slice.
 */
const QNAME_SLOTS = 1024;
const MAX_CACHED_NAME = 64;
const qnames: Array<QName | undefined> = new Array<QName | undefined>(QNAME_SLOTS).fill(undefined);

/** `x` as its internalised copy: flat, detached from the reply it was cut from, hashed once. */
function interned(x: string): string {
  const o = Object.create(null) as Record<string, 0>;
  o[x] = 0;
  return Object.keys(o)[0]!;
}

/** The parts of `name`, each made by `copy` (the identity, or `interned` for the cache). */
function makeQName(name: string, hash: number, copy: (x: string) => string): QName {
  const colon = name.indexOf(':');
  const prefix = colon < 0 ? '' : name.slice(0, colon);
  const local = colon < 0 ? name : name.slice(colon + 1);
  return { name: copy(name), prefix: copy(prefix), local: copy(local), declaration: prefix === 'xmlns' || name === 'xmlns', hash };
}

const asIs = (x: string): string => x;

/** One array for every element without attributes, and every empty element's children: typed readonly, never written to (not frozen: V8 iterates frozen arrays on a slower path). */
const NONE: readonly never[] = [];

/** The predefined entity (XML 1.0 4.6) written at s[amp] ('&'), when it is one of the five. */
function predefinedEntityAt(s: string, amp: number): string | undefined {
  const c1 = s.charCodeAt(amp + 1);
  const c2 = s.charCodeAt(amp + 2);
  const c3 = s.charCodeAt(amp + 3);
  if (c2 === 0x74 && c3 === SEMICOLON) return c1 === 0x6c ? '<' : c1 === 0x67 ? '>' : undefined; // lt gt
  if (c1 === 0x61) {
    if (c2 === 0x6d && c3 === 0x70 && s.charCodeAt(amp + 4) === SEMICOLON) return '&'; // amp
    if (c2 === 0x70 && c3 === 0x6f && s.charCodeAt(amp + 4) === 0x73 && s.charCodeAt(amp + 5) === SEMICOLON) return "'"; // apos
    return undefined;
  }
  if (c1 === 0x71 && c2 === 0x75 && c3 === 0x6f && s.charCodeAt(amp + 4) === 0x74 && s.charCodeAt(amp + 5) === SEMICOLON) return '"'; // quot
  return undefined;
}

/** Length of the reference that writes `ch` ('&lt;' is 4, '&amp;' 5, '&quot;' and '&apos;' 6). */
function predefinedEntityLength(ch: string): number {
  return ch === '<' || ch === '>' ? 4 : ch === '&' ? 5 : 6;
}

/**
 * An empty array already of the elements kind that holding objects gives it. A plain `[]` starts as
 * an array of small integers and changes kind at its first object; V8 then allocates the next
 * document's arrays in the new kind, and code optimized on the first document was thrown away and
 * compiled again (a cost paid while the reader warms up, on every enumeration).
 */
function objectArray<T>(): T[] {
  const a: unknown[] = [null];
  a.pop();
  return a as T[];
}

/** Thrown inside the reader only; readXml turns it into an XmlParseError with line and column. */
class Malformed {
  constructor(
    readonly at: number,
    readonly reason: string,
  ) {}
}

/** Bindings declared on one element; the rest through PARENT_SCOPE. */
interface Scope {
  [prefix: string]: string;
  [PARENT_SCOPE]?: Scope;
}

/** An element while the reader builds it: its children are set at its end tag. */
type Building = { -readonly [K in keyof XmlElement]: XmlElement[K] };

/**
 * Read `s` into its root element: one well-formed element, optionally preceded by an XML declaration
 * and surrounded by comments, processing instructions and whitespace. Every character is one XML 1.0
 * allows; tags balance; attributes are `name="value"` (or single quotes), separated by whitespace, not
 * repeated and free of '<'; every '&' starts a complete reference to one of the five predefined
 * entities or a character; comments, CDATA sections and processing instructions are closed; every
 * prefix is declared, and no declaration is one Namespaces in XML 1.0 forbids. A DOCTYPE or ENTITY declaration throws XmlForbiddenError, a bound of ./limits.ts
 * XmlLimitError, anything else not well-formed XmlParseError.
 *
 * Text split only by comments or processing instructions is one text node; CDATA sections are nodes
 * of their own. Whitespace between elements is kept as text.
 */
export function readXml(s: string): XmlElement {
  try {
    return new XmlReader(s).run();
  } catch (err) {
    if (!(err instanceof Malformed)) throw err;
    const bad = findForbiddenXmlChar(s);
    if (bad) throw new XmlParseError(`Malformed XML: character ${bad.codePoint} at offset ${bad.index} is not allowed in XML 1.0.`);
    const { line, column } = lineAndColumn(s, err.at);
    throw new XmlParseError(`Malformed XML at line ${line}, column ${column}: ${err.reason}.`);
  }
}

function lineAndColumn(s: string, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = s.indexOf('\n'); i >= 0 && i < at; i = s.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: at - lineStart + 1 };
}

class XmlReader {
  private readonly s: string;
  private readonly n: number;
  /** The open elements, innermost last. */
  private readonly open: Building[] = objectArray();
  /**
   * The children read so far of every open element, one after the other: an element's run starts at
   * its entry in `starts` and becomes its children array, of exactly that length, at its end tag
   * (a leaf's one text node then costs one short array, not a pushed-to one with room for 17).
   * Entries past `top` are stale (reused, not truncated).
   */
  private readonly stack: XmlNode[] = objectArray();
  private top = 0;
  private readonly starts: number[] = [];
  /**
   * The bindings in scope as a stack (prefix, URI), innermost last, with the stack height at each
   * open element: names resolve by a short scan, without keyed look-ups along the scope chain. Past
   * NS_SCAN_LIMIT bindings byPrefix is used instead, so a hostile document cannot make each
   * look-up long.
   */
  private readonly nsPrefixes: string[] = objectArray();
  private readonly nsUris: string[] = objectArray();
  /** Live entries of nsPrefixes/nsUris (the arrays are reused, not truncated: setting length is slow). */
  private nsCount = 1;
  /**
   * Past NS_SCAN_LIMIT bindings: prefix -> the URIs bound to it, innermost last, kept in step with the
   * stack once made. One keyed look-up per name: walking the scope links cost up to MAX_XML_DEPTH
   * look-ups per name, 5-7x the reading time of a document made for it.
   */
  private byPrefix: Map<string, string[]> | undefined;
  private readonly nsMarks: number[] = [];
  private root: XmlElement | undefined;
  private rootClosed = false;
  /** Character data read but not yet added to the innermost open element (comments do not split it). */
  private pending = '';
  private nodes = 0;
  private declarations = 0;
  /** The next '&' at or after the text being read (n when there is none), kept between text runs. */
  private nextAmp = -1;
  /** The next '<' after the tag just read, when that tag found it (-1 otherwise). */
  private lookahead = -1;
  /** Attributes of the start tag being read (names as written, decoded values). */
  private readonly attrNames: QName[] = objectArray();
  private readonly attrValues: string[] = [];
  /** Live entries of attrNames/attrValues for the tag being read (reused arrays, as above). */
  private attrCount = 0;
  /** The names again as a Set once a tag has many, for the repeat check. */
  private manyAttrNames: Set<string> | undefined;
  /** Whether the document has a CR at all: only then do line ends need normalising. */
  private readonly hasCR: boolean;
  /** End of the name qname() read last. */
  private nameEnd = 0;

  constructor(s: string) {
    this.s = s;
    this.n = s.length;
    this.hasCR = s.includes('\r');
    // Only `xml` is bound before any declaration (Namespaces in XML 1.0, section 3). Pushed, not
    // written as a literal: a literal's array is copy-on-write, another map for optimized code.
    this.nsPrefixes.push('xml');
    this.nsUris.push(XML_NS);
  }

  /**
   * s[from, to) with line ends normalised (section 2.11: CR LF and a lone CR read as LF), before any
   * reference is decoded, so `&#xD;` still gives a CR.
   */
  private chars(from: number, to: number): string {
    const raw = this.s.slice(from, to);
    return this.hasCR && raw.includes('\r') ? raw.replace(CR_LF, '\n') : raw;
  }

  run(): XmlElement {
    const { n, open } = this;
    this.characters();
    let i = 0;
    let lt = this.find('<', 0);
    for (;;) {
      if (open.length === 0) this.outsideRoot(i, lt);
      else this.text(i, lt);
      if (lt === n) break;
      this.lookahead = -1;
      i = this.markup(lt);
      lt = this.lookahead >= 0 ? this.lookahead : this.find('<', i);
    }
    if (open.length > 0) throw new Malformed(n, `<${open[open.length - 1]!.name}> is not closed`);
    if (this.root === undefined) throw new Malformed(n, 'no root element');
    return this.root;
  }

  /** Index of `ch` at or after `from`, n when absent. */
  private find(ch: string, from: number): number {
    // n is read on every call, not only at the end of the text: a field first read after the code
    // was optimized throws that code away (V8 has no feedback for it yet).
    const { s, n } = this;
    const k = s.indexOf(ch, from);
    return k < 0 ? n : k;
  }

  private limit(at: number, max: number, what: string, name: XmlLimitName): XmlLimitError {
    const { line, column } = lineAndColumn(this.s, at);
    return new XmlLimitError(name, max, `The XML exceeds the parser's limit of ${max} ${what} (line ${line}, column ${column}); no WS-Man reply needs that many, so the document is refused as broken or hostile.`);
  }

  /** Section 2.2: every character is allowed (surrogates only in pairs). */
  private characters(): void {
    const s = this.s;
    SUSPECT_CHAR.lastIndex = 0;
    for (let m = SUSPECT_CHAR.exec(s); m !== null; m = SUSPECT_CHAR.exec(s)) {
      const c = s.charCodeAt(m.index);
      const d = s.charCodeAt(m.index + 1);
      if (c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) SUSPECT_CHAR.lastIndex = m.index + 2;
      else throw new Malformed(m.index, 'a character XML 1.0 does not allow');
    }
  }

  /** Prolog and epilog (section 2.8): whitespace only, besides markup. */
  private outsideRoot(from: number, to: number): void {
    for (let k = from; k < to; k++) {
      if (!isSpace(this.s.charCodeAt(k))) throw new Malformed(k, this.rootClosed ? 'text after the root element' : 'text before the root element');
    }
  }

  /** Character data s[from, to), references decoded, added to the pending text. */
  private text(from: number, to: number): void {
    if (from === to) return;
    const s = this.s;
    let amp = this.nextAmp < from ? this.find('&', from) : this.nextAmp;
    let piece: string;
    if (amp >= to) {
      piece = this.chars(from, to);
    } else {
      piece = '';
      let copied = from;
      while (amp < to) {
        // The five predefined entities by their characters (an embedded CIM-XML instance is mostly
        // &lt; and &gt;); anything else through reference() and decodeReference().
        const named = predefinedEntityAt(s, amp);
        let end: number;
        let decoded: string;
        if (named !== undefined) {
          decoded = named;
          end = amp + predefinedEntityLength(named);
        } else {
          end = this.reference(amp);
          decoded = decodeReference(s.slice(amp + 1, end - 1));
        }
        piece += (amp === copied ? '' : this.chars(copied, amp)) + decoded;
        copied = end;
        amp = this.find('&', end);
      }
      piece += this.chars(copied, to);
    }
    this.nextAmp = amp;
    const text = this.pending === '' ? piece : this.pending + piece;
    if (text.length > MAX_XML_TEXT_LENGTH) throw this.limit(from, MAX_XML_TEXT_LENGTH, 'characters in one text node', 'textLength');
    this.pending = text;
  }

  /** Add a node to the innermost open element. */
  private add(node: XmlNode, at: number): void {
    if (++this.nodes > MAX_XML_NODES) throw this.limit(at, MAX_XML_NODES, 'elements and text nodes', 'nodes');
    this.stack[this.top++] = node;
  }

  /** The pending text becomes a node (before an element, a CDATA section or an end tag). */
  private flush(at: number): void {
    if (this.pending === '') return;
    const value = this.pending;
    this.pending = '';
    this.add({ kind: 'text', value, cdata: false }, at);
  }

  /**
   * `&name;`, `&#digits;` or `&#xhex;` (section 4.1; the upper-case `&#X` is not XML). Which names
   * exist and which code points are characters, decodeReference decides. Returns the index after ';'.
   */
  private reference(i: number): number {
    const s = this.s;
    let k = i + 1;
    if (s.charCodeAt(k) === HASH) {
      const hex = s.charCodeAt(k + 1) === LOWER_X;
      k += hex ? 2 : 1;
      const from = k;
      while (hex ? isHexDigit(s.charCodeAt(k)) : isDigit(s.charCodeAt(k))) k++;
      if (k === from) throw new Malformed(i, 'a character reference without digits');
    } else {
      const from = k;
      while (isWordChar(s.charCodeAt(k))) k++;
      if (k === from) throw new Malformed(i, "'&' that starts no reference");
    }
    if (s.charCodeAt(k) !== SEMICOLON) throw new Malformed(i, "a reference not closed by ';'");
    return k + 1;
  }

  /** At '<': a tag, comment, CDATA section or processing instruction. Returns the index after it. */
  private markup(i: number): number {
    const c1 = this.s.charCodeAt(i + 1);
    if (c1 === SLASH) return this.endTag(i);
    if (c1 === QUESTION) return this.processingInstruction(i);
    if (c1 === BANG) return this.bang(i);
    return this.startTag(i);
  }

  /** A Name (section 2.3) starting at i; returns its end. */
  private name(i: number, what: string): number {
    const s = this.s;
    if (!isNameStart(s.charCodeAt(i))) throw new Malformed(i, `no ${what} name where one must start`);
    let k = i + 1;
    while (isNameChar(s.charCodeAt(k))) k++;
    return k;
  }

  /**
   * A Name starting at i, from the shared cache when it has been seen before; its end goes to
   * this.nameEnd. Hashing while scanning costs little: every character is read for isNameChar anyway.
   */
  private qname(i: number, what: string): QName {
    const s = this.s;
    let c = s.charCodeAt(i);
    if (!isNameStart(c)) throw new Malformed(i, `no ${what} name where one must start`);
    let h = Math.imul(0x811c9dc5 ^ c, 0x01000193);
    let k = i + 1;
    for (c = s.charCodeAt(k); isNameChar(c); c = s.charCodeAt(++k)) h = Math.imul(h ^ c, 0x01000193);
    this.nameEnd = k;
    const len = k - i;
    if (len > MAX_CACHED_NAME) return makeQName(s.slice(i, k), h, asIs);
    const slot = (h ^ (h >>> 16)) & (QNAME_SLOTS - 1);
    const hit = qnames[slot];
    if (hit !== undefined && hit.hash === h && hit.name.length === len && s.startsWith(hit.name, i)) return hit;
    return (qnames[slot] = makeQName(s.slice(i, k), h, interned));
  }

  private skipSpace(i: number): number {
    while (isSpace(this.s.charCodeAt(i))) i++;
    return i;
  }

  /** STag or EmptyElemTag (section 3.1). A tag holds no '<', so it ends before the next one. */
  private startTag(i: number): number {
    // rootClosed is read on every tag, not only at the root's: see find().
    const { s, n, open, rootClosed } = this;
    if (open.length === 0 && rootClosed) throw new Malformed(i, 'a second root element');
    const bound = (this.lookahead = this.find('<', i + 1));
    const q = this.qname(i + 1, 'element');
    const nameEnd = this.nameEnd;
    this.attrCount = 0;
    this.manyAttrNames = undefined;
    for (let k = nameEnd; ; ) {
      const spaced = isSpace(s.charCodeAt(k));
      k = this.skipSpace(k);
      const c = s.charCodeAt(k);
      if (c === GT) {
        this.element(i, q, false);
        return k + 1;
      }
      if (c === SLASH) {
        if (s.charCodeAt(k + 1) !== GT) throw new Malformed(k, "'/' not followed by '>' in a start tag");
        this.element(i, q, true);
        return k + 2;
      }
      if (k >= n) throw new Malformed(i, 'a start tag not closed');
      if (!spaced) throw new Malformed(k, 'no whitespace before an attribute');
      k = this.attribute(k, bound);
    }
  }

  /** Attribute (section 3.1): Name Eq AttValue, the value without '<', the name not repeated in the tag. */
  private attribute(i: number, bound: number): number {
    const s = this.s;
    if (this.attrCount === MAX_XML_ATTRIBUTES) throw this.limit(i, MAX_XML_ATTRIBUTES, 'attributes on one element', 'attributes');
    const q = this.qname(i, 'attribute');
    let k = this.skipSpace(this.nameEnd);
    if (s.charCodeAt(k) !== EQUALS) throw new Malformed(i, 'an attribute without a value');
    k = this.skipSpace(k + 1);
    const quote = s.charCodeAt(k);
    if (quote !== DQUOTE && quote !== SQUOTE) throw new Malformed(k, 'an attribute value not in quotes');
    const close = s.indexOf(quote === DQUOTE ? '"' : "'", k + 1);
    if (close < 0 || close > bound) throw new Malformed(k, "an attribute value with '<' or not closed");
    if (this.repeated(q.name)) throw new Malformed(i, `attribute ${q.name} repeated`);
    const raw = this.chars(k + 1, close);
    this.attrNames[this.attrCount] = q;
    this.attrValues[this.attrCount++] = raw.indexOf('&') < 0 ? raw : decodeEntities(raw);
    return close + 1;
  }

  /**
   * Whether the start tag being read already has this attribute. A handful of attributes per tag is
   * the rule, where a linear look-up beats a Set; past 16 a Set takes over.
   */
  private repeated(name: string): boolean {
    const names = this.attrNames;
    const count = this.attrCount;
    if (this.manyAttrNames === undefined) {
      for (let a = 0; a < count; a++) if (names[a]!.name === name) return true;
      if (count === 15) this.manyAttrNames = new Set([...names.slice(0, count).map((q) => q.name), name]);
      return false;
    }
    if (this.manyAttrNames.has(name)) return true;
    this.manyAttrNames.add(name);
    return false;
  }

  /** The start tag s[i..] named q, with the attributes just read: resolve names, add the element, open it unless empty. */
  private element(i: number, q: QName, empty: boolean): void {
    const { open, attrNames, attrValues, attrCount } = this;
    const depth = open.length + 1;
    if (depth > MAX_XML_DEPTH) throw this.limit(i, MAX_XML_DEPTH, 'levels of element nesting', 'depth');
    const parentScope: Scope = depth === 1 ? DOCUMENT_SCOPE : (open[depth - 2]!.scope as Scope);
    // Declarations apply to every attribute of the element, wherever they are written.
    let scope = parentScope;
    const mark = this.nsCount;
    let plain = 0;
    for (let a = 0; a < attrCount; a++) {
      const k = attrNames[a]!;
      if (!k.declaration) {
        plain++;
        continue;
      }
      if (++this.declarations > MAX_XML_NAMESPACE_DECLARATIONS) throw this.limit(i, MAX_XML_NAMESPACE_DECLARATIONS, 'namespace declarations', 'namespaceDeclarations');
      // Linked, not copied: the new scope holds its own bindings and reaches the parent's through PARENT_SCOPE
      // (never a prototype: see there). No prototype, so `constructor` finds nothing.
      if (scope === parentScope) {
        scope = Object.create(null) as Scope;
        scope[PARENT_SCOPE] = parentScope;
      }
      // `xmlns` declares the default namespace, `xmlns:p` the prefix p (its local part).
      const declared = k.prefix === '' ? '' : k.local;
      // Namespaces in XML 1.0 section 3: a prefix is never bound to '', xml only to its namespace, xmlns never.
      const uri = attrValues[a]!;
      if ((declared !== '' && uri === '') || (declared === 'xml') !== (uri === XML_NS) || declared === 'xmlns' || uri === XMLNS_NS) {
        throw new Malformed(i, `${k.name} binds what Namespaces in XML 1.0 forbids (an empty or reserved namespace, or a reserved prefix)`);
      }
      scope[declared] = uri;
      this.nsPrefixes[this.nsCount] = declared;
      this.nsUris[this.nsCount++] = uri;
      if (this.byPrefix !== undefined) this.bind(declared, uri);
    }
    let attrs: readonly XmlAttribute[] = NONE;
    if (plain > 0) {
      const list: XmlAttribute[] = [];
      for (let a = 0; a < attrCount; a++) {
        const k = attrNames[a]!;
        if (k.declaration) continue;
        // Unprefixed attributes are in no namespace (Namespaces in XML 1.0 section 6.2).
        const ns = k.prefix === '' ? '' : this.resolve(k.prefix);
        if (ns === undefined) throw new Malformed(i, `undeclared namespace prefix "${k.prefix}" on attribute ${k.name}`);
        list.push({ name: k.name, ns, local: k.local, value: attrValues[a]! });
      }
      attrs = list;
    }
    const { name, prefix } = q;
    const ns = this.resolve(prefix);
    if (ns === undefined && prefix !== '') throw new Malformed(i, `undeclared namespace prefix "${prefix}" on element <${name}>`);
    const el: Building = { kind: 'element', name, prefix, ns: ns ?? '', local: q.local, attrs, children: NONE, scope };
    if (depth === 1) {
      this.root = el;
      this.nodes++;
    } else {
      this.flush(i);
      this.add(el, i);
    }
    if (empty) {
      this.unbindTo(mark);
      if (depth === 1) this.rootClosed = true;
      return;
    }
    open.push(el);
    this.starts.push(this.top);
    this.nsMarks.push(mark);
  }

  /** The URI `prefix` is bound to at the innermost open element (or the one being read), or undefined. */
  private resolve(prefix: string): string | undefined {
    const prefixes = this.nsPrefixes;
    if (this.nsCount > NS_SCAN_LIMIT) {
      if (this.byPrefix === undefined) {
        this.byPrefix = new Map();
        for (let k = 0; k < this.nsCount; k++) this.bind(prefixes[k]!, this.nsUris[k]!);
      }
      const uris = this.byPrefix.get(prefix);
      return uris !== undefined && uris.length > 0 ? uris[uris.length - 1] : undefined;
    }
    for (let k = this.nsCount - 1; k >= 0; k--) if (prefixes[k] === prefix) return this.nsUris[k];
    return undefined;
  }

  private bind(prefix: string, uri: string): void {
    const uris = this.byPrefix!.get(prefix);
    if (uris === undefined) this.byPrefix!.set(prefix, [uri]);
    else uris.push(uri);
  }

  /** Drop the bindings above `mark` (an element's own, at its end). */
  private unbindTo(mark: number): void {
    const map = this.byPrefix;
    if (map !== undefined) for (let k = this.nsCount - 1; k >= mark; k--) map.get(this.nsPrefixes[k]!)!.pop();
    this.nsCount = mark;
  }

  /** ETag (section 3.1): the name of the innermost open element, optional whitespace, '>'. */
  private endTag(i: number): number {
    const { s, open } = this;
    if (open.length === 0) throw new Malformed(i, 'an end tag without a start tag');
    this.lookahead = this.find('<', i + 1);
    // The start tag's name was checked: the same name, then no further name character.
    const el = open[open.length - 1]!;
    const name = el.name;
    const nameEnd = i + 2 + name.length;
    if (!s.startsWith(name, i + 2) || isNameChar(s.charCodeAt(nameEnd))) throw new Malformed(i, `an end tag where </${name}> belongs`);
    const k = this.skipSpace(nameEnd);
    if (s.charCodeAt(k) !== GT) throw new Malformed(k, 'an end tag not closed');
    this.flush(i);
    const start = this.starts.pop()!;
    if (this.top > start) {
      el.children = this.stack.slice(start, this.top);
      this.top = start;
    }
    open.pop();
    this.unbindTo(this.nsMarks.pop()!);
    // Written on every end tag (false until the root's), for the reason given at find().
    this.rootClosed = open.length === 0;
    return k + 1;
  }

  /**
   * PI (section 2.6): a target name, then nothing or whitespace and any text, up to the first '?>'.
   * `<?xml` is only the XML declaration, at the very start. A quote that would carry a quote-aware
   * tool past the first '?>' is refused, so no reader of the same bytes sees a different document.
   */
  private processingInstruction(i: number): number {
    const s = this.s;
    const nameEnd = this.name(i + 2, 'processing instruction target');
    if (i !== 0 && nameEnd - i === 5 && s.startsWith('xml', i + 2)) throw new Malformed(i, 'an XML declaration not at the start');
    const end = s.indexOf('?>', nameEnd);
    if (end < 0) throw new Malformed(i, 'a processing instruction not closed');
    if (end !== nameEnd && !isSpace(s.charCodeAt(nameEnd))) throw new Malformed(nameEnd, 'no whitespace after a processing instruction target');
    for (let k = nameEnd; k < end; k++) {
      const c = s.charCodeAt(k);
      if (c === DQUOTE || c === SQUOTE) {
        k = s.indexOf(c === DQUOTE ? '"' : "'", k + 1);
        if (k < 0 || k > end) throw new Malformed(i, 'a quote in a processing instruction left open before ?>');
      }
    }
    return end + 2;
  }

  /**
   * Comment (section 2.5) anywhere; CDATA section (2.7) inside the root only. A DOCTYPE or ENTITY
   * declaration is how entity-expansion and external-entity attacks arrive; WS-Man never needs one.
   * Nothing else starts '<!'.
   */
  private bang(i: number): number {
    const s = this.s;
    if (s.startsWith('--', i + 2)) {
      const end = s.indexOf('-->', i + 4);
      if (end < 0) throw new Malformed(i, 'a comment not closed');
      return end + 3;
    }
    if (s.startsWith('[CDATA[', i + 2)) {
      if (this.open.length === 0) throw new Malformed(i, 'a CDATA section outside the root element');
      const end = s.indexOf(']]>', i + 9);
      if (end < 0) throw new Malformed(i, 'a CDATA section not closed');
      if (end - i - 9 > MAX_XML_TEXT_LENGTH) throw this.limit(i, MAX_XML_TEXT_LENGTH, 'characters in one text node', 'textLength');
      this.flush(i);
      this.add({ kind: 'text', value: this.chars(i + 9, end), cdata: true }, i);
      return end + 3;
    }
    const keyword = s.slice(i + 2, i + 9).toUpperCase();
    if (keyword === 'DOCTYPE' || keyword.startsWith('ENTITY')) {
      throw new XmlForbiddenError('The XML contains a DOCTYPE/ENTITY declaration, which is refused for safety.');
    }
    throw new Malformed(i, "'<!' that starts no comment or CDATA section");
  }
}
