/**
 * Which element did a job work on: the Msvm_AffectedJobElement association links a job
 * (AffectingElement) to the managed elements its execution affects (AffectedElement), usually the
 * virtual machine, an Msvm_ComputerSystem (Microsoft's Msvm_AffectedJobElement and
 * CIM_AffectedJobElement pages). One Enumerate with the DMTF association filter (DSP0227 8.2.1) on the
 * namespace's `*` resource URI, as WinRM takes it ([MS-WSMV] 3.1.4.1.13).
 */
import type { CimInstance, CimValue } from '../cim/types.js';
import { CimDecodeError, ProtocolError } from '../errors.js';
import { WsmanFaultError } from '../wsman/fault.js';
import type { WsmanClient } from '../wsman/client.js';
import type { AssociatedInstancesFilter } from '../wsman/association-filter.js';
import { HYPERV_NAMESPACE, wmiResourceUri } from '../wsman/namespaces.js';
import { schemaFor } from './class-schemas.js';

export const AFFECTED_JOB_ELEMENT = 'Msvm_AffectedJobElement';
/** The class of a virtual machine (and of the host itself) in root\virtualization\v2. */
export const COMPUTER_SYSTEM = 'Msvm_ComputerSystem';

/** One element a job affects, as the host returned it. */
export interface AffectedElement {
  /** e.g. Msvm_ComputerSystem for a virtual machine. */
  readonly className: string;
  /** Name: for a VM, its GUID (the "Virtual machine ID" of Hyper-V's messages). */
  readonly name: string | null;
  /** ElementName: for a VM, the name people gave it. */
  readonly elementName: string | null;
  /** Every property as returned (untyped: this project has no schema for these classes). */
  readonly instance: CimInstance;
}

/** Where the job lives: its class resource URI and keys (a JobRef). */
export interface JobLocation {
  readonly resourceUri: string;
  readonly selectors: Readonly<Record<string, string>>;
}

/** The association query for the elements a job affects: Object = the job, through Msvm_AffectedJobElement, job as AffectingElement. */
export function affectedElementsFilter(job: JobLocation): AssociatedInstancesFilter {
  return {
    kind: 'AssociatedInstances',
    object: { resourceUri: job.resourceUri, selectors: job.selectors },
    associationClassName: AFFECTED_JOB_ELEMENT,
    role: 'AffectingElement',
    resultRole: 'AffectedElement',
  };
}

const text = (v: CimValue | undefined): string | null => (typeof v === 'string' ? v : null);

export function toAffectedElement(instance: CimInstance): AffectedElement {
  return { className: instance.className, name: text(instance.properties.Name), elementName: text(instance.properties.ElementName), instance };
}

/**
 * The elements a job affects: one Enumerate (plus Pulls for a long list). An empty list means the host
 * returned none: migration jobs, for one, are not Msvm_ConcreteJob, the class the association's
 * AffectingElement names (their VM is in VirtualSystemName instead).
 */
export async function readAffectedElements(client: WsmanClient, job: JobLocation, namespace = HYPERV_NAMESPACE, signal?: AbortSignal): Promise<AffectedElement[]> {
  const out: AffectedElement[] = [];
  const it = client.enumerateInstances(wmiResourceUri(namespace, '*'), { association: affectedElementsFilter(job) }, (cls) => schemaFor(cls), { signal });
  for await (const inst of it) out.push(toAffectedElement(inst));
  return out;
}

/** The elements, or why the host did not say: `failure` is its fault or malformed reply, in a sentence. */
export type AffectedElementsAnswer = { readonly elements: readonly AffectedElement[]; readonly failure: null } | { readonly elements: null; readonly failure: string };

/**
 * readAffectedElements for a caller whose main answer is something else (job-error's GetError): a
 * fault or an odd reply becomes `failure` so it cannot hide that answer; an abort, an authentication
 * or a connection failure is still thrown.
 */
export async function askAffectedElements(client: WsmanClient, job: JobLocation, namespace = HYPERV_NAMESPACE, signal?: AbortSignal): Promise<AffectedElementsAnswer> {
  try {
    return { elements: await readAffectedElements(client, job, namespace, signal), failure: null };
  } catch (err) {
    if (err instanceof WsmanFaultError || err instanceof ProtocolError || err instanceof CimDecodeError) return { elements: null, failure: err.message };
    throw err;
  }
}

/** Msvm_ComputerSystem.Caption of the host itself; a VM's is "Virtual Machine" (Msvm_ComputerSystem page). */
const HOST_CAPTION = 'Hosting Computer System';

/** "VM sql02 (Name 0F4C...)" for a virtual machine; "<Class> <ElementName> (Name ...)" for anything else. */
export function describeAffectedElement(e: AffectedElement): string {
  const isSystem = e.className.toLowerCase() === COMPUTER_SYSTEM.toLowerCase();
  const what = !isSystem ? e.className : e.instance.properties.Caption === HOST_CAPTION ? 'Host' : 'VM';
  const label = e.elementName ?? '(no ElementName)';
  return e.name === null ? `${what} ${label}` : `${what} ${label} (Name ${e.name})`;
}
