/**
 * WS-Man (DSP0230) rendering of WMI instances and references as WinRM writes them:
 * `<p:Class xmlns:p="<class URI>" xmlns:cim xmlns:xsi xsi:type="p:Class_Type">`, properties in
 * alphabetical order, NULL as `<p:X xsi:nil="true"/>` (one element for a NULL array, [MS-WSMV]
 * 3.1.4.1.26), empty arrays omitted, arrays as repeated elements, timestamps as cim:Datetime
 * (xs:dateTime) and intervals as cim:Interval (xs:duration).
 */
import { escapeAttr, escapeText } from '../xml/escape.js';
import { ANONYMOUS, NS } from '../wsman/namespaces.js';
import type { CimKind, PropValue, PropertyBag } from './classes.js';
import { classUri, type EmulatorDialect } from './dialect.js';

/** xs:dateTime with microseconds, UTC. */
export function wsmanDatetime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** xs:duration in WinRM's P{d}DT{h}H{m}M{s}S form; fractional seconds only when present. */
export function wsmanInterval(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  const days = Math.floor(total / 86_400_000);
  const hours = Math.floor((total % 86_400_000) / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const seconds = millis % 1000 === 0 ? String(millis / 1000) : `${Math.floor(millis / 1000)}.${String((millis % 1000) * 1000).padStart(6, '0')}`;
  return `P${days}DT${hours}H${minutes}M${seconds}S`;
}

const SCALAR_WRITERS: Readonly<Record<CimKind, (v: Exclude<PropValue, null>) => string>> = {
  string: (v) => escapeText(String(v)),
  boolean: (v) => (v === true ? 'true' : 'false'),
  uint8: (v) => String(v),
  sint8: (v) => String(v),
  uint16: (v) => String(v),
  uint32: (v) => String(v),
  datetime: (v) => `<cim:Datetime>${wsmanDatetime(v as Date)}</cim:Datetime>`,
  interval: (v) => `<cim:Interval>${wsmanInterval(v as number)}</cim:Interval>`,
  'string[]': (v) => escapeText(String(v)),
  'uint16[]': (v) => String(v),
};

function writeProperty(name: string, kind: CimKind, value: PropValue): string {
  if (value === null) return `<p:${name} xsi:nil="true"/>`;
  const write = SCALAR_WRITERS[kind];
  if (Array.isArray(value)) return (value as ReadonlyArray<string | number>).map((v) => `<p:${name}>${write(v)}</p:${name}>`).join('');
  return `<p:${name}>${write(value)}</p:${name}>`;
}

/**
 * One instance element. `select` limits the properties (a WQL projection); names are matched
 * case-insensitively and written with the class's spelling.
 */
export function writeInstance(className: string, schema: Readonly<Record<string, CimKind>>, values: PropertyBag, select?: readonly string[], dialect: EmulatorDialect = 'wmi'): string {
  const wanted = select && new Set(select.map((s) => s.toLowerCase()));
  const names = Object.keys(schema)
    .filter((n) => !wanted || wanted.has(n.toLowerCase()))
    .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0));
  const props = names.map((n) => writeProperty(n, schema[n]!, values[n] ?? null)).join('');
  return `<p:${className} xmlns:p="${classUri(dialect, className)}" xmlns:cim="${NS.cim}" xmlns:xsi="${NS.xsi}" xsi:type="p:${className}_Type">${props}</p:${className}>`;
}

/**
 * The content of an EPR (Address + ReferenceParameters with ResourceURI and SelectorSet) as WinRM
 * writes WMI object references, including the __cimnamespace selector.
 */
export function writeEprContent(className: string, selectors: Readonly<Record<string, string>>, dialect: EmulatorDialect = 'wmi'): string {
  const sel = Object.entries(selectors)
    .map(([n, v]) => `<w:Selector Name="${escapeAttr(n)}">${escapeText(v)}</w:Selector>`)
    .join('');
  return (
    `<a:Address>${ANONYMOUS}</a:Address><a:ReferenceParameters><w:ResourceURI>${classUri(dialect, className)}</w:ResourceURI>` +
    `<w:SelectorSet>${sel}<w:Selector Name="__cimnamespace">root/virtualization/v2</w:Selector></w:SelectorSet></a:ReferenceParameters>`
  );
}
