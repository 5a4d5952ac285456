/**
 * WS-Addressing endpoint references as WS-Man uses them to name a CIM instance (DSP0226 5.1,
 * MS-WSMV 2.2.4.x): `a:Address` plus `a:ReferenceParameters` holding `w:ResourceURI` and a
 * `w:SelectorSet`. Hyper-V returns a job EPR as the children of the out-parameter itself (libvirt reads
 * `p:Job/a:ReferenceParameters/...`); other servers wrap it in `a:EndpointReference`. Both are accepted.
 */
import { CimDecodeError, InvalidOptionError } from '../errors.js';
import { escapeAttr, escapeText } from '../xml/escape.js';
import { attr, child, childrenNamed, elements, textOf, type XmlElement } from '../xml/tree.js';
import { ANONYMOUS, NS, WMI_RESOURCE_PREFIX, wmiResourceUri } from '../wsman/namespaces.js';
import { setOwn as defineOwn, type CimReference } from './types.js';

/** Selector naming the CIM namespace for non-WMI resource URIs (DSP0227); WMI URIs carry it in the path. */
const CIM_NAMESPACE_SELECTOR = '__cimnamespace';

/** True when `el` holds EPR children directly or inside an `a:EndpointReference`. */
export function isEprElement(el: XmlElement): boolean {
  const body = child(el, NS.wsa, 'EndpointReference') ?? el;
  return child(body, NS.wsa, 'ReferenceParameters') !== undefined || child(body, NS.wsa, 'Address') !== undefined;
}

/**
 * The URI without its query or fragment. Found with indexOf-style search, not `/[?#].*$/` (which
 * stops at a newline and backtracks quadratically on many `?`), since the URI comes from the server.
 */
function withoutQuery(uri: string): string {
  const cut = uri.search(/[?#]/);
  return cut < 0 ? uri : uri.slice(0, cut);
}

/** Class name = last non-empty path segment of the resource URI; a `*` (all classes) names none. */
export function classNameFromResourceUri(uri: string): string | undefined {
  // Not `.replace(/\/+$/, '')`: that is quadratic on a long run of slashes followed by another character.
  const last = withoutQuery(uri).split('/').filter((s) => s !== '').pop() ?? '';
  return last === '' || last === '*' ? undefined : last;
}

/** CIM namespace of a WMI resource URI (`.../wmi/<ns>/<Class>`, MS-WSMV 3.1.4.1.1), else undefined. */
export function namespaceFromResourceUri(uri: string): string | undefined {
  if (uri.slice(0, WMI_RESOURCE_PREFIX.length).toLowerCase() !== WMI_RESOURCE_PREFIX) return undefined;
  const rest = withoutQuery(uri.slice(WMI_RESOURCE_PREFIX.length));
  const cut = rest.lastIndexOf('/');
  return cut > 0 ? rest.slice(0, cut) : undefined;
}

export function decodeEpr(el: XmlElement): CimReference {
  const body = child(el, NS.wsa, 'EndpointReference') ?? el;
  const params = child(body, NS.wsa, 'ReferenceParameters');
  const addressEl = child(body, NS.wsa, 'Address');
  if (!params && !addressEl) throw new CimDecodeError(`<${el.name}> is not an endpoint reference: no a:Address or a:ReferenceParameters.`);
  const uriEl = params ? child(params, NS.wsman, 'ResourceURI') : undefined;
  const resourceUri = uriEl ? textOf(uriEl).trim() : undefined;
  const selectors: Record<string, string> = {};
  const set = params ? child(params, NS.wsman, 'SelectorSet') : undefined;
  for (const sel of set ? childrenNamed(set, NS.wsman, 'Selector') : []) {
    const name = attr(sel, 'Name');
    if (name === undefined) throw new CimDecodeError('A w:Selector has no Name attribute.');
    if (Object.hasOwn(selectors, name)) throw new CimDecodeError(`Selector "${name}" appears twice in one SelectorSet.`);
    defineOwn(selectors, name, selectorValue(sel));
  }
  const className = resourceUri ? classNameFromResourceUri(resourceUri) : undefined;
  const namespace = (resourceUri ? namespaceFromResourceUri(resourceUri) : undefined) ?? selectors[CIM_NAMESPACE_SELECTOR];
  return {
    kind: 'reference',
    ...(addressEl ? { address: textOf(addressEl).trim() } : {}),
    ...(resourceUri ? { resourceUri } : {}),
    ...(className ? { className } : {}),
    ...(namespace ? { namespace } : {}),
    selectors,
  };
}

/** A selector holds text, or (DSP0226 7.2) a nested EPR, which is kept as its object-path string. */
function selectorValue(sel: XmlElement): string {
  const nested = elements(sel);
  if (nested.length === 0) return textOf(sel);
  return formatObjectPath(decodeEpr(sel));
}

/**
 * WMI-style object path of a reference: `ns:Class.Key="value",...` (values quoted, `\` and `"`
 * escaped). Used where a reference has to become a string, e.g. a key that is itself a reference.
 */
export function formatObjectPath(ref: CimReference): string {
  const keys = Object.entries(ref.selectors)
    .filter(([k]) => k !== CIM_NAMESPACE_SELECTOR)
    .map(([k, v]) => `${k}="${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`)
    .join(',');
  const cls = ref.className ?? ref.resourceUri ?? '';
  const head = ref.namespace ? `${ref.namespace}:${cls}` : cls;
  return keys ? `${head}.${keys}` : head;
}

/**
 * Children of an EPR-typed input parameter (`a:Address` + `a:ReferenceParameters`), for a body that
 * declares `a` = NS.wsa and `w` = NS.wsman. The resource URI is taken from the reference, or built
 * from its class and namespace for WMI.
 */
export function encodeEpr(ref: CimReference, addressFallback?: string): string {
  const resourceUri = ref.resourceUri ?? (ref.className && ref.namespace ? wmiResourceUri(ref.namespace, ref.className) : undefined);
  if (!resourceUri) throw new InvalidOptionError('A reference needs a resourceUri, or a className and namespace, to be sent as an endpoint reference.');
  const address = ref.address ?? addressFallback ?? ANONYMOUS;
  const selectors = Object.entries(ref.selectors)
    .map(([k, v]) => `<w:Selector Name="${escapeAttr(k)}">${escapeText(v)}</w:Selector>`)
    .join('');
  return (
    `<a:Address>${escapeText(address)}</a:Address>` +
    `<a:ReferenceParameters><w:ResourceURI>${escapeText(resourceUri)}</w:ResourceURI>` +
    (selectors ? `<w:SelectorSet>${selectors}</w:SelectorSet>` : '') +
    `</a:ReferenceParameters>`
  );
}
