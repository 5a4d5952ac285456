/**
 * Writes an XmlElement (as produced by parseXml) back to XML text as a self-contained fragment:
 * every namespace prefix the fragment needs is declared, on its root where the binding is the
 * same as at the root, and locally where a descendant rebinds it. Used to keep fault details and
 * other unknown elements as text for logs and error objects.
 *
 * The parsed tree keeps no xmlns attributes (they live in `scope`), so declarations are recomputed.
 * A prefix is "needed" when it is used by an element or attribute name, or when an attribute value
 * or the text of a text-only element is a single QName whose prefix is bound (xsi:type="p:X_Type",
 * s:Value "w:InvalidSelectors"): such QNames would otherwise lose their meaning.
 * CDATA sections are written as escaped text (same infoset).
 */
import { escapeAttr, escapeText } from './escape.js';
import { lookupNamespace, type XmlElement } from './tree.js';

type Bindings = Readonly<Record<string, string>>;

// A whole value of the form prefix:local (NCName:NCName, ASCII subset). URLs fail on the "//".
const QNAME_VALUE = /^\s*([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*$/;

/** Serialize an element and its subtree; the result parses on its own with the same names and values. */
export function serializeXml(el: XmlElement): string {
  const rootDecls = bindings();
  collectRootBindings(el, el, rootDecls);
  const out: string[] = [];
  write(el, bindings(), rootDecls, out);
  return out.join('');
}

/**
 * Prefix maps without a prototype, so prefixes named `__proto__` or `constructor` (legal XML names)
 * are stored and looked up like any other instead of hitting Object.prototype.
 */
function bindings(...from: Bindings[]): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, ...from);
}

/** Prefix -> namespace URI pairs this element itself needs in scope. '' is the default namespace. */
function neededAt(el: XmlElement): Array<[string, string]> {
  const need: Array<[string, string]> = [[el.prefix, el.ns]];
  for (const a of el.attrs) {
    const p = prefixOf(a.name);
    if (p !== '' && p !== 'xml') need.push([p, a.ns]);
    qnamePrefix(el, a.value, need);
  }
  if (el.children.length > 0 && el.children.every((c) => c.kind === 'text')) {
    let text = '';
    for (const c of el.children) if (c.kind === 'text') text += c.value;
    qnamePrefix(el, text, need);
  }
  return need;
}

function qnamePrefix(el: XmlElement, value: string, need: Array<[string, string]>): void {
  const m = QNAME_VALUE.exec(value);
  if (!m) return;
  const p = m[1]!;
  const uri = lookupNamespace(el.scope, p);
  if (uri !== undefined && p !== 'xml') need.push([p, uri]);
}

function prefixOf(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? '' : qname.slice(0, i);
}

/** Bindings needed anywhere in the subtree that agree with the root's scope: declared once on the root. */
function collectRootBindings(root: XmlElement, el: XmlElement, decls: Record<string, string>): void {
  for (const [p, uri] of neededAt(el)) {
    if (p in decls) continue;
    const atRoot = p === '' ? (lookupNamespace(root.scope, '') ?? '') : lookupNamespace(root.scope, p);
    if (atRoot === uri) decls[p] = uri;
  }
  for (const c of el.children) if (c.kind === 'element') collectRootBindings(root, c, decls);
}

function write(el: XmlElement, outScope: Bindings, extra: Bindings, out: string[]): void {
  const decls = bindings();
  for (const [p, uri] of Object.entries(extra)) {
    if (bound(outScope, p) !== uri) decls[p] = uri;
  }
  for (const [p, uri] of neededAt(el)) {
    const current = p in decls ? decls[p] : bound(outScope, p);
    if (current !== uri) decls[p] = uri;
  }
  const scope = Object.keys(decls).length > 0 ? bindings(outScope, decls) : outScope;

  out.push('<', el.name);
  for (const [p, uri] of Object.entries(decls)) {
    out.push(p === '' ? ' xmlns="' : ` xmlns:${p}="`, escapeAttr(uri), '"');
  }
  for (const a of el.attrs) out.push(' ', a.name, '="', escapeAttr(a.value), '"');
  if (el.children.length === 0) {
    out.push('/>');
    return;
  }
  out.push('>');
  for (const c of el.children) {
    if (c.kind === 'text') out.push(escapeText(c.value));
    else write(c, scope, {}, out);
  }
  out.push('</', el.name, '>');
}

/** What a prefix means in the output so far; the default namespace starts as "no namespace". */
function bound(scope: Bindings, p: string): string | undefined {
  return p === '' ? (scope[''] ?? '') : scope[p];
}
