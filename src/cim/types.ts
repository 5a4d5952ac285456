/**
 * Typed CIM values, the plain objects the middle of the library works with. Both wire forms
 * (DSP0201 CIM-XML embedded in strings, and WS-CIM element trees returned by WS-Man Get/Enumerate)
 * decode into these.
 *
 * Integer mapping: 8/16/32-bit integers are `number`; uint64/sint64 are `bigint` so no precision is
 * lost (JSON output renders them as decimal strings). real32/real64 are `number`.
 */

export type CimIntrinsicType =
  | 'boolean'
  | 'string'
  | 'char16'
  | 'uint8'
  | 'sint8'
  | 'uint16'
  | 'sint16'
  | 'uint32'
  | 'sint32'
  | 'uint64'
  | 'sint64'
  | 'real32'
  | 'real64'
  | 'datetime';

/** `reference` = EPR / VALUE.REFERENCE; `instance` = embedded instance; `unknown` = type not known (value kept as string). */
export type CimType = CimIntrinsicType | 'reference' | 'instance' | 'unknown';

/** A CIM datetime timestamp (`yyyymmddHHMMSS.mmmmmmsUUU`) or an xs:dateTime from WS-CIM. */
export class CimDateTime {
  readonly kind = 'datetime' as const;
  constructor(
    /** The exact text received. */
    readonly raw: string,
    /** The instant, or null when fields are wildcarded with asterisks. Millisecond precision. */
    readonly date: Date | null,
    /** Microseconds within the second (0-999999), null if wildcarded. */
    readonly microseconds: number | null,
    /** Offset from UTC in minutes, null if unknown. */
    readonly utcOffsetMinutes: number | null,
  ) {}
  /** ISO 8601 when the instant is known, else the raw text. */
  toJSON(): string {
    return this.date ? this.date.toISOString() : this.raw;
  }
  toString(): string {
    return this.toJSON();
  }
}

/** A CIM interval (`ddddddddHHMMSS.mmmmmm:000`) or an xs:duration from WS-CIM. */
export class CimInterval {
  readonly kind = 'interval' as const;
  constructor(
    readonly raw: string,
    readonly days: number,
    readonly hours: number,
    readonly minutes: number,
    readonly seconds: number,
    readonly microseconds: number,
  ) {}
  get totalMilliseconds(): number {
    return ((this.days * 24 + this.hours) * 60 + this.minutes) * 60_000 + this.seconds * 1000 + this.microseconds / 1000;
  }
  /** ISO 8601 duration, e.g. `P1DT12H0M32S`. */
  toJSON(): string {
    const frac = this.microseconds ? '.' + String(this.microseconds).padStart(6, '0').replace(/0+$/, '') : '';
    return `P${this.days}DT${this.hours}H${this.minutes}M${this.seconds}${frac}S`;
  }
  toString(): string {
    return this.toJSON();
  }
}

/** A reference to an instance: a WS-Man endpoint reference or a CIM-XML instance path. */
export interface CimReference {
  readonly kind: 'reference';
  /** WS-Addressing Address (EPR form), if any. */
  readonly address?: string;
  /** WS-Man resource URI (EPR form), if any. */
  readonly resourceUri?: string;
  /** CIM class name, when known (CIM-XML form, or the last segment of a WMI resource URI). */
  readonly className?: string;
  /** CIM namespace, when known. */
  readonly namespace?: string;
  /** Key properties / selectors. Values are strings; nested references are not flattened. */
  readonly selectors: Readonly<Record<string, string>>;
}

export type CimScalar = string | number | bigint | boolean | CimDateTime | CimInterval | CimReference | CimInstance;
export type CimValue = CimScalar | null | ReadonlyArray<CimScalar | null>;

export interface CimPropertyInfo {
  readonly type: CimType;
  readonly isArray: boolean;
  /** CIM-XML CLASSORIGIN, e.g. `CIM_Error` or `___SYSTEM` for `__PATH`. */
  readonly classOrigin?: string;
  readonly propagated?: boolean;
  /** CIM-XML EmbeddedObject="instance"|"object". */
  readonly embeddedObject?: 'instance' | 'object';
}

export interface CimInstance {
  readonly kind: 'instance';
  readonly className: string;
  /** Property values by CIM name, in document order. */
  readonly properties: Readonly<Record<string, CimValue>>;
  /** Type information for each property. */
  readonly propertyInfo: Readonly<Record<string, CimPropertyInfo>>;
  /** Which wire form it was decoded from. */
  readonly source: 'cim-xml' | 'ws-cim';
  /** The text it was decoded from (CIM-XML string, or serialized WS-CIM element when available). */
  readonly raw?: string;
}

export function isCimInstance(v: unknown): v is CimInstance {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'instance';
}

export function isCimReference(v: unknown): v is CimReference {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'reference';
}

/** A JSON-safe rendering of a CIM value: bigint -> decimal string, dates -> ISO, instances -> {className, properties}. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** Set a key as an own property even when it is `__proto__` (property names come from the wire). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

export function cimValueToJson(v: CimValue | CimScalar | undefined): JsonValue {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((x: CimScalar | null) => cimValueToJson(x));
  if (typeof v === 'bigint') return v.toString();
  // JSON has no Infinity/NaN: render them as CIM-XML spells them.
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'INF' : '-INF';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof CimDateTime || v instanceof CimInterval) return v.toJSON();
  if (isCimInstance(v)) {
    const props: Record<string, JsonValue> = {};
    for (const [k, pv] of Object.entries(v.properties)) setOwn(props, k, cimValueToJson(pv));
    return { className: v.className, properties: props };
  }
  if (isCimReference(v)) {
    const o: Record<string, JsonValue> = { selectors: { ...v.selectors } };
    if (v.resourceUri !== undefined) o.resourceUri = v.resourceUri;
    if (v.className !== undefined) o.className = v.className;
    if (v.namespace !== undefined) o.namespace = v.namespace;
    if (v.address !== undefined) o.address = v.address;
    return o;
  }
  return null;
}
