/**
 * WS-CIM instances (DSP0230), the element trees WinRM returns from Get/Pull and for some
 * out-parameters: one child element per property, named after it; arrays are repeated elements
 * (MS-WSMV 3.1.4.1.26: a NULL array is one element with xsi:nil and m:IsNullArray); datetimes are
 * wrapped in cim:Datetime / cim:Interval / cim:Date / cim:Time; references are EPR children.
 * The wire does not say whether `5` is a uint16 or a string, so a schema (or an xsi:type on the
 * element, as WinRM writes for MSFT_WmiError) gives the types; without one, text stays a string.
 */
import { CimDecodeError, HypervWsmanError, InvalidOptionError } from '../errors.js';
import { escapeText } from '../xml/escape.js';
import { attr, elements, isNil, resolveQName, textOf, type XmlElement, type XmlNode } from '../xml/tree.js';
import { NS } from '../wsman/namespaces.js';
import { decodeCimScalar, decodeCimXmlInstance, lookupOwn } from './cim-xml.js';
import { formatCimDateTime, parseCimDateTime, parseXsDate, parseXsDateTime, parseXsDuration, parseXsTime } from './datetime.js';
import { decodeEpr, encodeEpr, isEprElement } from './epr.js';
import { InstanceShapes, type CollectedProperties } from './instance-shape.js';
import { CimDateTime as CimDateTimeClass, CimInterval as CimIntervalClass } from './types.js';
import type { CimDateTime, CimInstance, CimInterval, CimPropertyInfo, CimScalar, CimType, CimValue } from './types.js';

export interface WsCimPropertySchema {
  readonly type: CimType;
  /** True forces an array even for a single element; otherwise repeated elements make one. */
  readonly isArray?: boolean;
}

/** Property name -> type, for one class. Names match exactly, else case-insensitively. */
export type WsCimClassSchema = Readonly<Record<string, WsCimPropertySchema>>;

export interface DecodeEmbeddedInstanceOptions {
  /** Types for the WS-CIM form (the CIM-XML form carries its own). */
  readonly schema?: WsCimClassSchema;
  /** Size cap for the CIM-XML form's text. */
  readonly maxBytes?: number;
}

/** Datetime wrappers of DSP0230 cim:cimDateTime, by local name in NS.cim. */
const DATETIME_WRAPPERS: Readonly<Record<string, (text: string) => CimDateTime | CimInterval>> = {
  Datetime: parseXsDateTime,
  Interval: parseXsDuration,
  Date: parseXsDate,
  Time: parseXsTime,
  CIM_DateTime: parseCimDateTime,
};

/** A bare datetime text (schema says datetime, no wrapper): which spelling it is, tried in order. */
const DATETIME_SPELLINGS: ReadonlyArray<readonly [RegExp, (text: string) => CimDateTime | CimInterval]> = [
  [/^[\d*]{14}\.[\d*]{6}[-+:][\d*]{3}$/, parseCimDateTime],
  [/^-?P/, parseXsDuration],
  [/T/, parseXsDateTime],
  [/^\d{2}:/, parseXsTime],
  [/./, parseXsDate],
];

/** DSP0230 cim:cimXxx property types (the xsi:type WinRM writes on MSFT_WmiError properties). */
const CIM_XSI_TYPES: Readonly<Record<string, CimType>> = {
  cimBoolean: 'boolean',
  cimString: 'string',
  cimChar16: 'char16',
  cimByte: 'sint8',
  cimUnsignedByte: 'uint8',
  cimShort: 'sint16',
  cimUnsignedShort: 'uint16',
  cimInt: 'sint32',
  cimUnsignedInt: 'uint32',
  cimLong: 'sint64',
  cimUnsignedLong: 'uint64',
  cimFloat: 'real32',
  cimDouble: 'real64',
  cimDateTime: 'datetime',
  cimReference: 'reference',
};

/** XML Schema built-in types, for servers that write xs: types instead. */
const XS_TYPES: Readonly<Record<string, CimType>> = {
  boolean: 'boolean',
  string: 'string',
  byte: 'sint8',
  unsignedByte: 'uint8',
  short: 'sint16',
  unsignedShort: 'uint16',
  int: 'sint32',
  unsignedInt: 'uint32',
  long: 'sint64',
  unsignedLong: 'uint64',
  float: 'real32',
  double: 'real64',
  dateTime: 'datetime',
  duration: 'datetime',
};

const XSI_TYPE_TABLES: Readonly<Record<string, Readonly<Record<string, CimType>>>> = { [NS.cim]: CIM_XSI_TYPES, [NS.xs]: XS_TYPES };

/** CIM type named by the element's xsi:type, if it names one we know. */
function xsiCimType(el: XmlElement): CimType | undefined {
  const t = attr(el, 'type', NS.xsi);
  if (t === undefined) return undefined;
  const q = resolveQName(el, t);
  const table = lookupOwn(XSI_TYPE_TABLES, q.ns);
  return table && lookupOwn(table, q.local);
}

/**
 * The class name of the instance element decoded last, with what it was derived from: the items of
 * one page are all of one class, so each costs a comparison instead of a QName split and a copy.
 * Both keys are detached (see `detached`), so the cache never holds on to a reply.
 */
let lastClass: { readonly typeAttr: string | undefined; readonly local: string; readonly className: string } | undefined;

/** `X` from an xsi:type `p:X_Type`, else the element's local name without a trailing `_Type`. */
function classNameOf(el: XmlElement): string {
  const t = attr(el, 'type', NS.xsi);
  if (lastClass !== undefined && lastClass.typeAttr === t && lastClass.local === el.local) return lastClass.className;
  let className: string | undefined;
  if (t !== undefined) {
    const { local } = resolveQName(el, t);
    if (local.endsWith('_Type')) className = local.slice(0, -'_Type'.length);
  }
  className = detached(className ?? el.local.replace(/_Type$/, ''));
  lastClass = { typeAttr: t === undefined ? undefined : detached(t), local: detached(el.local), className };
  return className;
}

/** Per schema: wire name -> entry (exact, else case-insensitive), misses included, so each name is resolved once. */
const schemaCaches = new WeakMap<WsCimClassSchema, Map<string, WsCimPropertySchema | null>>();
/** Names a cache remembers; a hostile server sending endless distinct names gets uncached lookups, not unbounded memory. */
const MAX_CACHED_NAMES = 1024;

function schemaCacheOf(schema: WsCimClassSchema): Map<string, WsCimPropertySchema | null> {
  let cache = schemaCaches.get(schema);
  if (!cache) schemaCaches.set(schema, (cache = new Map()));
  return cache;
}

function schemaEntry(schema: WsCimClassSchema | undefined, cache: Map<string, WsCimPropertySchema | null> | undefined, name: string): WsCimPropertySchema | undefined {
  if (!schema || !cache) return undefined;
  const hit = cache.get(name);
  if (hit !== undefined) return hit ?? undefined;
  let entry: WsCimPropertySchema | undefined;
  if (Object.hasOwn(schema, name)) entry = schema[name];
  else {
    const lower = name.toLowerCase();
    for (const [k, v] of Object.entries(schema)) {
      if (k.toLowerCase() === lower) {
        entry = v;
        break;
      }
    }
  }
  if (cache.size < MAX_CACHED_NAMES) cache.set(name, entry ?? null);
  return entry;
}

/** One shared (immutable) CimPropertyInfo per type and arrayness, instead of one object per property per instance. */
const PROPERTY_INFOS = new Map<CimType, readonly [CimPropertyInfo, CimPropertyInfo]>();

function propertyInfoOf(type: CimType, isArray: boolean): CimPropertyInfo {
  let pair = PROPERTY_INFOS.get(type);
  if (!pair) PROPERTY_INFOS.set(type, (pair = [Object.freeze({ type, isArray: false }), Object.freeze({ type, isArray: true })]));
  return pair[isArray ? 1 : 0];
}

function parseDatetimeText(text: string, where: string): CimDateTime | CimInterval {
  const t = text.trim();
  const parse = DATETIME_SPELLINGS.find(([re]) => re.test(t))?.[1];
  if (!parse) throw new CimDecodeError(`${where}: empty datetime.`);
  try {
    return parse(t);
  } catch (err) {
    throw new CimDecodeError(`${where}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The type the value decodeValue returned last showed on the wire (undefined for NULL and when it
 * showed none): set beside the return value rather than returned in a {value, type} object, since
 * decodeValue runs for every property of every enumerated instance.
 */
let wireType: CimType | undefined;

/** Text of a property whose schema says `instance`: CIM-XML text is decoded, anything else kept as a string. */
function embeddedFromText(text: string): CimScalar {
  if (!text.trim().startsWith('<')) {
    wireType = 'string';
    return text;
  }
  try {
    const value = decodeCimXmlInstance(text);
    wireType = 'instance';
    return value;
  } catch (err) {
    if (err instanceof HypervWsmanError) {
      wireType = 'string';
      return text;
    }
    throw err;
  }
}

/** `Class.Property` or `Class.Property[i]`, for messages; built only when one is needed. */
function whereOf(className: string, name: string, index: number): string {
  return index < 0 ? `${className}.${name}` : `${className}.${name}[${index}]`;
}

/** One element of a property (index < 0: not an array); sets wireType. */
function decodeValue(el: XmlElement, declared: CimType | undefined, className: string, name: string, index: number): CimScalar | null {
  wireType = undefined;
  if (isNil(el)) return null;
  // First child element and whether there are more, without building an array per property.
  let firstKid: XmlElement | undefined;
  let kidCount = 0;
  for (const c of el.children) {
    if (c.kind !== 'element') continue;
    firstKid ??= c;
    kidCount++;
  }
  if (firstKid) {
    const only = kidCount === 1 ? firstKid : undefined;
    const wrapper = only && only.ns === NS.cim ? lookupOwn(DATETIME_WRAPPERS, only.local) : undefined;
    if (only && wrapper) {
      if (declared !== undefined && declared !== 'datetime') throw new CimDecodeError(`${whereOf(className, name, index)}: declared ${declared}, found cim:${only.local}.`);
      try {
        const value = wrapper(detached(textOf(only)));
        wireType = 'datetime';
        return value;
      } catch (err) {
        throw new CimDecodeError(`${whereOf(className, name, index)}: ${(err as Error).message}`, { cause: err });
      }
    }
    const epr = isEprElement(el);
    const detected: CimType = epr ? 'reference' : 'instance';
    // Embedded-instance properties are declared `string` in MOF (EmbeddedInstance qualifier), so that pairing is fine.
    if (declared !== undefined && declared !== detected && !(declared === 'string' && detected === 'instance')) {
      throw new CimDecodeError(`${whereOf(className, name, index)}: declared ${declared}, found ${epr ? 'an endpoint reference' : 'a nested instance'}.`);
    }
    const value = epr ? decodeEpr(el) : decodeWsCimInstance(el);
    wireType = detected;
    return value;
  }
  const text = detached(textOf(el));
  const type = declared ?? xsiCimType(el) ?? 'unknown';
  let value: CimScalar;
  if (type === 'string' || type === 'unknown') value = text;
  else if (type === 'datetime') value = parseDatetimeText(text, whereOf(className, name, index));
  else if (type === 'instance') return embeddedFromText(text);
  else if (type === 'reference') throw new CimDecodeError(`${whereOf(className, name, index)}: expected an endpoint reference, found text.`);
  else value = decodeCimScalar(type, text, whereOf(className, name, index));
  wireType = type;
  return value;
}

/**
 * A copy of `s` that does not keep the reply it was cut from alive. Text from the XML reader is a
 * slice of the whole decoded reply (V8 sliced strings, from 13 characters), so one InstanceID kept
 * by the caller would keep a whole ~150 KB Pull page in memory; jobs kept per host in a fleet
 * listing kept every page they came from.
 */
function detached(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * Decode one property: the `count` element nodes of `kids` from index `from` on (text nodes between
 * them skipped), all named `name`. The schema entry, where there is one, decides the type (an entry
 * of type `unknown` counts as none); several elements, or the entry, make an array.
 */
function decodeProperty(kids: readonly XmlNode[], from: number, count: number, name: string, className: string, entry: WsCimPropertySchema | undefined, out: CollectedProperties): void {
  const declared = entry && entry.type !== 'unknown' ? entry.type : undefined;
  let first = kids[from]!;
  for (let k = from; first.kind !== 'element'; ) first = kids[++k]!;
  // MS-WSMV 3.1.4.1.26: a lone nil element with m:IsNullArray is a NULL array.
  const nullArray = count === 1 && isNil(first) && attr(first, 'IsNullArray', NS.wsmv)?.trim().toLowerCase() === 'true';
  const isArray = entry?.isArray === true || count > 1 || nullArray;
  let value: CimValue;
  let type: CimType | undefined;
  if (!isArray) {
    value = decodeValue(first, declared, className, name, -1);
    type = wireType;
  } else {
    const values: Array<CimScalar | null> = [];
    for (let k = from; values.length < count; k++) {
      const c = kids[k]!;
      if (c.kind !== 'element') continue;
      values.push(decodeValue(c, declared, className, name, values.length));
      type ??= wireType;
    }
    // A lone nil element of an array property is a NULL array, not [null].
    value = count === 1 && values[0] === null ? null : (values as CimValue);
  }
  out.names.push(name);
  out.values.push(value);
  out.infos.push(propertyInfoOf(type ?? declared ?? xsiCimType(first) ?? 'unknown', isArray));
}

/**
 * Decode one WS-CIM instance element. Each child element is a property named by its local name;
 * repeated elements are an array. Windows writes an array's elements one after the other, which is
 * read in one pass; a name that comes back after another (any order is legal) sends the instance
 * through decodeGrouped, which gathers each name's elements first.
 */
export function decodeWsCimInstance(el: XmlElement, schema?: WsCimClassSchema): CimInstance {
  const className = classNameOf(el);
  const cache = schema ? schemaCacheOf(schema) : undefined;
  const out: CollectedProperties = { names: [], values: [], infos: [] };
  const kids = el.children;
  for (let i = 0; i < kids.length; ) {
    const c = kids[i]!;
    if (c.kind !== 'element') {
      i++;
      continue;
    }
    const name = c.local;
    // The run of elements named `name` from here (text between them skipped).
    let count = 1;
    let next = i + 1;
    for (let k = i + 1; k < kids.length; k++) {
      const d = kids[k]!;
      if (d.kind !== 'element') continue;
      if (d.local !== name) break;
      count++;
      next = k + 1;
    }
    decodeProperty(kids, i, count, name, className, schemaEntry(schema, cache, name), out);
    i = next;
  }
  const made = shapes.make(className, out);
  if (made === undefined) return decodeGrouped(el, className, schema, cache);
  return { kind: 'instance', className, ...made, source: 'ws-cim' };
}

/** decodeWsCimInstance for an instance whose elements of one name are not all together. */
function decodeGrouped(el: XmlElement, className: string, schema: WsCimClassSchema | undefined, cache: Map<string, WsCimPropertySchema | null> | undefined): CimInstance {
  const groups = new Map<string, XmlElement[]>();
  for (const c of el.children) {
    if (c.kind !== 'element') continue;
    const g = groups.get(c.local);
    if (g) g.push(c);
    else groups.set(c.local, [c]);
  }
  const out: CollectedProperties = { names: [], values: [], infos: [] };
  for (const [name, group] of groups) decodeProperty(group, 0, group.length, name, className, schemaEntry(schema, cache, name), out);
  return { kind: 'instance', className, ...shapes.make(className, out)!, source: 'ws-cim' };
}

/** Property infos here are shared per type and arrayness (propertyInfoOf), so identity compares them. */
const shapes = new InstanceShapes((a, b) => a === b);

/**
 * An out-parameter that carries an embedded instance (e.g. GetError's `Error`), in either form:
 * CIM-XML text (entity-escaped or CDATA; what Hyper-V sends, protocol-facts 2) or a WS-CIM element
 * tree. Absent, xsi:nil and empty/whitespace-only all mean NULL (which one Hyper-V uses is unobserved).
 * Text that is not CIM-XML raises CimDecodeError.
 */
export function decodeEmbeddedInstanceParam(el: XmlElement | undefined, options: DecodeEmbeddedInstanceOptions = {}): CimInstance | null {
  if (!el || isNil(el)) return null;
  if (elements(el).length > 0) return decodeWsCimInstance(el, options.schema);
  const text = textOf(el);
  if (text.trim() === '') return null;
  return decodeCimXmlInstance(text, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
}

// ---------------------------------------------------------------------------------------------
// Encoding: an embedded instance as a WS-CIM element (the cim dialect's input form)

/** What encodeWsCimEmbeddedInstance needs of an instance (a CimInstance or an EmbeddedInstanceParam). */
export interface WsCimInstanceInput {
  readonly className: string;
  readonly properties: Readonly<Record<string, CimValue>>;
}

/** DSP0230 class namespace: the DMTF schema URI of the class (what OMI writes and reads). */
const WS_CIM_CLASS_PREFIX = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Nesting limit for instances inside instances, so a cyclic or runaway value fails cleanly. */
const MAX_EMBEDDING_DEPTH = 16;

function wsCimScalar(v: CimScalar, where: string, depth: number, elementName: string): string {
  if (typeof v === 'string') return `<${elementName}>${escapeText(v)}</${elementName}>`;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new InvalidOptionError(`${where}: cannot send the non-finite number ${v}.`);
    return `<${elementName}>${v}</${elementName}>`;
  }
  if (typeof v === 'bigint') return `<${elementName}>${v}</${elementName}>`;
  if (typeof v === 'boolean') return `<${elementName}>${v ? 'true' : 'false'}</${elementName}>`;
  // DSP0230 8.2 cim:CIM_DateTime with DMTF text: the datetime form OMI's parser recognises (wsmanparser.c).
  if (v instanceof CimDateTimeClass || v instanceof CimIntervalClass) return `<${elementName}><cim:CIM_DateTime>${escapeText(formatCimDateTime(v))}</cim:CIM_DateTime></${elementName}>`;
  if (v.kind === 'reference') return `<${elementName}>${encodeEpr(v)}</${elementName}>`;
  return encodeWsCimEmbeddedInstance(elementName, v, depth + 1);
}

/**
 * `<elementName xsi:type="cN:Class_Type" xmlns:cN="…/cim-schema/2/Class"><cN:Prop>…</cN:Prop>…</elementName>`:
 * the WS-CIM (DSP0230) form of an embedded instance, which OMI reads (wsmanparser.c `WS_GetInstance`
 * takes the class from xsi:type). NULL is xsi:nil, arrays are repeated elements, datetimes
 * cim:CIM_DateTime, references EPRs, nested instances recurse. The enclosing document must declare
 * the xsi, cim, a (WS-Addressing) and w (WS-Man) prefixes.
 */
export function encodeWsCimEmbeddedInstance(elementName: string, instance: WsCimInstanceInput, depth = 0): string {
  if (depth > MAX_EMBEDDING_DEPTH) throw new InvalidOptionError(`Embedded instances nest deeper than ${MAX_EMBEDDING_DEPTH} levels.`);
  if (!IDENTIFIER.test(instance.className)) throw new InvalidOptionError(`"${instance.className}" is not a class name.`);
  const prefix = `c${depth}`;
  let body = '';
  for (const [name, value] of Object.entries(instance.properties)) {
    if (!IDENTIFIER.test(name)) throw new InvalidOptionError(`"${name}" is not a property name (class ${instance.className}).`);
    const el = `${prefix}:${name}`;
    const where = `${instance.className}.${name}`;
    if (value === null) body += `<${el} xsi:nil="true"/>`;
    else if (Array.isArray(value)) for (const item of value as ReadonlyArray<CimScalar | null>) body += item === null ? `<${el} xsi:nil="true"/>` : wsCimScalar(item, where, depth, el);
    else body += wsCimScalar(value as CimScalar, where, depth, el);
  }
  const cls = instance.className;
  return `<${elementName} xmlns:${prefix}="${WS_CIM_CLASS_PREFIX}${cls}" xsi:type="${prefix}:${cls}_Type">${body}</${elementName}>`;
}
