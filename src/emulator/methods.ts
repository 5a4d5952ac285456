/**
 * Invoke (DSP0226 9; DSP0230 10.3: Action = ResourceURI + "/" + method, body <p:Method_INPUT>, reply
 * <p:Method_OUTPUT> with out-parameters then ReturnValue): the job methods GetError, GetErrorEx,
 * RequestStateChange and KillJob, and two service methods that start jobs and return 4096 with a Job EPR.
 */
import { escapeAttr, escapeText } from '../xml/escape.js';
import { attr, child, childrenNamed, elements, textOf, type XmlElement } from '../xml/tree.js';
import { NS } from '../wsman/namespaces.js';
import { CLASS_METHODS } from './classes.js';
import { msvmErrorCimXml } from './cim-xml-writer.js';
import { EmulatorFault, FAULT } from './faults.js';
import { classUri, omiMethodAction, type EmulatorDialect } from './dialect.js';
import { writeEprContent } from './instance-xml.js';
import { FIXTURE_VMS, startedMigrationJob, startedResizeJob } from './fixtures.js';
import type { JobClassName, JobFixture, NullErrorForm } from './model.js';
import type { OperationContext, OperationResult } from './operation-types.js';
import { writeEnvelope, type SoapRequest } from './soap.js';
import { checkCimNamespace, findJob, instanceNotFound, isJobClass, jobInstanceId, resolveTarget } from './targets.js';

interface InvokeInput {
  readonly className: string;
  readonly method: string;
  /** Input parameters by lower-case local name. */
  readonly params: ReadonlyMap<string, XmlElement>;
}

type MethodHandler = (req: SoapRequest, ctx: OperationContext, input: InvokeInput) => string;

/** Windows: `<p:Method_OUTPUT>` in the resource URI's namespace; OMI: `<p:Method>` in the class's DMTF namespace. */
function outputElement(resourceUri: string, method: string, content: string, dialect: EmulatorDialect, className: string): string {
  if (dialect === 'omi') return `<p:${method} xmlns:p="${escapeAttr(classUri('omi', className))}" xmlns:cim="${NS.cim}" xmlns:xsi="${NS.xsi}">${content}</p:${method}>`;
  return `<p:${method}_OUTPUT xmlns:p="${escapeAttr(resourceUri)}" xmlns:cim="${NS.cim}" xmlns:xsi="${NS.xsi}" xml:lang="en-US">${content}</p:${method}_OUTPUT>`;
}

function nullOut(name: string, form: NullErrorForm | undefined): string {
  const f = form ?? 'nil';
  return f === 'absent' ? '' : f === 'nil' ? `<p:${name} xsi:nil="true"/>` : `<p:${name}></p:${name}>`;
}

function invokedJob(req: SoapRequest, ctx: OperationContext, input: InvokeInput): JobFixture {
  const instanceId = jobInstanceId(req);
  const job = findJob(ctx.model, input.className, instanceId);
  if (!job) throw instanceNotFound(input.className, instanceId, 'ExecMethod');
  return job;
}

function errorXml(job: JobFixture, ctx: OperationContext, index: number): string {
  const e = ctx.model.errors(job.instanceId)[index]!;
  return escapeText(msvmErrorCimXml(e, { systemProperties: job.errorXmlSystemProperties, computerName: ctx.computerName }));
}

const getError: MethodHandler = (req, ctx, input) => {
  const job = invokedJob(req, ctx, input);
  const rv = job.getErrorReturnValue ?? 0;
  const has = rv === 0 && ctx.model.errors(job.instanceId).length > 0;
  const error = has ? `<p:Error>${errorXml(job, ctx, 0)}</p:Error>` : nullOut('Error', job.nullErrorForm);
  return `${error}<p:ReturnValue>${rv}</p:ReturnValue>`;
};

const getErrorEx: MethodHandler = (req, ctx, input) => {
  const job = invokedJob(req, ctx, input);
  const rv = job.getErrorReturnValue ?? 0;
  const count = rv === 0 ? ctx.model.errors(job.instanceId).length : 0;
  const errors = count > 0 ? Array.from({ length: count }, (_, i) => `<p:Errors>${errorXml(job, ctx, i)}</p:Errors>`).join('') : nullOut('Errors', job.nullErrorForm);
  return `${errors}<p:ReturnValue>${rv}</p:ReturnValue>`;
};

function uintParam(input: InvokeInput, name: string): number {
  const el = input.params.get(name.toLowerCase());
  const n = el ? Number(textOf(el).trim()) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new EmulatorFault(FAULT.invalidParameter, { message: `The WS-Management service cannot process the request because the parameter ${name} is missing or not valid. ` });
  return n;
}

const requestStateChange: MethodHandler = (req, ctx, input) => {
  const job = invokedJob(req, ctx, input);
  const rv = ctx.model.requestStateChange(job.instanceId, uintParam(input, 'RequestedState'));
  return `<p:ReturnValue>${rv}</p:ReturnValue>`;
};

// Hyper-V: "This method is not supported." -> CIM_Job.KillJob 1 (Not Supported).
const killJob: MethodHandler = (req, ctx, input) => {
  invokedJob(req, ctx, input);
  return '<p:ReturnValue>1</p:ReturnValue>';
};

/** A selector of an EPR parameter, written with or without an a:EndpointReference wrapper. */
function findSelector(param: XmlElement | undefined, name: string): string | undefined {
  if (!param) return undefined;
  const epr = child(param, NS.wsa, 'EndpointReference') ?? param;
  const refs = child(epr, NS.wsa, 'ReferenceParameters');
  const selectorSet = refs && child(refs, NS.wsman, 'SelectorSet');
  const sel = selectorSet && childrenNamed(selectorSet, NS.wsman, 'Selector').find((s) => (attr(s, 'Name') ?? '').toLowerCase() === name.toLowerCase());
  return sel && textOf(sel).trim();
}

const JOB_STARTED = 4096; // Method Parameters Checked - Job Started

function jobOutput(className: JobClassName, instanceId: string, dialect: EmulatorDialect): string {
  return `<p:Job>${writeEprContent(className, { InstanceID: instanceId }, dialect)}</p:Job><p:ReturnValue>${JOB_STARTED}</p:ReturnValue>`;
}

const migrateVirtualSystemToHost: MethodHandler = (_req, ctx, input) => {
  const vmId = findSelector(input.params.get('computersystem'), 'Name') ?? '00000000-0000-0000-0000-000000000000';
  const destEl = input.params.get('destinationhost');
  const destination = destEl ? textOf(destEl).trim() : 'HV-EMU02';
  const vmName = Object.values(FIXTURE_VMS).find((vm) => vm.id === vmId.toUpperCase())?.name ?? vmId;
  const id = ctx.model.startJob(startedMigrationJob(vmName, vmId, ctx.computerName, destination, ctx.now()));
  return jobOutput('Msvm_MigrationJob', id, ctx.dialect);
};

const resizeVirtualHardDisk: MethodHandler = (_req, ctx) => jobOutput('Msvm_StorageJob', ctx.model.startJob(startedResizeJob(ctx.now())), ctx.dialect);

const METHODS: Readonly<Record<string, MethodHandler>> = {
  GetError: getError,
  GetErrorEx: getErrorEx,
  RequestStateChange: requestStateChange,
  KillJob: killJob,
  MigrateVirtualSystemToHost: migrateVirtualSystemToHost,
  ResizeVirtualHardDisk: resizeVirtualHardDisk,
};

/** Service classes whose methods take any selector set (the emulator has one instance of each). */
function checkServiceSelectors(req: SoapRequest): void {
  const cim = req.selectors.find((s) => s.name.toLowerCase() === '__cimnamespace');
  if (cim) checkCimNamespace(cim.value);
}

export function invoke(req: SoapRequest, ctx: OperationContext): OperationResult {
  const uri = req.resourceUri;
  const action = req.action!;
  const omiAction = ctx.dialect === 'omi' ? omiMethodAction(action) : undefined;
  // Windows: Action = ResourceURI/Method; OMI: Action must be the DMTF form, and names the class itself.
  if (ctx.dialect === 'omi' ? omiAction === undefined : !uri || !action.toLowerCase().startsWith(`${uri.toLowerCase()}/`)) throw new EmulatorFault(FAULT.actionNotSupported);
  if (!uri) throw new EmulatorFault(FAULT.invalidResourceUri);
  const target = resolveTarget(req, 'ExecMethod', ctx.dialect);
  if (target.className === '*') throw new EmulatorFault(FAULT.invalidResourceUri);
  const requested = omiAction ? omiAction.method : action.slice(uri.length + 1);
  const method = (CLASS_METHODS[target.className] ?? []).find((m) => m.toLowerCase() === requested.toLowerCase());
  if (method === undefined) throw new EmulatorFault(FAULT.actionNotSupported);

  const body = req.bodyElement;
  if (body && body.local.toLowerCase() !== `${method}_INPUT`.toLowerCase()) throw new EmulatorFault(FAULT.schemaValidation);
  const params = new Map(body ? elements(body).map((e) => [e.local.toLowerCase(), e] as const) : []);
  if (!isJobClass(target.className)) checkServiceSelectors(req);

  const content = METHODS[method]!(req, ctx, { className: target.className, method, params });
  // The reply echoes the ResourceURI as sent ([MS-WSMV] 4.1.4: Action = ResourceURI/MethodResponse).
  return { operation: 'Invoke', method, xml: writeEnvelope(omiAction ? `${action}Response` : `${uri}/${method}Response`, req.messageId, outputElement(uri, method, content, ctx.dialect, target.className)) };
}
