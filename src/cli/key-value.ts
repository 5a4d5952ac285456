/**
 * `K=V` arguments: selectors (`--selector InstanceID=...`) and method parameters (`--param`), whose
 * name may carry a kind: `Name=text`, `Name:file=PATH` (the file's text, e.g. an embedded instance
 * in CIM-XML, sent as that text), `Name:instance=PATH` (a CIM-XML INSTANCE file decoded, then sent as
 * the dialect wants: CIM-XML text for wmi, a WS-CIM element for cim/OMI),
 * `Name:ref=Class?Key=Value&Key2=Value2` (an endpoint reference; the class may be a full
 * resource URI; keys and values are percent-decoded) and `Name:null` (xsi:nil). Repeating a name
 * makes an array. Parameters stay in the order given, since WMI checks them in MOF order.
 */
import { readFileSync } from 'node:fs';
import type { CimReference } from '../cim/types.js';
import { decodeCimXmlInstance } from '../cim/cim-xml.js';
import { HypervWsmanError, InvalidOptionError } from '../errors.js';
import type { InvokeParams, InvokeParamValue, InvokeScalar } from '../wsman/invoke-params.js';
import { wmiResourceUri } from '../wsman/namespaces.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Split at the first `=`; values may contain more. */
function splitPair(text: string): [string, string | undefined] {
  const eq = text.indexOf('=');
  return eq < 0 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
}

/** `--selector K=V` (repeatable) into a selector set; a key given twice is refused. */
export function parseSelectors(items: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const [key, value] = splitPair(item);
    if (value === undefined || key === '') throw new InvalidOptionError(`--selector expects KEY=VALUE, got "${item}".`);
    if (Object.hasOwn(out, key)) throw new InvalidOptionError(`--selector ${key} is given twice.`);
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function decodePart(s: string, item: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new InvalidOptionError(`Bad percent-encoding in --param "${item}".`);
  }
}

/** `Class?K=V&K2=V2` (or `URI?K=V`) into a reference; the class is resolved in `namespace`. */
export function parseReference(text: string, namespace: string, item: string): CimReference {
  const q = text.indexOf('?');
  const target = q < 0 ? text : text.slice(0, q);
  const query = q < 0 ? '' : text.slice(q + 1);
  if (target === '') throw new InvalidOptionError(`--param "${item}": a reference needs a class or resource URI before "?".`);
  const isUri = target.includes('://');
  if (!isUri && !IDENTIFIER.test(target)) throw new InvalidOptionError(`--param "${item}": "${target}" is neither a class name nor a resource URI.`);
  const selectors: Record<string, string> = {};
  for (const part of query === '' ? [] : query.split('&')) {
    const [k, v] = splitPair(part);
    if (v === undefined || k === '') throw new InvalidOptionError(`--param "${item}": selector "${part}" is not KEY=VALUE.`);
    Object.defineProperty(selectors, decodePart(k, item), { value: decodePart(v, item), enumerable: true, writable: true, configurable: true });
  }
  const resourceUri = isUri ? target : wmiResourceUri(namespace, target);
  return { kind: 'reference', resourceUri, ...(isUri ? {} : { className: target, namespace }), selectors };
}

type ParamKind = 'text' | 'file' | 'instance' | 'ref' | 'null';
const PARAM_KINDS: ReadonlySet<string> = new Set<ParamKind>(['text', 'file', 'instance', 'ref', 'null']);

function readParamFile(path: string, item: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidOptionError(`--param "${item}": cannot read ${path}: ${(err as Error).message}`);
  }
}

const PARAM_READERS: Readonly<Record<Exclude<ParamKind, 'null'>, (value: string, namespace: string, item: string) => InvokeScalar>> = {
  text: (v) => v,
  file: (path, _ns, item) => readParamFile(path, item),
  instance: (path, _ns, item) => {
    try {
      return decodeCimXmlInstance(readParamFile(path, item));
    } catch (err) {
      if (err instanceof HypervWsmanError && !(err instanceof InvalidOptionError)) throw new InvalidOptionError(`--param "${item}": ${path} is not a CIM-XML INSTANCE: ${err.message}`);
      throw err;
    }
  },
  ref: (v, ns, item) => parseReference(v, ns, item),
};

function parseParamName(head: string, item: string): { name: string; kind: ParamKind } {
  const colon = head.indexOf(':');
  const name = colon < 0 ? head : head.slice(0, colon);
  const kind = colon < 0 ? 'text' : head.slice(colon + 1);
  if (!IDENTIFIER.test(name)) throw new InvalidOptionError(`--param "${item}": "${name}" is not a parameter name.`);
  if (!PARAM_KINDS.has(kind)) {
    throw new InvalidOptionError(`--param "${item}": unknown kind "${kind}"; use Name=text, Name:file=PATH, Name:instance=PATH, Name:ref=Class?K=V or Name:null.`);
  }
  return { name, kind: kind as ParamKind };
}

/** `--param` items into invoke parameters, in the order given. */
export function parseParams(items: readonly string[] | undefined, namespace: string): InvokeParams {
  const out = new Map<string, InvokeParamValue>();
  for (const item of items ?? []) {
    const [head, value] = splitPair(item);
    const { name, kind } = parseParamName(head, item);
    let v: InvokeParamValue;
    if (kind === 'null') {
      if (value !== undefined) throw new InvalidOptionError(`--param "${item}": Name:null takes no value.`);
      v = null;
    } else {
      if (value === undefined) throw new InvalidOptionError(`--param expects NAME=VALUE, got "${item}".`);
      v = PARAM_READERS[kind](value, namespace, item);
    }
    const prev = out.get(name);
    if (prev === undefined) out.set(name, v);
    else if (prev === null || v === null) throw new InvalidOptionError(`--param ${name}: a null parameter cannot be repeated.`);
    else out.set(name, [...(Array.isArray(prev) ? (prev as readonly InvokeScalar[]) : [prev as InvokeScalar]), v as InvokeScalar]);
  }
  return Object.fromEntries(out);
}
