/**
 * Parsers for WS-Man replies: bytes -> envelope -> typed results. Every reply is checked
 * (a Body must exist; RelatesTo must equal the MessageID we sent) before anything reads it.
 */
import { MismatchedReplyError, ProtocolError, UnexpectedReplyError } from '../errors.js';
import { classNameFromResourceUri } from '../cim/epr.js';
import { decodeXmlBytes, parseXml } from '../xml/parse.js';
import { child, childrenNamed, elements, isNil, textOf, type XmlElement } from '../xml/tree.js';
import { findFault, parseFault } from './fault.js';
import { NS } from './namespaces.js';
import type { WsmanRequest } from './requests.js';

export interface ParsedEnvelope {
  readonly envelope: XmlElement;
  readonly header: XmlElement | undefined;
  readonly body: XmlElement;
  readonly action: string | undefined;
  readonly relatesTo: string | undefined;
}

export interface ParseReplyOptions {
  readonly maxBytes?: number;
  readonly httpStatus?: number;
  /** charset parameter of the reply's Content-Type, when bytes are given. */
  readonly charset?: string;
}

/** Parse a reply envelope; throws WsmanFaultError for a SOAP fault, ProtocolError for a broken contract. */
export function parseReply(xml: string | Uint8Array, request: WsmanRequest, options: ParseReplyOptions = {}): ParsedEnvelope {
  const raw = typeof xml === 'string' ? xml : decodeXmlBytes(xml, options.charset);
  const envelope = parseXml(raw, { maxBytes: options.maxBytes });
  if (envelope.ns !== NS.soap || envelope.local !== 'Envelope') {
    throw new ProtocolError(`Expected a SOAP 1.2 Envelope in the reply to ${request.label}, got <${envelope.name}> in namespace "${envelope.ns}".`);
  }
  const header = child(envelope, NS.soap, 'Header');
  const body = child(envelope, NS.soap, 'Body');
  const action = header ? optText(child(header, NS.wsa, 'Action')) : undefined;
  const relatesTo = header ? optText(child(header, NS.wsa, 'RelatesTo')) : undefined;
  if (!body) throw new ProtocolError(`The reply to ${request.label} has no SOAP Body.`);
  const fault = findFault(envelope);
  // Identify carries no addressing headers; everything else must correlate. A fault that names another
  // message is not our answer either; one without RelatesTo is accepted (a server may fault before it
  // has read our MessageID).
  if (request.messageId !== '' && relatesTo !== request.messageId && (relatesTo !== undefined || !fault)) {
    const what = fault ? 'fault' : 'reply';
    if (relatesTo === undefined) throw new ProtocolError(`The reply to ${request.label} has no RelatesTo header (expected ${request.messageId}).`);
    throw new MismatchedReplyError(`The ${what} to ${request.label} relates to ${relatesTo}, not to the request sent (${request.messageId}); refusing a mismatched ${what}.`, request.messageId, relatesTo);
  }
  if (fault) {
    throw parseFault(fault, raw, options.httpStatus, action);
  }
  return { envelope, header, body, action, relatesTo };
}

function optText(el: XmlElement | undefined): string | undefined {
  return el ? textOf(el).trim() : undefined;
}

export interface IdentifyResult {
  readonly protocolVersion: string;
  readonly productVendor: string;
  readonly productVersion: string;
  readonly securityProfiles: readonly string[];
}

/**
 * IdentifyResponse (DSP0226 11): in the wsmid namespace as the spec and Windows write it, or in the
 * SOAP envelope namespace as OMI writes it (wsman.c `_SendIdentifyResponse`, its children still wsmid).
 */
const IDENTIFY_RESPONSE_NAMESPACES: readonly string[] = [NS.wsmid, NS.soap];

export function parseIdentifyResponse(body: XmlElement): IdentifyResult {
  const r = IDENTIFY_RESPONSE_NAMESPACES.map((ns) => child(body, ns, 'IdentifyResponse')).find((e) => e !== undefined);
  if (!r) throw unexpectedBody(body, 'Identify', ['wsmid:IdentifyResponse']);
  const t = (local: string): string => optText(child(r, NS.wsmid, local)) ?? '';
  const profiles = child(r, NS.wsmid, 'SecurityProfiles');
  return {
    protocolVersion: t('ProtocolVersion'),
    productVendor: t('ProductVendor'),
    productVersion: t('ProductVersion'),
    securityProfiles: profiles ? childrenNamed(profiles, NS.wsmid, 'SecurityProfileName').map((e) => textOf(e).trim()) : [],
  };
}

/** `<prefix:local>` in namespace "ns", for messages that name what the server sent. */
function describe(el: XmlElement): string {
  return `<${el.name}> (namespace "${el.ns}")`;
}

/** The typed error for a reply body that fits none of the shapes we know: it names what was found. */
function unexpectedBody(body: XmlElement, label: string, expected: readonly string[]): UnexpectedReplyError {
  const found = elements(body);
  const what = found.length === 0 ? 'an empty Body' : found.slice(0, 3).map(describe).join(', ');
  return new UnexpectedReplyError(`The reply to ${label} fits no known shape: expected ${expected.join(' or ')}, found ${what}.`, {
    expected,
    found: found.map((e) => ({ name: e.name, namespace: e.ns })),
  });
}

/** The single instance element of a transfer/GetResponse body. */
export function parseGetResponse(body: XmlElement): XmlElement {
  const items = elements(body);
  if (items.length !== 1) throw unexpectedBody(body, 'Get', ['exactly one instance element']);
  return items[0]!;
}

export interface EnumerationPage {
  /** Context for the next Pull; undefined when the sequence is over. */
  readonly context: string | undefined;
  readonly items: readonly XmlElement[];
  readonly endOfSequence: boolean;
}

/** EnumerateResponse (optimized: may already carry items) and PullResponse share one shape. */
export type EnumerationPageKind = 'EnumerateResponse' | 'PullResponse';

export function parseEnumerationPage(body: XmlElement, kind: EnumerationPageKind): EnumerationPage {
  const r = child(body, NS.wsen, kind);
  if (!r) throw unexpectedBody(body, kind === 'PullResponse' ? 'Pull' : 'Enumerate', [`wsen:${kind}`]);
  const ctxEl = child(r, NS.wsen, 'EnumerationContext');
  // Enumerate (optimized) puts items and EndOfSequence in the wsman namespace; Pull in wsen (DSP0226 8.2.3, WS-Enumeration).
  const itemsEl = child(r, NS.wsen, 'Items') ?? child(r, NS.wsman, 'Items');
  const endOfSequence = !!(child(r, NS.wsen, 'EndOfSequence') ?? child(r, NS.wsman, 'EndOfSequence'));
  const context = ctxEl ? textOf(ctxEl).trim() || undefined : undefined;
  return { context: endOfSequence ? undefined : context, items: itemsEl ? elements(itemsEl) : [], endOfSequence: endOfSequence || context === undefined };
}

export interface InvokeOutput {
  /** The output element: `<p:Method_OUTPUT>` (DSP0230, Windows), or OMI's `<p:Method>` / `<p:Class_OUTPUT>`. */
  readonly output: XmlElement;
  /** ReturnValue as a number (uint32 method results); null if absent or not an integer (see returnValueElement). */
  readonly returnValue: number | null;
  /** The ReturnValue element as sent, whatever its type (OMI methods may return an embedded instance). */
  readonly returnValueElement?: XmlElement;
}

/**
 * Names an Invoke reply's output element may have, in order of preference: DSP0230 10.3 and
 * Windows write `<Method>_OUTPUT`; OMI (wsbuf.c `_PackInstance`) writes the method name alone, or
 * `<Class>_OUTPUT` when the method declaration names its class.
 */
function outputNames(method: string, className: string | undefined): string[] {
  return [`${method}_OUTPUT`, method, ...(className ? [`${className}_OUTPUT`] : [])];
}

export function parseInvokeResponse(body: XmlElement, method: string, resourceUri?: string): InvokeOutput {
  const names = outputNames(method, resourceUri === undefined ? undefined : classNameFromResourceUri(resourceUri));
  const kids = elements(body);
  let output: XmlElement | undefined;
  for (const name of names) {
    const candidates = kids.filter((e) => e.local === name);
    // By namespace (the resource URI, [MS-WSMV] 4.1.4) when known; some servers use another, so fall back to the name.
    output = (resourceUri !== undefined ? candidates.find((e) => e.ns === resourceUri) : undefined) ?? candidates[0];
    if (output) break;
  }
  if (!output) throw unexpectedBody(body, `Invoke ${method}`, names.map((n) => `<${n}>`));
  const out = output;
  const rv = elements(out).find((e) => e.local === 'ReturnValue' && e.ns === out.ns);
  // Integer text is the usual uint32 status; anything else (an embedded instance, a string) stays in returnValueElement.
  const text = rv && elements(rv).length === 0 && !isNil(rv) ? textOf(rv).trim() : '';
  const returnValue = /^-?\d+$/.test(text) ? Number(text) : null;
  return { output, returnValue, ...(rv ? { returnValueElement: rv } : {}) };
}

/** Out-parameter elements by name (repeated elements = array), in the method output's namespace. */
export function outParams(output: XmlElement, name: string): XmlElement[] {
  return childrenNamed(output, output.ns, name);
}
