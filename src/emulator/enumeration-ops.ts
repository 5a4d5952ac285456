/**
 * WS-Enumeration over the job classes, the VMs and the host's service instances (DSP0226 8; [MS-WSMV]
 * 3.1.4.1.13-16): Enumerate with a WQL filter or a class URI, OptimizeEnumeration/MaxElements,
 * EnumerationMode, Pull and Release, with batches cut to the client's MaxEnvelopeSize.
 */
import { attr, child, textOf, type XmlElement } from '../xml/tree.js';
import { ACTION, NS, WQL_DIALECT } from '../wsman/namespaces.js';
import { ASSOCIATION_FILTER_DIALECT } from '../wsman/association-filter.js';
import { evaluateAssociation, isAssociationWql, parseAssociationFilter, parseAssociationWql, writeAffectedJobElement, type AssociationQuery } from './associations.js';
import { COMPUTER_SYSTEM, COMPUTER_SYSTEM_PROPERTIES, canonicalClassName, includesVms, jobClassesFor, jobProperties, queryableProperties, vmProperties } from './classes.js';
import type { EnumeratedRef, EnumerationMode, EnumerationState } from './enumerations.js';
import { EmulatorFault, FAULT, OMI_CIM_ERRORS, faultDetail } from './faults.js';
import { writeEprContent, writeInstance } from './instance-xml.js';
import { SERVICE_CLASS_PROPERTIES, servicesOf } from './services.js';
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
  const schema = jobClassesFor(cls).length > 0 || includesVms(cls) ? queryableProperties(cls) : SERVICE_CLASS_PROPERTIES[cls];
  if (schema !== undefined) {
    const known = new Set(Object.keys(schema).map((p) => p.toLowerCase()));
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

  let refs: EnumeratedRef[];
  let select: readonly string[] | undefined;
  const dialect = filter && (attr(filter, 'Dialect') ?? '').trim();
  if (filter && dialect === ASSOCIATION_FILTER_DIALECT) {
    if (!ctx.associationFilter) throw new EmulatorFault(FAULT.filterDialectUnavailable);
    ({ refs, select } = associationResults(parseAssociationFilter(filter), ctx));
  } else if (filter && dialect === WQL_DIALECT && isAssociationWql(textOf(filter))) {
    ({ refs, select } = associationResults(parseAssociationWql(textOf(filter).trim()), ctx));
  } else if (filter) {
    if (dialect !== WQL_DIALECT) throw new EmulatorFault(FAULT.filterDialectUnavailable);
    const query = compileQuery(textOf(filter).trim());
    const className = canonicalClassName(query.className)!;
    // OMI 1.0.8-6 refuses a query about another class than the URI's (CIM_ERR_INVALID_QUERY under wsman:InternalError).
    if (ctx.dialect === 'omi' && target.className !== '*' && target.className !== className) throw new EmulatorFault(FAULT.internalError, { cim: OMI_CIM_ERRORS.invalidQuery });
    refs = instancesOf(className, ctx, query);
    select = query.properties;
  } else {
    if (target.className === '*') throw new EmulatorFault(FAULT.filteringRequired);
    refs = instancesOf(target.className, ctx);
  }
  const state = ctx.enumerations.create(refs, select, mode);

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

/** The jobs, VMs and service instances an enumeration or query of `className` returns, in model order. */
function instancesOf(className: string, ctx: OperationContext, query?: WqlQuery): EnumeratedRef[] {
  const classes = jobClassesFor(className);
  const jobs: EnumeratedRef[] = ctx.model
    .list()
    .filter((job) => classes.includes(job.className))
    .filter((job) => !query || matchesQuery(query, rowLookup(jobProperties(job, ctx.computerName))))
    .map((job) => ({ kind: 'job', className: job.className, instanceId: job.instanceId }));
  const vms: EnumeratedRef[] = includesVms(className)
    ? ctx.model
        .listVms()
        .filter((vm) => !query || matchesQuery(query, rowLookup(vmProperties(vm))))
        .map((vm) => ({ kind: 'vm', name: vm.name }))
    : [];
  const services: EnumeratedRef[] = servicesOf(ctx.services, className)
    .filter((service) => !query || matchesQuery(query, rowLookup(service.values)))
    .map((service) => ({ kind: 'service', service }));
  return [...jobs, ...vms, ...services];
}

/** An association query's results; IncludeResultProperty projects the instances returned. */
function associationResults(q: AssociationQuery, ctx: OperationContext): { refs: EnumeratedRef[]; select: readonly string[] | undefined } {
  return { refs: evaluateAssociation(q, ctx.model), select: q.properties };
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

/** An item of the result set as it is now (undefined when it is gone), and how to send it. */
interface LiveItem {
  readonly className: string;
  readonly selectors: Readonly<Record<string, string>>;
  /** The instance XML; a job is observed (progress advances) only here, when it is actually sent. */
  readonly render: (observe: boolean) => string;
}

function liveItem(ref: EnumeratedRef, state: EnumerationState, ctx: OperationContext): LiveItem | undefined {
  switch (ref.kind) {
    case 'job': {
      const current = ctx.model.get(ref.instanceId);
      if (!current || current.className !== ref.className) return undefined;
      return {
        className: ref.className,
        selectors: { InstanceID: ref.instanceId },
        render: (observe) => renderJob(observe ? ctx.model.observe(ref.instanceId)! : current, ctx, state.select),
      };
    }
    case 'vm': {
      const vm = ctx.model.vm(ref.name);
      if (!vm) return undefined;
      return {
        className: COMPUTER_SYSTEM,
        selectors: { CreationClassName: COMPUTER_SYSTEM, Name: vm.name },
        render: () => writeInstance(COMPUTER_SYSTEM, COMPUTER_SYSTEM_PROPERTIES, vmProperties(vm), state.select, ctx.dialect),
      };
    }
    case 'affected': {
      const job = ctx.model.get(ref.instanceId);
      const vm = ctx.model.vm(ref.vmName);
      if (!job || !vm) return undefined;
      return { className: 'Msvm_AffectedJobElement', selectors: {}, render: () => writeAffectedJobElement(job, vm) };
    }
    case 'service': {
      const { service } = ref;
      return {
        className: service.className,
        selectors: service.keys,
        render: () => writeInstance(service.className, SERVICE_CLASS_PROPERTIES[service.className]!, service.values, state.select, ctx.dialect),
      };
    }
  }
}

function renderItem(item: LiveItem, state: EnumerationState, ctx: OperationContext, observe: boolean): string {
  const epr = () => `<a:EndpointReference>${writeEprContent(item.className, item.selectors, ctx.dialect)}</a:EndpointReference>`;
  if (state.mode === 'epr') return epr();
  const instance = item.render(observe);
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
    const item = liveItem(state.refs[state.position]!, state, ctx);
    if (!item) {
      state.position++; // removed since the Enumerate
      continue;
    }
    const size = Buffer.byteLength(renderItem(item, state, ctx, false), 'utf8');
    if (overhead + Buffer.byteLength(items, 'utf8') + size > limit) {
      if (count === 0) throw new EmulatorFault(FAULT.responseTooLarge);
      break;
    }
    items += renderItem(item, state, ctx, true);
    state.position++;
    count++;
  }
  const end = state.position >= state.refs.length;
  if (end) state.done = true;
  return wrap(items, end);
}
