/**
 * Bounds on what the XML reader (src/xml/well-formed.ts) accepts from a peer. Each one keeps a
 * hostile document from costing memory or time out of proportion to its size; each is well above
 * what a WS-Man reply needs (a WinRM reply is at most MaxEnvelopeSize, 500 KB by default, and under
 * 20 levels deep). Exceeding one throws XmlLimitError naming it. The README's "Limits" table lists them.
 */

/** Deepest element nesting (the root is depth 1). Also keeps the recursive readers (textOf, serializeXml) far from the stack limit. */
export const MAX_XML_DEPTH = 100;

/** Attributes on one element, namespace declarations included. WS-Man and CIM-XML elements carry a handful. */
export const MAX_XML_ATTRIBUTES = 256;

/**
 * Namespace declarations (xmlns, xmlns:p) in one document. A WinRM Enumerate page declares two or
 * three per item; scopes are chained, so this bounds work, not copies.
 */
export const MAX_XML_NAMESPACE_DECLARATIONS = 10_000;

/** Elements plus text nodes in one document: bounds the tree's memory (a 500 KB WinRM page has ~30k). */
export const MAX_XML_NODES = 250_000;

/** Characters (UTF-16 code units) in one text node or CDATA section, after entity decoding. */
export const MAX_XML_TEXT_LENGTH = 4 * 1024 * 1024;

/** Bytes (UTF-8) in one document unless the caller sets maxBytes (maxResponseBytes on the client). */
export const DEFAULT_MAX_XML_BYTES = 16 * 1024 * 1024;

/** The names XmlLimitError reports, one per bound above. */
export type XmlLimitName = 'depth' | 'attributes' | 'namespaceDeclarations' | 'nodes' | 'textLength';
