/**
 * WS-Enumeration over the job classes (DSP0226 8; [MS-WSMV] 3.1.4.1.13-16): Enumerate with a WQL
 * filter or a class URI, OptimizeEnumeration/MaxElements, EnumerationMode, Pull and Release, with
 * batches cut to the client's MaxEnvelopeSize.
 */
import { attr, child, textOf, type XmlElement } from '../xml/tree.js';
import { ACTION, NS, WQL_DIALECT } from '../wsman/namespaces.js';
import { canonicalClassName, jobClassesFor, jobProperties, queryableProperties } from './classes.js';
import type { EnumeratedRef, EnumerationMode, EnumerationState } from './enumerations.js';
import { EmulatorFault, FAULT, OMI_CIM_ERRORS, faultDetail } from './faults.js';
import { writeEprContent } from './instance-xml.js';
import type { JobFixture } from './model.js';
import type { OperationContext, OperationResult } from './operation-types.js';
import { writeEnvelope, type SoapRequest } from './soap.js';
import { CLASS_MISSING, renderJob, resolveTarget } from './targets.js';
import { matchesQuery, parseWql, referencedProperties, rowLookup, WqlSyntaxError, type WqlQuery } from './wql.js';

const MODES: Readonly<Record<string, EnumerationMode>> = { EnumerateEPR: 'epr', EnumerateObjectAndEPR: 'objectAndEpr' };
/** MaxBatchItems default of WinRM ([MS-WSMV] 3.1.4.1.14). */
const MAX_BATCH_ITEMS = 32000;

function bodyOf(req: SoapRequest, ns: string, local: string): XmlElement {
  const b = req.bodyElement;
  if (!b || b.ns !== ns || b.local !== local) throw new EmulatorFault(FAULT.schemaValidation);
  return b;
}

function maxElements(el: XmlElement | undefined): number {
  if (!el) return 1;
  const n = Number(textOf(el).trim());
  if (!Number.isInteger(n) || n < 1) throw new EmulatorFault(FAULT.invalidMessageInformationHeader);
  return Math.min(n, MAX_BATCH_ITEMS);
}

function invalidQuery(query: string, message: string): EmulatorFault {
  return new EmulatorFault(FAULT.cannotProcessFilter, {
    provider: { code: FAULT.cannotProcessFilter.wsmanCode, message, extendedStatus: { operation: 'ExecQuery', parameterInfo: query, providerName: 'WinMgmt' } },
  });
}

/** Parse and check a WQL filter against the classes this host knows. */
function compileQuery(text: string): WqlQuery {
  let q: WqlQuery;
  try {
    q = parseWql(text);
  } catch (err) {
    if (err instanceof WqlSyntaxError) throw invalidQuery(text, 'Invalid query ');
    throw err;
  }
  const cls = canonicalClassName(q.className);
  if (cls === undefined) throw invalidQuery(text, CLASS_MISSING);
  if (jobClassesFor(cls).length > 0) {
    const known = new Set(Object.keys(queryableProperties(cls)).map((p) => p.toLowerCase()));
    if (referencedProperties(q).some((p) => !known.has(p.toLowerCase()))) throw invalidQuery(text, 'Invalid query ');
  }
  return q;
}

export function enumerate(req: SoapRequest, ctx: OperationContext, limit: number): OperationResult {
  const body = bodyOf(req, NS.wsen, 'Enumerate');
  const filter = child(body, NS.wsman, 'Filter') ?? child(body, NS.wsen, 'Filter');
  const modeEl = child(body, NS.wsman, 'EnumerationMode');
  const mode = modeEl ? MODES[textOf(modeEl).trim()] : 'object';
  if (mode === undefined) throw new EmulatorFault(FAULT.unsupportedFeature, { detail: faultDetail('EnumerationMode') });
  const target = resolveTarget(req, 'EnumerateInstances', ctx.dialect);

  let className: string;
  let query: WqlQuery | undefined;
  if (filter) {
    if ((attr(filter, 'Dialect') ?? '').trim() !== WQL_DIALECT) throw new EmulatorFault(FAULT.filterDialectUnavailable);
    query = compileQuery(textOf(filter).trim());
    className = canonicalClassName(query.className)!;
    // OMI 1.0.8-6 refuses a query about another class than the URI's (CIM_ERR_INVALID_QUERY under wsman:InternalError).
    if (ctx.dialect === 'omi' && target.className !== '*' && target.className !== className) throw new EmulatorFault(FAULT.internalError, { cim: OMI_CIM_ERRORS.invalidQuery });
  } else {
    if (target.className === '*') throw new EmulatorFault(FAULT.filteringRequired);
    className = target.className;
  }

  const classes = jobClassesFor(className);
  const refs: EnumeratedRef[] = ctx.model
    .list()
    .filter((job) => classes.includes(job.className))
    .filter((job) => !query || matchesQuery(query, rowLookup(jobProperties(job, ctx.computerName))))
    .map((job) => ({ className: job.className, instanceId: job.instanceId }));
  const state = ctx.enumerations.create(refs, query?.properties, mode);

  if (!child(body, NS.wsman, 'OptimizeEnumeration')) {
    const xml = writeEnvelope(ACTION.enumerateResponse, req.messageId, `<n:EnumerateResponse><n:EnumerationContext>${state.id}</n:EnumerationContext></n:EnumerateResponse>`);
    return { operation: 'Enumerate', xml };
  }
  const batch = takeBatch(state, maxElements(child(body, NS.wsman, 'MaxElements')), ctx, limit, (items, end) =>
    writeEnvelope(
      ACTION.enumerateResponse,
      req.messageId,
      `<n:EnumerateResponse><n:EnumerationContext>${state.id}</n:EnumerationContext><w:Items>${items}</w:Items>${end ? '<w:EndOfSequence/>' : ''}</n:EnumerateResponse>`,
    ),
  );
  return { operation: 'Enumerate', xml: batch };
}

function contextOf(body: XmlElement, ctx: OperationContext): EnumerationState {
  const el = child(body, NS.wsen, 'EnumerationContext');
  const state = el && ctx.enumerations.get(textOf(el));
  if (!state || state.done) throw new EmulatorFault(FAULT.invalidEnumerationContext);
  return state;
}

export function pull(req: SoapRequest, ctx: OperationContext, limit: number): OperationResult {
  const body = bodyOf(req, NS.wsen, 'Pull');
  const state = contextOf(body, ctx);
  const xml = takeBatch(state, maxElements(child(body, NS.wsen, 'MaxElements')), ctx, limit, (items, end) =>
    writeEnvelope(
      ACTION.pullResponse,
      req.messageId,
      `<n:PullResponse>${end ? '' : `<n:EnumerationContext>${state.id}</n:EnumerationContext>`}<n:Items>${items}</n:Items>${end ? '<n:EndOfSequence/>' : ''}</n:PullResponse>`,
    ),
  );
  return { operation: 'Pull', xml };
}

export function release(req: SoapRequest, ctx: OperationContext): OperationResult {
  const body = bodyOf(req, NS.wsen, 'Release');
  const el = child(body, NS.wsen, 'EnumerationContext');
  if (!el || !ctx.enumerations.release(textOf(el))) throw new EmulatorFault(FAULT.invalidEnumerationContext);
  return { operation: 'Release', xml: writeEnvelope(ACTION.releaseResponse, req.messageId, '') };
}

function renderItem(job: JobFixture, state: EnumerationState, ctx: OperationContext): string {
  const epr = () => `<a:EndpointReference>${writeEprContent(job.className, { InstanceID: job.instanceId }, ctx.dialect)}</a:EndpointReference>`;
  if (state.mode === 'epr') return epr();
  const instance = renderJob(job, ctx, state.select);
  return state.mode === 'objectAndEpr' ? `<w:Item>${instance}${epr()}</w:Item>` : instance;
}

/**
 * Up to `max` items that fit the envelope limit; jobs are observed (progress advances) only when
 * they are actually sent. A single item that cannot fit is a wsman:EncodingLimit fault.
 */
function takeBatch(state: EnumerationState, max: number, ctx: OperationContext, limit: number, wrap: (items: string, end: boolean) => string): string {
  let items = '';
  let count = 0;
  const overhead = Buffer.byteLength(wrap('', false), 'utf8') + 64;
  while (count < max && state.position < state.refs.length) {
    const ref = state.refs[state.position]!;
    const current = ctx.model.get(ref.instanceId);
    if (!current || current.className !== ref.className) {
      state.position++; // removed since the Enumerate
      continue;
    }
    const size = Buffer.byteLength(renderItem(current, state, ctx), 'utf8');
    if (overhead + Buffer.byteLength(items, 'utf8') + size > limit) {
      if (count === 0) throw new EmulatorFault(FAULT.responseTooLarge);
      break;
    }
    items += renderItem(ctx.model.observe(ref.instanceId)!, state, ctx);
    state.position++;
    count++;
  }
  const end = state.position >= state.refs.length;
  if (end) state.done = true;
  return wrap(items, end);
}
