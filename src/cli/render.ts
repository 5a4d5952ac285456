/**
 * CIM values for people and for JSON. JSON instances have one shape everywhere
 * (`{ className, properties, valueMapNames }`, as job-error's Msvm_Error): typed values, and the
 * value-map name of every enumerated property of a class this project has a schema for.
 */
import { formatObjectPath } from '../cim/epr.js';
import { cimValueToJson, isCimInstance, isCimReference, type CimInstance, type CimScalar, type CimValue, type JsonValue } from '../cim/types.js';
import { schemaFor, valueMapNames } from '../hyperv/class-schemas.js';

export interface InstanceJson {
  readonly className: string;
  readonly properties: Record<string, JsonValue>;
  /** Property -> name of its value (array of names for arrays) for enumerated properties; {} for classes without a schema. */
  readonly valueMapNames: Record<string, string | string[] | null>;
}

/** A CIM value as JSON; embedded instances become InstanceJson, so they carry value-map names too. */
export function valueToJson(v: CimValue | CimScalar): JsonValue {
  if (Array.isArray(v)) return v.map((x: CimScalar | null) => valueToJson(x));
  if (isCimInstance(v)) return instanceToJson(v) as unknown as JsonValue;
  return cimValueToJson(v as CimValue);
}

export function instanceToJson(inst: CimInstance): InstanceJson {
  const properties: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(inst.properties)) properties[k] = valueToJson(v);
  const schema = schemaFor(inst.className);
  return { className: inst.className, properties, valueMapNames: schema ? valueMapNames(inst, schema) : {} };
}

function scalarText(v: CimScalar | null): string {
  if (v === null) return '(null)';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (isCimReference(v)) return formatObjectPath(v);
  if (isCimInstance(v)) return `${v.className} {…}`;
  return v.toString();
}

/** One-line text of a value, with value-map names beside the numbers when given. */
export function formatValue(v: CimValue, names?: string | readonly string[] | null): string {
  if (v === null) return '(null)';
  if (Array.isArray(v)) {
    const list = names !== undefined && names !== null && Array.isArray(names) ? names : [];
    return `[${v.map((x: CimScalar | null, i: number) => withName(scalarText(x), list[i])).join(', ')}]`;
  }
  return withName(scalarText(v as CimScalar), typeof names === 'string' ? names : undefined);
}

function withName(text: string, name: string | undefined): string {
  return name === undefined ? text : `${text} (${name})`;
}

/** An instance as an indented block: the class, then one `Name: value` line per property; embedded instances nest. */
export function formatInstance(inst: CimInstance, indent = ''): string {
  const schema = schemaFor(inst.className);
  const names = schema ? valueMapNames(inst, schema) : {};
  const entries = Object.entries(inst.properties);
  const width = Math.max(0, ...entries.map(([k]) => k.length)) + 1;
  const lines = [`${indent}${inst.className}`];
  for (const [k, v] of entries) {
    const nested = (Array.isArray(v) ? v : [v]).filter(isCimInstance);
    if (nested.length > 0) {
      lines.push(`${indent}  ${k}:`);
      for (const n of nested) lines.push(formatInstance(n, indent + '    '));
      continue;
    }
    lines.push(`${indent}  ${(k + ':').padEnd(width)} ${formatValue(v, names[k])}`);
  }
  return lines.join('\n');
}
