/**
 * A small, immutable, namespace-resolved XML tree. Everything above the XML edge reads replies
 * through these helpers, matching elements by namespace URI and local name, never by prefix
 * (WinRM uses s:/a:/w:/p:, other servers use others).
 */

export interface XmlAttribute {
  /** As written, e.g. `xsi:nil`. */
  readonly name: string;
  /** Namespace URI ('' for unprefixed attributes, per XML Namespaces 1.0). */
  readonly ns: string;
  readonly local: string;
  readonly value: string;
}

export interface XmlText {
  readonly kind: 'text';
  readonly value: string;
  readonly cdata: boolean;
}

export interface XmlElement {
  readonly kind: 'element';
  /** Qualified name as written, e.g. `s:Envelope`. */
  readonly name: string;
  readonly prefix: string;
  readonly ns: string;
  readonly local: string;
  readonly attrs: readonly XmlAttribute[];
  readonly children: readonly XmlNode[];
  /**
   * Prefix -> namespace URI in scope at this element ('' = default namespace). Needed for QName values
   * such as fault subcodes. From parseXml it is a chain: an element holds only its own declarations
   * and links to its parent's scope for the rest (one that declares nothing shares its parent's
   * object), so read it with lookupNamespace or namespacesInScope, not by key, Object.keys or a spread.
   */
  readonly scope: Readonly<Record<string, string>>;
}

export type XmlNode = XmlElement | XmlText;

export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** Child elements only (text skipped). */
export function elements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.kind === 'element') out.push(c);
  return out;
}

/** First child element with this namespace and local name. */
export function child(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const c of el.children) if (c.kind === 'element' && c.local === local && c.ns === ns) return c;
  return undefined;
}

/** All child elements with this namespace and local name. */
export function childrenNamed(el: XmlElement, ns: string, local: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.kind === 'element' && c.local === local && c.ns === ns) out.push(c);
  return out;
}

/** Follow a path of [ns, local] steps from `el`; undefined if any step is missing. */
export function path(el: XmlElement, ...steps: ReadonlyArray<readonly [string, string]>): XmlElement | undefined {
  let cur: XmlElement | undefined = el;
  for (const [ns, local] of steps) {
    if (!cur) return undefined;
    cur = child(cur, ns, local);
  }
  return cur;
}

/** Concatenated text content of the element and its descendants (CDATA included). */
export function textOf(el: XmlElement): string {
  let s = '';
  for (const c of el.children) s += c.kind === 'text' ? c.value : textOf(c);
  return s;
}

/** Attribute value by local name and namespace ('' = unprefixed). */
export function attr(el: XmlElement, local: string, ns = ''): string | undefined {
  for (const a of el.attrs) if (a.local === local && a.ns === ns) return a.value;
  return undefined;
}

/** True when the element carries xsi:nil="true". */
export function isNil(el: XmlElement): boolean {
  const v = attr(el, 'nil', XSI_NS);
  return v !== undefined && v.trim().toLowerCase() === 'true';
}

/** Resolve a QName written in text or an attribute (e.g. `w:InvalidSelectors`) against the element's scope. */
export function resolveQName(el: XmlElement, qname: string): { ns: string; local: string; prefix: string } {
  const q = qname.trim();
  const i = q.indexOf(':');
  const prefix = i < 0 ? '' : q.slice(0, i);
  const local = i < 0 ? q : q.slice(i + 1);
  return { ns: lookupNamespace(el.scope, prefix) ?? '', local, prefix };
}

/**
 * The link from a parsed element's scope to its parent's. A symbol-keyed property, not the
 * prototype: V8 keeps objects that serve as prototypes alive through minor collections, so a chain
 * of prototypes made per document promoted every parse's garbage to the old generation (a 3.5 KB
 * reply took 77 µs to read instead of 15, most of it in the collector).
 */
export const PARENT_SCOPE: unique symbol = Symbol('parent namespace scope');

type LinkedScope = Readonly<Record<string, string>> & { readonly [PARENT_SCOPE]?: LinkedScope };

/** The next scope outwards: the parse link, else the prototype (a scope built by hand may chain either way). */
function outer(o: object): object | null {
  // Own link only: a scope chained by prototype to a parsed one would otherwise read that one's link and skip it.
  const link = Object.hasOwn(o, PARENT_SCOPE) ? (o as LinkedScope)[PARENT_SCOPE] : undefined;
  if (link !== undefined) return link;
  const proto = Object.getPrototypeOf(o) as object | null;
  return proto === Object.prototype ? null : proto;
}

/**
 * The namespace a prefix is bound to in a scope, or undefined. Walks the scope chain by own keys, so
 * a prefix such as `constructor` never resolves to an Object.prototype member of a plain-object scope.
 */
export function lookupNamespace(scope: Readonly<Record<string, string>>, prefix: string): string | undefined {
  for (let o: object | null = scope; o !== null; o = outer(o)) {
    if (Object.hasOwn(o, prefix)) return (o as Record<string, string>)[prefix];
  }
  return undefined;
}

/** Every binding in scope, flattened into one prototype-less object (innermost declaration wins). */
export function namespacesInScope(scope: Readonly<Record<string, string>>): Record<string, string> {
  const chain: object[] = [];
  for (let o: object | null = scope; o !== null; o = outer(o)) chain.push(o);
  const out = Object.create(null) as Record<string, string>;
  for (let i = chain.length - 1; i >= 0; i--) for (const k of Object.keys(chain[i]!)) out[k] = (chain[i] as Record<string, string>)[k]!;
  return out;
}
