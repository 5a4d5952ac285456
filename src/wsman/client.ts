/**
 * The WS-Man client: typed operations on top of a Session. Builds requests with the sans-IO
 * builders, sends them, and turns replies into typed values or typed errors exactly once.
 */
import { isEprElement } from '../cim/epr.js';
import { decodeWsCimInstance, type WsCimClassSchema } from '../cim/ws-cim.js';
import type { CimInstance } from '../cim/types.js';
import { requirePositiveInteger } from '../positive-integer.js';
import { HttpStatusError, MismatchedReplyError, ProtocolError, XmlParseError, HypervWsmanError } from '../errors.js';
import { resolveOptions, type ConnectionOptions, type ResolvedOptions } from '../options.js';
import { WsmanFaultError } from './fault.js';
import { createSession } from '../session/create-session.js';
import type { Session, SoapReply } from '../session/session.js';
import type { XmlElement } from '../xml/tree.js';
import { checkReplyDialect } from './dialect.js';
import type { EnvelopeContext } from './envelope.js';
import {
  buildEnumerateRequest,
  buildGetRequest,
  buildIdentifyRequest,
  buildInvokeRequest,
  buildPullRequest,
  buildReleaseRequest,
  type EnumerateArgs,
  type InvokeArgs,
  type Selectors,
  type WsmanRequest,
} from './requests.js';
import {
  parseEnumerationPage,
  parseGetResponse,
  parseIdentifyResponse,
  parseInvokeResponse,
  parseReply,
  type EnumerationPage,
  type EnumerationPageKind,
  type IdentifyResult,
  type InvokeOutput,
  type ParsedEnvelope,
} from './responses.js';

/**
 * Pull replies in a row that carry no items and do not end the sequence before an enumeration is
 * abandoned with a ProtocolError. A server may answer a Pull with nothing when its OperationTimeout
 * expires before an item is ready; one that does so forever would loop the client forever.
 */
export const MAX_EMPTY_PULL_PAGES = 16;

/**
 * MaxEnvelopeSize of Enumerate and Pull when the caller set no maxEnvelopeSize. A page near the
 * default 153 600 bytes becomes strings over V8's 128 KiB regular-object limit (the reply text, the
 * multipart reader's copy), each allocated in large-object space with its own mmap; 120 000-byte
 * pages cost 20% less CPU per enumerated item on the benchmark machine despite more of them
 * (README, Benchmarks). A single item larger than this is fetched again at the full size.
 */
export const ENUMERATION_ENVELOPE_SIZE = 120_000;

export interface CallOptions {
  readonly signal?: AbortSignal;
}

export class WsmanClient {
  readonly options: ResolvedOptions;
  private readonly session: Session;
  private readonly ctx: EnvelopeContext;
  /** For Enumerate and Pull: smaller pages unless the caller chose maxEnvelopeSize (ENUMERATION_ENVELOPE_SIZE). */
  private readonly pageCtx: EnvelopeContext;

  constructor(options: ConnectionOptions, session?: Session) {
    this.options = resolveOptions(options);
    this.session = session ?? createSession(this.options);
    this.ctx = {
      to: this.options.endpoint,
      maxEnvelopeSize: this.options.maxEnvelopeSize,
      operationTimeoutSec: this.options.operationTimeoutSec,
      locale: this.options.locale,
    };
    this.pageCtx = options.maxEnvelopeSize === undefined ? { ...this.ctx, maxEnvelopeSize: Math.min(ENUMERATION_ENVELOPE_SIZE, this.options.maxEnvelopeSize) } : this.ctx;
  }

  get endpoint(): string {
    return this.options.endpoint;
  }

  async identify(call: CallOptions = {}): Promise<IdentifyResult> {
    const r = await this.send(buildIdentifyRequest(), call);
    return parseIdentifyResponse(r.body);
  }

  /** transfer/Get: the instance element as returned. */
  async get(resourceUri: string, selectors?: Selectors, call: CallOptions = {}): Promise<XmlElement> {
    const r = await this.send(buildGetRequest(this.ctx, resourceUri, selectors), call);
    const instance = parseGetResponse(r.body);
    checkReplyDialect(resourceUri, instance, 'Get');
    return instance;
  }

  /** transfer/Get decoded into a typed instance (typed by `schema` where given). */
  async getInstance(resourceUri: string, selectors?: Selectors, schema?: WsCimClassSchema, call: CallOptions = {}): Promise<CimInstance> {
    return decodeWsCimInstance(await this.get(resourceUri, selectors, call), schema);
  }

  /**
   * Enumerate + Pull until EndOfSequence, as an async iterator: items stream page by page.
   * Breaking out early releases the enumeration context on the server.
   */
  async *enumerate(resourceUri: string, args: EnumerateArgs = {}, call: CallOptions = {}): AsyncGenerator<XmlElement, void, undefined> {
    const check = itemCheck(resourceUri);
    for await (const page of this.pages(resourceUri, args, call)) {
      for (const item of page) {
        check(item);
        yield item;
      }
    }
  }

  async *enumerateInstances(resourceUri: string, args: EnumerateArgs = {}, schemaFor?: (className: string) => WsCimClassSchema | undefined, call: CallOptions = {}): AsyncGenerator<CimInstance, void, undefined> {
    // Pages, not enumerate(): one async generator per item instead of two.
    const check = itemCheck(resourceUri);
    for await (const page of this.pages(resourceUri, args, call)) {
      for (const el of page) {
        check(el);
        yield decodeWsCimInstance(el, schemaFor?.(el.local.replace(/_Type$/, '')));
      }
    }
  }

  /**
   * The items of each Enumerate/Pull page, unchecked; returning early releases the context on the
   * server. Each page's array is emptied when the next page is asked for: consume it before.
   */
  private async *pages(resourceUri: string, args: EnumerateArgs, call: CallOptions): AsyncGenerator<readonly XmlElement[], void, undefined> {
    const maxItems = args.maxItems;
    if (maxItems !== undefined) requirePositiveInteger('maxItems', maxItems);
    let pageCtx = this.pageCtx;
    // A page too small for one item: ask again at the full size, and keep that size.
    const sendPage = async (build: (ctx: EnvelopeContext) => WsmanRequest, kind: EnumerationPageKind): Promise<EnumerationPage> => {
      try {
        return await this.requestPage(build(pageCtx), kind, call);
      } catch (err) {
        if (pageCtx === this.ctx || !(err instanceof WsmanFaultError && err.subcodeName === 'wsman:EncodingLimit')) throw err;
        pageCtx = this.ctx;
        return this.requestPage(build(pageCtx), kind, call);
      }
    };
    let page = await sendPage((ctx) => buildEnumerateRequest(ctx, resourceUri, args), 'EnumerateResponse');
    let context = page.context;
    let emptyPages = 0;
    let items = 0;
    try {
      for (;;) {
        items += page.items.length;
        if (maxItems !== undefined && items > maxItems) {
          throw new ProtocolError(
            `The server sent more than ${maxItems} items for ${resourceUri}; stopping the enumeration (maxItems bounds what one enumeration may bring, as a server that never ends it would exhaust memory). If the host really has more, raise maxItems.`,
          );
        }
        if (page.items.length > 0) {
          yield page.items;
          // The consumer is done with these items (it asks for the next page). Empty the array: the
          // promises that carried it still point at it, and being older than the wait for the reply
          // they are often in the old generation, which keeps what they point at through scavenges
          // (see requestPage). One item would do: its strings are slices of the whole reply text.
          (page.items as XmlElement[]).length = 0;
        }
        if (page.endOfSequence || context === undefined) {
          context = undefined;
          return;
        }
        const pullContext = context;
        page = await sendPage((ctx) => buildPullRequest(ctx, resourceUri, pullContext, args.maxElements), 'PullResponse');
        context = page.context;
        emptyPages = page.items.length === 0 && !page.endOfSequence ? emptyPages + 1 : 0;
        if (emptyPages > MAX_EMPTY_PULL_PAGES) {
          throw new ProtocolError(
            `The server answered ${emptyPages} Pulls in a row for ${resourceUri} with no items and no EndOfSequence; stopping the enumeration (a server that never ends it would loop forever).`,
          );
        }
      }
    } finally {
      if (context !== undefined) {
        // Consumer stopped early: free the server-side context, best effort.
        await this.send(buildReleaseRequest(this.ctx, resourceUri, context), {}).catch(() => undefined);
      }
    }
  }

  /** Invoke a method; faults throw WsmanFaultError, the method's own ReturnValue is returned for the caller to judge. */
  async invoke(resourceUri: string, method: string, args: InvokeArgs = {}, call: CallOptions = {}): Promise<InvokeOutput> {
    const r = await this.send(buildInvokeRequest(this.ctx, resourceUri, method, args), call);
    return parseInvokeResponse(r.body, method, resourceUri);
  }

  async close(): Promise<void> {
    await this.session.close();
  }

  /**
   * One Enumerate or Pull page, parsed here once the reply is in; not `send` then
   * parseEnumerationPage, as `send`'s promise would be resolved with the whole envelope tree. A promise
   * made before the wait for a reply outlives scavenges while it waits, so it is often in the old
   * generation when it resolves, and V8 keeps what an old object points at through every scavenge
   * until the next full GC, which promotes it. With many enumerations in flight (listFleetJobs at
   * concurrency 16) that promoted most pages and set the peak RSS (README, fleet memory). The page
   * holds only its items array, which `pages` empties once the items are consumed.
   */
  private async requestPage(request: WsmanRequest, kind: EnumerationPageKind, call: CallOptions): Promise<EnumerationPage> {
    return parseEnumerationPage(this.check(await this.exchange(request, call), request).body, kind);
  }

  /** Send one request and check the reply: faults -> WsmanFaultError, non-SOAP errors -> HttpStatusError. */
  private async send(request: WsmanRequest, call: CallOptions): Promise<ParsedEnvelope> {
    return this.check(await this.exchange(request, call), request);
  }

  private exchange(request: WsmanRequest, call: CallOptions): Promise<SoapReply> {
    return this.session.exchange({
      xml: request.xml,
      label: request.label,
      idempotent: request.idempotent,
      timeoutMs: this.options.readTimeoutMs,
      signal: call.signal,
    });
  }

  private check(reply: SoapReply, request: WsmanRequest): ParsedEnvelope {
    const isXml = reply.mediaType === undefined || /xml/.test(reply.mediaType);
    if (reply.status === 200 || ((reply.status === 400 || reply.status === 500) && isXml && reply.body.length > 0)) {
      let parsed: ParsedEnvelope;
      try {
        parsed = parseReply(reply.body, request, { httpStatus: reply.status, charset: reply.charset, maxBytes: this.options.maxResponseBytes });
      } catch (err) {
        // A 4xx/5xx whose body is not a SOAP envelope is an HTTP error, not an XML one.
        // A fault relating to another message is a SOAP envelope: keep that error.
        if (reply.status !== 200 && err instanceof HypervWsmanError && !(err instanceof MismatchedReplyError) && (err instanceof XmlParseError || err.code === 'ERR_WSMAN_PROTOCOL')) {
          throw httpError(reply.status, reply.body, request.label);
        }
        throw err;
      }
      // An error status must come with a fault; a "successful" envelope under a 500 is not success.
      if (reply.status !== 200) throw httpError(reply.status, reply.body, request.label);
      return parsed;
    }
    throw httpError(reply.status, reply.body, request.label);
  }
}

const STATUS_ADVICE: Readonly<Record<number, string>> = {
  404: 'Check --path (WinRM listens on /wsman).',
  413: 'The request exceeded the server\'s MaxEnvelopeSizekb; send less per call.',
  500: 'The server failed without a SOAP fault.',
  503: 'The WinRM service is unavailable; is it running?',
};

function httpError(status: number, body: Uint8Array, label: string): HttpStatusError {
  const excerpt = Buffer.from(body.subarray(0, 300)).toString('utf8').replace(/\s+/g, ' ').trim();
  const advice = STATUS_ADVICE[status] ?? '';
  return new HttpStatusError(status, `${label} failed with HTTP ${status} and no SOAP envelope. ${advice}`.trim(), excerpt);
}

/**
 * The dialect check of enumerated items (checkReplyDialect; EPRs are exempt). It depends only on
 * the item's namespace, which all items of an enumeration share, so a namespace that passed once is
 * not checked again.
 */
function itemCheck(resourceUri: string): (item: XmlElement) => void {
  let passed: string | undefined;
  return (item) => {
    if (item.ns === passed || isEprElement(item)) return;
    checkReplyDialect(resourceUri, item, 'Enumerate');
    passed = item.ns;
  };
}
