/**
 * CIM-XML (DSP0201, DTD DSP0203) INSTANCE writer, in the dialect WMI's providers emit for embedded
 * instances such as the Msvm_Error strings of GetError: PROPERTY/PROPERTY.ARRAY with NAME, then
 * CLASSORIGIN, then PROPAGATED, then TYPE; NULL = no VALUE child; booleans as TRUE/FALSE (WMI, not
 * DSP0201's lower case). Properties are written in alphabetical order like Microsoft's Hyper-V sample
 * (getting-the-virtual-system-dns-name.md), no whitespace between elements.
 *
 * System properties (__CLASS, __PATH ...) are off by default: Microsoft's sample of a Hyper-V embedded
 * instance has none, while WMI's GetText_ output of addressable objects has them (nova capture); a
 * fixture can turn them on to exercise a client parser.
 */
import { escapeAttr, escapeText } from '../xml/escape.js';
import type { MsvmErrorFixture } from './model.js';

export type CimXmlType = 'string' | 'boolean' | 'uint8' | 'sint8' | 'uint16' | 'sint16' | 'uint32' | 'sint32' | 'uint64' | 'sint64' | 'datetime' | 'real32' | 'real64' | 'char16';

export type CimXmlScalar = string | number | boolean;

export interface CimXmlProperty {
  readonly name: string;
  readonly type: CimXmlType;
  /** null = NULL; an array makes a PROPERTY.ARRAY. */
  readonly value: CimXmlScalar | readonly CimXmlScalar[] | null;
  /** For NULL values: write a PROPERTY.ARRAY (an array-typed property) rather than a PROPERTY. */
  readonly isArray?: boolean;
  readonly classOrigin?: string;
  readonly propagated?: boolean;
}

function scalarText(v: CimXmlScalar): string {
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return escapeText(String(v));
}

function attributes(p: CimXmlProperty): string {
  let s = ` NAME="${escapeAttr(p.name)}"`;
  if (p.classOrigin !== undefined) s += ` CLASSORIGIN="${escapeAttr(p.classOrigin)}"`;
  if (p.propagated) s += ' PROPAGATED="true"';
  return `${s} TYPE="${p.type}"`;
}

function writeProperty(p: CimXmlProperty): string {
  const array = p.isArray === true || Array.isArray(p.value);
  if (!array) {
    const v = p.value as CimXmlScalar | null;
    return `<PROPERTY${attributes(p)}>${v === null ? '' : `<VALUE>${scalarText(v)}</VALUE>`}</PROPERTY>`;
  }
  const values = p.value as readonly CimXmlScalar[] | null;
  const inner = values === null ? '' : `<VALUE.ARRAY>${values.map((v) => `<VALUE>${scalarText(v)}</VALUE>`).join('')}</VALUE.ARRAY>`;
  return `<PROPERTY.ARRAY${attributes(p)}>${inner}</PROPERTY.ARRAY>`;
}

/** `<INSTANCE CLASSNAME="…">` with the properties in the order given. */
export function writeCimXmlInstance(className: string, properties: readonly CimXmlProperty[]): string {
  return `<INSTANCE CLASSNAME="${escapeAttr(className)}">${properties.map(writeProperty).join('')}</INSTANCE>`;
}

export interface MsvmErrorXmlOptions {
  readonly systemProperties?: boolean;
  /** For __SERVER when system properties are written. */
  readonly computerName?: string;
}

// All 15 properties are declared by CIM_Error; Msvm_Error adds none, so every one is PROPAGATED.
const ERROR_TYPES: ReadonlyArray<readonly [keyof MsvmErrorFixture | 'ErrorSourceFormat' | 'OtherErrorSourceFormat', string, CimXmlType, boolean]> = [
  ['cimStatusCode', 'CIMStatusCode', 'uint32', false],
  ['cimStatusCodeDescription', 'CIMStatusCodeDescription', 'string', false],
  ['errorSource', 'ErrorSource', 'string', false],
  ['ErrorSourceFormat', 'ErrorSourceFormat', 'uint16', false],
  ['errorType', 'ErrorType', 'uint16', false],
  ['message', 'Message', 'string', false],
  ['messageArguments', 'MessageArguments', 'string', true],
  ['messageId', 'MessageID', 'string', false],
  ['OtherErrorSourceFormat', 'OtherErrorSourceFormat', 'string', false],
  ['otherErrorType', 'OtherErrorType', 'string', false],
  ['owningEntity', 'OwningEntity', 'string', false],
  ['perceivedSeverity', 'PerceivedSeverity', 'uint16', false],
  ['probableCause', 'ProbableCause', 'uint16', false],
  ['probableCauseDescription', 'ProbableCauseDescription', 'string', false],
  ['recommendedActions', 'RecommendedActions', 'string', true],
];

function systemProperties(computerName: string | undefined): CimXmlProperty[] {
  const sys = (name: string, type: CimXmlType, value: CimXmlProperty['value'], isArray = false): CimXmlProperty => ({ name, type, value, isArray, classOrigin: '___SYSTEM' });
  return [
    sys('__PATH', 'string', null),
    sys('__NAMESPACE', 'string', null),
    sys('__SERVER', 'string', computerName ?? null),
    sys('__DERIVATION', 'string', ['CIM_Error'], true),
    sys('__PROPERTY_COUNT', 'sint32', 15),
    sys('__RELPATH', 'string', null),
    sys('__DYNASTY', 'string', 'CIM_Error'),
    sys('__SUPERCLASS', 'string', 'CIM_Error'),
    sys('__CLASS', 'string', 'Msvm_Error'),
    sys('__GENUS', 'sint32', 2),
  ];
}

/** The Msvm_Error CIM-XML text GetError/GetErrorEx return (before SOAP escaping). */
export function msvmErrorCimXml(error: MsvmErrorFixture, options: MsvmErrorXmlOptions = {}): string {
  const fixed: Record<string, CimXmlProperty['value']> = { ErrorSourceFormat: 0, OtherErrorSourceFormat: null };
  const props: CimXmlProperty[] = ERROR_TYPES.map(([field, name, type, isArray]) => {
    const raw = field in fixed ? fixed[field] : (error as unknown as Record<string, CimXmlProperty['value'] | undefined>)[field];
    return { name, type, value: raw ?? null, isArray, propagated: true };
  });
  const all = options.systemProperties ? [...systemProperties(options.computerName), ...props] : props;
  return writeCimXmlInstance('Msvm_Error', all);
}
