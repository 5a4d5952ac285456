/**
 * SOAP 1.2 envelope with the WS-Addressing / WS-Management headers WinRM expects.
 * Header set and order follow [MS-WSMV] 4.1.4 and what pywinrm/pypsrp send; every value is escaped.
 * Sans-IO: returns a string, touches no socket.
 */
import { randomUUID } from 'node:crypto';
import { InvalidOptionError } from '../errors.js';
import { escapeAttr, escapeText } from '../xml/escape.js';
import { ANONYMOUS, NS } from './namespaces.js';

/** Default MaxEnvelopeSize (bytes), as pywinrm/pypsrp send; Windows refuses < 8192 ([MS-WSMV] 3.1.4.1.7). */
export const DEFAULT_MAX_ENVELOPE_SIZE = 153600;
/** pywinrm's and Ansible's default. */
export const DEFAULT_OPERATION_TIMEOUT_SEC = 20;
export const DEFAULT_LOCALE = 'en-US';

export interface WsmanOption {
  readonly name: string;
  readonly value: string;
  /** Windows answers wsman:InvalidOptions if it cannot honour a MustComply option ([MS-WSMV] 3.1.4.1.10). */
  readonly mustComply?: boolean;
}

/** Per-endpoint settings shared by every request to one WS-Man service. */
export interface EnvelopeContext {
  /** The endpoint URL, e.g. https://host:5986/wsman (goes into a:To). */
  readonly to: string;
  readonly maxEnvelopeSize?: number;
  readonly operationTimeoutSec?: number;
  readonly locale?: string;
  readonly dataLocale?: string;
  /** Message IDs: `uuid:` + a fresh UUID per message; injectable for golden tests. */
  readonly newMessageId?: () => string;
}

export interface EnvelopeHeaders {
  readonly action: string;
  readonly resourceUri: string;
  readonly selectors?: Readonly<Record<string, string>>;
  readonly options?: readonly WsmanOption[];
}

export function newMessageId(): string {
  return `uuid:${randomUUID().toUpperCase()}`;
}

/** xs:duration with millisecond precision, e.g. PT60.000S (as [MS-WSMV] 4.1.4 writes it). */
export function formatOperationTimeout(seconds: number): string {
  return `PT${seconds.toFixed(3)}S`;
}

export function selectorSetXml(selectors: Readonly<Record<string, string>> | undefined): string {
  if (!selectors) return '';
  const entries = Object.entries(selectors);
  if (entries.length === 0) return '';
  let s = '<w:SelectorSet>';
  for (const [k, v] of entries) s += `<w:Selector Name="${escapeAttr(k)}">${escapeText(v)}</w:Selector>`;
  return s + '</w:SelectorSet>';
}

function optionSetXml(options: readonly WsmanOption[] | undefined): string {
  if (!options || options.length === 0) return '';
  let s = '<w:OptionSet s:mustUnderstand="true">';
  for (const o of options) {
    const mc = o.mustComply ? ' MustComply="true"' : '';
    s += `<w:Option Name="${escapeAttr(o.name)}"${mc}>${escapeText(o.value)}</w:Option>`;
  }
  return s + '</w:OptionSet>';
}

/** Build a full envelope; returns the XML and the MessageID it carries (for the RelatesTo check). */
export function buildEnvelope(
  ctx: EnvelopeContext,
  headers: EnvelopeHeaders,
  bodyXml: string,
  extraNamespaces = '',
): { xml: string; messageId: string } {
  const maxEnvelopeSize = ctx.maxEnvelopeSize ?? DEFAULT_MAX_ENVELOPE_SIZE;
  const timeout = ctx.operationTimeoutSec ?? DEFAULT_OPERATION_TIMEOUT_SEC;
  if (!Number.isInteger(maxEnvelopeSize) || maxEnvelopeSize < 8192) throw new InvalidOptionError(`maxEnvelopeSize must be an integer >= 8192; got ${maxEnvelopeSize}.`);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new InvalidOptionError(`operationTimeoutSec must be a positive number; got ${timeout}.`);
  const messageId = (ctx.newMessageId ?? newMessageId)();
  const locale = ctx.locale ?? DEFAULT_LOCALE;
  const dataLocale = ctx.dataLocale ?? locale;
  const xml =
    `<s:Envelope xmlns:s="${NS.soap}" xmlns:a="${NS.wsa}" xmlns:w="${NS.wsman}" xmlns:wsmv="${NS.wsmv}"${extraNamespaces}>` +
    '<s:Header>' +
    `<a:To>${escapeText(ctx.to)}</a:To>` +
    `<w:ResourceURI s:mustUnderstand="true">${escapeText(headers.resourceUri)}</w:ResourceURI>` +
    `<a:ReplyTo><a:Address s:mustUnderstand="true">${ANONYMOUS}</a:Address></a:ReplyTo>` +
    `<a:Action s:mustUnderstand="true">${escapeText(headers.action)}</a:Action>` +
    `<w:MaxEnvelopeSize s:mustUnderstand="true">${maxEnvelopeSize}</w:MaxEnvelopeSize>` +
    `<a:MessageID>${escapeText(messageId)}</a:MessageID>` +
    // Locale must not be mustUnderstand="true" or Windows faults ([MS-WSMV] 3.1.4.1.8/9).
    `<w:Locale xml:lang="${escapeAttr(locale)}" s:mustUnderstand="false"/>` +
    `<wsmv:DataLocale xml:lang="${escapeAttr(dataLocale)}" s:mustUnderstand="false"/>` +
    `<w:OperationTimeout>${formatOperationTimeout(timeout)}</w:OperationTimeout>` +
    selectorSetXml(headers.selectors) +
    optionSetXml(headers.options) +
    '</s:Header>' +
    (bodyXml === '' ? '<s:Body/>' : `<s:Body>${bodyXml}</s:Body>`) +
    '</s:Envelope>';
  return { xml, messageId };
}
