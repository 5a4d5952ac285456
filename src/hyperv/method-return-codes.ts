/**
 * ReturnValue names per class and method. Hyper-V v2 methods do not share one table: DefineSystem,
 * ModifyResourceSettings, CreateSnapshot, MigrateVirtualSystemToSystem... use DMTF's 1..6 (Not
 * Supported, Failed, ...), most others Hyper-V's 32768..32778, and the same number can mean different
 * things (32779 is "File not found" on most pages, "File in Use" on the import methods).
 *
 * Source: the "Return value" section of each Msvm_* method page,
 * https://learn.microsoft.com/windows/win32/hyperv_v2/<page> (MicrosoftDocs/win32 desktop-src/HyperV_v2,
 * read at commit 47e64c189dcb). Pages that list the same codes share a table. Where a page gives
 * DMTF's "..", the span it stands for (up to the next listed value) is written out. A few pages list
 * numbers with blank names (RequestStateChange of several job classes and of Msvm_ComputerSystem);
 * these are the common set's numbers and get its names, as each table's comment says. Pages without
 * numbers (CalculatePossibleReserve, ExportReferencePoint, ExportSnapshot, ShowMetricsByClass) have
 * no table. A method without a table gets METHOD_RETURN_CODES: 0 and 4096, else "method-specific code".
 */
import { HYPERV_NAMESPACE, wmiResourceUri } from '../wsman/namespaces.js';
import {
  GET_ERROR_RETURN_CODES,
  HYPERV_ASYNC_CODES,
  HYPERV_SYNC_CODES,
  METHOD_RETURN_CODES,
  REQUEST_STATE_CHANGE_RETURN,
  nameOf,
  range,
  valueMap,
  type ValueMap,
  type ValueRange,
} from './value-maps.js';

/** DMTF's service-method codes as the v2 pages name them (e.g. definesystem-msvm-virtualsystemmanagementservice). */
const DMTF_SERVICE_CODES: Readonly<Record<number, string>> = {
  0: 'Completed with No Error',
  1: 'Not Supported',
  2: 'Failed',
  3: 'Timeout',
  4: 'Invalid Parameter',
  4096: 'Method Parameters Checked - Job Started',
};

/** CIM_EnabledLogicalElement/CIM_ConcreteJob RequestStateChange codes, the base of a few device pages' variants. */
const CIM_REQUEST_STATE_CHANGE_CODES: Readonly<Record<number, string>> = Object.fromEntries(REQUEST_STATE_CHANGE_RETURN.values);

/** The spans above 4096 on every DMTF-style page. */
const DMTF_UPPER_RANGES: readonly ValueRange[] = [range(4097, 32767, 'Method Reserved'), range(32768, 65535, 'Vendor Specific')];

/** 104 pages, e.g. disablegpuforvirtualization-msvm-synthetic3dservice. */
const DONE_OR_NOT_SUPPORTED = valueMap('Msvm_Synthetic3DService.DisableGPUForVirtualization.ReturnValue (and 103 more methods)', { 0: 'Completed with No Error', 1: 'Not supported' });

/** 55 pages, e.g. addkvpitems-msvm-virtualsystemmanagementservice. */
const HYPERV_ASYNC = valueMap('Msvm_VirtualSystemManagementService.AddKvpItems.ReturnValue (and 54 more methods)', { ...HYPERV_ASYNC_CODES });

/** 53 pages, e.g. addauthorizationentry-msvm-replicationservice. */
const HYPERV_ASYNC_FILE_NOT_FOUND = valueMap('Msvm_ReplicationService.AddAuthorizationEntry.ReturnValue (and 52 more methods)', { ...HYPERV_ASYNC_CODES, 32779: 'File not found' });

/** 14 pages, e.g. getinteractivesessionacl-msvm-terminalservice. */
const DMTF_INCOMPATIBLE_PARAMETERS = valueMap('Msvm_TerminalService.GetInteractiveSessionACL.ReturnValue (and 13 more methods)', { ...DMTF_SERVICE_CODES, 5: 'Invalid State', 6: 'Incompatible Parameters' }, [range(7, 4095, 'DMTF Reserved'), ...DMTF_UPPER_RANGES]);

/** 12 pages, e.g. addfeaturesettings-msvm-virtualethernetswitchmanagementservice. */
const DMTF_SERVICE = valueMap('Msvm_VirtualEthernetSwitchManagementService.AddFeatureSettings.ReturnValue (and 11 more methods)', { ...DMTF_SERVICE_CODES }, [range(5, 4095, 'DMTF Reserved'), ...DMTF_UPPER_RANGES]);

/** 11 pages, e.g. createsnapshot-msvm-virtualsystemsnapshotservice. */
const DMTF_INVALID_TYPE = valueMap('Msvm_VirtualSystemSnapshotService.CreateSnapshot.ReturnValue (and 10 more methods)', { ...DMTF_SERVICE_CODES, 5: 'Invalid State', 6: 'Invalid Type' }, [range(7, 4095, 'DMTF Reserved'), ...DMTF_UPPER_RANGES]);

/** 9 pages, e.g. destroysystem-msvm-virtualethernetswitchmanagementservice. */
const DMTF_INVALID_STATE = valueMap('Msvm_VirtualEthernetSwitchManagementService.DestroySystem.ReturnValue (and 8 more methods)', { ...DMTF_SERVICE_CODES, 5: 'Invalid State' }, [range(6, 4095, 'DMTF Reserved'), ...DMTF_UPPER_RANGES]);

/** 5 pages, e.g. controlmetrics-msvm-metricservice. */
const METRIC_SERVICE = valueMap('Msvm_MetricService.ControlMetrics.ReturnValue (and 4 more methods)', { 0: 'Success', 1: 'Not Supported', 2: 'Failed' }, [range(3, 32767, 'Method Reserved'), range(32768, 65535, 'Vendor Specific')]);

/** 5 pages, e.g. msvm-collectionreferencepointexportjob-requeststatechange. The page lists the numbers without names; they are the common Hyper-V set's numbers and are named from it. */
const UNNAMED_ON_PAGE = valueMap('Msvm_CollectionReferencePointExportJob.RequestStateChange.ReturnValue (and 4 more methods)', { ...HYPERV_SYNC_CODES });

/** 4 pages, e.g. createpool-msvm-resourcepoolconfigurationservice. */
const RESOURCE_POOL_CONFIGURATION = valueMap('Msvm_ResourcePoolConfigurationService.CreatePool.ReturnValue (and 3 more methods)', {
  ...HYPERV_ASYNC_CODES,
  0: 'Job Completed with No Error',
  32771: 'Unknown',
  32773: 'Invalid Parameter',
  32774: 'In Use',
  32775: 'Invalid State',
  32776: 'Incorrect Resource Type for the Pool',
  32777: 'Unavailable',
  32778: 'Out of Memory',
  32779: 'Vendor Reserved',
  32780: 'Insufficient Resources',
  32788: 'Object Exists',
}, [range(32781, 32787, 'Object Not Found'), range(1, 4095, 'DMTF Reserved'), ...DMTF_UPPER_RANGES]);

/** 3 pages, e.g. importsnapshotdefinitions-msvm-virtualsystemmanagementservice. */
const HYPERV_ASYNC_FILE_IN_USE = valueMap('Msvm_VirtualSystemManagementService.ImportSnapshotDefinitions.ReturnValue (and 2 more methods)', { ...HYPERV_ASYNC_CODES, 32779: 'File in Use' });

/** 2 pages, e.g. checkvirtualsystemismigratable-msvm-virtualsystemmigrationservice. The page does not list 0; it is named as on every page that does. */
const HYPERV_ASYNC_ZERO_UNLISTED = valueMap('Msvm_VirtualSystemMigrationService.CheckVirtualSystemIsMigratable.ReturnValue (and 1 more methods)', { ...HYPERV_ASYNC_CODES });

/** 2 pages, e.g. checkvirtualsystemismigratabletohost-msvm-virtualsystemmigrationservice. */
const DMTF_INCOMPATIBLE_PARAMETERS_SYNC = valueMap('Msvm_VirtualSystemMigrationService.CheckVirtualSystemIsMigratableToHost.ReturnValue (and 1 more methods)', {
  0: 'Completed with No Error',
  1: 'Not Supported',
  2: 'Failed',
  3: 'Timeout',
  4: 'Invalid Parameter',
  5: 'Invalid State',
  6: 'Incompatible Parameters',
}, [range(7, 4096, 'DMTF Reserved'), ...DMTF_UPPER_RANGES]);

/** 2 pages, e.g. msvm-shutdowncomponent-initiatereboot. */
const SHUTDOWN_COMPONENT = valueMap('Msvm_ShutdownComponent.InitiateReboot.ReturnValue (and 1 more methods)', {
  ...HYPERV_ASYNC_CODES,
  32779: 'File not found',
  32780: 'The system is not ready',
  32781: 'The machine is locked and cannot be shut down without the force option',
  32782: 'A system shutdown is in progress',
});

/** Page applysnapshot-msvm-virtualsystemsnapshotservice. */
const APPLY_SNAPSHOT = valueMap('Msvm_VirtualSystemSnapshotService.ApplySnapshot.ReturnValue', {
  ...DMTF_SERVICE_CODES,
  5: 'Invalid State',
  6: 'Invalid Type',
  32769: 'Access Denied',
  32773: 'Invalid Parameter',
  32775: 'Invalid State',
}, [range(7, 4095, 'DMTF Reserved'), ...DMTF_UPPER_RANGES]);

/** Page checksystemcompatibilityinfo-msvm-virtualsystemmigrationservice. */
const CHECK_SYSTEM_COMPATIBILITY_INFO = valueMap('Msvm_VirtualSystemMigrationService.CheckSystemCompatibilityInfo.ReturnValue', { ...HYPERV_ASYNC_CODES, 32784: 'Not compatible' });

/** Page detachvirtualharddisk-msvm-mountedstorageimage. */
const SUCCESS_OR_FAILED = valueMap('Msvm_MountedStorageImage.DetachVirtualHardDisk.ReturnValue', { 0: 'Success', 1: 'Failed' });

/** Page enableendpoints-msvm-rdvcomponent. */
const RDV_ENABLE_END_POINTS = valueMap('Msvm_RdvComponent.EnableEndPoints.ReturnValue', {
  0: 'Completed with No Error',
  4096: 'Method Parameters Checked - Job Started',
  32768: 'Failed',
  32769: 'Access Denied',
  32770: 'Not Supported',
  32771: 'Status is unknown',
  32772: 'Timeout',
  32773: 'Invalid parameter',
  32774: 'Out of memory',
  32775: 'File not found',
});

/** Page injectnonmaskableinterrupt-msvm-computersystem. */
const INJECT_NMI = valueMap('Msvm_ComputerSystem.InjectNonMaskableInterrupt.ReturnValue', {
  0: 'Completed with No Error',
  4096: 'Method Parameters Checked - Job Started',
  32769: 'Access Denied',
});

/** Page msvm-imagemanagementservice-findmountedstorageimageinstance. */
const FIND_MOUNTED_STORAGE_IMAGE = valueMap('Msvm_ImageManagementService.FindMountedStorageImageInstance.ReturnValue', { ...HYPERV_SYNC_CODES, 32779: 'File not found', 32789: 'Object not found' });

/** Page msvm-keyboard-requeststatechange. */
const KEYBOARD_REQUEST_STATE_CHANGE = valueMap('Msvm_Keyboard.RequestStateChange.ReturnValue', {
  ...CIM_REQUEST_STATE_CHANGE_CODES,
  1: 'Not supported',
  2: 'Unknown or Unspecified Error',
  4096: 'Method Parameters Checked - Job Started',
}, [range(7, 4095, 'DMTF Reserved'), range(4100, 32767, 'Method Reserved'), range(32768, 65535, 'Vendor Specific')]);

/** Page requeststatechange-msvm-computersystem. The page lists some numbers without names; they are the common Hyper-V set's numbers and are named from it. */
const COMPUTER_SYSTEM_REQUEST_STATE_CHANGE = valueMap('Msvm_ComputerSystem.RequestStateChange.ReturnValue', { ...HYPERV_ASYNC_CODES, 4096: 'Method Parameters Checked - Transition Started' });

/** Page requeststatechange-msvm-copyfiletoguestjob. */
const COPY_FILE_TO_GUEST_JOB_REQUEST_STATE_CHANGE = valueMap('Msvm_CopyFileToGuestJob.RequestStateChange.ReturnValue', { ...HYPERV_SYNC_CODES, 4098: 'Use of Timeout Parameter Not Supported' });

/** Page requeststatechange-msvm-guestservice. */
const GUEST_SERVICE_REQUEST_STATE_CHANGE = valueMap('Msvm_GuestService.RequestStateChange.ReturnValue', {
  0: 'Completed with No Error',
  1: 'Not supported',
  4096: 'Method Parameters Checked - Transition Started',
  4098: 'Use of Timeout Parameter Not Supported',
  32769: 'Access Denied',
  32775: 'Invalid state for this operation',
});

/** Page requeststatechange-msvm-guestserviceinterfacecomponent. */
const DMTF_REQUEST_STATE_CHANGE = valueMap('Msvm_GuestServiceInterfaceComponent.RequestStateChange.ReturnValue', {
  ...CIM_REQUEST_STATE_CHANGE_CODES,
  1: 'Not supported',
  3: 'Can NOT complete within Timeout Period',
}, [range(7, 4095, 'DMTF Reserved'), range(4100, 32767, 'Method Reserved'), range(32768, 65535, 'Vendor Specific')]);

/** Page validatevirtualharddisk-msvm-imagemanagementservice. */
const VALIDATE_VIRTUAL_HARD_DISK = valueMap('Msvm_ImageManagementService.ValidateVirtualHardDisk.ReturnValue', { ...HYPERV_ASYNC_CODES, 32779: 'File not found', 32787: 'Vhd differencing chain cycle detected' });

type Entry = ValueMap | readonly [ValueMap, string];

/** Per class, per method: the table, and the page when it is not named <method>-<class>. */
const METHODS: Readonly<Record<string, Readonly<Record<string, Entry>>>> = {
  Msvm_AssignableDeviceService: {
    DismountAssignableDevice: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-assignabledeviceservice-dismountassignabledevice'],
    MountAssignableDevice: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-assignabledeviceservice-mountassignabledevice'],
  },
  Msvm_CollectionManagementService: {
    AddMember: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-collectionmanagementservice-addmember'],
    DefineCollection: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-collectionmanagementservice-definecollection'],
    DestroyCollection: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-collectionmanagementservice-destroycollection'],
    RemoveMember: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-collectionmanagementservice-removemember'],
    RemoveMemberById: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-collectionmanagementservice-removememberbyid'],
    RenameCollection: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-collectionmanagementservice-renamecollection'],
    StartService: [DONE_OR_NOT_SUPPORTED, 'msvm-collectionmanagementservice-startservice'],
    StopService: [DONE_OR_NOT_SUPPORTED, 'msvm-collectionmanagementservice-stopservice'],
  },
  Msvm_CollectionReferencePointExportJob: {
    GetError: [GET_ERROR_RETURN_CODES, 'msvm-collectionreferencepointexportjob-geterror'],
    GetErrorEx: [GET_ERROR_RETURN_CODES, 'msvm-collectionreferencepointexportjob-geterrorex'],
    RequestStateChange: [UNNAMED_ON_PAGE, 'msvm-collectionreferencepointexportjob-requeststatechange'],
  },
  Msvm_CollectionReferencePointService: {
    CreateReferencePoint: [DMTF_INVALID_TYPE, 'msvm-collectionreferencepointservice-createreferencepoint'],
    DestroyReferencePoint: [DMTF_INVALID_TYPE, 'msvm-collectionreferencepointservice-destroyreferencepoint'],
    RemoveAssociatedData: [DMTF_INVALID_TYPE, 'msvm-collectionreferencepointservice-removeassociateddata'],
  },
  Msvm_CollectionSnapshotService: {
    ApplySnapshot: [DMTF_INVALID_TYPE, 'msvm-collectionsnapshotservice-applysnapshot'],
    ConvertToReferencePoint: [DMTF_INVALID_TYPE, 'msvm-collectionsnapshotservice-converttoreferencepoint'],
    CreateSnapshot: [DMTF_INVALID_TYPE, 'msvm-collectionsnapshotservice-createsnapshot'],
    DestroySnapshot: [DMTF_INVALID_TYPE, 'msvm-collectionsnapshotservice-destroysnapshot'],
  },
  Msvm_ComputerSystem: {
    InjectNonMaskableInterrupt: INJECT_NMI,
    RequestReplicationStateChange: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-computersystem-requestreplicationstatechange'],
    RequestReplicationStateChangeEx: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-requestreplicationstatechangeex-computersystem'],
    RequestStateChange: COMPUTER_SYSTEM_REQUEST_STATE_CHANGE,
  },
  Msvm_ConcreteJob: {
    GetError: GET_ERROR_RETURN_CODES,
    GetErrorEx: GET_ERROR_RETURN_CODES,
    RequestStateChange: REQUEST_STATE_CHANGE_RETURN,
  },
  Msvm_CopyFileToGuestJob: {
    GetError: GET_ERROR_RETURN_CODES,
    GetErrorEx: GET_ERROR_RETURN_CODES,
    RequestStateChange: COPY_FILE_TO_GUEST_JOB_REQUEST_STATE_CHANGE,
  },
  Msvm_DiskDrive: {
    LockMedia: [DONE_OR_NOT_SUPPORTED, 'msvm-diskdrive-lockmedia'],
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-diskdrive-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-diskdrive-reset'],
  },
  Msvm_DisketteController: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-diskettecontroller-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-diskettecontroller-reset'],
  },
  Msvm_DisketteDrive: {
    LockMedia: [DONE_OR_NOT_SUPPORTED, 'msvm-diskettedrive-lockmedia'],
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-diskettedrive-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-diskettedrive-reset'],
  },
  Msvm_DVDDrive: {
    LockMedia: [DONE_OR_NOT_SUPPORTED, 'msvm-dvddrive-lockmedia'],
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-dvddrive-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-dvddrive-reset'],
  },
  Msvm_EmulatedEthernetPort: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-emulatedethernetport-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-emulatedethernetport-reset'],
  },
  Msvm_EthernetSwitchExtension: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-ethernetswitchextension-requeststatechange'],
  },
  Msvm_EthernetSwitchPort: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-ethernetswitchport-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-ethernetswitchport-reset'],
  },
  Msvm_ExternalEthernetPort: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-externalethernetport-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-externalethernetport-reset'],
  },
  Msvm_ExternalFcPort: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-externalfcport-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-externalfcport-reset'],
  },
  Msvm_FcEndpoint: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-fcendpoint-requeststatechange'],
  },
  Msvm_FcSwitchPort: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-fcswitchport-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-fcswitchport-reset'],
  },
  Msvm_GuestFileService: {
    CopyFilesToGuest: HYPERV_ASYNC,
  },
  Msvm_GuestService: {
    RequestStateChange: GUEST_SERVICE_REQUEST_STATE_CHANGE,
    StartService: DONE_OR_NOT_SUPPORTED,
    StopService: DONE_OR_NOT_SUPPORTED,
  },
  Msvm_GuestServiceInterfaceComponent: {
    RequestStateChange: DMTF_REQUEST_STATE_CHANGE,
  },
  Msvm_HeartbeatComponent: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-heartbeatcomponent-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-heartbeatcomponent-reset'],
  },
  Msvm_IDEController: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-idecontroller-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-idecontroller-reset'],
  },
  Msvm_ImageManagementService: {
    AttachVirtualHardDisk: HYPERV_ASYNC_FILE_NOT_FOUND,
    CompactVirtualHardDisk: HYPERV_ASYNC_FILE_NOT_FOUND,
    ConvertVirtualHardDisk: HYPERV_ASYNC_FILE_NOT_FOUND,
    ConvertVirtualHardDiskToVHDSet: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-imagemanagementservice-convertvirtualharddisktovhdset'],
    CreateVirtualFloppyDisk: HYPERV_ASYNC_FILE_NOT_FOUND,
    CreateVirtualHardDisk: HYPERV_ASYNC_FILE_NOT_FOUND,
    DeleteVHDSnapshot: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-imagemanagementservice-deletevhdsnapshot'],
    FindMountedStorageImageInstance: [FIND_MOUNTED_STORAGE_IMAGE, 'msvm-imagemanagementservice-findmountedstorageimageinstance'],
    GetVHDSetInformation: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-imagemanagementservice-getvhdsetinformation'],
    GetVHDSnapshotInformation: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-imagemanagementservice-getvhdsnapshotinformation'],
    GetVirtualDiskChanges: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-imagemanagementservice-getvirtualdiskchanges'],
    GetVirtualHardDiskSettingData: HYPERV_ASYNC_FILE_NOT_FOUND,
    GetVirtualHardDiskState: HYPERV_ASYNC_FILE_NOT_FOUND,
    MergeVirtualHardDisk: HYPERV_ASYNC_FILE_NOT_FOUND,
    OptimizeVHDSet: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-imagemanagementservice-optimizevhdset'],
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-imagemanagementservice-requeststatechange'],
    ResizeVirtualHardDisk: HYPERV_ASYNC_FILE_NOT_FOUND,
    SetParentVirtualHardDisk: HYPERV_ASYNC_FILE_NOT_FOUND,
    SetVHDSnapshotInformation: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-imagemanagementservice-setvhdsnapshotinformation'],
    SetVirtualHardDiskSettingData: HYPERV_ASYNC_FILE_NOT_FOUND,
    StartService: [DONE_OR_NOT_SUPPORTED, 'msvm-imagemanagementservice-startservice'],
    StopService: [DONE_OR_NOT_SUPPORTED, 'msvm-imagemanagementservice-stopservice'],
    ValidatePersistentReservationSupport: [HYPERV_ASYNC_FILE_NOT_FOUND, 'msvm-imagemanagementservice-validatepersistentreservationsupport'],
    ValidateVirtualHardDisk: VALIDATE_VIRTUAL_HARD_DISK,
  },
  Msvm_InternalEthernetPort: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-internalethernetport-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-internalethernetport-reset'],
  },
  Msvm_Keyboard: {
    IsKeyPressed: HYPERV_ASYNC,
    PressKey: HYPERV_ASYNC,
    ReleaseKey: HYPERV_ASYNC,
    RequestStateChange: [KEYBOARD_REQUEST_STATE_CHANGE, 'msvm-keyboard-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-keyboard-reset'],
    TypeCtrlAltDel: HYPERV_ASYNC,
    TypeKey: HYPERV_ASYNC,
    TypeScancodes: [HYPERV_ASYNC, 'msvm-keyboard-typescancodes'],
    TypeText: HYPERV_ASYNC,
  },
  Msvm_KvpExchangeComponent: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-kvpexchangecomponent-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-kvpexchangecomponent-reset'],
  },
  Msvm_LANEndpoint: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-lanendpoint-requeststatechange'],
  },
  Msvm_LogicalDisk: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-logicaldisk-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-logicaldisk-reset'],
  },
  Msvm_Memory: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-memory-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-memory-reset'],
  },
  Msvm_MetricService: {
    ControlMetrics: METRIC_SERVICE,
    ControlMetricsByClass: [METRIC_SERVICE, 'msvm-metricservice-controlmetricsbyclass'],
    ControlSampleTimes: [METRIC_SERVICE, 'msvm-metricservice-controlsampletimes'],
    GetMetricValues: [METRIC_SERVICE, 'msvm-metricservice-getmetricvalues'],
    ModifyServiceSettings: HYPERV_ASYNC,
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-metricservice-requeststatechange'],
    ShowMetrics: [METRIC_SERVICE, 'msvm-metricservice-showmetrics'],
    StartService: [DONE_OR_NOT_SUPPORTED, 'msvm-metricservice-startservice'],
    StopService: [DONE_OR_NOT_SUPPORTED, 'msvm-metricservice-stopservice'],
  },
  Msvm_MigrationJob: {
    GetError: GET_ERROR_RETURN_CODES,
    GetErrorEx: GET_ERROR_RETURN_CODES,
    RequestStateChange: UNNAMED_ON_PAGE,
  },
  Msvm_MountedStorageImage: {
    DetachVirtualHardDisk: SUCCESS_OR_FAILED,
  },
  Msvm_PlannedComputerSystem: {
    RequestStateChange: UNNAMED_ON_PAGE,
  },
  Msvm_Processor: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-processor-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-processor-reset'],
  },
  Msvm_Ps2Mouse: {
    ClickButton: HYPERV_ASYNC,
    GetButtonState: HYPERV_ASYNC,
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-ps2mouse-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-ps2mouse-reset'],
    SetButtonState: HYPERV_ASYNC,
    SetRelativePosition: HYPERV_ASYNC,
    SetScrollPosition: HYPERV_ASYNC,
  },
  Msvm_RdvComponent: {
    EnableEndPoints: RDV_ENABLE_END_POINTS,
  },
  Msvm_ReplicationService: {
    AddAuthorizationEntry: HYPERV_ASYNC_FILE_NOT_FOUND,
    ChangeReplicationModeToPrimary: HYPERV_ASYNC_FILE_NOT_FOUND,
    CommitFailover: HYPERV_ASYNC_FILE_NOT_FOUND,
    CreateReplicationRelationship: HYPERV_ASYNC_FILE_NOT_FOUND,
    GetReplicationStatistics: HYPERV_ASYNC_FILE_NOT_FOUND,
    GetReplicationStatisticsEx: HYPERV_ASYNC_FILE_NOT_FOUND,
    GetSystemCertificates: HYPERV_ASYNC_FILE_NOT_FOUND,
    ImportInitialReplica: HYPERV_ASYNC_FILE_NOT_FOUND,
    InitiateFailback: HYPERV_ASYNC_FILE_NOT_FOUND,
    InitiateFailover: HYPERV_ASYNC_FILE_NOT_FOUND,
    ModifyAuthorizationEntry: HYPERV_ASYNC_FILE_NOT_FOUND,
    ModifyReplicationSettings: HYPERV_ASYNC_FILE_NOT_FOUND,
    ModifyServiceSettings: HYPERV_ASYNC,
    RemoveAuthorizationEntry: HYPERV_ASYNC_FILE_NOT_FOUND,
    RemoveReplicationRelationship: HYPERV_ASYNC_FILE_NOT_FOUND,
    RemoveReplicationRelationshipEx: HYPERV_ASYNC_FILE_NOT_FOUND,
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-replicationservice-requeststatechange'],
    ResetReplicationStatistics: HYPERV_ASYNC_FILE_NOT_FOUND,
    ResetReplicationStatisticsEx: HYPERV_ASYNC_FILE_NOT_FOUND,
    Resynchronize: HYPERV_ASYNC_FILE_NOT_FOUND,
    ReverseReplicationRelationship: HYPERV_ASYNC_FILE_NOT_FOUND,
    RevertFailover: HYPERV_ASYNC_FILE_NOT_FOUND,
    SetAuthorizationEntry: HYPERV_ASYNC_FILE_NOT_FOUND,
    SetFailoverNetworkAdapterSettings: HYPERV_ASYNC,
    StartReplication: HYPERV_ASYNC_FILE_NOT_FOUND,
    StartService: [DONE_OR_NOT_SUPPORTED, 'msvm-replicationservice-startservice'],
    StopService: [DONE_OR_NOT_SUPPORTED, 'msvm-replicationservice-stopservice'],
    TestReplicaSystem: HYPERV_ASYNC_FILE_NOT_FOUND,
    TestReplicationConnection: HYPERV_ASYNC_FILE_NOT_FOUND,
  },
  Msvm_ResourcePoolConfigurationService: {
    CreatePool: RESOURCE_POOL_CONFIGURATION,
    DeletePool: RESOURCE_POOL_CONFIGURATION,
    ModifyPoolResources: RESOURCE_POOL_CONFIGURATION,
    ModifyPoolSettings: RESOURCE_POOL_CONFIGURATION,
  },
  Msvm_S3DisplayController: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-s3displaycontroller-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-s3displaycontroller-reset'],
  },
  Msvm_SCSIProtocolController: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-scsiprotocolcontroller-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-scsiprotocolcontroller-reset'],
  },
  Msvm_SecurityService: {
    GetKeyProtector: [HYPERV_ASYNC, 'msvm-securityservice-getkeyprotector'],
    ModifySecuritySettings: [DMTF_INCOMPATIBLE_PARAMETERS, 'msvm-securityservice-modifysecuritysettings'],
    RestoreLastKnownGoodKeyProtector: [HYPERV_ASYNC, 'msvm-securityservice-restorelastknowngoodkeyprotector'],
    SetKeyProtector: [HYPERV_ASYNC, 'msvm-securityservice-setkeyprotector'],
    SetSecurityPolicy: [HYPERV_ASYNC, 'msvm-securityservice-setsecuritypolicy'],
    StartService: [DONE_OR_NOT_SUPPORTED, 'msvm-securityservice-startservice'],
    StopService: [DONE_OR_NOT_SUPPORTED, 'msvm-securityservice-stopservice'],
  },
  Msvm_SerialController: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-serialcontroller-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-serialcontroller-reset'],
  },
  Msvm_SerialPort: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-serialport-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-serialport-reset'],
  },
  Msvm_ShutdownComponent: {
    InitiateReboot: [SHUTDOWN_COMPONENT, 'msvm-shutdowncomponent-initiatereboot'],
    InitiateShutdown: [SHUTDOWN_COMPONENT, 'msvm-shutdowncomponent-initiateshutdown'],
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-shutdowncomponent-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-shutdowncomponent-reset'],
  },
  Msvm_StorageJob: {
    GetError: [GET_ERROR_RETURN_CODES, 'msvm-storagejob-geterror'],
    GetErrorEx: GET_ERROR_RETURN_CODES,
    RequestStateChange: [UNNAMED_ON_PAGE, 'msvm-storagejob-requeststatechange'],
  },
  Msvm_Synth3dVideoPool: {
    CalculateVideoMemoryRequirements: [HYPERV_ASYNC, 'msvm-synth3dvideopool-calculatevideomemoryrequirements'],
  },
  Msvm_Synthetic3DService: {
    DisableGPUForVirtualization: DONE_OR_NOT_SUPPORTED,
    EnableGPUForVirtualization: DONE_OR_NOT_SUPPORTED,
    ModifyServiceSettings: HYPERV_ASYNC,
  },
  Msvm_SyntheticDisplayController: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-syntheticdisplaycontroller-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-syntheticdisplaycontroller-reset'],
  },
  Msvm_SyntheticEthernetPort: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-syntheticethernetport-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-syntheticethernetport-reset'],
  },
  Msvm_SyntheticFcPort: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-syntheticfcport-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-syntheticfcport-reset'],
  },
  Msvm_SyntheticKeyboard: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-synthetickeyboard-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-synthetickeyboard-reset'],
  },
  Msvm_SyntheticMouse: {
    ClickButton: HYPERV_ASYNC,
    GetButtonState: HYPERV_ASYNC,
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-syntheticmouse-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-syntheticmouse-reset'],
    SetAbsolutePosition: HYPERV_ASYNC,
    SetButtonState: HYPERV_ASYNC,
    SetScrollPosition: HYPERV_ASYNC,
  },
  Msvm_TerminalConnection: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-terminalconnection-requeststatechange'],
  },
  Msvm_TerminalService: {
    GetInteractiveSessionACL: DMTF_INCOMPATIBLE_PARAMETERS,
    GrantInteractiveSessionAccess: DMTF_INCOMPATIBLE_PARAMETERS,
    ModifyServiceSettings: HYPERV_ASYNC,
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-terminalservice-requeststatechange'],
    RevokeInteractiveSessionAccess: DMTF_INCOMPATIBLE_PARAMETERS,
    StartService: [DONE_OR_NOT_SUPPORTED, 'msvm-terminalservice-startservice'],
    StopService: [DONE_OR_NOT_SUPPORTED, 'msvm-terminalservice-stopservice'],
  },
  Msvm_TimeSyncComponent: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-timesynccomponent-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-timesynccomponent-reset'],
  },
  Msvm_TransparentBridgingService: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-transparentbridgingservice-requeststatechange'],
    StartService: [DONE_OR_NOT_SUPPORTED, 'msvm-transparentbridgingservice-startservice'],
    StopService: [DONE_OR_NOT_SUPPORTED, 'msvm-transparentbridgingservice-stopservice'],
  },
  Msvm_VideoHead: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-videohead-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-videohead-reset'],
  },
  Msvm_VirtualEthernetSwitch: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-virtualethernetswitch-requeststatechange'],
  },
  Msvm_VirtualEthernetSwitchManagementService: {
    AddFeatureSettings: DMTF_SERVICE,
    AddResourceSettings: DMTF_SERVICE,
    DefineSystem: DMTF_SERVICE,
    DestroySystem: DMTF_INVALID_STATE,
    ModifyFeatureSettings: DMTF_INCOMPATIBLE_PARAMETERS,
    ModifyResourceSettings: DMTF_INCOMPATIBLE_PARAMETERS,
    ModifySystemSettings: DMTF_INCOMPATIBLE_PARAMETERS,
    RemoveFeatureSettings: DMTF_INVALID_STATE,
    RemoveResourceSettings: DMTF_INVALID_STATE,
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-virtualethernetswitchmanagementservice-requeststatechange'],
    StartService: [DONE_OR_NOT_SUPPORTED, 'msvm-virtualethernetswitchmanagementservice-startservice'],
    StopService: [DONE_OR_NOT_SUPPORTED, 'msvm-virtualethernetswitchmanagementservice-stopservice'],
  },
  Msvm_VirtualFcSwitch: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-virtualfcswitch-requeststatechange'],
  },
  Msvm_VirtualSystemManagementService: {
    AddBootSourceSettings: [DMTF_SERVICE, 'msvm-virtualsystemmanagementservice-addbootsourcesettings'],
    AddFeatureSettings: DMTF_SERVICE,
    AddFibreChannelChap: GET_ERROR_RETURN_CODES,
    AddGuestServiceSettings: [DMTF_SERVICE, 'msvm-virtualsystemmanagementservice-addguestservicesettings'],
    AddKvpItems: HYPERV_ASYNC,
    AddResourceSettings: DMTF_SERVICE,
    AddSystemComponentSettings: [DMTF_SERVICE, 'msvm-virtualsystemmanagementservice-addsystemcomponentsettings'],
    DefinePlannedSystem: [DMTF_SERVICE, 'msvm-virtualsystemmanagementservice-defineplannedsystem'],
    DefineSystem: DMTF_SERVICE,
    DestroySystem: DMTF_INVALID_STATE,
    DiagnoseNetworkConnection: [DMTF_SERVICE, 'msvm-virtualsystemmanagementservice-diagnosenetworkconnection'],
    ExportSystemDefinition: HYPERV_ASYNC,
    FormatError: HYPERV_ASYNC,
    GenerateWwpn: GET_ERROR_RETURN_CODES,
    GetCurrentWwpnFromGenerator: GET_ERROR_RETURN_CODES,
    GetDefinitionFileSummaryInformation: HYPERV_ASYNC,
    GetSizeOfSystemFiles: HYPERV_ASYNC,
    GetSummaryInformation: HYPERV_ASYNC,
    GetVirtualSystemThumbnailImage: HYPERV_ASYNC,
    ImportSnapshotDefinitions: HYPERV_ASYNC_FILE_IN_USE,
    ImportSystemDefinition: HYPERV_ASYNC_FILE_IN_USE,
    ModifyDiskMergeSettings: HYPERV_ASYNC,
    ModifyFeatureSettings: DMTF_INCOMPATIBLE_PARAMETERS,
    ModifyGuestServiceSettings: [DMTF_INCOMPATIBLE_PARAMETERS, 'msvm-virtualsystemmanagementservice-modifyguestservicesettings'],
    ModifyKvpItems: HYPERV_ASYNC,
    ModifyResourceSettings: DMTF_INCOMPATIBLE_PARAMETERS,
    ModifyServiceSettings: HYPERV_ASYNC,
    ModifySystemComponentSettings: [DMTF_INCOMPATIBLE_PARAMETERS, 'msvm-virtualsystemmanagementservice-modifysystemcomponentsettings'],
    ModifySystemSettings: DMTF_INCOMPATIBLE_PARAMETERS,
    RealizePlannedSystem: HYPERV_ASYNC,
    RemoveBootSourceSettings: [DMTF_INVALID_STATE, 'msvm-virtualsystemmanagementservice-removebootsourcesettings'],
    RemoveFeatureSettings: DMTF_INVALID_STATE,
    RemoveFibreChannelChap: GET_ERROR_RETURN_CODES,
    RemoveGuestServiceSettings: [DMTF_INVALID_STATE, 'msvm-virtualsystemmanagementservice-removeguestservicesettings'],
    RemoveKvpItems: HYPERV_ASYNC,
    RemoveResourceSettings: DMTF_INVALID_STATE,
    RemoveSystemComponentSettings: [DMTF_INVALID_STATE, 'msvm-virtualsystemmanagementservice-removesystemcomponentsettings'],
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-virtualsystemmanagementservice-requeststatechange'],
    SetGuestNetworkAdapterConfiguration: HYPERV_ASYNC,
    SetInitialMachineConfigurationData: [HYPERV_ASYNC, 'msvm-virtualsystemmanagementservice-setinitialmachineconfigurationdata'],
    StartService: [DONE_OR_NOT_SUPPORTED, 'msvm-virtualsystemmanagementservice-startservice'],
    StopService: [DONE_OR_NOT_SUPPORTED, 'msvm-virtualsystemmanagementservice-stopservice'],
    TestNetworkConnection: [DMTF_SERVICE, 'msvm-virtualsystemmanagementservice-testnetworkconnection'],
    UpgradeSystemVersion: [DMTF_INCOMPATIBLE_PARAMETERS, 'msvm-virtualsystemmanagementservice-upgradesystemversion'],
    ValidatePlannedSystem: HYPERV_ASYNC_FILE_IN_USE,
  },
  Msvm_VirtualSystemMigrationService: {
    AddNetworkSettings: HYPERV_ASYNC,
    CheckSystemCompatibilityInfo: CHECK_SYSTEM_COMPATIBILITY_INFO,
    CheckVirtualSystemIsMigratable: HYPERV_ASYNC_ZERO_UNLISTED,
    CheckVirtualSystemIsMigratableToHost: DMTF_INCOMPATIBLE_PARAMETERS_SYNC,
    CheckVirtualSystemIsMigratableToSystem: [DMTF_INCOMPATIBLE_PARAMETERS_SYNC, 'msvm-virtualsystemmigrationservice-checkvirtualsystemismigratabletosystem'],
    GetSystemCompatibilityInfo: HYPERV_ASYNC,
    GetSystemCompatibilityVectors: HYPERV_ASYNC,
    MigrateVirtualSystemToHost: HYPERV_ASYNC_ZERO_UNLISTED,
    MigrateVirtualSystemToSystem: DMTF_INCOMPATIBLE_PARAMETERS,
    ModifyNetworkSettings: HYPERV_ASYNC,
    ModifyServiceSettings: HYPERV_ASYNC,
    RemoveNetworkSettings: HYPERV_ASYNC,
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-virtualsystemmigrationservice-requeststatechange'],
    StartService: [DONE_OR_NOT_SUPPORTED, 'msvm-virtualsystemmigrationservice-startservice'],
    StopService: [DONE_OR_NOT_SUPPORTED, 'msvm-virtualsystemmigrationservice-stopservice'],
  },
  Msvm_VirtualSystemReferencePointExportJob: {
    GetError: [GET_ERROR_RETURN_CODES, 'msvm-virtualsystemreferencepointexportjob-geterror'],
    GetErrorEx: [GET_ERROR_RETURN_CODES, 'msvm-virtualsystemreferencepointexportjob-geterrorex'],
    RequestStateChange: [UNNAMED_ON_PAGE, 'msvm-virtualsystemreferencepointexportjob-requeststatechange'],
  },
  Msvm_VirtualSystemReferencePointService: {
    CreateReferencePoint: [DMTF_INVALID_TYPE, 'msvm-virtualsystemreferencepointservice-createreferencepoint'],
    DestroyReferencePoint: [HYPERV_ASYNC, 'msvm-virtualsystemreferencepointservice-destroyreferencepoint'],
    ExportReferencePoint: [HYPERV_ASYNC, 'msvm-virtualsystemreferencepointservice-exportreferencepoint'],
    ImportReferencePointMetadata: [HYPERV_ASYNC, 'msvm-virtualsystemreferencepointservice-importreferencepointmetadata'],
    RemoveAssociatedData: [HYPERV_ASYNC, 'msvm-virtualsystemreferencepointservice-removeassociateddata'],
  },
  Msvm_VirtualSystemSnapshotService: {
    ApplySnapshot: APPLY_SNAPSHOT,
    ClearSnapshotState: HYPERV_ASYNC,
    ConvertToReferencePoint: [DMTF_INVALID_TYPE, 'msvm-virtualsystemsnapshotservice-converttoreferencepoint'],
    CreateSnapshot: DMTF_INVALID_TYPE,
    DestroySnapshot: DMTF_INVALID_TYPE,
    DestroySnapshotTree: HYPERV_ASYNC,
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-virtualsystemsnapshotservice-requeststatechange'],
  },
  Msvm_VLANEndpoint: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-vlanendpoint-requeststatechange'],
  },
  Msvm_VssComponent: {
    RequestStateChange: [DONE_OR_NOT_SUPPORTED, 'msvm-vsscomponent-requeststatechange'],
    Reset: [DONE_OR_NOT_SUPPORTED, 'msvm-vsscomponent-reset'],
  },
  Msvm_VssService: {
    QueryGuestClusterInformation: [HYPERV_ASYNC, 'msvm-vssservice-queryguestclusterinformation'],
  },};

export interface MethodReturnTable {
  /** Class and method as Microsoft spells them. */
  readonly className: string;
  readonly method: string;
  readonly codes: ValueMap;
  /** The Microsoft page the codes come from. */
  readonly url: string;
}

const PAGE_BASE = 'https://learn.microsoft.com/windows/win32/hyperv_v2/';

/** `Class.Method` (lower case) -> its table; CIM names are case-insensitive. */
const TABLES: ReadonlyMap<string, MethodReturnTable> = new Map(
  Object.entries(METHODS).flatMap(([className, methods]) =>
    Object.entries(methods).map(([method, entry]): [string, MethodReturnTable] => {
      const [codes, page] = Array.isArray(entry) ? entry : [entry, `${method}-${className}`.toLowerCase().replace(/_/g, '-')];
      return [`${className}.${method}`.toLowerCase(), Object.freeze({ className, method, codes, url: PAGE_BASE + page })];
    }),
  ),
);

/** The documented return codes of a Hyper-V v2 method (case-insensitive), or undefined when no page lists them. */
export function methodReturnTable(className: string, method: string): MethodReturnTable | undefined {
  return TABLES.get(`${className}.${method}`.toLowerCase());
}

/** The name of a method's ReturnValue: from its page's table, else METHOD_RETURN_CODES. */
export function returnValueNameOf(className: string | undefined, method: string, code: number): string {
  const table = className === undefined ? undefined : methodReturnTable(className, method);
  return nameOf(table?.codes ?? METHOD_RETURN_CODES, code);
}

/**
 * The name of a ReturnValue of `method` on the class a resource URI names, or null when the URI is
 * not in root/virtualization/v2 (other namespaces have their own tables, not known here).
 */
export function hypervReturnValueName(resourceUri: string, method: string, code: number | null): string | null {
  if (code === null) return null;
  const prefix = wmiResourceUri(HYPERV_NAMESPACE, '').toLowerCase();
  if (!resourceUri.toLowerCase().startsWith(prefix)) return null;
  const className = resourceUri.slice(prefix.length).split(/[/?]/)[0] ?? '';
  return returnValueNameOf(className, method, code);
}
