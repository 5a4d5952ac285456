/**
 * The typed Msvm_Error: what Msvm_ConcreteJob.GetError / GetErrorEx (and the Msvm_MigrationJob
 * methods) return, decoded from its CIM-XML text into a CimInstance elsewhere and turned into named,
 * typed fields here.
 *
 * Msvm_Error adds no property to CIM_Error's 15 (msvm-error.md). Anything else the instance carries
 * (WMI system properties such as __PATH, or a subclass's additions) stays available in `instance` and
 * in the JSON rendering.
 */

import { cimValueToJson, setOwn, type CimInstance, type CimScalar, type CimValue, type JsonValue } from '../cim/types.js';
import { HYPERV_NAMESPACE } from '../wsman/namespaces.js';
import {
  CIM_ERROR_SCHEMA,
  MSVM_ERROR_SCHEMA,
  MSVM_V1_ERROR_SCHEMA,
  propertyValue,
  schemaFor,
  schemaProperty,
  typedPropertyValue,
  valueMapNames,
  type ClassSchema,
} from './class-schemas.js';
import { ERROR_SOURCE_FORMAT, nameOf, valueLabel, withName } from './value-maps.js';

export interface MsvmError {
  /** 'Msvm_Error' normally; could be CIM_Error or a subclass. */
  readonly className: string;
  /** The WMI namespace whose class definitions name the values (root/virtualization/v2 by default). */
  readonly namespace: string;
  readonly errorType: number | null;
  readonly errorTypeName: string | null;
  readonly otherErrorType: string | null;
  readonly owningEntity: string | null;
  readonly messageId: string | null;
  readonly message: string | null;
  /** NULL array -> []. */
  readonly messageArguments: readonly string[];
  readonly perceivedSeverity: number | null;
  readonly perceivedSeverityName: string | null;
  readonly probableCause: number | null;
  readonly probableCauseName: string | null;
  readonly probableCauseDescription: string | null;
  readonly recommendedActions: readonly string[];
  readonly errorSource: string | null;
  readonly errorSourceFormat: number | null;
  readonly errorSourceFormatName: string | null;
  readonly otherErrorSourceFormat: string | null;
  readonly cimStatusCode: number | null;
  readonly cimStatusCodeName: string | null;
  readonly cimStatusCodeDescription: string | null;
  /** All properties, including unknown or extra ones (__PATH, subclass additions). */
  readonly instance: CimInstance;
  /** The CIM-XML text it came from, when the decoder kept it. */
  readonly raw: string | undefined;
}

export interface MsvmErrorJson {
  className: string;
  /** Every property of the instance, typed through the schema where known. */
  properties: Record<string, JsonValue>;
  valueMapNames: Record<string, string | string[] | null>;
}

export interface MsvmErrorOptions {
  /** The namespace the error came from; default root/virtualization/v2. */
  readonly namespace?: string;
}

/** The Hyper-V v1 namespace, whose CIM_Error was the preliminary 2.8.1000 class. */
const V1_NAMESPACE = 'root/virtualization';

function isV1Namespace(namespace: string): boolean {
  return namespace.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '').toLowerCase() === V1_NAMESPACE;
}

/**
 * The schema that names an error's enumerated properties. The namespace decides the PerceivedSeverity
 * table, since the class name alone cannot: Msvm_Error in root/virtualization/v2 inherits CIM_Error
 * 2.22.1 (DMTF 0..7); only the v1 namespace had the preliminary Low/Medium/High/Fatal list.
 */
export function errorSchemaFor(className: string, namespace: string = HYPERV_NAMESPACE): ClassSchema {
  if (isV1Namespace(namespace) && /^(msvm|cim)_/i.test(className)) return MSVM_V1_ERROR_SCHEMA;
  const known = schemaFor(className);
  if (known !== undefined && known.PerceivedSeverity !== undefined) return known;
  return /^msvm_/i.test(className) ? MSVM_ERROR_SCHEMA : CIM_ERROR_SCHEMA;
}

function scalarText(v: CimScalar): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  const json = cimValueToJson(v);
  return typeof json === 'string' ? json : JSON.stringify(json);
}

/** A reader over one instance that never throws: absent, NULL or unconvertible values give null. */
function fieldReader(instance: CimInstance, classSchema: ClassSchema) {
  const typed = (name: string): CimValue => {
    const v = propertyValue(instance, name);
    if (v === undefined) return null;
    const prop = schemaProperty(classSchema, name);
    return prop === undefined ? v : typedPropertyValue(v, prop);
  };
  const integer = (name: string): number | null => {
    const v = typed(name);
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'bigint') return Number(v);
    return null;
  };
  const text = (name: string): string | null => {
    const v = typed(name);
    if (v === null) return null;
    // A scalar property that arrived as a list: keep all of it rather than drop text.
    if (Array.isArray(v)) return v.map((x: CimScalar | null) => (x === null ? '' : scalarText(x))).join('\n');
    return scalarText(v as CimScalar);
  };
  const textList = (name: string): string[] => {
    const v = typed(name);
    if (v === null) return [];
    // NULL elements become '' so later MessageArguments keep their positions.
    if (Array.isArray(v)) return v.map((x: CimScalar | null) => (x === null ? '' : scalarText(x)));
    return [scalarText(v as CimScalar)];
  };
  const named = (name: string, value: number | null): string | null => {
    const map = schemaProperty(classSchema, name)?.valueMap;
    return value === null || map === undefined ? null : nameOf(map, value);
  };
  return { integer, text, textList, named };
}

/**
 * Types a decoded CIM_Error / Msvm_Error instance. Tolerant by design: values may be numbers or text
 * (untyped WS-CIM), properties may be missing or NULL; it never throws.
 */
export function toMsvmError(instance: CimInstance, options: MsvmErrorOptions = {}): MsvmError {
  const namespace = options.namespace ?? HYPERV_NAMESPACE;
  const classSchema = errorSchemaFor(instance.className, namespace);
  const r = fieldReader(instance, classSchema);
  const errorType = r.integer('ErrorType');
  const perceivedSeverity = r.integer('PerceivedSeverity');
  const probableCause = r.integer('ProbableCause');
  const errorSourceFormat = r.integer('ErrorSourceFormat');
  const cimStatusCode = r.integer('CIMStatusCode');
  return Object.freeze({
    className: instance.className,
    namespace,
    errorType,
    errorTypeName: r.named('ErrorType', errorType),
    otherErrorType: r.text('OtherErrorType'),
    owningEntity: r.text('OwningEntity'),
    messageId: r.text('MessageID'),
    message: r.text('Message'),
    messageArguments: Object.freeze(r.textList('MessageArguments')),
    perceivedSeverity,
    perceivedSeverityName: r.named('PerceivedSeverity', perceivedSeverity),
    probableCause,
    probableCauseName: r.named('ProbableCause', probableCause),
    probableCauseDescription: r.text('ProbableCauseDescription'),
    recommendedActions: Object.freeze(r.textList('RecommendedActions')),
    errorSource: r.text('ErrorSource'),
    errorSourceFormat,
    errorSourceFormatName: r.named('ErrorSourceFormat', errorSourceFormat),
    otherErrorSourceFormat: r.text('OtherErrorSourceFormat'),
    cimStatusCode,
    cimStatusCodeName: r.named('CIMStatusCode', cimStatusCode),
    cimStatusCodeDescription: r.text('CIMStatusCodeDescription'),
    instance,
    raw: instance.raw,
  });
}

function codeWithName(code: number | null, name: string | null): string | null {
  if (code === null) return null;
  return name === null ? String(code) : withName(code, name);
}

/**
 * A human-readable, multi-line summary: the message first, then the identifiers and classifications
 * that are present, then recommended actions and message arguments.
 */
export function formatMsvmError(e: MsvmError): string {
  const lines: string[] = [e.message ?? `${e.className} (no message)`];
  const field = (label: string, value: string | null): void => {
    if (value !== null && value !== '') lines.push(`${label}: ${value}`);
  };
  const withDescription = (base: string | null, description: string | null): string | null =>
    // Skip a description that only repeats the value-map name, e.g. "1 (CIM_ERR_FAILED): CIM_ERR_FAILED".
    base !== null && description !== null && description !== '' && !base.endsWith(`(${description})`) ? `${base}: ${description}` : base;

  field('MessageID', e.messageId);
  field('OwningEntity', e.owningEntity);
  const errorType = codeWithName(e.errorType, e.errorTypeName);
  field('ErrorType', e.otherErrorType !== null && errorType !== null ? `${errorType}: ${e.otherErrorType}` : errorType);
  field('PerceivedSeverity', codeWithName(e.perceivedSeverity, e.perceivedSeverityName));
  field('ProbableCause', withDescription(codeWithName(e.probableCause, e.probableCauseName), e.probableCauseDescription));
  field('CIMStatusCode', withDescription(codeWithName(e.cimStatusCode, e.cimStatusCodeName), e.cimStatusCodeDescription));
  if (e.errorSource !== null) {
    const format = e.errorSourceFormat !== null && e.errorSourceFormat !== 0 ? e.otherErrorSourceFormat ?? valueLabel(ERROR_SOURCE_FORMAT, e.errorSourceFormat) : null;
    field('ErrorSource', format === null ? e.errorSource : `${e.errorSource} (${format})`);
  }
  if (e.recommendedActions.length > 0) {
    lines.push('RecommendedActions:');
    for (const action of e.recommendedActions) lines.push(`  - ${action}`);
  }
  if (e.messageArguments.length > 0) {
    lines.push('MessageArguments:');
    e.messageArguments.forEach((arg, i) => lines.push(`  [${i}] ${arg}`));
  }
  return lines.join('\n');
}

/**
 * A JSON-safe rendering (no bigint, no class instances): every property of the instance under its
 * CIM name, typed through the schema where the property is known, plus the value-map names.
 */
export function msvmErrorToJson(e: MsvmError): MsvmErrorJson {
  const classSchema = errorSchemaFor(e.className, e.namespace);
  const properties: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(e.instance.properties)) {
    const prop = schemaProperty(classSchema, name);
    setOwn(properties, name, cimValueToJson(prop === undefined ? value : typedPropertyValue(value, prop)));
  }
  return { className: e.className, properties, valueMapNames: valueMapNames(e.instance, classSchema) };
}
