/**
 * How a request names what it acts on: the ResourceURI resolved to a class of root\virtualization\v2
 * ([MS-WSMV] 3.1.4.1.1), the selectors of a job instance (3.1.4.1.2), the WMI "not found" faults,
 * and the WS-Man rendering of a job.
 */
import { CIM_NAMESPACE_SELECTOR, CIM_SCHEMA_PREFIX, normalizeNamespace } from '../wsman/dialect.js';
import { HYPERV_NAMESPACE, WMI_RESOURCE_PREFIX } from '../wsman/namespaces.js';
import { JOB_CLASSES, JOB_CLASS_PROPERTIES, canonicalClassName, jobClassesFor, jobProperties } from './classes.js';
import { EmulatorFault, FAULT, OMI_CIM_ERRORS, type ExtendedStatus } from './faults.js';
import { OMI_DEFAULT_NAMESPACE, omiClassName, omiNamespace, type EmulatorDialect } from './dialect.js';
import { writeInstance } from './instance-xml.js';
import type { JobClassName, JobFixture, JobModel } from './model.js';
import type { OperationContext } from './operation-types.js';
import type { SoapRequest } from './soap.js';

export interface Target {
  /** Canonical class name, or '*'. */
  readonly className: string;
}

export const VMMS_PROVIDER = 'VmmsWmiInstanceAndMethodProvider';
export const CLASS_MISSING = 'The specified class does not exist in the given namespace. ';

/** Resolve the ResourceURI to a class of root/virtualization/v2 ([MS-WSMV] 3.1.4.1.1). */
export function resolveTarget(req: SoapRequest, operation: string, dialect: EmulatorDialect = 'wmi'): Target {
  const uri = req.resourceUri;
  if (dialect === 'omi') return resolveOmiTarget(req, operation);
  if (uri && uri.toLowerCase().startsWith(CIM_SCHEMA_PREFIX.toLowerCase())) return resolveDmtfTarget(req, uri.slice(CIM_SCHEMA_PREFIX.length), operation);
  if (!uri || !uri.toLowerCase().startsWith(WMI_RESOURCE_PREFIX.toLowerCase())) throw new EmulatorFault(FAULT.invalidResourceUri);
  const path = uri.slice(WMI_RESOURCE_PREFIX.length);
  const slash = path.lastIndexOf('/');
  const namespace = slash < 0 ? '' : path.slice(0, slash);
  const className = path.slice(slash + 1);
  if (className === '') throw new EmulatorFault(FAULT.invalidResourceUri);
  if (namespace.toLowerCase() !== HYPERV_NAMESPACE) {
    throw notFound('Invalid namespace ', { operation, providerName: 'WinMgmt', parameterInfo: namespace.replace(/\//g, '\\') });
  }
  if (className === '*') return { className };
  const canonical = canonicalClassName(className);
  if (canonical === undefined) throw notFound(CLASS_MISSING, { operation, providerName: 'WinMgmt', parameterInfo: className });
  return { className: canonical };
}

/**
 * Windows and a DMTF resource URI ([MS-WSMV] 3.1.4.1.1): the namespace comes from __cimnamespace
 * (default root\hardware) and only DMTF classes are reached this way. The CIM_ superclasses of the
 * jobs are served (the replies are written as for a WMI URI: how Windows writes them here is not
 * captured); an Msvm_ class is refused with ERROR_WSMAN_URI_NON_DMTF_CLASS.
 */
function resolveDmtfTarget(req: SoapRequest, className: string, operation: string): Target {
  if (className === '' || className.includes('/')) throw new EmulatorFault(FAULT.invalidResourceUri);
  const selector = req.selectors.find((s) => s.name.toLowerCase() === CIM_NAMESPACE_SELECTOR.toLowerCase());
  const namespace = normalizeNamespace(selector?.value ?? 'root/hardware');
  if (namespace.toLowerCase() !== HYPERV_NAMESPACE) throw notFound('Invalid namespace ', { operation, providerName: 'WinMgmt', parameterInfo: namespace.replace(/\//g, '\\') });
  const canonical = canonicalClassName(className);
  if (canonical === undefined) throw notFound(CLASS_MISSING, { operation, providerName: 'WinMgmt', parameterInfo: className });
  if (!canonical.startsWith('CIM_')) throw new EmulatorFault(FAULT.uriNonDmtfClass);
  return { className: canonical };
}

/**
 * OMI: class from the URI's last segment, namespace from __cimnamespace (default interop), never from
 * the URI; a missing namespace or class is wsa:DestinationUnreachable with CIM_ERR_INVALID_NAMESPACE /
 * CIM_ERR_INVALID_CLASS (OMI 1.0.8-6). `*` is a class only for a filtered Enumerate (the query names the class).
 */
function resolveOmiTarget(req: SoapRequest, operation: string): Target {
  const className = omiClassName(req.resourceUri ?? '');
  if (className === '' || (className === '*' && operation !== 'EnumerateInstances')) throw new EmulatorFault(FAULT.invalidResourceUri);
  const namespace = omiNamespace(req);
  // OMI's own namespace exists and has no Hyper-V classes; any other is not there at all.
  if (namespace.toLowerCase() !== HYPERV_NAMESPACE) throw new EmulatorFault(FAULT.resourceNotFound, { cim: namespace.toLowerCase() === OMI_DEFAULT_NAMESPACE ? OMI_CIM_ERRORS.invalidClass : OMI_CIM_ERRORS.invalidNamespace });
  if (className === '*') return { className };
  const canonical = canonicalClassName(className);
  if (canonical === undefined) throw new EmulatorFault(FAULT.resourceNotFound, { cim: OMI_CIM_ERRORS.invalidClass });
  return { className: canonical };
}

export function notFound(providerMessage: string, extendedStatus: ExtendedStatus): EmulatorFault {
  return new EmulatorFault(FAULT.resourceNotFound, { provider: { code: FAULT.resourceNotFound.wsmanCode, message: providerMessage, extendedStatus } });
}

export function instanceNotFound(className: string, instanceId: string, operation: string): EmulatorFault {
  return notFound(FAULT.resourceNotFound.reason, { operation, providerName: VMMS_PROVIDER, parameterInfo: `${className}.InstanceID="${instanceId}"` });
}

/**
 * Selector rules for an instance of a class keyed by `keys`: names are case-insensitive
 * ([MS-WSMV] 3.1.4.1.2), each once; __cimnamespace may accompany them and must name this namespace
 * (note <46>); any other name is unexpected, a missing key insufficient. Values by the keys' spelling.
 */
export function instanceSelectors(req: SoapRequest, keys: readonly string[]): Record<string, string> {
  const byName = new Map(keys.map((k) => [k.toLowerCase(), k]));
  const seen = new Set<string>();
  const out: Record<string, string> = {};
  for (const s of req.selectors) {
    const name = s.name.toLowerCase();
    if (seen.has(name)) throw new EmulatorFault(FAULT.duplicateSelectors);
    seen.add(name);
    const key = byName.get(name);
    if (name === '__cimnamespace') checkCimNamespace(s.value);
    else if (key !== undefined) out[key] = s.value;
    else throw new EmulatorFault(FAULT.unexpectedSelectors);
  }
  if (keys.some((k) => !(k in out))) throw new EmulatorFault(FAULT.insufficientSelectors);
  return out;
}

/** A job instance's selectors: its only key is InstanceID. */
export function jobInstanceId(req: SoapRequest): string {
  return instanceSelectors(req, ['InstanceID']).InstanceID!;
}

export function isJobClass(className: string): className is JobClassName {
  return (JOB_CLASSES as readonly string[]).includes(className);
}

/** The job a Get/Invoke addresses, honouring the class of the URI (a superclass URI matches every job class). */
export function findJob(model: JobModel, className: string, instanceId: string): JobFixture | undefined {
  const job = model.get(instanceId);
  return job && jobClassesFor(className).includes(job.className) ? job : undefined;
}

export function renderJob(job: JobFixture, ctx: OperationContext, select?: readonly string[]): string {
  return writeInstance(job.className, JOB_CLASS_PROPERTIES[job.className], jobProperties(job, ctx.computerName), select, ctx.dialect);
}

/** A namespace named by a __cimnamespace selector must be this one ([MS-WSMV] 3.1.4.1.1 note <46>). */
export function checkCimNamespace(value: string): void {
  if (value.replace(/\\/g, '/').toLowerCase() !== HYPERV_NAMESPACE) throw new EmulatorFault(FAULT.differentCimNamespace);
}
