/**
 * Entity and character references (XML 1.0 4.1, 4.6). Without a DTD only the five predefined
 * entities exist; every other name is refused rather than kept as literal text.
 */
import { XmlParseError } from '../errors.js';

/** The five predefined entities (XML 1.0 4.6). A Map: `&constructor;` must find nothing. */
const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** Numeric character references (XML 1.0 4.1): decimal digits, or x and hex digits (X tolerated in attributes). */
const DECIMAL_REF = /^#([0-9]+)$/;
const HEX_REF = /^#[xX]([0-9a-fA-F]+)$/;

/**
 * Decode the five predefined entities and numeric character references; anything else is not
 * well-formed without a DTD. Every `&` must open a complete reference: a bare `&`, `&amp` or
 * `&#65abc;` is refused here rather than kept as literal text or half-decoded.
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
export function decodeReference(ref: string): string {
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
