/**
 * The host's own service instances in root\virtualization\v2, served beside the jobs: the one
 * Msvm_VirtualSystemManagementService every Hyper-V host has. Properties, CIM types and default
 * values are those of Microsoft's v2 class page (hyperv_v2/msvm-virtualsystemmanagementservice,
 * MOF with inherited properties); its keys are CIM_Service's four.
 */
import { MANAGED_SYSTEM_ELEMENT, type CimKind, type PropertyBag } from './classes.js';

export const VSMS_CLASS = 'Msvm_VirtualSystemManagementService';

/** One instance of a service class: its key properties (the EPR's selectors) and every property's value. */
export interface ServiceInstance {
  readonly className: string;
  readonly keys: Readonly<Record<string, string>>;
  readonly values: PropertyBag;
}

/** Msvm_VirtualSystemManagementService with every property of the v2 MOF, in its order. */
const VSMS_PROPERTIES: Readonly<Record<string, CimKind>> = {
  ...MANAGED_SYSTEM_ELEMENT,
  EnabledState: 'uint16',
  OtherEnabledState: 'string',
  RequestedState: 'uint16',
  EnabledDefault: 'uint16',
  TimeOfLastStateChange: 'datetime',
  AvailableRequestedStates: 'uint16[]',
  TransitioningToState: 'uint16',
  SystemCreationClassName: 'string',
  SystemName: 'string',
  CreationClassName: 'string',
  PrimaryOwnerName: 'string',
  PrimaryOwnerContact: 'string',
  StartMode: 'string',
  Started: 'boolean',
};

/** Properties of each service class the emulator has instances of. */
export const SERVICE_CLASS_PROPERTIES: Readonly<Record<string, Readonly<Record<string, CimKind>>>> = {
  [VSMS_CLASS]: VSMS_PROPERTIES,
};

/** CIM_Service keys: a Get must name all four (case-insensitive names and values, [MS-WSMV] 3.1.4.1.2). */
export const SERVICE_KEYS = ['CreationClassName', 'Name', 'SystemCreationClassName', 'SystemName'] as const;

/** The service instances of a host named `computerName`. */
export function hostServices(computerName: string): ServiceInstance[] {
  const keys = { CreationClassName: VSMS_CLASS, Name: 'vmms', SystemCreationClassName: 'Msvm_ComputerSystem', SystemName: computerName };
  const values: PropertyBag = {
    ...keys,
    InstanceID: null,
    // The MOF's default values; properties without one are NULL.
    Caption: 'Virtual System Management Service',
    Description: 'Service for creating, manipulating, and managing virtual machines',
    ElementName: 'Hyper-V Virtual System Management Service',
    InstallDate: null,
    OperationalStatus: [2],
    StatusDescriptions: ['The service is running normally'],
    Status: null,
    HealthState: 5,
    CommunicationStatus: null,
    DetailedStatus: null,
    OperatingStatus: null,
    PrimaryStatus: null,
    EnabledState: 2,
    OtherEnabledState: null,
    RequestedState: 12,
    EnabledDefault: 2,
    TimeOfLastStateChange: null,
    AvailableRequestedStates: null,
    TransitioningToState: null,
    PrimaryOwnerName: null,
    PrimaryOwnerContact: null,
    StartMode: null,
    Started: true,
  };
  return [{ className: VSMS_CLASS, keys, values }];
}

/** The instances an Enumerate of `className` (canonical spelling) returns. */
export function servicesOf(services: readonly ServiceInstance[], className: string): ServiceInstance[] {
  return services.filter((s) => s.className === className);
}

/** The instance of `className` a selector set names, when it names every key of one. */
export function findService(services: readonly ServiceInstance[], className: string, selectors: Readonly<Record<string, string>>): ServiceInstance | undefined {
  const given = new Map(Object.entries(selectors).map(([n, v]) => [n.toLowerCase(), v.toLowerCase()]));
  return servicesOf(services, className).find((s) => SERVICE_KEYS.every((k) => given.get(k.toLowerCase()) === s.keys[k]!.toLowerCase()));
}
