/**
 * DSP0201 CIM-XML instances, the form in which WMI returns embedded-instance strings such as the
 * `Msvm_Error` of `GetError` (protocol-facts 2 and 3). Decoding follows the DSP0203 DTD:
 * INSTANCE holds QUALIFIER*, then PROPERTY / PROPERTY.ARRAY / PROPERTY.REFERENCE; a missing VALUE
 * (or VALUE.ARRAY, VALUE.REFERENCE) is NULL and VALUE.NULL is a NULL array element.
 * WMI departs from the DTD in two ways handled here: booleans are written `TRUE`/`FALSE`, and system
 * properties (`__PATH`, `__CLASS` ...) carry CLASSORIGIN="___SYSTEM"; both are kept as ordinary values.
 */
import { CimDecodeError, HypervWsmanError, InvalidOptionError } from '../errors.js';
import { escapeAttr, escapeText } from '../xml/escape.js';
import { parseXml } from '../xml/parse.js';
import { attr, child, elements, textOf, type XmlElement } from '../xml/tree.js';
import { formatCimDateTime, parseCimDateTime } from './datetime.js';
import { formatObjectPath } from './epr.js';
import { InstanceShapes, type CollectedProperties } from './instance-shape.js';
import {
  CimDateTime,
  CimInterval,
  isCimInstance,
  isCimReference,
  setOwn,
  type CimInstance,
  type CimIntrinsicType,
  type CimPropertyInfo,
  type CimReference,
  type CimScalar,
  type CimType,
  type CimValue,
} from './types.js';

export interface DecodeCimXmlOptions {
  /** Refuse CIM-XML text larger than this many bytes (UTF-8). Default: parseXml's default. */
  readonly maxBytes?: number;
}

/** What encodeCimXmlInstance needs; a decoded CimInstance fits. */
export interface CimXmlInstanceInput {
  readonly className: string;
  readonly properties: Readonly<Record<string, CimValue>>;
  readonly propertyInfo?: Readonly<Record<string, CimPropertyInfo>>;
}

/**
 * Embedded instances inside embedded instances are decoded up to this depth; deeper ones stay strings.
 * Each level re-parses its text, so the cap bounds the work a hostile document can cause.
 */
const MAX_EMBEDDING_DEPTH = 8;

/** Elements that carry an INSTANCE one level down (DSP0201 VALUE.* object wrappers). */
const INSTANCE_WRAPPERS = new Set(['VALUE.NAMEDINSTANCE', 'VALUE.OBJECT', 'VALUE.OBJECTWITHPATH', 'VALUE.OBJECTWITHLOCALPATH', 'VALUE.INSTANCEWITHPATH']);

const INTRINSIC_TYPES: ReadonlySet<string> = new Set<CimIntrinsicType>([
  'boolean', 'string', 'char16', 'uint8', 'sint8', 'uint16', 'sint16', 'uint32', 'sint32', 'uint64', 'sint64', 'real32', 'real64', 'datetime',
]);

type IntegerType = 'uint8' | 'sint8' | 'uint16' | 'sint16' | 'uint32' | 'sint32' | 'uint64' | 'sint64';

/** Inclusive ranges (DSP0004 5.2). 64-bit values decode to bigint, the others to number. */
const INTEGER_RANGES: Readonly<Record<IntegerType, readonly [bigint, bigint]>> = {
  uint8: [0n, 0xffn],
  sint8: [-0x80n, 0x7fn],
  uint16: [0n, 0xffffn],
  sint16: [-0x8000n, 0x7fffn],
  uint32: [0n, 0xffff_ffffn],
  sint32: [-0x8000_0000n, 0x7fff_ffffn],
  uint64: [0n, 0xffff_ffff_ffff_ffffn],
  sint64: [-0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn],
};

/** xs:boolean spellings plus WMI's uppercase ones (compared lowercased). */
const BOOLEANS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false };

/** DSP0201 special real values (compared lowercased). */
const SPECIAL_REALS: Readonly<Record<string, number>> = { inf: Infinity, '+inf': Infinity, '-inf': -Infinity, nan: NaN };

const DECIMAL_INTEGER = /^[+-]?\d+$/;
const HEX_INTEGER = /^([+-]?)0x([0-9a-f]+)$/i;
// Written so no two parts can match the same digits: `\d+\.?\d*` backtracked quadratically on a long digit run.
const REAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/** Decimal texts this short are exact as doubles, so the 8- to 32-bit types skip BigInt. */
const SHORT_DECIMAL = /^[+-]?\d{1,15}$/;

function decodeInteger(type: IntegerType, text: string, where: string): number | bigint {
  const t = text.trim();
  if (type !== 'uint64' && type !== 'sint64' && SHORT_DECIMAL.test(t)) {
    const v = Number(t);
    const [lo, hi] = INTEGER_RANGES[type];
    if (v < Number(lo) || v > Number(hi)) throw new CimDecodeError(`${where}: ${clip(t)} is out of range for ${type} (${lo}..${hi}).`);
    // -0 is 0 as an integer.
    return v === 0 ? 0 : v;
  }
  const hex = HEX_INTEGER.exec(t);
  let n: bigint;
  if (hex) n = (hex[1] === '-' ? -1n : 1n) * BigInt(`0x${hex[2]}`);
  else if (DECIMAL_INTEGER.test(t)) n = BigInt(t);
  else throw new CimDecodeError(`${where}: "${clip(t)}" is not a ${type} integer.`);
  const [lo, hi] = INTEGER_RANGES[type];
  if (n < lo || n > hi) throw new CimDecodeError(`${where}: ${clip(t)} is out of range for ${type} (${lo}..${hi}).`);
  return type === 'uint64' || type === 'sint64' ? n : Number(n);
}

function decodeReal(text: string, where: string): number {
  const t = text.trim();
  const special = lookupOwn(SPECIAL_REALS, t.toLowerCase());
  if (special !== undefined) return special;
  if (!REAL.test(t)) throw new CimDecodeError(`${where}: "${clip(t)}" is not a real number.`);
  return Number(t);
}

function decodeBoolean(text: string, where: string): boolean {
  const b = lookupOwn(BOOLEANS, text.trim().toLowerCase());
  if (b === undefined) throw new CimDecodeError(`${where}: "${clip(text.trim())}" is not a boolean.`);
  return b;
}

function decodeDatetime(text: string, where: string): CimDateTime | CimInterval {
  try {
    return parseCimDateTime(text);
  } catch (err) {
    throw new CimDecodeError(`${where}: ${(err as Error).message}`, { cause: err });
  }
}

const keepText = (text: string): string => text;

/** Text -> typed value by CIM type. Strings are kept exactly (never trimmed); numbers are trimmed. */
const SCALAR_DECODERS: Readonly<Record<CimIntrinsicType | 'unknown', (text: string, where: string) => CimScalar>> = {
  string: keepText,
  char16: keepText,
  unknown: keepText,
  boolean: decodeBoolean,
  uint8: (t, w) => decodeInteger('uint8', t, w),
  sint8: (t, w) => decodeInteger('sint8', t, w),
  uint16: (t, w) => decodeInteger('uint16', t, w),
  sint16: (t, w) => decodeInteger('sint16', t, w),
  uint32: (t, w) => decodeInteger('uint32', t, w),
  sint32: (t, w) => decodeInteger('sint32', t, w),
  uint64: (t, w) => decodeInteger('uint64', t, w),
  sint64: (t, w) => decodeInteger('sint64', t, w),
  real32: decodeReal,
  real64: decodeReal,
  datetime: decodeDatetime,
};

/**
 * Convert the text of one value to its CIM type. `datetime` expects the DMTF form. Throws
 * CimDecodeError naming `where` (e.g. `property "JobState"`) when the text does not fit the type.
 */
export function decodeCimScalar(type: CimIntrinsicType | 'unknown', text: string, where = 'value'): CimScalar {
  return SCALAR_DECODERS[type](text, where);
}

export function isCimIntrinsicType(t: string): t is CimIntrinsicType {
  return INTRINSIC_TYPES.has(t);
}

/** Assign without letting a key such as `__proto__` reach the prototype (plain assignment otherwise: defineProperty is slow). */
export const defineOwn: <T>(obj: Record<string, T>, key: string, value: T) => void = setOwn;

/**
 * A table entry by a key taken from the wire, own entries only: `table[key]` would hand back
 * Object.prototype members for keys such as `constructor` or `toString` (a function as a boolean
 * value, a non-function "reader").
 */
export function lookupOwn<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function clip(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}...` : s;
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Decode the text of an embedded instance (already un-escaped once by the SOAP parser).
 * Throws CimDecodeError for content that is not a CIM-XML instance, and the XML layer's typed
 * errors (XmlParseError, XmlForbiddenError for a DOCTYPE, XmlTooLargeError) for bad XML.
 */
export function decodeCimXmlInstance(text: string, options: DecodeCimXmlOptions = {}): CimInstance {
  return decodeText(text, options.maxBytes, 0);
}

/** Decode an already-parsed INSTANCE, or a VALUE.NAMEDINSTANCE / VALUE.OBJECT(...) wrapper around one. */
export function decodeCimXmlElement(el: XmlElement, raw?: string): CimInstance {
  return decodeElement(el, raw, 0);
}

function decodeText(text: string, maxBytes: number | undefined, depth: number): CimInstance {
  const t = text.trim();
  if (!t.startsWith('<')) throw new CimDecodeError(`Embedded instance text is not CIM-XML: "${clip(t)}".`);
  const root = parseXml(t, maxBytes === undefined ? {} : { maxBytes });
  return decodeElement(root, text, depth);
}

/** CIM-XML has no namespace; children are looked up in the root's (normally '') so a default xmlns cannot hide them. */
function cimChild(el: XmlElement, local: string): XmlElement | undefined {
  return child(el, el.ns, local);
}

function cimChildren(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.kind === 'element' && c.ns === el.ns) out.push(c);
  return out;
}

function decodeElement(el: XmlElement, raw: string | undefined, depth: number): CimInstance {
  let inst = el;
  if (INSTANCE_WRAPPERS.has(el.local)) {
    const found = cimChild(el, 'INSTANCE');
    if (!found) throw new CimDecodeError(`<${el.name}> holds no INSTANCE (a CLASS cannot be decoded as an instance).`);
    inst = found;
  }
  if (inst.local !== 'INSTANCE') throw new CimDecodeError(`Expected a CIM-XML <INSTANCE>, found <${inst.name}>.`);
  const className = attr(inst, 'CLASSNAME');
  if (!className) throw new CimDecodeError('CIM-XML <INSTANCE> has no CLASSNAME.');

  const out: CollectedProperties = { names: [], values: [], infos: [] };
  for (const c of cimChildren(inst)) {
    const reader = lookupOwn(PROPERTY_READERS, c.local);
    if (reader === undefined) throw new CimDecodeError(`Unexpected <${c.name}> in CIM-XML INSTANCE ${className}.`);
    if (reader === null) continue;
    const name = attr(c, 'NAME');
    if (!name) throw new CimDecodeError(`<${c.name}> in INSTANCE ${className} has no NAME.`);
    const { value, info } = reader(c, `${className}.${name}`, depth);
    out.names.push(name);
    out.values.push(value);
    out.infos.push(info);
  }
  const made = shapes.make(className, out);
  if (made === undefined) {
    const twice = out.names.find((n, i) => out.names.indexOf(n) !== i);
    throw new CimDecodeError(`Property "${twice}" appears twice in INSTANCE ${className}.`);
  }
  return { kind: 'instance', className, ...made, source: 'cim-xml', ...(raw !== undefined ? { raw } : {}) };
}

/** Infos here are made per property, so they are compared field by field. */
const shapes = new InstanceShapes(
  (a, b) => a.type === b.type && a.isArray === b.isArray && a.classOrigin === b.classOrigin && a.propagated === b.propagated && a.embeddedObject === b.embeddedObject,
);

interface DecodedProperty {
  readonly value: CimValue;
  readonly info: CimPropertyInfo;
}

type PropertyReader = (el: XmlElement, where: string, depth: number) => DecodedProperty;

/** Per INSTANCE child: how to read it; null = skip (qualifiers carry no instance data). */
const PROPERTY_READERS: Readonly<Record<string, PropertyReader | null>> = {
  QUALIFIER: null,
  PROPERTY: readProperty,
  'PROPERTY.ARRAY': readArrayProperty,
  'PROPERTY.REFERENCE': readReferenceProperty,
};

/** TYPE, CLASSORIGIN, PROPAGATED and EmbeddedObject of a property element. */
function commonInfo(el: XmlElement, type: CimType, isArray: boolean): CimPropertyInfo {
  const classOrigin = attr(el, 'CLASSORIGIN');
  const propagated = attr(el, 'PROPAGATED')?.trim().toLowerCase() === 'true';
  const embeddedObject = embeddedKind(el);
  const info: { -readonly [K in keyof CimPropertyInfo]: CimPropertyInfo[K] } = { type, isArray };
  if (classOrigin !== undefined) info.classOrigin = classOrigin;
  if (propagated) info.propagated = propagated;
  if (embeddedObject) info.embeddedObject = embeddedObject;
  return info;
}

/** The EmbeddedObject attribute (DSP0201 2.3), or the EmbeddedInstance/EmbeddedObject qualifier it stands for. */
function embeddedKind(el: XmlElement): 'instance' | 'object' | undefined {
  const a = attr(el, 'EmbeddedObject')?.trim().toLowerCase();
  if (a === 'instance' || a === 'object') return a;
  for (const q of el.children) {
    if (q.kind !== 'element' || q.ns !== el.ns || q.local !== 'QUALIFIER') continue;
    const name = attr(q, 'NAME')?.toLowerCase();
    if (name === 'embeddedinstance') return 'instance';
    const v = cimChild(q, 'VALUE');
    if (name === 'embeddedobject' && v && textOf(v).trim().toLowerCase() === 'true') return 'object';
  }
  return undefined;
}

function declaredType(el: XmlElement): CimIntrinsicType | 'unknown' {
  const t = attr(el, 'TYPE')?.trim();
  return t !== undefined && isCimIntrinsicType(t) ? t : 'unknown';
}

/** The single optional child of the given name; two are malformed. */
function optionalChild(el: XmlElement, local: string, where: string): XmlElement | undefined {
  let found: XmlElement | undefined;
  for (const c of el.children) {
    if (c.kind !== 'element' || c.ns !== el.ns || c.local !== local) continue;
    if (found) throw new CimDecodeError(`${where}: more than one <${local}>.`);
    found = c;
  }
  return found;
}

function valueText(v: XmlElement, where: string): string {
  const kids = v.children;
  // The common case: one text node (or none).
  if (kids.length === 0) return '';
  if (kids.length === 1 && kids[0]!.kind === 'text') return kids[0]!.value;
  if (elements(v).length > 0) throw new CimDecodeError(`${where}: <VALUE> contains elements.`);
  return textOf(v);
}

function readProperty(el: XmlElement, where: string, depth: number): DecodedProperty {
  const type = declaredType(el);
  const info = commonInfo(el, type, false);
  const v = optionalChild(el, 'VALUE', where);
  // A NULL embedded-instance property is still of instance type.
  if (!v) return { value: null, info: info.embeddedObject ? { ...info, type: 'instance' } : info };
  const value = decodeCimScalar(type, valueText(v, where), where);
  if (info.embeddedObject && typeof value === 'string') {
    const nested = tryDecodeEmbedded(value, depth);
    if (nested) return { value: nested, info: { ...info, type: 'instance' } };
  }
  return { value, info };
}

function readArrayProperty(el: XmlElement, where: string, depth: number): DecodedProperty {
  const type = declaredType(el);
  const info = commonInfo(el, type, true);
  const arr = optionalChild(el, 'VALUE.ARRAY', where);
  if (!arr) return { value: null, info: info.embeddedObject ? { ...info, type: 'instance' } : info };
  const items: Array<CimScalar | null> = [];
  for (const item of cimChildren(arr)) {
    if (item.local === 'VALUE.NULL') items.push(null);
    else if (item.local === 'VALUE') items.push(decodeCimScalar(type, valueText(item, where), `${where}[${items.length}]`));
    else throw new CimDecodeError(`${where}: unexpected <${item.name}> in VALUE.ARRAY.`);
  }
  if (info.embeddedObject) {
    // All-or-nothing, so an array never mixes instances with undecodable strings.
    const nested = items.map((s) => (typeof s === 'string' ? tryDecodeEmbedded(s, depth) : null));
    if (items.every((s, i) => s === null || nested[i])) {
      return { value: nested.map((x) => x ?? null), info: { ...info, type: 'instance' } };
    }
  }
  return { value: items, info };
}

function readReferenceProperty(el: XmlElement, where: string): DecodedProperty {
  const info = commonInfo(el, 'reference', false);
  const ref = optionalChild(el, 'VALUE.REFERENCE', where);
  return { value: ref ? decodeValueReference(ref, where) : null, info };
}

/** A nested embedded instance, or undefined when the text is not one (it is then kept as a string). */
function tryDecodeEmbedded(text: string, depth: number): CimInstance | undefined {
  if (depth + 1 > MAX_EMBEDDING_DEPTH || !text.trim().startsWith('<')) return undefined;
  try {
    return decodeText(text, undefined, depth + 1);
  } catch (err) {
    if (err instanceof HypervWsmanError) return undefined;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// References (DSP0201 VALUE.REFERENCE)

interface PathParts {
  className?: string;
  namespace?: string;
  selectors: Record<string, string>;
}

/** How each VALUE.REFERENCE alternative names its target. HOST is not kept (CimReference has no field for it). */
const REFERENCE_FORMS: Readonly<Record<string, (el: XmlElement, where: string) => PathParts>> = {
  INSTANCEPATH: (el, w) => ({ ...instanceName(required(el, 'INSTANCENAME', w), w), ...namespaceOf(required(el, 'NAMESPACEPATH', w), w) }),
  LOCALINSTANCEPATH: (el, w) => ({ ...instanceName(required(el, 'INSTANCENAME', w), w), ...localNamespace(required(el, 'LOCALNAMESPACEPATH', w)) }),
  INSTANCENAME: (el, w) => instanceName(el, w),
  CLASSPATH: (el, w) => ({ ...classNameOf(required(el, 'CLASSNAME', w)), ...namespaceOf(required(el, 'NAMESPACEPATH', w), w) }),
  LOCALCLASSPATH: (el, w) => ({ ...classNameOf(required(el, 'CLASSNAME', w)), ...localNamespace(required(el, 'LOCALNAMESPACEPATH', w)) }),
  CLASSNAME: (el) => classNameOf(el),
};

function required(el: XmlElement, local: string, where: string): XmlElement {
  const c = cimChild(el, local);
  if (!c) throw new CimDecodeError(`${where}: <${el.name}> has no <${local}>.`);
  return c;
}

function classNameOf(el: XmlElement): PathParts {
  const name = attr(el, 'NAME');
  return { selectors: {}, ...(name ? { className: name } : {}) };
}

function namespaceOf(nsPath: XmlElement, where: string): { namespace?: string } {
  return localNamespace(required(nsPath, 'LOCALNAMESPACEPATH', where));
}

/** NAMESPACE NAME attributes joined with '/', e.g. root/virtualization/v2. */
function localNamespace(el: XmlElement): { namespace?: string } {
  const parts = cimChildren(el)
    .filter((c) => c.local === 'NAMESPACE')
    .map((c) => attr(c, 'NAME') ?? '')
    .filter((p) => p !== '');
  return parts.length ? { namespace: parts.join('/') } : {};
}

function instanceName(el: XmlElement, where: string): PathParts {
  const className = attr(el, 'CLASSNAME');
  const selectors: Record<string, string> = {};
  for (const c of cimChildren(el)) {
    if (c.local === 'KEYBINDING') {
      const name = attr(c, 'NAME');
      const v = cimChildren(c)[0];
      if (name === undefined || !v) throw new CimDecodeError(`${where}: KEYBINDING without NAME or value.`);
      defineOwn(selectors, name, keyValue(v, where));
    } else {
      // A lone KEYVALUE or VALUE.REFERENCE is the single key of its class; its name is not written, so it is ''.
      defineOwn(selectors, '', keyValue(c, where));
    }
  }
  return { selectors, ...(className ? { className } : {}) };
}

/** KEYVALUE text as written, or a nested reference as its object path. */
function keyValue(el: XmlElement, where: string): string {
  if (el.local === 'VALUE.REFERENCE') return formatObjectPath(decodeValueReference(el, where));
  if (el.local === 'KEYVALUE') return textOf(el);
  throw new CimDecodeError(`${where}: unexpected <${el.name}> in a key binding.`);
}

function decodeValueReference(el: XmlElement, where: string): CimReference {
  const target = cimChildren(el)[0];
  const form = target ? lookupOwn(REFERENCE_FORMS, target.local) : undefined;
  if (!target || !form) throw new CimDecodeError(`${where}: VALUE.REFERENCE holds no instance or class path.`);
  const { className, namespace, selectors } = form(target, where);
  return { kind: 'reference', ...(className ? { className } : {}), ...(namespace ? { namespace } : {}), selectors };
}

// ---------------------------------------------------------------------------------------------
// Encoding (for Invoke inputs that take an embedded instance)

/** CIM-XML TYPE for a JS value when no propertyInfo says otherwise. */
function inferType(v: CimScalar | null): CimType {
  if (v === null || typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'bigint') return 'sint64';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'sint64' : 'real64';
  if (v instanceof CimDateTime || v instanceof CimInterval) return 'datetime';
  if (isCimReference(v)) return 'reference';
  return 'instance';
}

function formatReal(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'INF';
  if (n === -Infinity) return '-INF';
  return String(n);
}

function encodeError(where: string, message: string): InvalidOptionError {
  return new InvalidOptionError(`Cannot encode ${where} as CIM-XML: ${message}`);
}

/** VALUE text (unescaped) of one scalar of the given type. Strings for non-string types are validated, then passed through. */
function scalarText(type: CimIntrinsicType, v: CimScalar, where: string): string {
  if (typeof v === 'string') {
    try {
      decodeCimScalar(type, v, where);
    } catch (err) {
      throw encodeError(where, (err as Error).message);
    }
    return v;
  }
  if (isCimInstance(v)) {
    if (type !== 'string') throw encodeError(where, `an embedded instance needs TYPE string, not ${type}.`);
    return encodeCimXmlInstance(v);
  }
  if (type in INTEGER_RANGES) {
    if (typeof v !== 'number' && typeof v !== 'bigint') throw encodeError(where, `expected an integer for ${type}.`);
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw encodeError(where, `${v} is not a safe integer.`);
    const [lo, hi] = INTEGER_RANGES[type as IntegerType];
    const n = BigInt(v);
    if (n < lo || n > hi) throw encodeError(where, `${v} is out of range for ${type}.`);
    return n.toString();
  }
  if ((type === 'real32' || type === 'real64') && typeof v === 'number') return formatReal(v);
  if (type === 'boolean' && typeof v === 'boolean') return v ? 'true' : 'false';
  if (type === 'datetime' && (v instanceof CimDateTime || v instanceof CimInterval)) return formatCimDateTime(v);
  throw encodeError(where, `value does not fit TYPE ${type}.`);
}

function propertyAttrs(name: string, type: string | undefined, info: CimPropertyInfo | undefined, embedded: boolean): string {
  let s = ` NAME="${escapeAttr(name)}"`;
  if (info?.classOrigin !== undefined) s += ` CLASSORIGIN="${escapeAttr(info.classOrigin)}"`;
  if (info?.propagated) s += ' PROPAGATED="true"';
  if (type !== undefined) s += ` TYPE="${type}"`;
  if (embedded) s += ` EmbeddedObject="${info?.embeddedObject ?? 'instance'}"`;
  return s;
}

function encodeReference(ref: CimReference, where: string): string {
  const className = ref.className;
  if (!className) throw encodeError(where, 'the reference has no className.');
  const keys = Object.entries(ref.selectors)
    .map(([k, v]) => `<KEYBINDING NAME="${escapeAttr(k)}"><KEYVALUE VALUETYPE="string" TYPE="string">${escapeText(v)}</KEYVALUE></KEYBINDING>`)
    .join('');
  const name = `<INSTANCENAME CLASSNAME="${escapeAttr(className)}">${keys}</INSTANCENAME>`;
  if (!ref.namespace) return `<VALUE.REFERENCE>${name}</VALUE.REFERENCE>`;
  const ns = ref.namespace
    .split(/[\\/]/)
    .filter((p) => p !== '')
    .map((p) => `<NAMESPACE NAME="${escapeAttr(p)}"/>`)
    .join('');
  return `<VALUE.REFERENCE><LOCALINSTANCEPATH><LOCALNAMESPACEPATH>${ns}</LOCALNAMESPACEPATH>${name}</LOCALINSTANCEPATH></VALUE.REFERENCE>`;
}

function encodeProperty(name: string, value: CimValue, info: CimPropertyInfo | undefined, where: string): string {
  const isArray = Array.isArray(value) || (value === null && info?.isArray === true);
  if (info?.isArray === false && Array.isArray(value)) throw encodeError(where, 'an array was given for a scalar property.');
  if (info?.isArray === true && value !== null && !Array.isArray(value)) throw encodeError(where, 'a scalar was given for an array property.');
  const items: ReadonlyArray<CimScalar | null> = Array.isArray(value) ? value : [value as CimScalar | null];
  const known = info && info.type !== 'unknown' ? info.type : undefined;
  const type = known ?? inferType(items.find((x) => x !== null) ?? null);

  if (type === 'reference') {
    if (isArray) throw encodeError(where, 'arrays of references cannot be written in an INSTANCE.');
    const ref = items[0] ?? null;
    if (ref !== null && !isCimReference(ref)) throw encodeError(where, 'expected a reference.');
    return `<PROPERTY.REFERENCE${propertyAttrs(name, undefined, info, false)}>${ref ? encodeReference(ref, where) : ''}</PROPERTY.REFERENCE>`;
  }
  // Embedded instances travel as strings marked EmbeddedObject (DSP0201 2.3); their text is escaped once more here.
  const embedded = type === 'instance' || info?.embeddedObject !== undefined || items.some((x) => isCimInstance(x));
  const wireType: CimIntrinsicType = type === 'instance' ? 'string' : (type as CimIntrinsicType);
  const values = items.map((x, i) => {
    const w = isArray ? `${where}[${i}]` : where;
    if (x === null) return isArray ? '<VALUE.NULL/>' : '';
    if (isCimReference(x)) throw encodeError(w, 'a reference inside a non-reference property.');
    return `<VALUE>${escapeText(scalarText(wireType, x, w))}</VALUE>`;
  });
  const attrs = propertyAttrs(name, wireType, info, embedded);
  if (!isArray) return `<PROPERTY${attrs}>${values[0] ?? ''}</PROPERTY>`;
  return `<PROPERTY.ARRAY${attrs}>${value === null ? '' : `<VALUE.ARRAY>${values.join('')}</VALUE.ARRAY>`}</PROPERTY.ARRAY>`;
}

/**
 * Write an instance as DSP0201 CIM-XML text (no XML declaration), for an embedded-instance input
 * parameter. The result is to be escaped (or CDATA-wrapped) once more by the envelope builder.
 * Throws InvalidOptionError when a value does not fit its declared type.
 */
export function encodeCimXmlInstance(instance: CimXmlInstanceInput): string {
  const body = Object.entries(instance.properties)
    .map(([name, value]) => encodeProperty(name, value, instance.propertyInfo?.[name], `${instance.className}.${name}`))
    .join('');
  return `<INSTANCE CLASSNAME="${escapeAttr(instance.className)}">${body}</INSTANCE>`;
}
