/**
 * The SOAP 1.2 / WS-Management fault model: reads an s:Fault into a WsmanFaultError that keeps
 * everything Windows puts there (subcode, reason, wsman:FaultDetail, f:WSManFault with its nested
 * ProviderFault, __ExtendedStatus, MSFT_WmiError) and every other s:Detail child as XML text.
 *
 * Names are matched by namespace URI; QName values (s:Value) are resolved against the in-scope
 * declarations, so `w:`, `wsman:` or any other prefix give the same result. Nothing in a fault is
 * required: a fault without Reason or Detail still yields an error (lessons-from-peers 8 and 9).
 */
import { ErrorCodes, HypervWsmanError, ProtocolError } from '../errors.js';
import type { CimInstance, CimPropertyInfo, CimValue } from '../cim/types.js';
import { defineOwn, lookupOwn } from '../cim/cim-xml.js';
import { serializeXml } from '../xml/serialize.js';
import { child, childrenNamed, elements, attr, isNil, lookupNamespace, resolveQName, textOf, XML_NS, type XmlElement } from '../xml/tree.js';
import { CANONICAL_PREFIX, CONVENTIONAL_PREFIXES, FAULT_CATEGORIES, type FaultCategory } from './fault-codes.js';
import { NS } from './namespaces.js';
import { quoteServerText } from '../server-text.js';

export interface WsmanFaultInfo {
  /** Local name of s:Code/s:Value: 'Sender', 'Receiver', 'MustUnderstand', ... */
  readonly soapCode: string;
  readonly soapCodeNs: string;
  /** s:Code/s:Subcode/s:Value resolved against in-scope xmlns; qname as written (e.g. 'w:InvalidSelectors'). */
  readonly subcode?: { readonly ns: string; readonly local: string; readonly qname: string };
  /** Canonical name from the subcode's namespace ('wsman:InvalidSelectors', 'wsa:DestinationUnreachable'); absent for unknown namespaces. */
  readonly subcodeName?: string;
  /** s:Reason/s:Text (English if several), whitespace collapsed; '' when the fault has none. */
  readonly reason: string;
  /** wsman:FaultDetail URI as written. */
  readonly faultDetail?: string;
  /** Outermost f:WSManFault/@Code. */
  readonly wsmanCode?: number;
  /** wsmanCode as 0x-prefixed 8-digit upper-case hex, e.g. '0x8033805B'. */
  readonly wsmanCodeHex?: string;
  /** f:WSManFault/@Machine when not empty (Windows often sends '', MS-WSMV note <36>). */
  readonly machine?: string;
  /** f:Message text of the outer WSManFault; when it only wraps a ProviderFault, the provider's message. */
  readonly message?: string;
  /** f:ProviderFault inside the outer message: its attributes, inner WSManFault and f:ExtendedError. */
  readonly providerFault?: {
    readonly provider?: string;
    readonly path?: string;
    readonly providerId?: string;
    readonly wsmanCode?: number;
    readonly message?: string;
    readonly extendedError?: CimInstance;
  };
  /** MSFT_WmiError anywhere in s:Detail, decoded untyped. */
  readonly wmiError?: CimInstance;
  /** __ExtendedStatus anywhere in s:Detail, decoded untyped. */
  readonly extendedStatus?: CimInstance;
  /**
   * A CIM_Error (or a subclass such as OMI's OMI_Error) in s:Detail, marked `wsmb:IsCIM_Error="true"`
   * (DSP0227, the WS-CIM binding), decoded untyped. DMTF servers (OMI) send this instead of WSManFault.
   */
  readonly cimError?: CimInstance;
  /** cimError's CIMStatusCode (DSP0200 CIM status codes: 3 invalid namespace, 5 invalid class, 6 not found, ...). */
  readonly cimStatusCode?: number;
  /** Every child of s:Detail, in order, as self-contained XML. */
  readonly detailElements: readonly { readonly ns: string; readonly local: string; readonly xml: string }[];
}

/**
 * A SOAP fault received from the server. `message` (Error's) is a one-line summary:
 * `<subcodeName or soapCode>: <reason> [WSManFault 0x...: <f:Message>]`. The f:Message text itself
 * is `wsmanMessage`, and `info` is the plain parsed WsmanFaultInfo (whose `message` is f:Message).
 */
export class WsmanFaultError extends HypervWsmanError implements WsmanFaultInfo {
  readonly info: WsmanFaultInfo;
  readonly soapCode: string;
  readonly soapCodeNs: string;
  readonly subcode?: WsmanFaultInfo['subcode'];
  readonly subcodeName?: string;
  readonly reason: string;
  readonly faultDetail?: string;
  readonly wsmanCode?: number;
  readonly wsmanCodeHex?: string;
  readonly machine?: string;
  /** f:Message text (WsmanFaultInfo.message); Error's `message` is the summary line. */
  readonly wsmanMessage?: string;
  readonly providerFault?: WsmanFaultInfo['providerFault'];
  readonly wmiError?: CimInstance;
  readonly extendedStatus?: CimInstance;
  readonly cimError?: CimInstance;
  readonly cimStatusCode?: number;
  readonly detailElements: WsmanFaultInfo['detailElements'];
  /** HTTP status the fault came with (Windows: 500 for Sender and Receiver faults alike). */
  readonly httpStatus?: number;
  /** wsa:Action of the fault message (e.g. .../addressing/fault). */
  readonly action?: string;
  /** The response body as received. */
  readonly rawXml: string;

  constructor(info: WsmanFaultInfo, rawXml: string, httpStatus?: number, action?: string) {
    super(ErrorCodes.WSMAN_FAULT, summaryLine(info));
    this.info = info;
    this.soapCode = info.soapCode;
    this.soapCodeNs = info.soapCodeNs;
    this.subcode = info.subcode;
    this.subcodeName = info.subcodeName;
    this.reason = info.reason;
    this.faultDetail = info.faultDetail;
    this.wsmanCode = info.wsmanCode;
    this.wsmanCodeHex = info.wsmanCodeHex;
    this.machine = info.machine;
    this.wsmanMessage = info.message;
    this.providerFault = info.providerFault;
    this.wmiError = info.wmiError;
    this.extendedStatus = info.extendedStatus;
    this.cimError = info.cimError;
    this.cimStatusCode = info.cimStatusCode;
    this.detailElements = info.detailElements;
    this.httpStatus = httpStatus;
    this.action = action;
    this.rawXml = rawXml;
  }
}

/** The s:Body/s:Fault of an envelope, if it is a fault. */
export function findFault(envelope: XmlElement): XmlElement | undefined {
  if (envelope.ns !== NS.soap || envelope.local !== 'Envelope') return undefined;
  const body = child(envelope, NS.soap, 'Body');
  return body ? child(body, NS.soap, 'Fault') : undefined;
}

/** Read an s:Fault element. Never throws on missing or unknown content; only on a non-Fault element. */
export function parseFault(fault: XmlElement, rawXml: string, httpStatus?: number, action?: string): WsmanFaultError {
  if (fault.ns !== NS.soap || fault.local !== 'Fault') {
    throw new ProtocolError(`Expected a SOAP 1.2 Fault element, got {${fault.ns}}${fault.local}.`);
  }
  return new WsmanFaultError(readFaultInfo(fault), rawXml, httpStatus, action);
}

/**
 * "No such instance" for a Get/Invoke by key: wsa:DestinationUnreachable (how Windows answers a
 * missing WMI instance or class, WSManFault 2150858752), wsman:InvalidSelectors (selectors that name
 * no key of the class cannot address any instance), or WSManFault code 2150858752 under another
 * subcode. Callers that need to tell a wrong class or key name from a missing instance can still
 * read subcodeName / faultDetail.
 */
export function isNotFoundFault(f: WsmanFaultInfo): boolean {
  return inCategory(f, FAULT_CATEGORIES.notFound);
}

/** OperationTimeout expired: wsman:TimedOut / wsen:TimedOut or code 2150858793 (normal for long Pulls; retry). */
export function isTimeoutFault(f: WsmanFaultInfo): boolean {
  return inCategory(f, FAULT_CATEGORIES.timeout);
}

/** The authenticated user lacks rights: wsman:AccessDenied or an access-denied code anywhere in the detail. */
export function isAccessDeniedFault(f: WsmanFaultInfo): boolean {
  return inCategory(f, FAULT_CATEGORIES.accessDenied);
}

function inCategory(f: WsmanFaultInfo, category: FaultCategory): boolean {
  if (f.subcodeName !== undefined && category.subcodes.includes(f.subcodeName)) return true;
  if (f.cimStatusCode !== undefined && category.cimStatusCodes.includes(f.cimStatusCode)) return true;
  return faultCodes(f).some((c) => category.codes.includes(c));
}

/** Every numeric error code the fault carries: outer and provider WSManFault, MSFT_WmiError, __ExtendedStatus. */
function faultCodes(f: WsmanFaultInfo): number[] {
  const codes = [f.wsmanCode, f.providerFault?.wsmanCode, numericProperty(f.wmiError, 'error_Code'), numericProperty(f.extendedStatus, 'StatusCode')];
  return codes.filter((c): c is number => c !== undefined);
}

function numericProperty(inst: CimInstance | undefined, name: string): number | undefined {
  const v = inst?.properties[name];
  return typeof v === 'string' ? parseCode(v) : undefined;
}

// ---------------------------------------------------------------------------------------------

function readFaultInfo(fault: XmlElement): WsmanFaultInfo {
  const codeEl = child(fault, NS.soap, 'Code');
  const codeValue = codeEl ? child(codeEl, NS.soap, 'Value') : undefined;
  const soap = codeValue ? resolveFaultQName(codeValue) : { ns: '', local: '', qname: '' };
  const subValue = codeEl ? path2(codeEl, 'Subcode', 'Value') : undefined;
  const subcode = subValue ? resolveFaultQName(subValue) : undefined;

  const detail = child(fault, NS.soap, 'Detail');
  const detailKids = detail ? elements(detail) : [];
  const outer = detail ? child(detail, NS.wsmanfault, 'WSManFault') : undefined;
  const faultDetailEl = detail ? child(detail, NS.wsman, 'FaultDetail') : undefined;
  const wsmanCode = outer ? parseCode(attr(outer, 'Code')) : undefined;
  const machine = outer ? attr(outer, 'Machine')?.trim() : undefined;
  const wmiErrorEl = detail ? findDescendant(detail, isClassElement('MSFT_WmiError')) : undefined;
  const extStatusEl = detail ? findDescendant(detail, isClassElement('__ExtendedStatus')) : undefined;
  const cimErrorEl = detail ? findDescendant(detail, isMarkedCimError) : undefined;
  const cimError = cimErrorEl ? untypedInstance(cimErrorEl) : undefined;

  return compact({
    soapCode: soap.local,
    soapCodeNs: soap.ns,
    subcode,
    subcodeName: subcode ? canonicalName(subcode.ns, subcode.local) : undefined,
    reason: readReason(fault),
    faultDetail: faultDetailEl ? oneLine(textOf(faultDetailEl)) || undefined : undefined,
    wsmanCode,
    wsmanCodeHex: wsmanCode !== undefined ? toHex(wsmanCode) : undefined,
    machine: machine ? machine : undefined,
    message: outer ? wsmanFaultMessage(outer) : undefined,
    providerFault: outer ? readProviderFault(outer) : undefined,
    wmiError: wmiErrorEl ? untypedInstance(wmiErrorEl) : undefined,
    extendedStatus: extStatusEl ? untypedInstance(extStatusEl) : undefined,
    cimError,
    cimStatusCode: numericProperty(cimError, 'CIMStatusCode'),
    detailElements: detailKids.map((el) => ({ ns: el.ns, local: el.local, xml: serializeXml(el) })),
  });
}

function path2(el: XmlElement, a: string, b: string): XmlElement | undefined {
  const mid = child(el, NS.soap, a);
  return mid ? child(mid, NS.soap, b) : undefined;
}

/** Resolve a QName written as element text; an undeclared prefix falls back to its conventional namespace. */
function resolveFaultQName(valueEl: XmlElement): { ns: string; local: string; qname: string } {
  const qname = textOf(valueEl).trim();
  const r = resolveQName(valueEl, qname);
  const declared = lookupNamespace(valueEl.scope, r.prefix) !== undefined;
  const ns = declared ? r.ns : (lookupOwn(CONVENTIONAL_PREFIXES, r.prefix) ?? '');
  return { ns, local: r.local, qname };
}

function canonicalName(ns: string, local: string): string | undefined {
  const prefix = lookupOwn(CANONICAL_PREFIX, ns);
  return prefix === undefined ? undefined : `${prefix}:${local}`;
}

/** SOAP 1.2 allows one s:Text per language; prefer English, else the first. */
function readReason(fault: XmlElement): string {
  const reasonEl = child(fault, NS.soap, 'Reason');
  if (!reasonEl) return '';
  const texts = childrenNamed(reasonEl, NS.soap, 'Text');
  const english = texts.find((t) => (attr(t, 'lang', XML_NS) ?? '').toLowerCase().startsWith('en'));
  const chosen = english ?? texts[0];
  return chosen ? oneLine(textOf(chosen)) : '';
}

/**
 * f:Message is mixed content (MS-WSMV 2.2.4.43). Its own text wins; when it only wraps a
 * ProviderFault, the provider's inner WSManFault message (or the ProviderFault's own text) is used.
 */
function wsmanFaultMessage(wsmanFault: XmlElement): string | undefined {
  const msg = child(wsmanFault, NS.wsmanfault, 'Message');
  if (!msg) return undefined;
  const own = oneLine(directText(msg));
  if (own) return own;
  const pf = child(msg, NS.wsmanfault, 'ProviderFault');
  if (pf) return providerMessage(pf);
  return oneLine(textOf(msg)) || undefined;
}

function providerMessage(pf: XmlElement): string | undefined {
  const inner = child(pf, NS.wsmanfault, 'WSManFault');
  const fromInner = inner ? wsmanFaultMessage(inner) : undefined;
  return fromInner ?? (oneLine(directText(pf)) || undefined);
}

function readProviderFault(outer: XmlElement): WsmanFaultInfo['providerFault'] {
  const msg = child(outer, NS.wsmanfault, 'Message');
  const pf = msg ? child(msg, NS.wsmanfault, 'ProviderFault') : undefined;
  if (!pf) return undefined;
  const inner = child(pf, NS.wsmanfault, 'WSManFault');
  const ext = child(pf, NS.wsmanfault, 'ExtendedError');
  const extInstance = ext ? elements(ext)[0] : undefined;
  return compact({
    provider: attr(pf, 'provider'),
    path: attr(pf, 'path'),
    providerId: attr(pf, 'providerId'),
    wsmanCode: inner ? parseCode(attr(inner, 'Code')) : undefined,
    message: providerMessage(pf),
    extendedError: extInstance ? untypedInstance(extInstance) : undefined,
  });
}

/**
 * WMI classes serialised by WinRM live in a namespace named after the class
 * (…/wmi/root/cimv2/__ExtendedStatus, …/cim-schema/2/MSFT_WmiError), so match the local name and
 * the last segment of the namespace URI.
 */
function isClassElement(className: string): (el: XmlElement) => boolean {
  return (el) => el.local === className && el.ns.endsWith(`/${className}`);
}

/** DSP0227: an instance in a fault detail that is a CIM_Error carries wsmb:IsCIM_Error="true". */
function isMarkedCimError(el: XmlElement): boolean {
  return (attr(el, 'IsCIM_Error', NS.cimbinding) ?? '').trim() === 'true';
}

function findDescendant(el: XmlElement, pred: (e: XmlElement) => boolean): XmlElement | undefined {
  for (const c of el.children) {
    if (c.kind !== 'element') continue;
    if (pred(c)) return c;
    const deeper = findDescendant(c, pred);
    if (deeper) return deeper;
  }
  return undefined;
}

/**
 * A WS-CIM instance without its class schema: every child element is a string property (null when
 * xsi:nil), repeated children become arrays. Kept private until decodeWsCimInstance (src/cim/ws-cim.ts)
 * can take its place.
 */
function untypedInstance(el: XmlElement): CimInstance {
  const properties: Record<string, CimValue> = {};
  const propertyInfo: Record<string, CimPropertyInfo> = {};
  const seen = new Map<string, Array<string | null>>();
  for (const p of elements(el)) {
    const value = isNil(p) ? null : textOf(p);
    const list = seen.get(p.local);
    if (list) list.push(value);
    else seen.set(p.local, [value]);
  }
  for (const [name, values] of seen) {
    const isArray = values.length > 1;
    // defineProperty, not assignment: a property element named __proto__ must not set the prototype.
    defineOwn(properties, name, isArray ? values : values[0]!);
    defineOwn(propertyInfo, name, { type: 'unknown', isArray });
  }
  return { kind: 'instance', className: el.local, properties, propertyInfo, source: 'ws-cim', raw: serializeXml(el) };
}

/** Text nodes directly under an element (not its descendants). */
function directText(el: XmlElement): string {
  let s = '';
  for (const c of el.children) if (c.kind === 'text') s += c.value;
  return s;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Code is xs:unsignedInt; tolerate a signed HRESULT or 0x-hex as some servers print them. */
function parseCode(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const s = raw.trim();
  let n: number;
  if (/^\d{1,10}$/.test(s)) n = Number(s);
  else if (/^-\d{1,10}$/.test(s)) n = Number(s) >>> 0;
  else if (/^0x[0-9a-f]{1,8}$/i.test(s)) n = parseInt(s.slice(2), 16);
  else return undefined;
  return n <= 0xffffffff ? n : undefined;
}

function toHex(code: number): string {
  return '0x' + code.toString(16).toUpperCase().padStart(8, '0');
}

/** Every piece is the server's text: each is quoted bounded (server-text.ts), the fields keep it whole. */
function summaryLine(f: WsmanFaultInfo): string {
  const label = quoteServerText(f.subcodeName ?? f.subcode?.qname ?? (f.soapCode || 'SOAP fault'), 200);
  let line = `${label}: ${f.reason ? quoteServerText(f.reason) : 'no reason given in the fault'}`;
  const wmiCode = numericProperty(f.wmiError, 'error_Code');
  if (f.wsmanCodeHex !== undefined) {
    line += ` [WSManFault ${f.wsmanCodeHex}${extra(f.message, f.reason)}]`;
  } else if (wmiCode !== undefined) {
    const wmiMessage = f.wmiError?.properties['Message'];
    line += ` [MSFT_WmiError ${toHex(wmiCode)}${extra(typeof wmiMessage === 'string' ? oneLine(wmiMessage) : undefined, f.reason)}]`;
  } else if (f.cimStatusCode !== undefined) {
    const cimMessage = f.cimError?.properties['Message'];
    // OMI's reason often embeds the message ("CIM ERROR:NOT_FOUND: <Message>"): say it once.
    const said = typeof cimMessage === 'string' && !f.reason.includes(oneLine(cimMessage)) ? oneLine(cimMessage) : undefined;
    line += ` [${f.cimError!.className} CIMStatusCode ${f.cimStatusCode}${extra(said, f.reason)}]`;
  }
  return oneLine(line);
}

/** ': text' unless the text is empty or only repeats the reason. */
function extra(text: string | undefined, reason: string): string {
  return text && text !== reason ? `: ${quoteServerText(text)}` : '';
}

/** Drop undefined members so parsed objects compare and print cleanly. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
