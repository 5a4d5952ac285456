/**
 * Well-formedness of untrusted XML (XML 1.0 fifth edition, sections 2.2-2.8, 3.1, 4.1) in one
 * forward pass, run before fast-xml-parser tokenises: the tokenizer alone accepts `<a><b></a>`,
 * truncated input and more. Text is crossed with indexOf, not character by character; only markup
 * is read closely.
 */
import { XmlParseError } from '../errors.js';
import { findForbiddenXmlChar } from './escape.js';

/**
 * Deepest element nesting accepted. WS-Man replies stay under 20 levels; the cap keeps a hostile
 * document (10k nested elements) from exhausting the stack in the recursive readers above this
 * module (build, textOf, serializeXml). The well-formedness scan and fast-xml-parser both enforce it.
 */
export const MAX_XML_DEPTH = 100;

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
 * Non-ASCII NameStartChar ranges (section 2.3) within the BMP, as fast-xml-parser's validator had them
 * (names with astral characters are refused). U+1680 and U+FEFF are cut out: they are name characters
 * for XML but whitespace (\s) for the tokenizer, which would split the name there.
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

/** A character of an entity name as fast-xml-parser's validator read them (\w); decodeEntities then knows five. */
function isWordChar(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x5f;
}

/** Thrown inside the scan only; checkWellFormed turns it into an XmlParseError with line and column. */
class Malformed {
  constructor(
    readonly at: number,
    readonly reason: string,
  ) {}
}

/**
 * Check that `s` is one well-formed element, optionally preceded by an XML declaration and surrounded
 * by comments, processing instructions and whitespace; that every character is one XML 1.0 allows;
 * that tags balance and nest at most MAX_XML_DEPTH deep; that attributes are `name="value"` (or single
 * quotes), separated by whitespace, not repeated and free of '<'; that every '&' in text starts a
 * complete reference; and that comments, CDATA sections and processing instructions are closed. It is
 * at least as strict as fast-xml-parser's XMLValidator, which it replaces. A DOCTYPE was refused before.
 */
export function checkWellFormed(s: string): void {
  try {
    new WellFormednessScan(s).run();
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

class WellFormednessScan {
  private readonly s: string;
  private readonly n: number;
  /** Names of the open elements, innermost last. */
  private readonly open: string[] = [];
  private rootClosed = false;
  /** The next '&' at or after the text being read (n when there is none), kept between text runs. */
  private nextAmp = -1;
  /** The next '<' after the tag just read, when that tag found it (-1 otherwise). */
  private lookahead = -1;
  /** Attribute names of the start tag being read, for the repeat check; a Set once there are many. */
  private readonly attrNames: string[] = [];
  private manyAttrNames: Set<string> | undefined;

  constructor(s: string) {
    this.s = s;
    this.n = s.length;
  }

  run(): void {
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
    if (open.length > 0) throw new Malformed(n, `<${open[open.length - 1]}> is not closed`);
    if (!this.rootClosed) throw new Malformed(n, 'no root element');
  }

  /** Index of `ch` at or after `from`, n when absent. */
  private find(ch: string, from: number): number {
    const k = this.s.indexOf(ch, from);
    return k < 0 ? this.n : k;
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

  /** Character data s[from, to): every '&' starts a reference. */
  private text(from: number, to: number): void {
    let amp = this.nextAmp < from ? this.find('&', from) : this.nextAmp;
    while (amp < to) amp = this.find('&', this.reference(amp));
    this.nextAmp = amp;
  }

  /**
   * `&name;`, `&#digits;` or `&#xhex;` (section 4.1; the upper-case `&#X` is not XML). Which names
   * exist and which code points are characters, decodeEntities decides. Returns the index after ';'.
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
    if (c1 === BANG) return this.commentOrCdata(i);
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

  private skipSpace(i: number): number {
    while (isSpace(this.s.charCodeAt(i))) i++;
    return i;
  }

  /** STag or EmptyElemTag (section 3.1). A tag holds no '<', so it ends before the next one. */
  private startTag(i: number): number {
    const { s, n, open } = this;
    if (open.length === 0 && this.rootClosed) throw new Malformed(i, 'a second root element');
    const bound = (this.lookahead = this.find('<', i + 1));
    const nameEnd = this.name(i + 1, 'element');
    if (this.attrNames.length > 0) this.attrNames.length = 0;
    this.manyAttrNames = undefined;
    for (let k = nameEnd; ; ) {
      const spaced = isSpace(s.charCodeAt(k));
      k = this.skipSpace(k);
      const c = s.charCodeAt(k);
      if (c === GT) {
        // The tokenizer's maxNestedTags, at the same place: an element with content, this deep.
        if (open.length > MAX_XML_DEPTH) throw new Malformed(i, `elements nested more than ${MAX_XML_DEPTH} deep`);
        open.push(s.slice(i + 1, nameEnd));
        return k + 1;
      }
      if (c === SLASH) {
        if (s.charCodeAt(k + 1) !== GT) throw new Malformed(k, "'/' not followed by '>' in a start tag");
        if (open.length === 0) this.rootClosed = true;
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
    const nameEnd = this.name(i, 'attribute');
    let k = this.skipSpace(nameEnd);
    if (s.charCodeAt(k) !== EQUALS) throw new Malformed(i, 'an attribute without a value');
    k = this.skipSpace(k + 1);
    const quote = s.charCodeAt(k);
    if (quote !== DQUOTE && quote !== SQUOTE) throw new Malformed(k, 'an attribute value not in quotes');
    const close = s.indexOf(quote === DQUOTE ? '"' : "'", k + 1);
    if (close < 0 || close > bound) throw new Malformed(k, "an attribute value with '<' or not closed");
    if (this.repeated(s.slice(i, nameEnd))) throw new Malformed(i, `attribute ${s.slice(i, nameEnd)} repeated`);
    return close + 1;
  }

  /**
   * Whether the start tag being read already has this attribute (if not, records it). A handful of
   * attributes per tag is the rule, where a linear look-up beats a Set; a flood switches to a Set.
   */
  private repeated(name: string): boolean {
    const names = this.attrNames;
    if (this.manyAttrNames === undefined) {
      if (names.includes(name)) return true;
      names.push(name);
      if (names.length === 16) this.manyAttrNames = new Set(names);
      return false;
    }
    if (this.manyAttrNames.has(name)) return true;
    this.manyAttrNames.add(name);
    return false;
  }

  /** ETag (section 3.1): the name of the innermost open element, optional whitespace, '>'. */
  private endTag(i: number): number {
    const { s, open } = this;
    if (open.length === 0) throw new Malformed(i, 'an end tag without a start tag');
    this.lookahead = this.find('<', i + 1);
    // The start tag's name was checked: the same name, then no further name character.
    const name = open.pop()!;
    const nameEnd = i + 2 + name.length;
    if (!s.startsWith(name, i + 2) || isNameChar(s.charCodeAt(nameEnd))) throw new Malformed(i, `an end tag where </${name}> belongs`);
    const k = this.skipSpace(nameEnd);
    if (s.charCodeAt(k) !== GT) throw new Malformed(k, 'an end tag not closed');
    if (open.length === 0) this.rootClosed = true;
    return k + 1;
  }

  /**
   * PI (section 2.6): a target name, then nothing or whitespace and any text, up to the first '?>'.
   * `<?xml` is only the XML declaration, at the very start. The tokenizer skips quoted strings while it
   * looks for '?>', so a quote that would carry it past the first '?>' is refused.
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

  /** Comment (section 2.5) anywhere; CDATA section (2.7) inside the root only. Nothing else starts '<!'. */
  private commentOrCdata(i: number): number {
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
      return end + 3;
    }
    throw new Malformed(i, "'<!' that starts no comment or CDATA section");
  }
}

// ---------------------------------------------------------------------------------------------
// Tree

