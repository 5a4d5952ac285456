/**
 * Property schemas of the classes the GetError path handles, so that untyped input (WS-CIM
 * Get/Enumerate replies without xsi:type, where every value arrives as text) can be typed, and so that
 * enumerated properties can be named through their value map.
 *
 * Property lists: Microsoft's simplified MOF in msvm-concretejob.md, msvm-migrationjob.md,
 * msvm-storagejob.md and msvm-error.md (MicrosoftDocs/win32 desktop-src/HyperV_v2); MSFT_WmiError additions from a recorded
 * WinRM fault (protocol-facts §5.2c).
 */

import type { CimInstance, CimScalar, CimType, CimValue } from '../cim/types.js';
import {
  COMMUNICATION_STATUS,
  CONCRETE_JOB_TYPE,
  CIM_STATUS_CODE,
  DETAILED_STATUS,
  ERROR_SOURCE_FORMAT,
  ERROR_TYPE,
  HEALTH_STATE,
  JOB_STATE,
  LOCAL_OR_UTC_TIME,
  MIGRATION_JOB_TYPE,
  MIGRATION_TYPE,
  OPERATING_STATUS,
  OPERATIONAL_STATUS,
  NO_NAME_KNOWN,
  PERCEIVED_SEVERITY_CIM,
  PERCEIVED_SEVERITY_V1,
  PRIMARY_STATUS,
  PROBABLE_CAUSE,
  RECOVERY_ACTION,
  RUN_DAY_OF_WEEK,
  RUN_MONTH,
  STORAGE_JOB_TYPE,
  nameOf,
  type ValueMap,
} from './value-maps.js';

export interface SchemaProperty {
  readonly type: CimType;
  readonly isArray?: boolean;
  /** The value map that names this property's values, when it is enumerated. */
  readonly valueMap?: ValueMap;
}

export type ClassSchema = Readonly<Record<string, SchemaProperty>>;

function schema(props: Record<string, SchemaProperty>): ClassSchema {
  for (const p of Object.values(props)) Object.freeze(p);
  return Object.freeze(props);
}

/** Msvm_ConcreteJob: CIM_ManagedElement + CIM_ManagedSystemElement + CIM_Job + CIM_ConcreteJob + JobType. */
const CONCRETE_JOB_PROPERTIES: Record<string, SchemaProperty> = {
  InstanceID: { type: 'string' },
  Caption: { type: 'string' },
  Description: { type: 'string' },
  ElementName: { type: 'string' },
  InstallDate: { type: 'datetime' },
  Name: { type: 'string' },
  OperationalStatus: { type: 'uint16', isArray: true, valueMap: OPERATIONAL_STATUS },
  StatusDescriptions: { type: 'string', isArray: true },
  Status: { type: 'string' },
  HealthState: { type: 'uint16', valueMap: HEALTH_STATE },
  CommunicationStatus: { type: 'uint16', valueMap: COMMUNICATION_STATUS },
  DetailedStatus: { type: 'uint16', valueMap: DETAILED_STATUS },
  OperatingStatus: { type: 'uint16', valueMap: OPERATING_STATUS },
  PrimaryStatus: { type: 'uint16', valueMap: PRIMARY_STATUS },
  JobStatus: { type: 'string' },
  TimeSubmitted: { type: 'datetime' },
  ScheduledStartTime: { type: 'datetime' },
  StartTime: { type: 'datetime' },
  ElapsedTime: { type: 'datetime' },
  JobRunTimes: { type: 'uint32' },
  RunMonth: { type: 'uint8', valueMap: RUN_MONTH },
  RunDay: { type: 'sint8' },
  RunDayOfWeek: { type: 'sint8', valueMap: RUN_DAY_OF_WEEK },
  RunStartInterval: { type: 'datetime' },
  LocalOrUtcTime: { type: 'uint16', valueMap: LOCAL_OR_UTC_TIME },
  UntilTime: { type: 'datetime' },
  Notify: { type: 'string' },
  Owner: { type: 'string' },
  Priority: { type: 'uint32' },
  PercentComplete: { type: 'uint16' },
  DeleteOnCompletion: { type: 'boolean' },
  // Vendor-specific, no value map (CIM_Job): zero when the job completed without error.
  ErrorCode: { type: 'uint16' },
  ErrorDescription: { type: 'string' },
  ErrorSummaryDescription: { type: 'string' },
  RecoveryAction: { type: 'uint16', valueMap: RECOVERY_ACTION },
  OtherRecoveryAction: { type: 'string' },
  JobState: { type: 'uint16', valueMap: JOB_STATE },
  TimeOfLastStateChange: { type: 'datetime' },
  TimeBeforeRemoval: { type: 'datetime' },
  Cancellable: { type: 'boolean' },
  JobType: { type: 'uint16', valueMap: CONCRETE_JOB_TYPE },
};

export const CONCRETE_JOB_SCHEMA: ClassSchema = schema({ ...CONCRETE_JOB_PROPERTIES });

/** Msvm_MigrationJob: the same job properties, its own JobType values, and the migration details. */
export const MIGRATION_JOB_SCHEMA: ClassSchema = schema({
  ...CONCRETE_JOB_PROPERTIES,
  JobType: { type: 'uint16', valueMap: MIGRATION_JOB_TYPE },
  MigrationType: { type: 'uint16', valueMap: MIGRATION_TYPE },
  VirtualSystemName: { type: 'string' },
  // Null for storage migration.
  DestinationHost: { type: 'string' },
  // Embedded Msvm_VirtualSystemSettingData / Msvm_StorageAllocationSettingData[] as CIM-XML text.
  NewSystemSettingData: { type: 'string' },
  NewResourceSettingData: { type: 'string', isArray: true },
});

/** Msvm_StorageJob: the same job properties, its own JobType values, and its storage fields. */
export const STORAGE_JOB_SCHEMA: ClassSchema = schema({
  ...CONCRETE_JOB_PROPERTIES,
  JobType: { type: 'uint16', valueMap: STORAGE_JOB_TYPE },
  Child: { type: 'string' },
  Parent: { type: 'string' },
  JobCompletionStatusCode: { type: 'uint32' },
});

/** The 15 CIM_Error properties (Msvm_Error adds none), with the severity table chosen by the caller. */
function errorProperties(severity: ValueMap): Record<string, SchemaProperty> {
  return {
    ErrorType: { type: 'uint16', valueMap: ERROR_TYPE },
    OtherErrorType: { type: 'string' },
    OwningEntity: { type: 'string' },
    MessageID: { type: 'string' },
    Message: { type: 'string' },
    MessageArguments: { type: 'string', isArray: true },
    PerceivedSeverity: { type: 'uint16', valueMap: severity },
    ProbableCause: { type: 'uint16', valueMap: PROBABLE_CAUSE },
    ProbableCauseDescription: { type: 'string' },
    RecommendedActions: { type: 'string', isArray: true },
    ErrorSource: { type: 'string' },
    ErrorSourceFormat: { type: 'uint16', valueMap: ERROR_SOURCE_FORMAT },
    OtherErrorSourceFormat: { type: 'string' },
    CIMStatusCode: { type: 'uint32', valueMap: CIM_STATUS_CODE },
    CIMStatusCodeDescription: { type: 'string' },
  };
}

/**
 * Msvm_Error in root\virtualization\v2: it inherits CIM_Error 2.22.1 unchanged, so PerceivedSeverity
 * is the DMTF 0..7 table (see PERCEIVED_SEVERITY_V1 for the stale list on msvm-error.md).
 */
export const MSVM_ERROR_SCHEMA: ClassSchema = schema(errorProperties(PERCEIVED_SEVERITY_CIM));

/** Msvm_Error and CIM_Error in the v1 namespace root\virtualization (preliminary CIM_Error 2.8.1000). */
export const MSVM_V1_ERROR_SCHEMA: ClassSchema = schema(errorProperties(PERCEIVED_SEVERITY_V1));

/** DMTF CIM_Error: PerceivedSeverity named with the DMTF table. */
export const CIM_ERROR_SCHEMA: ClassSchema = schema(errorProperties(PERCEIVED_SEVERITY_CIM));

/** MSFT_WmiError (WinRM fault detail): CIM_Error plus Windows' error_* properties. */
export const MSFT_WMI_ERROR_SCHEMA: ClassSchema = schema({
  ...errorProperties(PERCEIVED_SEVERITY_CIM),
  // Sources conflict: uint16 in SimCim's live-schema wrapper and OMI_Error, cimUnsignedInt in a recorded
  // WinRM fault. Either fits a JS number, so the wider type is kept.
  error_Category: { type: 'uint32' },
  error_Code: { type: 'uint32' },
  error_Type: { type: 'string' },
  error_WindowsErrorMessage: { type: 'string' },
});

// CIM class names are case-insensitive.
const SCHEMAS_BY_CLASS: ReadonlyMap<string, ClassSchema> = new Map([
  ['msvm_concretejob', CONCRETE_JOB_SCHEMA],
  ['cim_concretejob', CONCRETE_JOB_SCHEMA],
  ['msvm_migrationjob', MIGRATION_JOB_SCHEMA],
  ['msvm_storagejob', STORAGE_JOB_SCHEMA],
  ['msvm_error', MSVM_ERROR_SCHEMA],
  ['cim_error', CIM_ERROR_SCHEMA],
  ['msft_wmierror', MSFT_WMI_ERROR_SCHEMA],
]);

/** The schema for a class name (case-insensitive), or undefined for classes not described here. */
export function schemaFor(className: string): ClassSchema | undefined {
  return SCHEMAS_BY_CLASS.get(className.toLowerCase());
}

const lowerIndexCache = new WeakMap<ClassSchema, ReadonlyMap<string, SchemaProperty>>();

/** A schema entry by property name; CIM property names are case-insensitive. */
export function schemaProperty(classSchema: ClassSchema, name: string): SchemaProperty | undefined {
  // Own keys only: a property named `constructor` is not described by the schema's prototype.
  const exact = Object.hasOwn(classSchema, name) ? classSchema[name] : undefined;
  if (exact !== undefined) return exact;
  let index = lowerIndexCache.get(classSchema);
  if (index === undefined) {
    index = new Map(Object.entries(classSchema).map(([k, v]) => [k.toLowerCase(), v]));
    lowerIndexCache.set(classSchema, index);
  }
  return index.get(name.toLowerCase());
}

/** A property of an instance by name, exact first then case-insensitive; undefined when absent. */
export function propertyValue(instance: CimInstance, name: string): CimValue | undefined {
  if (Object.hasOwn(instance.properties, name)) return instance.properties[name];
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(instance.properties)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const SMALL_INTEGER_TYPES: ReadonlySet<CimType> = new Set(['uint8', 'sint8', 'uint16', 'sint16', 'uint32', 'sint32']);

function coerceScalar(v: CimScalar, type: CimType): CimScalar {
  if (SMALL_INTEGER_TYPES.has(type)) {
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string' && INTEGER_TEXT.test(v.trim())) return Number(v.trim());
    return v;
  }
  switch (type) {
    case 'uint64':
    case 'sint64':
      if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
      if (typeof v === 'string' && INTEGER_TEXT.test(v.trim())) return BigInt(v.trim());
      return v;
    case 'real32':
    case 'real64':
      return typeof v === 'string' ? realFromText(v) ?? v : v;
    case 'boolean':
      return typeof v === 'string' ? booleanFromText(v) ?? v : v;
    case 'string':
    case 'char16':
      return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : v;
    default:
      // datetime, reference, instance, unknown: parsing those is the decoders' job.
      return v;
  }
}

function realFromText(text: string): number | undefined {
  const t = text.trim();
  // xs:float / xs:double spell infinities INF and -INF.
  if (t === 'INF') return Infinity;
  if (t === '-INF') return -Infinity;
  if (t === 'NaN') return NaN;
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isNaN(n) ? undefined : n;
}

function booleanFromText(text: string): boolean | undefined {
  // xs:boolean allows 1/0; WMI's CIM-XML writes TRUE/FALSE in capitals.
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

/**
 * A value converted to the schema's type where that is possible without guessing: numeric text to
 * number (bigint for 64-bit), boolean text to boolean, a lone scalar for an array property wrapped in
 * an array (an untyped WS-CIM reply cannot tell a one-element array from a scalar). Anything that does
 * not convert is returned unchanged; null stays null.
 */
export function typedPropertyValue(value: CimValue, prop: SchemaProperty): CimValue {
  if (value === null) return null;
  if (Array.isArray(value)) {
    return value.map((x: CimScalar | null) => (x === null ? null : coerceScalar(x, prop.type)));
  }
  const scalar = coerceScalar(value as CimScalar, prop.type);
  return prop.isArray ? [scalar] : scalar;
}

function nameForScalar(map: ValueMap, v: CimScalar | null): string {
  // A NULL array element or text that is not a number: the value itself is shown beside this.
  if (typeof v === 'number' || typeof v === 'bigint') return nameOf(map, v);
  return NO_NAME_KNOWN;
}

/**
 * For each enumerated property present in the instance, the name(s) of its value: arrays give arrays
 * of names, NULL gives null. Keys are the instance's property names.
 */
export function valueMapNames(instance: CimInstance, classSchema: ClassSchema): Record<string, string | string[] | null> {
  const out: Record<string, string | string[] | null> = {};
  for (const [name, raw] of Object.entries(instance.properties)) {
    const prop = schemaProperty(classSchema, name);
    if (prop?.valueMap === undefined) continue;
    const map = prop.valueMap;
    const typed = typedPropertyValue(raw, prop);
    if (typed === null) out[name] = null;
    else if (Array.isArray(typed)) out[name] = typed.map((x: CimScalar | null) => nameForScalar(map, x));
    else out[name] = nameForScalar(map, typed as CimScalar);
  }
  return out;
}
