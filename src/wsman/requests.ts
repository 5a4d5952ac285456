/**
 * Builders for each WS-Man operation: pure functions from typed arguments to an envelope string.
 * Each returns the MessageID it used so the reply's RelatesTo can be checked, and whether the
 * operation is idempotent (only those are retried after a dropped connection).
 */
import { InvalidOptionError } from '../errors.js';
import { requirePositiveInteger } from '../positive-integer.js';
import { escapeAttr, escapeText } from '../xml/escape.js';
import { associationFilterXml, type AssociationFilter } from './association-filter.js';
import { buildEnvelope, type EnvelopeContext, type WsmanOption } from './envelope.js';
import { dialectOfResourceUri, type WsmanDialect } from './dialect.js';
import { encodeInvokeParams, type InvokeParams } from './invoke-params.js';
import { ACTION, NS, WQL_DIALECT } from './namespaces.js';

export interface WsmanRequest {
  /** The action URI ('' for Identify, which has no WS-Addressing headers). */
  readonly action: string;
  /** MessageID sent; '' for Identify. */
  readonly messageId: string;
  readonly xml: string;
  readonly idempotent: boolean;
  /** A short label for logs and errors, e.g. `Invoke GetError`. */
  readonly label: string;
}

export type Selectors = Readonly<Record<string, string>>;

/** Identify ([MS-WSMV] 3.1.4.16): no addressing headers, just wsmid:Identify in the body. */
export function buildIdentifyRequest(): WsmanRequest {
  const xml =
    `<s:Envelope xmlns:s="${NS.soap}" xmlns:wsmid="${NS.wsmid}">` + '<s:Header/>' + '<s:Body><wsmid:Identify/></s:Body>' + '</s:Envelope>';
  return { action: '', messageId: '', xml, idempotent: true, label: 'Identify' };
}

export function buildGetRequest(ctx: EnvelopeContext, resourceUri: string, selectors?: Selectors, options?: readonly WsmanOption[]): WsmanRequest {
  const { xml, messageId } = buildEnvelope(ctx, { action: ACTION.get, resourceUri, selectors, options }, '');
  return { action: ACTION.get, messageId, xml, idempotent: true, label: 'Get' };
}

export interface EnumerateArgs {
  /** A WQL query (sent with the WQL dialect); the resource URI is then usually the namespace's `*`. */
  readonly wql?: string;
  /** Any other filter dialect. */
  readonly filter?: { readonly dialect: string; readonly content: string };
  /** A DMTF association query (DSP0227 8.2); the resource URI is then usually the namespace's `*`. */
  readonly association?: AssociationFilter;
  readonly selectors?: Selectors;
  /** Return the first items in the EnumerateResponse itself (DSP0226 8.2.3). Default true. */
  readonly optimize?: boolean;
  /** Items per response. Default 100. */
  readonly maxElements?: number;
  readonly mode?: 'EnumerateEPR' | 'EnumerateObjectAndEPR';
  readonly options?: readonly WsmanOption[];
  /**
   * Client-side bound, not sent: more items than this in one enumeration (counted across pages)
   * release the context and throw a ProtocolError. Default none; callers that collect every item
   * set one, since a hostile server can page forever.
   */
  readonly maxItems?: number;
}

export const DEFAULT_MAX_ELEMENTS = 100;

export function buildEnumerateRequest(ctx: EnvelopeContext, resourceUri: string, args: EnumerateArgs = {}): WsmanRequest {
  const given = [args.wql !== undefined && 'wql', args.filter !== undefined && 'filter', args.association !== undefined && 'association'].filter((k) => k !== false);
  if (given.length > 1) throw new InvalidOptionError(`An Enumerate carries one filter; got ${given.join(' and ')}.`);
  const filter = args.wql !== undefined ? { dialect: WQL_DIALECT, content: args.wql } : args.filter;
  const max = args.maxElements ?? DEFAULT_MAX_ELEMENTS;
  checkMaxElements(max);
  // Child order as in DSP0226 8.2: wsman:Filter, EnumerationMode, OptimizeEnumeration, MaxElements.
  let body = `<n:Enumerate xmlns:n="${NS.wsen}">`;
  if (filter) body += `<w:Filter Dialect="${escapeAttr(filter.dialect)}">${escapeText(filter.content)}</w:Filter>`;
  if (args.association) body += associationFilterXml(args.association);
  if (args.mode) body += `<w:EnumerationMode>${args.mode}</w:EnumerationMode>`;
  if (args.optimize ?? true) body += `<w:OptimizeEnumeration/><w:MaxElements>${max}</w:MaxElements>`;
  body += '</n:Enumerate>';
  const { xml, messageId } = buildEnvelope(ctx, { action: ACTION.enumerate, resourceUri, selectors: args.selectors, options: args.options }, body);
  return { action: ACTION.enumerate, messageId, xml, idempotent: true, label: 'Enumerate' };
}

export function buildPullRequest(ctx: EnvelopeContext, resourceUri: string, context: string, maxElements = DEFAULT_MAX_ELEMENTS): WsmanRequest {
  checkMaxElements(maxElements);
  const body =
    `<n:Pull xmlns:n="${NS.wsen}">` +
    `<n:EnumerationContext>${escapeText(context)}</n:EnumerationContext>` +
    `<n:MaxElements>${maxElements}</n:MaxElements>` +
    '</n:Pull>';
  const { xml, messageId } = buildEnvelope(ctx, { action: ACTION.pull, resourceUri }, body);
  return { action: ACTION.pull, messageId, xml, idempotent: true, label: 'Pull' };
}

export function buildReleaseRequest(ctx: EnvelopeContext, resourceUri: string, context: string): WsmanRequest {
  const body = `<n:Release xmlns:n="${NS.wsen}"><n:EnumerationContext>${escapeText(context)}</n:EnumerationContext></n:Release>`;
  const { xml, messageId } = buildEnvelope(ctx, { action: ACTION.release, resourceUri }, body);
  return { action: ACTION.release, messageId, xml, idempotent: true, label: 'Release' };
}

export interface InvokeArgs {
  readonly selectors?: Selectors;
  readonly params?: InvokeParams;
  readonly options?: readonly WsmanOption[];
  /** Whether re-sending after a dropped connection is harmless (GetError, GetErrorEx...). Default false. */
  readonly idempotent?: boolean;
  /** How embedded-instance and datetime parameters are written (dialect.ts); default: the resource URI's dialect. */
  readonly dialect?: WsmanDialect;
}

/**
 * Invoke a method: Action = ResourceURI/Method ([MS-WSMV] 3.1.4.1.32, DSP0230 10.3), body
 * <p:Method_INPUT xmlns:p="ResourceURI"> with parameters in the order given (WMI validates against the
 * method's schema, so callers keep MOF order).
 */
export function buildInvokeRequest(ctx: EnvelopeContext, resourceUri: string, method: string, args: InvokeArgs = {}): WsmanRequest {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(method)) throw new InvalidOptionError(`Invalid method name "${method}": expected a WMI method identifier such as GetError.`);
  const action = `${resourceUri}/${method}`;
  const inner = encodeInvokeParams(args.params ?? {}, args.dialect ?? dialectOfResourceUri(resourceUri));
  const body = `<p:${method}_INPUT xmlns:p="${escapeAttr(resourceUri)}">${inner}</p:${method}_INPUT>`;
  const { xml, messageId } = buildEnvelope(ctx, { action, resourceUri, selectors: args.selectors, options: args.options }, body, ` xmlns:xsi="${NS.xsi}" xmlns:cim="${NS.cim}"`);
  return { action, messageId, xml, idempotent: args.idempotent ?? false, label: `Invoke ${method}` };
}

function checkMaxElements(n: number): void {
  requirePositiveInteger('maxElements', n);
}
