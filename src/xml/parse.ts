/**
 * The one place untrusted XML enters the library: a hard size cap, then one pass (./well-formed.ts)
 * that checks well-formedness, refuses DTDs (so no entity expansion, no external entities), decodes
 * the five predefined entities and character references, resolves namespaces and builds the
 * XmlElement tree within the bounds of ./limits.ts.
 */
import { XmlTooLargeError } from '../errors.js';
import type { XmlElement } from './tree.js';
import { DEFAULT_MAX_XML_BYTES } from './limits.js';
import { readXml } from './well-formed.js';

export { decodeEntities } from './entities.js';
export {
  DEFAULT_MAX_XML_BYTES,
  MAX_XML_ATTRIBUTES,
  MAX_XML_DEPTH,
  MAX_XML_NAMESPACE_DECLARATIONS,
  MAX_XML_NODES,
  MAX_XML_TEXT_LENGTH,
} from './limits.js';

export interface ParseXmlOptions {
  /** Refuse documents larger than this many bytes (UTF-8). Default 16 MiB. */
  readonly maxBytes?: number;
}

// Made once: decode() without { stream: true } keeps no state between calls. ignoreBOM: BOMs are cut here.
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });
const UTF16LE = new TextDecoder('utf-16le', { ignoreBOM: true });
const UTF16BE = new TextDecoder('utf-16be', { ignoreBOM: true });

/** Decode bytes to a string honouring a BOM (UTF-8, UTF-16LE/BE) or an explicit charset. */
export function decodeXmlBytes(bytes: Uint8Array, charset?: string): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return UTF16LE.decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return UTF16BE.decode(bytes.subarray(2));
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return UTF8.decode(bytes.subarray(3));
  const cs = charset?.trim().toLowerCase();
  if (cs === 'utf-16' || cs === 'utf-16le') return UTF16LE.decode(bytes);
  if (cs === 'utf-16be') return UTF16BE.decode(bytes);
  return UTF8.decode(bytes);
}

/**
 * Parse a document and return its root element. Throws XmlTooLargeError, XmlForbiddenError (DOCTYPE),
 * XmlLimitError (a bound of ./limits.ts) or XmlParseError (not well-formed, truncated, an undeclared
 * prefix or entity).
 */
export function parseXml(input: string | Uint8Array, options: ParseXmlOptions = {}): XmlElement {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  // UTF-8 needs at most 3 bytes per UTF-16 code unit, so short strings need no exact count.
  const size = typeof input !== 'string' ? input.length : input.length * 3 <= maxBytes ? 0 : Buffer.byteLength(input, 'utf8');
  if (size > maxBytes) throw new XmlTooLargeError(size, maxBytes);
  const text = typeof input === 'string' ? input : decodeXmlBytes(input);
  return readXml(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}
