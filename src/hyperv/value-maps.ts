/**
 * CIM ValueMap/Values qualifiers as lookup tables, for the classes and methods that the GetError path
 * reads: Msvm_ConcreteJob, Msvm_MigrationJob (via CIM_ConcreteJob, CIM_Job, CIM_ManagedSystemElement)
 * and Msvm_Error / CIM_Error.
 *
 * Sources: Microsoft's Hyper-V WMI v2 class pages (MicrosoftDocs/win32 desktop-src/HyperV_v2/*.md) and
 * the DMTF CIM schema (2.38+) qualifiers. Where a DMTF ValueMap uses "..", the span it stands for is
 * written out as an explicit range below.
 */

/** A reserved span of a ValueMap, e.g. `12..32767 DMTF Reserved`. Bounds are inclusive. */
export interface ValueRange {
  readonly from: number;
  readonly to: number;
  readonly name: string;
}

export interface ValueMap {
  /** Where the map comes from, e.g. `CIM_ConcreteJob.JobState`. */
  readonly source: string;
  /** Named values. An explicit value wins over a range that contains it. */
  readonly values: ReadonlyMap<number, string>;
  /** Reserved spans, checked in order (narrowest first) after `values`. */
  readonly ranges: readonly ValueRange[];
  /** What `nameOf` says for a value with neither a name nor a range. */
  readonly unnamed: string;
}

/**
 * What `nameOf` gives for a value the map does not name. Deliberately not "Unknown (N)": "Unknown" is
 * the real name of value 0 in most CIM maps, so "Unknown (6)" read as a name. Renderers print the
 * number beside it: `6 (no name known)`.
 */
export const NO_NAME_KNOWN = 'no name known';

export function valueMap(
  source: string,
  values: Readonly<Record<number, string>>,
  ranges: readonly ValueRange[] = [],
  unnamed: string = NO_NAME_KNOWN,
): ValueMap {
  const entries = Object.entries(values).map(([k, v]): [number, string] => [Number(k), v]);
  return Object.freeze({
    source,
    values: new Map(entries),
    ranges: Object.freeze(ranges.map((r) => Object.freeze({ ...r }))),
    unnamed,
  });
}

export function range(from: number, to: number, name: string): ValueRange {
  return { from, to, name };
}

const UINT16_MAX = 0xffff;
const UINT32_MAX = 0xffffffff;

/**
 * The name for a value: its own name, else the reserved range it falls in, else the map's `unnamed`
 * text (`no name known`). The name never repeats the number: print both, as `withName` does.
 */
export function nameOf(map: ValueMap, value: number | bigint): string {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (Number.isInteger(n)) {
    const named = map.values.get(n);
    if (named !== undefined) return named;
    for (const r of map.ranges) if (n >= r.from && n <= r.to) return r.name;
  }
  return map.unnamed;
}

/** `N (name)`, the one way to show a value with its name: `3 (Degraded/Warning)`, `9 (no name known)`. */
export function withName(value: number | bigint | string, name: string): string {
  return `${String(value)} (${name})`;
}

/**
 * A value for text where only one word fits: its own name (`Running`), else the number with the range
 * or `no name known` beside it (`13 (DMTF Reserved)`), so a value without a name never loses its number.
 */
export function valueLabel(map: ValueMap, value: number): string {
  return map.values.get(value) ?? withName(value, nameOf(map, value));
}

/** The explicit name for a value, without falling back to ranges; undefined when it has none. */
export function lookupName(map: ValueMap, value: number): string | undefined {
  return map.values.get(value);
}

/** Reverse lookup (exact, case-insensitive); undefined when no value has that name. */
export function valueOfName(map: ValueMap, name: string): number | undefined {
  const wanted = name.toLowerCase();
  for (const [v, n] of map.values) if (n.toLowerCase() === wanted) return v;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Method return values
// ---------------------------------------------------------------------------------------------

/**
 * The Hyper-V return-code set that most v2 method pages share (0 and 32768..32778), e.g.
 * geterror-msvm-concretejob.md. Several pages spell 32774 "System is in used"; most say "System is in
 * use", which is used throughout.
 */
export const HYPERV_SYNC_CODES: Readonly<Record<number, string>> = Object.freeze({
  0: 'Completed with No Error',
  32768: 'Failed',
  32769: 'Access Denied',
  32770: 'Not Supported',
  32771: 'Status is unknown',
  32772: 'Timeout',
  32773: 'Invalid parameter',
  32774: 'System is in use',
  32775: 'Invalid state for this operation',
  32776: 'Incorrect data type',
  32777: 'System is not available',
  32778: 'Out of memory',
});

/** The same set plus 4096: the method returned a Job reference to poll. */
export const HYPERV_ASYNC_CODES: Readonly<Record<number, string>> = Object.freeze({
  ...HYPERV_SYNC_CODES,
  4096: 'Method Parameters Checked - Job Started',
});

/**
 * GetError / GetErrorEx of every Hyper-V job class (geterror-msvm-concretejob.md,
 * geterror-msvm-migrationjob.md, msvm-storagejob-geterror.md, ...). The pages list no reserved ranges.
 */
export const GET_ERROR_RETURN_CODES = valueMap('Msvm_ConcreteJob.GetError', HYPERV_SYNC_CODES);

/**
 * A ReturnValue of a method with no table (see method-return-codes.ts for the per-method tables).
 * Only 0 and 4096 mean the same on every v2 page that lists them (4096 is "Transition Started" on
 * RequestStateChange, the same fact); 1..6 are DMTF codes on some methods and undefined on others,
 * and 32768+ differ per method, so they are left as "method-specific code".
 */
export const METHOD_RETURN_CODES = valueMap(
  'Hyper-V v2 method ReturnValue (method unknown)',
  { 0: 'Completed with No Error', 4096: 'Method Parameters Checked - Job Started' },
  [],
  'method-specific code',
);

/** The inherited, deprecated CIM_ConcreteJob.GetError return values (cim-concretejob-geterror.md); Hyper-V overrides them. */
export const CIM_GET_ERROR_RETURN_CODES = valueMap(
  'CIM_ConcreteJob.GetError',
  {
    0: 'Success',
    1: 'Not Supported',
    2: 'Unspecified Error',
    3: 'Timeout',
    4: 'Failed',
    5: 'Invalid Parameter',
    6: 'Access Denied',
  },
  [range(7, 32767, 'DMTF Reserved'), range(32768, UINT16_MAX, 'Vendor Specific')],
);

/**
 * Msvm_ConcreteJob.RequestStateChange return values (requeststatechange-msvm-concretejob.md), the
 * CIM_ConcreteJob table. Other job classes document other codes (method-return-codes.ts).
 */
export const REQUEST_STATE_CHANGE_RETURN = valueMap(
  'Msvm_ConcreteJob.RequestStateChange',
  {
    0: 'Completed with No Error',
    1: 'Not Supported',
    2: 'Unknown/Unspecified Error',
    3: 'Cannot complete within Timeout Period',
    4: 'Failed',
    5: 'Invalid Parameter',
    6: 'In Use',
    4096: 'Method Parameters Checked - Transition Started',
    4097: 'Invalid State Transition',
    4098: 'Use of Timeout Parameter Not Supported',
    4099: 'Busy',
  },
  [range(7, 4095, 'DMTF Reserved'), range(4100, 32767, 'Method Reserved'), range(32768, UINT16_MAX, 'Vendor Specific')],
);

/** RequestStateChange's RequestedState parameter for jobs. */
export const JOB_REQUESTED_STATE = valueMap(
  'CIM_ConcreteJob.RequestStateChange.RequestedState',
  { 2: 'Start', 3: 'Suspend', 4: 'Terminate', 5: 'Kill', 6: 'Service' },
  [range(7, 32767, 'DMTF Reserved'), range(32768, UINT16_MAX, 'Vendor Reserved')],
);

// ---------------------------------------------------------------------------------------------
// Jobs (CIM_ConcreteJob, CIM_Job)
// ---------------------------------------------------------------------------------------------

/**
 * CIM_ConcreteJob.JobState. 12 "Query Pending" is in DMTF since 2.13 and in Hyper-V v2's own
 * CIM_ConcreteJob (cim-concretejob.md, Version 2.22.0); only the Msvm_*Job pages still say "DMTF
 * Reserved 12..32767". 32768 "Completed with Warnings" is in no MOF or class page: it comes from
 * Microsoft's sample enum (CompletedWithWarnings = 32768 in
 * common-utilities-for-the-virtualization-samples-v2.md), inside the vendor span.
 */
export const JOB_STATE = valueMap(
  'CIM_ConcreteJob.JobState',
  {
    2: 'New',
    3: 'Starting',
    4: 'Running',
    5: 'Suspended',
    6: 'Shutting Down',
    7: 'Completed',
    8: 'Terminated',
    9: 'Killed',
    10: 'Exception',
    11: 'Service',
    12: 'Query Pending',
    32768: 'Completed with Warnings',
  },
  [range(13, 32767, 'DMTF Reserved'), range(32768, UINT16_MAX, 'Vendor Reserved')],
);

/** JobState constants, to avoid magic numbers at call sites. */
export const JobStates = {
  New: 2,
  Starting: 3,
  Running: 4,
  Suspended: 5,
  ShuttingDown: 6,
  Completed: 7,
  Terminated: 8,
  Killed: 9,
  Exception: 10,
  Service: 11,
  QueryPending: 12,
  CompletedWithWarnings: 32768,
} as const;

/**
 * What a poller should make of a JobState:
 * - `running`: the job moves on by itself (New, Starting, Running, Shutting Down); keep polling.
 *   libvirt's hypervInvokeMethod polls on exactly these four.
 * - `succeeded` / `failed`: final. Success is Completed or Completed with Warnings (Microsoft's
 *   sample IsJobSuccessful); Terminated, Killed and Exception are final failures (libvirt, and the
 *   sample's "job complete" set).
 * - `waiting`: Suspended, Service and Query Pending do not end by themselves but are not final
 *   either (CIM: Starting leads out of Suspended and Service); they need an outside action, so the
 *   job layer decides whether to keep waiting or give up. libvirt reports Service as an error.
 * Values not listed (0, 1, reserved) are `unknown`.
 */
export type JobStateKind = 'running' | 'succeeded' | 'failed' | 'waiting' | 'unknown';

const JOB_STATE_KINDS: ReadonlyMap<number, JobStateKind> = new Map<number, JobStateKind>([
  [JobStates.New, 'running'],
  [JobStates.Starting, 'running'],
  [JobStates.Running, 'running'],
  [JobStates.ShuttingDown, 'running'],
  [JobStates.Completed, 'succeeded'],
  [JobStates.CompletedWithWarnings, 'succeeded'],
  [JobStates.Terminated, 'failed'],
  [JobStates.Killed, 'failed'],
  [JobStates.Exception, 'failed'],
  [JobStates.Suspended, 'waiting'],
  [JobStates.Service, 'waiting'],
  [JobStates.QueryPending, 'waiting'],
]);

export function jobStateKind(state: number): JobStateKind {
  return JOB_STATE_KINDS.get(state) ?? 'unknown';
}

/** The job has ended and its state will not change again (succeeded or failed). */
export function isTerminalJobState(state: number): boolean {
  const kind = jobStateKind(state);
  return kind === 'succeeded' || kind === 'failed';
}

/** Completed (7) or Completed with Warnings (32768). */
export function isSuccessfulJobState(state: number): boolean {
  return jobStateKind(state) === 'succeeded';
}

/** New, Starting, Running or Shutting Down: the job progresses without help; keep polling. */
export function isRunningJobState(state: number): boolean {
  return jobStateKind(state) === 'running';
}

/** CIM_Job.RecoveryAction. */
export const RECOVERY_ACTION = valueMap('CIM_Job.RecoveryAction', {
  0: 'Unknown',
  1: 'Other',
  2: 'Do Not Continue',
  3: 'Continue With Next Job',
  4: 'Re-run Job',
  5: 'Run Recovery Job',
});

/** CIM_Job.LocalOrUtcTime. */
export const LOCAL_OR_UTC_TIME = valueMap('CIM_Job.LocalOrUtcTime', { 1: 'Local Time', 2: 'UTC Time' });

/** CIM_Job.RunMonth (0 = January). */
export const RUN_MONTH = valueMap('CIM_Job.RunMonth', {
  0: 'January',
  1: 'February',
  2: 'March',
  3: 'April',
  4: 'May',
  5: 'June',
  6: 'July',
  7: 'August',
  8: 'September',
  9: 'October',
  10: 'November',
  11: 'December',
});

/** CIM_Job.RunDayOfWeek (sint8): negative = on or before RunDay, positive = on or after. */
export const RUN_DAY_OF_WEEK = valueMap('CIM_Job.RunDayOfWeek', {
  [-7]: '-Saturday',
  [-6]: '-Friday',
  [-5]: '-Thursday',
  [-4]: '-Wednesday',
  [-3]: '-Tuesday',
  [-2]: '-Monday',
  [-1]: '-Sunday',
  0: 'ExactDayOfMonth',
  1: 'Sunday',
  2: 'Monday',
  3: 'Tuesday',
  4: 'Wednesday',
  5: 'Thursday',
  6: 'Friday',
  7: 'Saturday',
});

/**
 * Msvm_ConcreteJob.JobType, full list from msvm-concretejob.md (spellings as documented). 100 follows
 * the page as corrected in 2025 (MicrosoftDocs/win32 5156035d7e; it said "Inititate"); what a host's
 * MOF says is not verified.
 */
export const CONCRETE_JOB_TYPE = valueMap('Msvm_ConcreteJob.JobType', {
  0: 'Unknown',
  1: 'Define Virtual Machine',
  2: 'Modify Virtual Machine',
  3: 'Destroy Virtual Machine',
  4: 'Modify Management Service Settings',
  10: 'Initialize Virtual Machine',
  11: 'Waiting to Start Virtual Machine',
  12: 'Start Virtual Machine',
  13: 'Power Off Virtual Machine',
  14: 'Save Virtual Machine',
  15: 'Restore Virtual Machine',
  16: 'Shut Down Virtual Machine',
  26: 'Pause Virtual Machine',
  27: 'Resume Virtual Machine',
  28: 'Reset Virtual Machine',
  29: 'Reboot Virtual Machine',
  30: 'Add Virtual Machine Resources',
  31: 'Modify Virtual Machine Resources',
  32: 'Remove Virtual Machine Resources',
  40: 'Request Initial Virtual Machine Memory',
  41: 'Add Memory to Virtual Machine',
  42: 'Remove Memory from Virtual Machine',
  50: 'Merging VHD Disks',
  51: 'Create VSS Snapshot inside Virtual Machine',
  60: 'Get Import Setting Data',
  61: 'Import Virtual Machine',
  62: 'Export Virtual Machine',
  63: 'Register Configuration',
  64: 'Unregister Configuration',
  70: 'Snapshot Virtual Machine',
  71: 'Apply Virtual Machine Snapshot',
  72: 'Delete Virtual Machine Snapshot',
  73: 'Clear Virtual Machine Snapshot State',
  80: 'Add Resources to Resource Pool',
  81: 'Remove Resources from Resource Pool',
  90: 'Modify Replication Server Settings',
  91: 'Create Replication Relationship',
  92: 'Modify Replication Relationship Settings',
  93: 'Remove Replication Relationship',
  94: 'Start Inband Initial Replication',
  95: 'Import Replication',
  96: 'Replicate State Change',
  97: 'Initiate Failover',
  98: 'Revert Failover',
  99: 'Commit Failover',
  100: 'Initiate Synced Replication',
  101: 'Cancel Synced Replication',
  102: 'Initiate Test Replica',
  103: 'Remove Test Replica',
  104: 'Reverse Replication',
  105: 'Replication Sending Delta',
  106: 'Replication Receiving Delta',
  107: 'Resynchronizing',
  108: 'Apply change log',
  109: 'Stop Initial Replication',
  110: 'Stop Resynchronizing',
  111: 'Get Replica statistics',
  112: 'Prepare for Consistency Checker',
  113: 'Consistency Checker',
  114: 'Stop Consistency Checker',
  115: 'Test Replication Connection',
  116: 'Sending Initial Replica',
  117: 'Start Resync Initial Replication',
  118: 'Start Export Initial Replication',
  119: 'Reset Replica Statistics',
  120: 'Apply Registered Deltas',
  121: 'Resynchronizing Extended Replication',
  122: 'Reading Test Replica Configuration',
  123: 'Change the replication mode to primary',
  124: 'Initiate Failback',
  125: 'Update Disk Set',
  130: 'Define Ethernet Switch',
  131: 'Modify Ethernet Switch Settings',
  132: 'Destroy Ethernet Switch',
  133: 'Add Ethernet Switch Resources',
  134: 'Modify Ethernet Switch Resources',
  135: 'Remove Ethernet Switch Resources',
  140: 'Validate Planned Virtual Machine',
  141: 'Realizing Virtual Machine',
  150: 'Creating a Resource Pool',
  151: 'Changing the Parent Resources of a Resource Pool',
  152: 'Changing the Non-alloction Settings of a Resource Pool',
  153: 'Deleting a Resource Pool',
  160: 'Enable RemoteFx GPU',
  161: 'Disable RemoteFx GPU',
  162: 'Modify 3D Service Settings',
  170: 'Backup Virtual Machine',
  180: 'Guest Service Interface',
  181: 'Query Guest Cluster Information',
  190: 'Define Collection',
  191: 'Destroy Collection',
  192: 'Rename Collection',
  193: 'Add Member to Collection',
  194: 'Remove Member from Collection',
  195: 'Add Setting to Collection',
  196: 'Remove Setting from Collection',
  197: 'Modify Setting on Collection',
  198: 'Snapshot Collection',
  200: 'Convert Snapshot to Reference Point',
  201: 'Create Reference Point',
  202: 'Delete Reference Point',
  203: 'Export Reference Point',
  204: 'Remove Associated Data from Reference Point',
  205: 'Create Reference Point on Collection',
  206: 'Export Reference Point on Collection',
  207: 'Remove Associated Data from Reference Point on Collection',
  208: 'Delete Reference Point on Collection',
  209: 'Import Reference Point metadata',
  260: 'Mount or Dismount Assignable Device',
});

/** Msvm_MigrationJob.JobType (msvm-migrationjob.md). */
export const MIGRATION_JOB_TYPE = valueMap('Msvm_MigrationJob.JobType', {
  0: 'Unknown',
  300: 'Creating Remote Virtual Machine',
  301: 'Checking Virtual Machine Compatibility',
  302: 'Checking Virtual Machine and Storage Compatibility',
  303: 'Checking Storage Compatibility',
  304: 'Checking Storage Migration',
  305: 'Moving Virtual Machine',
  306: 'Moving Virtual Machine and Storage',
  307: 'Moving Storage',
});

/** Msvm_StorageJob.JobType (msvm-storagejob.md): its own list, unrelated to Msvm_ConcreteJob's. */
export const STORAGE_JOB_TYPE = valueMap('Msvm_StorageJob.JobType', {
  0: 'Unknown',
  1: 'VHD Creation',
  2: 'Floppy Creation',
  3: 'Compaction',
  4: 'Expansion',
  5: 'Merging',
  6: 'Conversion',
  7: 'Loopback Mount',
  8: 'Get VHD Info',
  9: 'Validate VHD Image',
});

/** Msvm_MigrationJob.MigrationType = Msvm_VirtualSystemMigrationSettingData.MigrationType. */
export const MIGRATION_TYPE = valueMap('Msvm_VirtualSystemMigrationSettingData.MigrationType', {
  0: 'Unknown',
  32768: 'VirtualSystem',
  32769: 'Storage',
  32770: 'Staged',
  32771: 'VirtualSystemAndStorage',
  32772: 'StorageDeepCheck',
});

// ---------------------------------------------------------------------------------------------
// Status (CIM_ManagedSystemElement)
// ---------------------------------------------------------------------------------------------

/** CIM_ManagedSystemElement.OperationalStatus[]. 19 Relocating is a later DMTF addition. */
export const OPERATIONAL_STATUS = valueMap(
  'CIM_ManagedSystemElement.OperationalStatus',
  {
    0: 'Unknown',
    1: 'Other',
    2: 'OK',
    3: 'Degraded',
    4: 'Stressed',
    5: 'Predictive Failure',
    6: 'Error',
    7: 'Non-Recoverable Error',
    8: 'Starting',
    9: 'Stopping',
    10: 'Stopped',
    11: 'In Service',
    12: 'No Contact',
    13: 'Lost Communication',
    14: 'Aborted',
    15: 'Dormant',
    16: 'Supporting Entity in Error',
    17: 'Completed',
    18: 'Power Mode',
    19: 'Relocating',
  },
  [range(20, 32767, 'DMTF Reserved'), range(32768, UINT16_MAX, 'Vendor Reserved')],
);

/** CIM_ManagedSystemElement.PrimaryStatus (red/yellow/green). */
export const PRIMARY_STATUS = valueMap(
  'CIM_ManagedSystemElement.PrimaryStatus',
  { 0: 'Unknown', 1: 'OK', 2: 'Degraded', 3: 'Error' },
  [range(4, 32767, 'DMTF Reserved'), range(32768, UINT16_MAX, 'Vendor Reserved')],
);

/** CIM_ManagedSystemElement.HealthState: a 0..30 continuum; the unused steps are DMTF's. */
export const HEALTH_STATE = valueMap(
  'CIM_ManagedSystemElement.HealthState',
  {
    0: 'Unknown',
    5: 'OK',
    10: 'Degraded/Warning',
    15: 'Minor failure',
    20: 'Major failure',
    25: 'Critical failure',
    30: 'Non-recoverable error',
  },
  [range(1, 32767, 'DMTF Reserved'), range(32768, UINT16_MAX, 'Vendor Specific')],
);

/** CIM_ManagedSystemElement.DetailedStatus (complements PrimaryStatus). */
export const DETAILED_STATUS = valueMap(
  'CIM_ManagedSystemElement.DetailedStatus',
  {
    0: 'Not Available',
    1: 'No Additional Information',
    2: 'Stressed',
    3: 'Predictive Failure',
    4: 'Non-Recoverable Error',
    5: 'Supporting Entity in Error',
  },
  [range(6, 32767, 'DMTF Reserved'), range(32768, UINT16_MAX, 'Vendor Reserved')],
);

/** CIM_ManagedSystemElement.OperatingStatus. "Emigrating" is DMTF's spelling. */
export const OPERATING_STATUS = valueMap(
  'CIM_ManagedSystemElement.OperatingStatus',
  {
    0: 'Unknown',
    1: 'Not Available',
    2: 'Servicing',
    3: 'Starting',
    4: 'Stopping',
    5: 'Stopped',
    6: 'Aborted',
    7: 'Dormant',
    8: 'Completed',
    9: 'Migrating',
    10: 'Emigrating',
    11: 'Immigrating',
    12: 'Snapshotting',
    13: 'Shutting Down',
    14: 'In Test',
    15: 'Transitioning',
    16: 'In Service',
  },
  [range(17, 32767, 'DMTF Reserved'), range(32768, UINT16_MAX, 'Vendor Reserved')],
);

/** CIM_ManagedSystemElement.CommunicationStatus. */
export const COMMUNICATION_STATUS = valueMap(
  'CIM_ManagedSystemElement.CommunicationStatus',
  { 0: 'Unknown', 1: 'Not Available', 2: 'Communication OK', 3: 'Lost Communication', 4: 'No Contact' },
  [range(5, 32767, 'DMTF Reserved'), range(32768, UINT16_MAX, 'Vendor Reserved')],
);

// ---------------------------------------------------------------------------------------------
// Errors (CIM_Error, Msvm_Error)
// ---------------------------------------------------------------------------------------------

/** CIM_Error.ErrorType. */
export const ERROR_TYPE = valueMap(
  'CIM_Error.ErrorType',
  {
    0: 'Unknown',
    1: 'Other',
    2: 'Communications Error',
    3: 'Quality of Service Error',
    4: 'Software Error',
    5: 'Hardware Error',
    6: 'Environmental Error',
    7: 'Security Error',
    8: 'Oversubscription Error',
    9: 'Unavailable Resource Error',
    10: 'Unsupported Operation Error',
  },
  [range(11, UINT16_MAX, 'DMTF Reserved')],
);

/**
 * PerceivedSeverity of the preliminary CIM_Error (DMTF Version "2.8.1000", Experimental) that the
 * Hyper-V **v1** namespace root\virtualization carried (previous-versions virtual/cim-error.md).
 * Not for v2: root\virtualization\v2 has CIM_Error 2.22.1 (PERCEIVED_SEVERITY_CIM). msvm-error.md of
 * v2 still shows this list, copied from v1; its own CIM_Error page and the Hyper-V cluster namespace's
 * Msvm_Error page show 0..7.
 */
export const PERCEIVED_SEVERITY_V1 = valueMap('CIM_Error 2.8.1000 (root/virtualization).PerceivedSeverity', {
  0: 'Unknown',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Fatal',
});

/**
 * CIM_Error.PerceivedSeverity (ITU X.733), DMTF CIM_Error 2.22.1 = Hyper-V v2 cim-error.md, which
 * Msvm_Error inherits in root\virtualization\v2.
 */
export const PERCEIVED_SEVERITY_CIM = valueMap(
  'CIM_Error.PerceivedSeverity',
  {
    0: 'Unknown',
    1: 'Other',
    2: 'Information',
    3: 'Degraded/Warning',
    4: 'Minor',
    5: 'Major',
    6: 'Critical',
    7: 'Fatal/NonRecoverable',
  },
  [range(8, UINT16_MAX, 'DMTF Reserved')],
);

/**
 * CIM_Error.ProbableCause (ITU X.733 / M.3100). Microsoft's msvm-error.md renders 31, 60, 91 and 115
 * with stray "//NN " prefixes (comments inside the MOF Values list); the DMTF names are used.
 */
export const PROBABLE_CAUSE = valueMap(
  'CIM_Error.ProbableCause',
  {
    0: 'Unknown',
    1: 'Other',
    2: 'Adapter/Card Error',
    3: 'Application Subsystem Failure',
    4: 'Bandwidth Reduced',
    5: 'Connection Establishment Error',
    6: 'Communications Protocol Error',
    7: 'Communications Subsystem Failure',
    8: 'Configuration/Customization Error',
    9: 'Congestion',
    10: 'Corrupt Data',
    11: 'CPU Cycles Limit Exceeded',
    12: 'Dataset/Modem Error',
    13: 'Degraded Signal',
    14: 'DTE-DCE Interface Error',
    15: 'Enclosure Door Open',
    16: 'Equipment Malfunction',
    17: 'Excessive Vibration',
    18: 'File Format Error',
    19: 'Fire Detected',
    20: 'Flood Detected',
    21: 'Framing Error',
    22: 'HVAC Problem',
    23: 'Humidity Unacceptable',
    24: 'I/O Device Error',
    25: 'Input Device Error',
    26: 'LAN Error',
    27: 'Non-Toxic Leak Detected',
    28: 'Local Node Transmission Error',
    29: 'Loss of Frame',
    30: 'Loss of Signal',
    31: 'Material Supply Exhausted',
    32: 'Multiplexer Problem',
    33: 'Out of Memory',
    34: 'Output Device Error',
    35: 'Performance Degraded',
    36: 'Power Problem',
    37: 'Pressure Unacceptable',
    38: 'Processor Problem (Internal Machine Error)',
    39: 'Pump Failure',
    40: 'Queue Size Exceeded',
    41: 'Receive Failure',
    42: 'Receiver Failure',
    43: 'Remote Node Transmission Error',
    44: 'Resource at or Nearing Capacity',
    45: 'Response Time Excessive',
    46: 'Retransmission Rate Excessive',
    47: 'Software Error',
    48: 'Software Program Abnormally Terminated',
    49: 'Software Program Error (Incorrect Results)',
    50: 'Storage Capacity Problem',
    51: 'Temperature Unacceptable',
    52: 'Threshold Crossed',
    53: 'Timing Problem',
    54: 'Toxic Leak Detected',
    55: 'Transmit Failure',
    56: 'Transmitter Failure',
    57: 'Underlying Resource Unavailable',
    58: 'Version Mismatch',
    59: 'Previous Alert Cleared',
    60: 'Login Attempts Failed',
    61: 'Software Virus Detected',
    62: 'Hardware Security Breached',
    63: 'Denial of Service Detected',
    64: 'Security Credential Mismatch',
    65: 'Unauthorized Access',
    66: 'Alarm Received',
    67: 'Loss of Pointer',
    68: 'Payload Mismatch',
    69: 'Transmission Error',
    70: 'Excessive Error Rate',
    71: 'Trace Problem',
    72: 'Element Unavailable',
    73: 'Element Missing',
    74: 'Loss of Multi Frame',
    75: 'Broadcast Channel Failure',
    76: 'Invalid Message Received',
    77: 'Routing Failure',
    78: 'Backplane Failure',
    79: 'Identifier Duplication',
    80: 'Protection Path Failure',
    81: 'Sync Loss or Mismatch',
    82: 'Terminal Problem',
    83: 'Real Time Clock Failure',
    84: 'Antenna Failure',
    85: 'Battery Charging Failure',
    86: 'Disk Failure',
    87: 'Frequency Hopping Failure',
    88: 'Loss of Redundancy',
    89: 'Power Supply Failure',
    90: 'Signal Quality Problem',
    91: 'Battery Discharging',
    92: 'Battery Failure',
    93: 'Commercial Power Problem',
    94: 'Fan Failure',
    95: 'Engine Failure',
    96: 'Sensor Failure',
    97: 'Fuse Failure',
    98: 'Generator Failure',
    99: 'Low Battery',
    100: 'Low Fuel',
    101: 'Low Water',
    102: 'Explosive Gas',
    103: 'High Winds',
    104: 'Ice Buildup',
    105: 'Smoke',
    106: 'Memory Mismatch',
    107: 'Out of CPU Cycles',
    108: 'Software Environment Problem',
    109: 'Software Download Failure',
    110: 'Element Reinitialized',
    111: 'Timeout',
    112: 'Logging Problems',
    113: 'Leak Detected',
    114: 'Protection Mechanism Failure',
    115: 'Protecting Resource Failure',
    116: 'Database Inconsistency',
    117: 'Authentication Failure',
    118: 'Breach of Confidentiality',
    119: 'Cable Tamper',
    120: 'Delayed Information',
    121: 'Duplicate Information',
    122: 'Information Missing',
    123: 'Information Modification',
    124: 'Information Out of Sequence',
    125: 'Key Expired',
    126: 'Non-Repudiation Failure',
    127: 'Out of Hours Activity',
    128: 'Out of Service',
    129: 'Procedural Error',
    130: 'Unexpected Information',
  },
  [range(131, UINT16_MAX, 'DMTF Reserved')],
);

/**
 * CIM_Error.ErrorSourceFormat (CIM_Error 2.22.1; v2 cim-error.md): 2 is "CIMObjectPath".
 * msvm-error.md's "CIMObjectHandle" is the preliminary 2.8.1000 name, copied from v1. That page also
 * says Hyper-V always sends 0.
 */
export const ERROR_SOURCE_FORMAT = valueMap(
  'CIM_Error.ErrorSourceFormat',
  { 0: 'Unknown', 1: 'Other', 2: 'CIMObjectPath' },
  [range(3, UINT16_MAX, 'DMTF Reserved')],
);

/**
 * CIM_Error.CIMStatusCode (DSP0201 ERROR.CODE, DSP0200 CIMError), as in v2 cim-error.md (1..29).
 * msvm-error.md stops at 20 with "DMTF Reserved 21": that is the preliminary v1 list.
 */
export const CIM_STATUS_CODE = valueMap(
  'CIM_Error.CIMStatusCode',
  {
    1: 'CIM_ERR_FAILED',
    2: 'CIM_ERR_ACCESS_DENIED',
    3: 'CIM_ERR_INVALID_NAMESPACE',
    4: 'CIM_ERR_INVALID_PARAMETER',
    5: 'CIM_ERR_INVALID_CLASS',
    6: 'CIM_ERR_NOT_FOUND',
    7: 'CIM_ERR_NOT_SUPPORTED',
    8: 'CIM_ERR_CLASS_HAS_CHILDREN',
    9: 'CIM_ERR_CLASS_HAS_INSTANCES',
    10: 'CIM_ERR_INVALID_SUPERCLASS',
    11: 'CIM_ERR_ALREADY_EXISTS',
    12: 'CIM_ERR_NO_SUCH_PROPERTY',
    13: 'CIM_ERR_TYPE_MISMATCH',
    14: 'CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED',
    15: 'CIM_ERR_INVALID_QUERY',
    16: 'CIM_ERR_METHOD_NOT_AVAILABLE',
    17: 'CIM_ERR_METHOD_NOT_FOUND',
    18: 'CIM_ERR_UNEXPECTED_RESPONSE',
    19: 'CIM_ERR_INVALID_RESPONSE_DESTINATION',
    20: 'CIM_ERR_NAMESPACE_NOT_EMPTY',
    21: 'CIM_ERR_INVALID_ENUMERATION_CONTEXT',
    22: 'CIM_ERR_INVALID_OPERATION_TIMEOUT',
    23: 'CIM_ERR_PULL_HAS_BEEN_ABANDONED',
    24: 'CIM_ERR_PULL_CANNOT_BE_ABANDONED',
    25: 'CIM_ERR_FILTERED_ENUMERATION_NOT_SUPPORTED',
    26: 'CIM_ERR_CONTINUATION_ON_ERROR_NOT_SUPPORTED',
    27: 'CIM_ERR_SERVER_LIMITS_EXCEEDED',
    28: 'CIM_ERR_SERVER_IS_SHUTTING_DOWN',
    29: 'CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED',
  },
  [range(30, UINT32_MAX, 'DMTF Reserved')],
);
