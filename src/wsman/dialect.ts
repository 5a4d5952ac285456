/**
 * How a (CIM namespace, class) pair is addressed on the wire. Two conventions exist:
 * - `wmi` (Windows WinRM, [MS-WSMV] 3.1.4.1.1): the namespace is part of the resource URI,
 *   `http://schemas.microsoft.com/wbem/wsman/1/wmi/<ns>/<Class>`, and no `__cimnamespace` selector
 *   may be sent with it (Windows rejects a differing one, note <46>). Embedded-instance inputs are
 *   escaped CIM-XML text (what Hyper-V accepts).
 * - `cim` (DSP0227 / DSP0230, OMI and other non-Windows servers): the resource URI is the class's
 *   DMTF schema URI `http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/<Class>` and the namespace
 *   travels in a `__cimnamespace` selector. OMI reads the class from the last URI segment only and
 *   takes the namespace from that selector alone (default `interop`), so a WMI URI there silently
 *   addresses the wrong namespace. Embedded-instance inputs are nested WS-CIM elements with xsi:type.
 * Method actions are `<resource URI>/<Method>` in both (DSP0230 10.3).
 */
import { InvalidOptionError, UnexpectedReplyError } from '../errors.js';
import type { XmlElement } from '../xml/tree.js';
import { WMI_RESOURCE_PREFIX, wmiResourceUri } from './namespaces.js';
import type { Selectors } from './requests.js';
import type { IdentifyResult } from './responses.js';

export type WsmanDialect = 'wmi' | 'cim';
export const DIALECTS: readonly WsmanDialect[] = ['wmi', 'cim'];

/** DSP0230 / DSP0227: prefix of the resource URI of a class of the DMTF CIM schema (and of OMI's classes). */
export const CIM_SCHEMA_PREFIX = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
/** Selector carrying the CIM namespace with a non-WMI resource URI (DSP0227 7.4). */
export const CIM_NAMESPACE_SELECTOR = '__cimnamespace';

/** Where a request goes: the resource URI and the selectors that must go with it. */
export interface DialectTarget {
  readonly resourceUri: string;
  /** `__cimnamespace` for the cim dialect; empty for wmi. */
  readonly selectors: Selectors;
}

const CLASS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Namespace as servers spell it in selectors and URIs: `/` separators, no leading or trailing `/`. */
export function normalizeNamespace(namespace: string): string {
  return namespace.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
}

/**
 * Resource URI and namespace selector for a class (or `*`, every class, wmi only) of a namespace.
 * The cim dialect has no URI for "every class of a namespace", so `*` is refused there.
 */
export function classTarget(dialect: WsmanDialect, namespace: string, className: string): DialectTarget {
  const ns = normalizeNamespace(namespace);
  if (ns === '') throw new InvalidOptionError('The namespace is empty; name one such as root/cimv2.');
  if (dialect === 'wmi') return { resourceUri: wmiResourceUri(ns, className), selectors: {} };
  if (!CLASS_NAME.test(className)) {
    throw new InvalidOptionError(`The cim dialect addresses one class at a time; "${className}" is not a class name (a WQL query over a whole namespace needs the wmi dialect).`);
  }
  return { resourceUri: `${CIM_SCHEMA_PREFIX}${className}`, selectors: { [CIM_NAMESPACE_SELECTOR]: ns } };
}

/** Windows WinRM reports `OS: … SP: … Stack: 3.0` as ProductVersion ([MS-WSMV] 3.1.4.16); any other server gets the DMTF dialect. */
export function dialectFromIdentify(id: Pick<IdentifyResult, 'productVersion'>): WsmanDialect {
  return /\bStack:\s*\d/.test(id.productVersion) ? 'wmi' : 'cim';
}

/** The dialect a resource URI is written in: wmi for WMI URIs, cim for anything else. */
export function dialectOfResourceUri(resourceUri: string): WsmanDialect {
  return resourceUri.slice(0, WMI_RESOURCE_PREFIX.length).toLowerCase() === WMI_RESOURCE_PREFIX ? 'wmi' : 'cim';
}

/**
 * Selectors for a request: the target's own (keys), plus the namespace selector, refusing a
 * `__cimnamespace` key that contradicts the namespace asked for.
 */
export function mergeSelectors(target: DialectTarget, keys: Selectors | undefined): Selectors {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(keys ?? {})) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const [k, v] of Object.entries(target.selectors)) {
    const clash = Object.keys(out).find((existing) => existing.toLowerCase() === k.toLowerCase());
    if (clash !== undefined && normalizeNamespace(out[clash]!).toLowerCase() !== v.toLowerCase()) {
      throw new InvalidOptionError(`Selector ${clash}=${out[clash]} contradicts the namespace ${v}; give the namespace once.`);
    }
    if (clash === undefined) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Refuse an instance that shows the server ignored the namespace of a WMI resource URI: Windows
 * answers a WMI URI with instances in that URI's namespace, while a cim-dialect server (OMI) reads
 * only the class from it and answers from its default namespace, in the DMTF schema namespace.
 * Silently returning that data would answer a question that was not asked.
 */
export function checkReplyDialect(requestUri: string, instance: XmlElement, label: string): void {
  if (dialectOfResourceUri(requestUri) !== 'wmi') return;
  if (instance.ns.slice(0, CIM_SCHEMA_PREFIX.length).toLowerCase() !== CIM_SCHEMA_PREFIX) return;
  throw new UnexpectedReplyError(
    `The server answered ${label} of a WMI resource URI with <${instance.name}> in the DMTF namespace "${instance.ns}": it speaks the cim dialect, ` +
      'takes the CIM namespace only from a __cimnamespace selector, and may have answered from its default namespace. ' +
      'Use the cim dialect (CLI: --dialect cim).',
    { expected: [`an instance in a namespace under ${WMI_RESOURCE_PREFIX}`], found: [{ name: instance.name, namespace: instance.ns }] },
  );
}
