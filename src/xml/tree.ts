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
  /** Prefix -> namespace URI in scope at this element ('' = default namespace). Needed for QName values such as fault subcodes. */
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
  // Own keys only, so a prefix such as `constructor` never resolves to something inherited.
  return { ns: (Object.hasOwn(el.scope, prefix) ? el.scope[prefix] : undefined) ?? '', local, prefix };
}
