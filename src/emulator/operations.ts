/**
 * What the emulated WinRM + Hyper-V WMI provider does with a parsed request: header checks, then
 * Identify, Get, Enumerate/Pull/Release (enumeration-ops.ts) or Invoke (methods.ts). Answers are XML
 * strings; problems are thrown as EmulatorFault and written by the server.
 */
import { ACTION, NS } from '../wsman/namespaces.js';
import { enumerate, pull, release } from './enumeration-ops.js';
import { EmulatorFault, FAULT, faultDetail } from './faults.js';
import { invoke } from './methods.js';
import type { OperationContext, OperationHandler, OperationName, OperationResult } from './operation-types.js';
import { writeEnvelope, writeIdentifyResponse, type SoapRequest } from './soap.js';
import { COMPUTER_SYSTEM, COMPUTER_SYSTEM_PROPERTIES, includesVms, jobClassesFor, vmProperties } from './classes.js';
import { writeInstance } from './instance-xml.js';
import { SERVICE_CLASS_PROPERTIES, SERVICE_KEYS, findService } from './services.js';
import { findJob, instanceNotFound, instanceSelectors, jobInstanceId, notFound, renderJob, resolveTarget, VMMS_PROVIDER } from './targets.js';

export type { OperationContext, OperationName, OperationResult } from './operation-types.js';

/** Identify: `wsmid:Identify` body and no WS-Addressing Action (DSP0226 11). */
export function isIdentify(req: SoapRequest): boolean {
  return req.action === undefined && req.bodyElement?.ns === NS.wsmid && req.bodyElement.local === 'Identify';
}

export function handleOperation(req: SoapRequest, ctx: OperationContext): OperationResult {
  if (isIdentify(req)) return { operation: 'Identify', xml: writeIdentifyResponse(ctx.securityProfiles, ctx.dialect) };
  const limit = checkHeaders(req, ctx);
  const handler = req.action === undefined ? undefined : OPERATIONS[req.action];
  const result = handler ? handler(req, ctx, limit) : invoke(req, ctx);
  if (Buffer.byteLength(result.xml, 'utf8') > limit) throw new EmulatorFault(FAULT.responseTooLarge);
  return result;
}

const OPERATIONS: Readonly<Record<string, OperationHandler>> = {
  [ACTION.get]: get,
  [ACTION.enumerate]: enumerate,
  [ACTION.pull]: pull,
  [ACTION.release]: release,
};

const OPERATION_NAMES: Readonly<Record<string, OperationName>> = {
  [ACTION.get]: 'Get',
  [ACTION.enumerate]: 'Enumerate',
  [ACTION.pull]: 'Pull',
  [ACTION.release]: 'Release',
};

/** Which operation a request asks for (anything else with an Action is an Invoke). */
export function operationOf(req: SoapRequest): OperationName {
  if (isIdentify(req)) return 'Identify';
  return OPERATION_NAMES[req.action ?? ''] ?? 'Invoke';
}

// ---------------------------------------------------------------------------------------------
// Headers ([MS-WSMV] 3.1.4.1.3 - 3.1.4.1.10)

const MIN_ENVELOPE = 8192;
const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const ANONYMOUS_ADDRESS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';

/** Validates the addressing and WS-Man headers; returns the effective MaxEnvelopeSize. */
function checkHeaders(req: SoapRequest, ctx: OperationContext): number {
  if (!req.messageId) throw new EmulatorFault(FAULT.invalidMessageInformationHeader);
  if (req.replyTo === null) throw new EmulatorFault(FAULT.messageInformationHeaderRequired);
  if (req.replyTo !== ANONYMOUS_ADDRESS) throw new EmulatorFault(FAULT.unsupportedFeature, { detail: faultDetail('AddressingMode') });
  if (!req.action) throw new EmulatorFault(FAULT.messageInformationHeaderRequired);
  let limit = ctx.maxEnvelopeSize;
  if (req.maxEnvelopeSize !== undefined) {
    const requested = /^\d+$/.test(req.maxEnvelopeSize) ? Number(req.maxEnvelopeSize) : NaN;
    if (Number.isNaN(requested)) throw new EmulatorFault(FAULT.invalidMessageInformationHeader);
    if (requested < MIN_ENVELOPE) throw new EmulatorFault(FAULT.envelopeLimitTooSmall);
    limit = Math.min(limit, requested);
  }
  const timeout = req.operationTimeout;
  if (timeout !== undefined && (!DURATION.test(timeout) || timeout === 'P' || timeout.endsWith('T'))) {
    // Text as in a real capture (pypsrp recording, "PT-1S").
    throw new EmulatorFault(FAULT.invalidMessageInformationHeader, {
      message: `The WS-Management service cannot process the request. The XML contains an invalid timeout field in the SOAP header: ${timeout}. `,
    });
  }
  if (req.localeMustUnderstand) throw new EmulatorFault(FAULT.unsupportedFeature, { detail: faultDetail('Locale') });
  if (req.dataLocaleMustUnderstand) throw new EmulatorFault(FAULT.unsupportedFeature, { detail: faultDetail('DataLocale') });
  if (req.options.some((o) => o.mustComply)) throw new EmulatorFault(FAULT.optionsNotSupported);
  return limit;
}

// ---------------------------------------------------------------------------------------------
// Get (WS-Transfer)

function get(req: SoapRequest, ctx: OperationContext): OperationResult {
  const target = resolveTarget(req, 'GetObject', ctx.dialect);
  if (target.className === '*') throw new EmulatorFault(FAULT.invalidResourceUri);
  const schema = SERVICE_CLASS_PROPERTIES[target.className];
  if (schema !== undefined) {
    const service = findService(ctx.services, target.className, instanceSelectors(req, SERVICE_KEYS));
    if (!service) throw notFound(FAULT.resourceNotFound.reason, { operation: 'GetObject', providerName: VMMS_PROVIDER, parameterInfo: `${target.className}.${selectorText(req)}` });
    return { operation: 'Get', xml: writeEnvelope(ACTION.getResponse, req.messageId, writeInstance(service.className, schema, service.values, undefined, ctx.dialect)) };
  }
  if (includesVms(target.className)) return getVm(req, ctx, target.className);
  const instanceId = jobInstanceIdOrOther(req, target.className);
  if (!findJob(ctx.model, target.className, instanceId)) throw instanceNotFound(target.className, instanceId, 'GetObject');
  const job = ctx.model.observe(instanceId)!;
  return { operation: 'Get', xml: writeEnvelope(ACTION.getResponse, req.messageId, renderJob(job, ctx)) };
}

/** A VM by its keys, CreationClassName and Name (Msvm_ComputerSystem); Name alone is enough here. */
function getVm(req: SoapRequest, ctx: OperationContext, className: string): OperationResult {
  const name = req.selectors.find((s) => s.name.toLowerCase() === 'name')?.value;
  if (name === undefined) throw new EmulatorFault(FAULT.insufficientSelectors);
  const vm = ctx.model.vm(name);
  if (!vm) throw notFound(FAULT.resourceNotFound.reason, { operation: 'GetObject', providerName: VMMS_PROVIDER, parameterInfo: `${className}.Name="${name}"` });
  return { operation: 'Get', xml: writeEnvelope(ACTION.getResponse, req.messageId, writeInstance(COMPUTER_SYSTEM, COMPUTER_SYSTEM_PROPERTIES, vmProperties(vm), undefined, ctx.dialect)) };
}

/** For classes without instances any selector set addresses nothing, but an empty one is still insufficient. */
function jobInstanceIdOrOther(req: SoapRequest, className: string): string {
  if (jobClassesFor(className).length > 0) return jobInstanceId(req);
  if (req.selectors.length === 0) throw new EmulatorFault(FAULT.insufficientSelectors);
  throw notFound(FAULT.resourceNotFound.reason, { operation: 'GetObject', providerName: VMMS_PROVIDER, parameterInfo: `${className}.${selectorText(req)}` });
}

function selectorText(req: SoapRequest): string {
  return req.selectors.map((s) => `${s.name}="${s.value}"`).join(',');
}
