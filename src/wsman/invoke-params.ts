/**
 * Encoding of method input parameters for Invoke. Values are typed; the wire form is chosen here:
 * scalars as escaped text, datetimes and intervals wrapped as DSP0230 prescribes (cim:Datetime with
 * xs:dateTime, cim:Interval with xs:duration, cim:CIM_DateTime with DMTF text when the instant has
 * wildcards), references as EPRs, arrays as repeated elements ([MS-WSMV] 3.1.4.1.26), null as
 * xsi:nil. Embedded instances depend on the dialect (dialect.ts): escaped CIM-XML strings for wmi
 * (what Hyper-V accepts; the WS-CIM element form fails schema validation there), nested WS-CIM
 * elements with xsi:type for cim (OMI cannot parse CIM-XML text), where datetimes are also sent as
 * cim:CIM_DateTime, the one datetime form OMI reads.
 */
import { encodeCimXmlInstance } from '../cim/cim-xml.js';
import { formatCimDateTime } from '../cim/datetime.js';
import { encodeWsCimEmbeddedInstance } from '../cim/ws-cim.js';
import { classTarget, dialectOfResourceUri, type WsmanDialect } from './dialect.js';
import { encodeEpr } from '../cim/epr.js';
import { CimDateTime, CimInterval, type CimPropertyInfo, type CimReference, type CimValue } from '../cim/types.js';
import { InvalidOptionError } from '../errors.js';
import { escapeText } from '../xml/escape.js';

/** An instance passed as an EmbeddedInstance string parameter (e.g. Msvm_VirtualSystemSettingData). */
export interface EmbeddedInstanceParam {
  readonly kind: 'instance';
  readonly className: string;
  readonly properties: Readonly<Record<string, CimValue>>;
  readonly propertyInfo?: Readonly<Record<string, CimPropertyInfo>>;
}

export type InvokeScalar = string | number | bigint | boolean | Date | CimDateTime | CimInterval | CimReference | EmbeddedInstanceParam;
export type InvokeParamValue = InvokeScalar | null | readonly InvokeScalar[];
/** Parameters in MOF order (object insertion order is kept). */
export type InvokeParams = Readonly<Record<string, InvokeParamValue>>;

/** Convenience constructor for an embedded-instance parameter. */
export function embeddedInstance(className: string, properties: Readonly<Record<string, CimValue>>): EmbeddedInstanceParam {
  return { kind: 'instance', className, properties };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function encodeInvokeParams(params: InvokeParams, dialect: WsmanDialect = 'wmi'): string {
  let out = '';
  for (const [name, value] of Object.entries(params)) {
    if (!NAME.test(name)) throw new InvalidOptionError(`Invalid parameter name "${name}".`);
    if (value === null) {
      out += `<p:${name} xsi:nil="true"/>`;
    } else if (Array.isArray(value)) {
      for (const v of value as readonly InvokeScalar[]) out += encodeOne(name, v, dialect);
    } else {
      out += encodeOne(name, value as InvokeScalar, dialect);
    }
  }
  return out;
}

function encodeOne(name: string, v: InvokeScalar, dialect: WsmanDialect): string {
  if (v instanceof Date || v instanceof CimDateTime || v instanceof CimInterval) {
    return `<p:${name}>${dialect === 'cim' ? `<cim:CIM_DateTime>${escapeText(formatCimDateTime(v))}</cim:CIM_DateTime>` : datetimeXml(v)}</p:${name}>`;
  }
  if (typeof v === 'object' && v.kind === 'reference') return `<p:${name}>${encodeEpr(referenceFor(v, dialect))}</p:${name}>`;
  if (typeof v === 'object' && v.kind === 'instance' && dialect === 'cim') return encodeWsCimEmbeddedInstance(`p:${name}`, v);
  return `<p:${name}>${escapeText(scalarText(v))}</p:${name}>`;
}

/**
 * A reference named by class and namespace is addressed the way the request's dialect addresses
 * classes: a WMI URI for wmi, the DMTF URI plus a __cimnamespace selector for cim (OMI cannot resolve
 * a WMI URI). A reference given by its own resource URI in another form is sent as it is.
 */
function referenceFor(v: CimReference, dialect: WsmanDialect): CimReference {
  if (dialect !== 'cim' || v.className === undefined || v.namespace === undefined) return v;
  if (v.resourceUri !== undefined && dialectOfResourceUri(v.resourceUri) !== 'wmi') return v;
  const t = classTarget('cim', v.namespace, v.className);
  return { ...v, resourceUri: t.resourceUri, selectors: { ...t.selectors, ...v.selectors } };
}

/** DSP0230 8.2 cim:cimDateTime content. */
function datetimeXml(v: Date | CimDateTime | CimInterval): string {
  if (v instanceof CimInterval) return `<cim:Interval>${v.toJSON()}</cim:Interval>`;
  if (v instanceof Date) return `<cim:Datetime>${v.toISOString()}</cim:Datetime>`;
  if (v.date === null) return `<cim:CIM_DateTime>${escapeText(v.raw)}</cim:CIM_DateTime>`;
  const iso = v.date.toISOString();
  const micro = v.microseconds === null ? iso : iso.replace(/\.\d{3}Z$/, '.' + String(v.microseconds).padStart(6, '0') + 'Z');
  return `<cim:Datetime>${micro}</cim:Datetime>`;
}

function scalarText(v: InvokeScalar): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new InvalidOptionError(`Cannot send non-finite number ${v} as a parameter.`);
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (!(v instanceof Date) && !(v instanceof CimDateTime) && !(v instanceof CimInterval) && v.kind === 'instance') return encodeCimXmlInstance(v);
  throw new InvalidOptionError('Unsupported parameter value.');
}
