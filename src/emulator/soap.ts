/**
 * The emulator's SOAP edge, written independently of the client: reading a request envelope into its
 * WS-Man headers and body, and writing replies the way Windows does (prefixes s a x e n w p on the
 * Envelope, `p` bound to the Microsoft wsman namespace, xml:lang="en-US", RelatesTo = the request's
 * MessageID) and faults with f:WSManFault Code/Machine, f:Message, and for WMI an f:ProviderFault
 * with f:ExtendedError/p:__ExtendedStatus.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorDialect } from './dialect.js';
import { XmlParseError, XmlForbiddenError, XmlTooLargeError } from '../errors.js';
import { escapeAttr, escapeText } from '../xml/escape.js';
import { decodeXmlBytes, parseXml } from '../xml/parse.js';
import { attr, child, childrenNamed, elements, textOf, type XmlElement } from '../xml/tree.js';
import { ANONYMOUS, NS } from '../wsman/namespaces.js';
import { EmulatorFault, FAULT, OMI_CIM_ERRORS, type FaultKind, type FaultOptions, type ExtendedStatus } from './faults.js';

const SOAP11_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

export interface Selector {
  readonly name: string;
  readonly value: string;
}

export interface WsOption {
  readonly name: string;
  readonly value: string;
  readonly mustComply: boolean;
}

export interface SoapRequest {
  readonly envelope: XmlElement;
  readonly header: XmlElement | undefined;
  /** First element child of s:Body, if any. */
  readonly bodyElement: XmlElement | undefined;
  readonly action: string | undefined;
  readonly messageId: string | undefined;
  readonly resourceUri: string | undefined;
  /** Address inside wsa:ReplyTo; null when ReplyTo is absent. */
  readonly replyTo: string | null;
  readonly maxEnvelopeSize: string | undefined;
  readonly operationTimeout: string | undefined;
  readonly selectors: readonly Selector[];
  readonly options: readonly WsOption[];
  readonly localeMustUnderstand: boolean;
  readonly dataLocaleMustUnderstand: boolean;
}

function isTrue(v: string | undefined): boolean {
  const t = v?.trim().toLowerCase();
  return t === 'true' || t === '1';
}

function headerText(header: XmlElement | undefined, ns: string, local: string): string | undefined {
  const el = header && child(header, ns, local);
  return el && textOf(el).trim();
}

function mustUnderstand(el: XmlElement | undefined): boolean {
  return el !== undefined && isTrue(attr(el, 'mustUnderstand', NS.soap));
}

/** Parse request bytes (charset from Content-Type honoured) into headers and body; throws EmulatorFault. */
export function parseSoapRequest(bytes: Uint8Array, charset: string | undefined, maxBytes: number): SoapRequest {
  let envelope: XmlElement;
  try {
    envelope = parseXml(decodeXmlBytes(bytes, charset), { maxBytes: Math.max(maxBytes, bytes.length) });
  } catch (err) {
    if (err instanceof XmlParseError || err instanceof XmlForbiddenError || err instanceof XmlTooLargeError) {
      throw new EmulatorFault(FAULT.schemaValidation, { message: `The WS-Management service cannot process the request because the XML is invalid. ${err.message}` });
    }
    throw err;
  }
  if (envelope.local === 'Envelope' && envelope.ns === SOAP11_ENVELOPE_NS) throw new EmulatorFault(FAULT.versionMismatch);
  if (envelope.local !== 'Envelope' || envelope.ns !== NS.soap) throw new EmulatorFault(FAULT.schemaValidation);
  const header = child(envelope, NS.soap, 'Header');
  const body = child(envelope, NS.soap, 'Body');
  if (!body) throw new EmulatorFault(FAULT.schemaValidation, { message: 'The WS-Management service cannot process the request because the request packet does not have a valid SOAP body. ' });

  const selectorSet = header && child(header, NS.wsman, 'SelectorSet');
  const selectors = selectorSet
    ? childrenNamed(selectorSet, NS.wsman, 'Selector').map((s) => ({ name: (attr(s, 'Name') ?? '').trim(), value: textOf(s).trim() }))
    : [];
  const optionSet = header && child(header, NS.wsman, 'OptionSet');
  const options = optionSet
    ? childrenNamed(optionSet, NS.wsman, 'Option').map((o) => ({ name: attr(o, 'Name') ?? '', value: textOf(o).trim(), mustComply: isTrue(attr(o, 'MustComply')) }))
    : [];
  const replyTo = header && child(header, NS.wsa, 'ReplyTo');
  return {
    envelope,
    header,
    bodyElement: elements(body)[0],
    action: headerText(header, NS.wsa, 'Action'),
    messageId: headerText(header, NS.wsa, 'MessageID'),
    resourceUri: headerText(header, NS.wsman, 'ResourceURI'),
    replyTo: replyTo ? (headerText(replyTo, NS.wsa, 'Address') ?? '') : null,
    maxEnvelopeSize: headerText(header, NS.wsman, 'MaxEnvelopeSize'),
    operationTimeout: headerText(header, NS.wsman, 'OperationTimeout'),
    selectors,
    options,
    localeMustUnderstand: mustUnderstand(header && child(header, NS.wsman, 'Locale')),
    dataLocaleMustUnderstand: mustUnderstand(header && child(header, NS.wsmv, 'DataLocale')),
  };
}

// Windows declares these seven on every reply Envelope (pypsrp and omi recordings).
const ENVELOPE_OPEN =
  `<s:Envelope xml:lang="en-US" xmlns:s="${NS.soap}" xmlns:a="${NS.wsa}" xmlns:x="${NS.wst}"` +
  ` xmlns:e="http://schemas.xmlsoap.org/ws/2004/08/eventing" xmlns:n="${NS.wsen}" xmlns:w="${NS.wsman}" xmlns:p="${NS.wsmv}">`;

/** Prefix for a namespace as declared on ENVELOPE_OPEN. */
export const PREFIX: Readonly<Record<string, string>> = {
  [NS.soap]: 's',
  [NS.wsa]: 'a',
  [NS.wst]: 'x',
  [NS.wsen]: 'n',
  [NS.wsman]: 'w',
  [NS.wsmv]: 'p',
};

export function newMessageId(): string {
  return `uuid:${randomUUID().toUpperCase()}`;
}

/** A reply envelope: Action, MessageID, To anonymous, RelatesTo, then the body XML as given. */
export function writeEnvelope(action: string, relatesTo: string | undefined, bodyXml: string): string {
  const relates = relatesTo === undefined ? '' : `<a:RelatesTo>${escapeText(relatesTo)}</a:RelatesTo>`;
  return (
    `${ENVELOPE_OPEN}<s:Header><a:Action>${escapeText(action)}</a:Action><a:MessageID>${newMessageId()}</a:MessageID>` +
    `<a:To>${ANONYMOUS}</a:To>${relates}</s:Header><s:Body>${bodyXml}</s:Body></s:Envelope>`
  );
}

export const SECURITY_PROFILES = {
  basic: ['http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic', 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/basic'],
  spnego: ['http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/spnego-kerberos', 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/spnego-kerberos'],
} as const;

export const PRODUCT_VERSION = 'OS: 10.0.20348 SP: 0.0 Stack: 3.0';

/** What the emulated OMI reports as vendor and version (OMI writes its configure-time product name and version). */
export const OMI_PRODUCT = { vendor: 'Open Management Infrastructure', version: '1.0.8-6' } as const;

/**
 * IdentifyResponse (DSP0226 11, [MS-WSMV] 3.1.4.1.23): no addressing headers; SecurityProfiles only
 * for an authenticated request. OMI puts IdentifyResponse itself in the SOAP namespace (children wsmid).
 */
export function writeIdentifyResponse(securityProfiles: readonly string[] | undefined, dialect: EmulatorDialect = 'wmi'): string {
  const profiles =
    securityProfiles === undefined
      ? ''
      : `<wsmid:SecurityProfiles>${securityProfiles.map((p) => `<wsmid:SecurityProfileName>${escapeText(p)}</wsmid:SecurityProfileName>`).join('')}</wsmid:SecurityProfiles>`;
  const omi = dialect === 'omi';
  const element = omi ? 's:IdentifyResponse' : 'wsmid:IdentifyResponse';
  const envelopeNs = omi ? ` xmlns:wsmid="${NS.wsmid}"` : '';
  const elementNs = omi ? '' : ` xmlns:wsmid="${NS.wsmid}"`;
  const vendor = omi ? OMI_PRODUCT.vendor : 'Microsoft Corporation';
  const version = omi ? OMI_PRODUCT.version : PRODUCT_VERSION;
  return (
    `<s:Envelope xmlns:s="${NS.soap}"${envelopeNs} xml:lang="en-US"><s:Header/><s:Body>` +
    `<${element}${elementNs}><wsmid:ProtocolVersion>${NS.wsman}</wsmid:ProtocolVersion>` +
    `<wsmid:ProductVendor>${escapeText(vendor)}</wsmid:ProductVendor><wsmid:ProductVersion>${escapeText(version)}</wsmid:ProductVersion>` +
    `${profiles}</${element}></s:Body></s:Envelope>`
  );
}

/** Fault Action by the subcode's namespace (captures: addressing/fault, enumeration/fault, wsman/fault). */
const FAULT_ACTION: Readonly<Record<string, string>> = {
  [NS.wsa]: 'http://schemas.xmlsoap.org/ws/2004/08/addressing/fault',
  [NS.wsen]: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault',
  [NS.wsman]: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault',
};

export function faultAction(kind: FaultKind): string {
  return (kind.subcode && FAULT_ACTION[kind.subcode[0]]) ?? FAULT_ACTION[NS.wsman]!;
}

const WSMANFAULT_NS = NS.wsmanfault;
/** Where Windows Server 2012 R2+ reports the WMI plug-in (2008 R2 wrote %systemroot%\…). */
const WMI_PROVIDER_PATH = 'C:\\Windows\\system32\\WsmWmiPl.dll';
const EXTENDED_STATUS_URI = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/__ExtendedStatus';

function nilOr(name: string, cimType: string, value: string | number | undefined): string {
  return value === undefined
    ? `<p:${name} xsi:nil="true" xsi:type="cim:${cimType}"/>`
    : `<p:${name} xsi:type="cim:${cimType}">${escapeText(String(value))}</p:${name}>`;
}

/** p:__ExtendedStatus as Windows Server 2012 R2 renders it (DMTF-style URI, xsi:type on every property). */
function writeExtendedStatus(s: ExtendedStatus): string {
  return (
    `<f:ExtendedError><p:__ExtendedStatus xmlns:xsi="${NS.xsi}" xmlns:p="${EXTENDED_STATUS_URI}" xmlns:cim="${NS.cim}" xsi:type="p:__ExtendedStatus_Type">` +
    nilOr('Description', 'cimString', s.description) +
    nilOr('Operation', 'cimString', s.operation) +
    nilOr('ParameterInfo', 'cimString', s.parameterInfo) +
    nilOr('ProviderName', 'cimString', s.providerName) +
    nilOr('StatusCode', 'cimUnsignedInt', s.statusCode) +
    `</p:__ExtendedStatus></f:ExtendedError>`
  );
}

export interface FaultContext {
  /** MessageID of the request, when it had one. */
  readonly relatesTo: string | undefined;
  /** Outer WSManFault/@Machine: the host name the client addressed (captures show the client-facing name). */
  readonly machine: string;
  /** Inner (provider) WSManFault/@Machine: the computer's own name. */
  readonly computerName: string;
  /** OMI writes a CIM_Error where Windows writes WSManFault (writeOmiFault). */
  readonly dialect?: EmulatorDialect;
}

function subcodeQName(kind: FaultKind): string | undefined {
  return kind.subcode && `${PREFIX[kind.subcode[0]]}:${kind.subcode[1]}`;
}

/** The whole fault envelope for an EmulatorFault. */
export function writeFault(fault: EmulatorFault, ctx: FaultContext): string {
  if (ctx.dialect === 'omi') return writeOmiFault(fault, ctx);
  const { kind, options } = fault;
  const sub = subcodeQName(kind);
  const code = `<s:Code><s:Value>s:${kind.code}</s:Value>${sub ? `<s:Subcode><s:Value>${sub}</s:Value></s:Subcode>` : ''}</s:Code>`;
  const detailUri = options.detail ?? kind.detail;
  const message = options.provider ? writeProviderFault(options, ctx.computerName) : escapeText(options.message ?? kind.reason);
  const body =
    `<s:Fault>${code}<s:Reason><s:Text xml:lang="en-US">${escapeText(kind.reason)}</s:Text></s:Reason><s:Detail>` +
    (detailUri ? `<w:FaultDetail>${escapeText(detailUri)}</w:FaultDetail>` : '') +
    `<f:WSManFault xmlns:f="${WSMANFAULT_NS}" Code="${kind.wsmanCode ?? 0}" Machine="${escapeAttr(ctx.machine)}"><f:Message>${message}</f:Message></f:WSManFault>` +
    `</s:Detail></s:Fault>`;
  return writeEnvelope(faultAction(kind), ctx.relatesTo, body);
}

function writeProviderFault(options: FaultOptions, computerName: string): string {
  const p = options.provider!;
  return (
    `<f:ProviderFault provider="WMI Provider" path="${escapeAttr(WMI_PROVIDER_PATH)}">` +
    `<f:WSManFault xmlns:f="${WSMANFAULT_NS}" Code="${p.code}" Machine="${escapeAttr(computerName)}"><f:Message>${escapeText(p.message)}</f:Message></f:WSManFault>` +
    (p.extendedStatus ? writeExtendedStatus(p.extendedStatus) : '') +
    `</f:ProviderFault>`
  );
}

const OMI_ERROR_URI = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/OMI_Error';

/**
 * A fault as OMI 1.0.8-6 writes it (wire capture): the subcode, a Reason that is the error's message
 * (CIM_ERR_NOT_FOUND prefixed "CIM ERROR:NOT_FOUND: "), and in s:Detail only an OMI_Error (a
 * CIM_Error subclass) marked wsmb:IsCIM_Error="true" with its CIMStatusCode: no WSManFault, no
 * FaultDetail. A fault with no CIM status of its own says CIM_ERR_FAILED (1).
 */
function writeOmiFault(fault: EmulatorFault, ctx: FaultContext): string {
  const { kind, options } = fault;
  const cim = options.cim ?? (kind === FAULT.resourceNotFound ? OMI_CIM_ERRORS.notFound : { statusCode: 1, message: options.message ?? kind.reason });
  const reason = cim.statusCode === OMI_CIM_ERRORS.notFound.statusCode ? `CIM ERROR:NOT_FOUND: ${cim.message}` : cim.message;
  const sub = subcodeQName(kind);
  const code = `<s:Code><s:Value>s:${kind.code}</s:Value>${sub ? `<s:Subcode><s:Value>${sub}</s:Value></s:Subcode>` : ''}</s:Code>`;
  const detail =
    `<p:OMI_Error wsmb:IsCIM_Error="true" xmlns:xsi="${NS.xsi}" xmlns:wsmb="${NS.cimbinding}" xmlns:p="${OMI_ERROR_URI}" xmlns:cim="${NS.cim}">` +
    `<p:OwningEntity xsi:type="cim:cimString">OMI:CIMOM</p:OwningEntity>` +
    `<p:MessageID xsi:type="cim:cimString">OMI:MI_Result:${cim.statusCode}</p:MessageID>` +
    `<p:Message xsi:type="cim:cimString">${escapeText(cim.message)}</p:Message>` +
    `<p:CIMStatusCode xsi:type="cim:cimUnsignedInt">${cim.statusCode}</p:CIMStatusCode>` +
    `<p:OMI_Code xsi:type="cim:cimUnsignedInt">${cim.statusCode}</p:OMI_Code>` +
    `</p:OMI_Error>`;
  const body = `<s:Fault>${code}<s:Reason><s:Text xml:lang="en-US">${escapeText(reason)}</s:Text></s:Reason><s:Detail>${detail}</s:Detail></s:Fault>`;
  return writeEnvelope(faultAction(kind), ctx.relatesTo, body);
}
