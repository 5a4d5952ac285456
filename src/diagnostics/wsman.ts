/**
 * Steps `identify` and `hyperv-namespace`: one authenticated Identify through the library's client
 * (the whole auth path: tokens, channel binding, message encryption), then the cheapest question the
 * Hyper-V WMI namespace can answer: one Msvm_VirtualSystemManagementService (every Hyper-V host has
 * exactly one). A missing namespace means no Hyper-V role, or a server that is not Windows WinRM; an
 * empty answer, a user the Hyper-V provider shows nothing (or no Hyper-V behind the class): both fail.
 */
import { ErrorCodes } from '../errors.js';
import type { ConnectionOptions } from '../options.js';
import { WsmanClient } from '../wsman/client.js';
import { dialectFromIdentify } from '../wsman/dialect.js';
import { isAccessDeniedFault, isNotFoundFault, WsmanFaultError } from '../wsman/fault.js';
import { HYPERV_NAMESPACE, wmiResourceUri } from '../wsman/namespaces.js';
import type { IdentifyResult } from '../wsman/responses.js';
import { failureOf } from './step-runner.js';
import type { FactValue, StepOutcome } from './types.js';
import type { CimInstance } from '../cim/types.js';

export const HYPERV_PROBE_CLASS = 'Msvm_VirtualSystemManagementService';

export async function checkIdentify(client: WsmanClient): Promise<{ outcome: StepOutcome; identity?: IdentifyResult }> {
  try {
    const id = await client.identify();
    const facts = { productVendor: id.productVendor, productVersion: id.productVersion, protocolVersion: id.protocolVersion, dialect: dialectFromIdentify(id) };
    return { identity: id, outcome: { status: 'pass', summary: `authenticated with --transport ${client.options.transport}: ${id.productVendor} ${id.productVersion}`, facts } };
  } catch (err) {
    return { outcome: failureOf(err) };
  }
}

export async function checkHypervNamespace(client: WsmanClient, identity: IdentifyResult | undefined): Promise<StepOutcome> {
  const uri = wmiResourceUri(HYPERV_NAMESPACE, HYPERV_PROBE_CLASS);
  const notWindows = identity !== undefined && dialectFromIdentify(identity) !== 'wmi';
  const hint =
    (notWindows ? `Identify says this is ${identity.productVendor} ${identity.productVersion}, not Windows WinRM (OMI or another DMTF server?): Hyper-V runs only on Windows. ` : '') +
    `On a Windows host, install the Hyper-V role (Install-WindowsFeature Hyper-V -IncludeManagementTools) and check Get-CimInstance -Namespace root/virtualization/v2 ${HYPERV_PROBE_CLASS} locally.`;
  try {
    let first: CimInstance | undefined;
    for await (const instance of client.enumerateInstances(uri, { maxElements: 1 })) {
      first = instance;
      break;
    }
    const found = first === undefined ? 0 : 1;
    const facts: Record<string, FactValue> = { namespace: HYPERV_NAMESPACE, resourceUri: uri, instancesRead: found };
    if (first === undefined) {
      // Every Hyper-V host has its one VSMS: none means the provider shows this user nothing (jobs included), or no Hyper-V behind the class.
      return {
        status: 'fail',
        summary: `${HYPERV_NAMESPACE} answers an Enumerate of ${HYPERV_PROBE_CLASS} with no instance, yet every Hyper-V host has exactly one: the Hyper-V provider shows this user nothing, or no Hyper-V is behind the class`,
        facts,
        fix: `Check that the Hyper-V role is installed and its service running (Get-Service vmms), and that the user (--user) is in the 'Hyper-V Administrators' group (or Administrators); then Get-CimInstance -Namespace root/virtualization/v2 ${HYPERV_PROBE_CLASS} as that user should list one.`,
        code: ErrorCodes.NOT_FOUND,
      };
    }
    const props = first.properties;
    const text = (p: string): string | undefined => (typeof props[p] === 'string' ? props[p] : undefined);
    const [name, system] = [text('Name'), text('SystemName')];
    if (name !== undefined) facts.serviceName = name;
    if (system !== undefined) facts.systemName = system;
    return { status: 'pass', summary: `${HYPERV_NAMESPACE} answers an Enumerate of ${HYPERV_PROBE_CLASS}: ${name ?? '(no Name)'} on ${system ?? '(no SystemName)'}`, facts };
  } catch (err) {
    if (err instanceof WsmanFaultError && isAccessDeniedFault(err)) {
      return failureOf(err, { namespace: HYPERV_NAMESPACE }, 'The user may log on but not read root/virtualization/v2: add it to the Hyper-V Administrators group (or Administrators).');
    }
    const facts = { namespace: HYPERV_NAMESPACE, resourceUri: uri };
    const notFound = err instanceof WsmanFaultError && isNotFoundFault(err);
    if (notWindows && notFound) {
      // The server said who it is and that the class is not there: say that first, in its words.
      return {
        status: 'fail',
        summary: `not a Hyper-V host: ${identity.productVendor} ${identity.productVersion} is not Windows WinRM, and it has no ${HYPERV_PROBE_CLASS} (${err.message})`,
        facts: { ...facts, productVendor: identity.productVendor },
        code: ErrorCodes.NOT_FOUND,
        fix: 'Hyper-V runs only on Windows: point --host at a Windows Hyper-V host. For this server, use get/enumerate/invoke with --dialect cim and its own classes and namespaces.',
      };
    }
    return { ...failureOf(err, facts, `Hyper-V role not installed, or not a Windows Hyper-V host. ${hint}`), ...(notFound ? { code: ErrorCodes.NOT_FOUND } : {}) };
  }
}

/** A client for the authenticated steps (same options as every other command). */
export function clientFor(options: ConnectionOptions): WsmanClient {
  return new WsmanClient(options);
}
