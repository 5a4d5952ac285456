/**
 * Escaping for every string that goes into XML. Builders never concatenate raw values: text goes
 * through escapeText, attribute values through escapeAttr. Characters XML 1.0 cannot carry at all
 * (NUL, most C0 controls, lone surrogates, U+FFFE/U+FFFF) are refused rather than silently dropped.
 */
import { XmlEncodeError } from '../errors.js';

// Characters not allowed in XML 1.0 documents, even as character references.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first character XML 1.0 cannot carry (also refused on input by parseXml), or undefined. */
export function findForbiddenXmlChar(s: string): { readonly index: number; readonly codePoint: string } | undefined {
  const m = FORBIDDEN.exec(s);
  return m ? { index: m.index, codePoint: `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` } : undefined;
}

function check(s: string): void {
  const bad = findForbiddenXmlChar(s);
  if (bad) throw new XmlEncodeError(`Character ${bad.codePoint} at index ${bad.index} cannot be represented in XML 1.0.`);
}

/** Escape element text. `\r` is written as a reference so it survives end-of-line normalisation. */
export function escapeText(s: string): string {
  check(s);
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

/** Escape an attribute value (for double-quoted attributes); whitespace controls kept via references. */
export function escapeAttr(s: string): string {
  check(s);
  return s.replace(/[&<>"'\t\n\r]/g, (c) => ATTR_REPL[c]!);
}

const ATTR_REPL: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};
