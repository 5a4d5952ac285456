// Value maps: Microsoft's Hyper-V v2 class pages (MicrosoftDocs/win32 desktop-src/HyperV_v2) and the
// DMTF CIM schema qualifiers; see the comments in src/hyperv/value-maps.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { CimInstance, CimValue } from '../src/cim/types.js';
import {
  CIM_ERROR_SCHEMA,
  CONCRETE_JOB_SCHEMA,
  MIGRATION_JOB_SCHEMA,
  MSFT_WMI_ERROR_SCHEMA,
  MSVM_ERROR_SCHEMA,
  MSVM_V1_ERROR_SCHEMA,
  STORAGE_JOB_SCHEMA,
  propertyValue,
  schemaFor,
  schemaProperty,
  typedPropertyValue,
  valueMapNames,
} from '../src/hyperv/class-schemas.js';
import {
  CIM_STATUS_CODE,
  COMMUNICATION_STATUS,
  CONCRETE_JOB_TYPE,
  DETAILED_STATUS,
  ERROR_SOURCE_FORMAT,
  ERROR_TYPE,
  GET_ERROR_RETURN_CODES,
  HEALTH_STATE,
  JOB_STATE,
  JobStates,
  METHOD_RETURN_CODES,
  MIGRATION_JOB_TYPE,
  MIGRATION_TYPE,
  OPERATING_STATUS,
  OPERATIONAL_STATUS,
  PERCEIVED_SEVERITY_CIM,
  PERCEIVED_SEVERITY_V1,
  PRIMARY_STATUS,
  PROBABLE_CAUSE,
  REQUEST_STATE_CHANGE_RETURN,
  RUN_DAY_OF_WEEK,
  STORAGE_JOB_TYPE,
  isRunningJobState,
  isSuccessfulJobState,
  isTerminalJobState,
  jobStateKind,
  lookupName,
  nameOf,
  valueLabel,
  withName,
  valueOfName,
} from '../src/hyperv/value-maps.js';
import { toHypervJob } from '../src/hyperv/jobs.js';

function instance(className: string, properties: Record<string, CimValue>): CimInstance {
  return { kind: 'instance', className, properties, propertyInfo: {}, source: 'ws-cim' };
}

describe('GET_ERROR_RETURN_CODES', () => {
  // https://learn.microsoft.com/en-us/windows/win32/hyperv_v2/geterror-msvm-concretejob
  const expected: ReadonlyArray<[number, string]> = [
    [0, 'Completed with No Error'],
    [32768, 'Failed'],
    [32769, 'Access Denied'],
    [32770, 'Not Supported'],
    [32771, 'Status is unknown'],
    [32772, 'Timeout'],
    [32773, 'Invalid parameter'],
    [32774, 'System is in use'],
    [32775, 'Invalid state for this operation'],
    [32776, 'Incorrect data type'],
    [32777, 'System is not available'],
    [32778, 'Out of memory'],
  ];

  it('names every documented code exactly', () => {
    for (const [code, name] of expected) assert.equal(nameOf(GET_ERROR_RETURN_CODES, code), name, `code ${code}`);
  });

  it('has no entries beyond the documented ones', () => {
    assert.equal(GET_ERROR_RETURN_CODES.values.size, expected.length);
  });

  it('says "no name known" for undocumented values (never a name that looks like value 0 "Unknown")', () => {
    for (const code of [1, 4096, 32767, 32779, 65535, 4294967295, -1]) {
      assert.equal(nameOf(GET_ERROR_RETURN_CODES, code), 'no name known', `code ${code}`);
    }
  });

  it('accepts bigint and rejects non-integers', () => {
    assert.equal(nameOf(GET_ERROR_RETURN_CODES, 32768n), 'Failed');
    assert.equal(nameOf(GET_ERROR_RETURN_CODES, 0.5), 'no name known');
    assert.equal(nameOf(GET_ERROR_RETURN_CODES, NaN), 'no name known');
  });
});

describe('showing a value', () => {
  it('withName puts the number first; valueLabel keeps the number whenever there is no own name', () => {
    assert.equal(withName(9, nameOf(PERCEIVED_SEVERITY_CIM, 9)), '9 (DMTF Reserved)');
    assert.equal(withName(70000, nameOf(PERCEIVED_SEVERITY_CIM, 70000)), '70000 (no name known)');
    assert.equal(valueLabel(JOB_STATE, 4), 'Running');
    assert.equal(valueLabel(JOB_STATE, 13), '13 (DMTF Reserved)');
    assert.equal(valueLabel(JOB_STATE, 0), '0 (no name known)');
  });
});

describe('reserved ranges', () => {
  it('JobState: DMTF 13..32767, Hyper-V 32768, vendor above', () => {
    assert.equal(nameOf(JOB_STATE, 12), 'Query Pending');
    assert.equal(nameOf(JOB_STATE, 13), 'DMTF Reserved');
    assert.equal(nameOf(JOB_STATE, 32767), 'DMTF Reserved');
    assert.equal(nameOf(JOB_STATE, 32768), 'Completed with Warnings');
    assert.equal(nameOf(JOB_STATE, 32769), 'Vendor Reserved');
    assert.equal(nameOf(JOB_STATE, 65535), 'Vendor Reserved');
    assert.equal(nameOf(JOB_STATE, 65536), 'no name known');
    assert.equal(nameOf(JOB_STATE, 0), 'no name known');
    assert.equal(nameOf(JOB_STATE, 1), 'no name known');
  });

  it('generic method return codes: only 0 and 4096 are named; the rest depend on the method', () => {
    // 1..6 mean Not Supported/Failed/... on DefineSystem and its DMTF-style siblings, and are undefined on the
    // 32768-family methods, so without the method no name is true (see method-return-codes.test.ts).
    assert.equal(nameOf(METHOD_RETURN_CODES, 0), 'Completed with No Error');
    assert.equal(nameOf(METHOD_RETURN_CODES, 4096), 'Method Parameters Checked - Job Started');
    for (const code of [1, 2, 6, 7, 4097, 32768, 32779, 40000]) assert.equal(nameOf(METHOD_RETURN_CODES, code), 'method-specific code', `code ${code}`);
  });

  it('RequestStateChange return values', () => {
    assert.equal(nameOf(REQUEST_STATE_CHANGE_RETURN, 4096), 'Method Parameters Checked - Transition Started');
    assert.equal(nameOf(REQUEST_STATE_CHANGE_RETURN, 4097), 'Invalid State Transition');
    assert.equal(nameOf(REQUEST_STATE_CHANGE_RETURN, 4099), 'Busy');
    assert.equal(nameOf(REQUEST_STATE_CHANGE_RETURN, 100), 'DMTF Reserved');
    assert.equal(nameOf(REQUEST_STATE_CHANGE_RETURN, 4100), 'Method Reserved');
    assert.equal(nameOf(REQUEST_STATE_CHANGE_RETURN, 32768), 'Vendor Specific');
  });

  it('HealthState continuum: gaps are DMTF Reserved, high values Vendor Specific', () => {
    assert.equal(nameOf(HEALTH_STATE, 5), 'OK');
    assert.equal(nameOf(HEALTH_STATE, 10), 'Degraded/Warning');
    assert.equal(nameOf(HEALTH_STATE, 30), 'Non-recoverable error');
    assert.equal(nameOf(HEALTH_STATE, 7), 'DMTF Reserved');
    assert.equal(nameOf(HEALTH_STATE, 40000), 'Vendor Specific');
  });

  it('status maps', () => {
    assert.equal(nameOf(OPERATIONAL_STATUS, 2), 'OK');
    assert.equal(nameOf(OPERATIONAL_STATUS, 18), 'Power Mode');
    assert.equal(nameOf(OPERATIONAL_STATUS, 20), 'DMTF Reserved');
    assert.equal(nameOf(OPERATIONAL_STATUS, 0x8000), 'Vendor Reserved');
    assert.equal(nameOf(PRIMARY_STATUS, 3), 'Error');
    assert.equal(nameOf(PRIMARY_STATUS, 4), 'DMTF Reserved');
    assert.equal(nameOf(DETAILED_STATUS, 5), 'Supporting Entity in Error');
    assert.equal(nameOf(OPERATING_STATUS, 16), 'In Service');
    assert.equal(nameOf(OPERATING_STATUS, 17), 'DMTF Reserved');
    assert.equal(nameOf(COMMUNICATION_STATUS, 2), 'Communication OK');
    assert.equal(nameOf(COMMUNICATION_STATUS, 4), 'No Contact');
    assert.equal(nameOf(COMMUNICATION_STATUS, 0x8001), 'Vendor Reserved');
  });

  it('error maps', () => {
    assert.equal(nameOf(ERROR_TYPE, 10), 'Unsupported Operation Error');
    assert.equal(nameOf(ERROR_TYPE, 11), 'DMTF Reserved');
    assert.equal(nameOf(ERROR_SOURCE_FORMAT, 2), 'CIMObjectPath');
    assert.equal(nameOf(ERROR_SOURCE_FORMAT, 3), 'DMTF Reserved');
    assert.equal(nameOf(CIM_STATUS_CODE, 1), 'CIM_ERR_FAILED');
    assert.equal(nameOf(CIM_STATUS_CODE, 27), 'CIM_ERR_SERVER_LIMITS_EXCEEDED');
    assert.equal(nameOf(CIM_STATUS_CODE, 29), 'CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED');
    assert.equal(nameOf(CIM_STATUS_CODE, 30), 'DMTF Reserved');
    assert.equal(nameOf(CIM_STATUS_CODE, 4294967295), 'DMTF Reserved');
    assert.equal(nameOf(CIM_STATUS_CODE, 0), 'no name known');
  });
});

describe('value map contents', () => {
  it('ProbableCause covers 0..130 without gaps, reserved above', () => {
    assert.equal(PROBABLE_CAUSE.values.size, 131);
    for (let i = 0; i <= 130; i++) assert.ok(lookupName(PROBABLE_CAUSE, i) !== undefined, `cause ${i}`);
    assert.equal(nameOf(PROBABLE_CAUSE, 31), 'Material Supply Exhausted');
    assert.equal(nameOf(PROBABLE_CAUSE, 47), 'Software Error');
    assert.equal(nameOf(PROBABLE_CAUSE, 130), 'Unexpected Information');
    assert.equal(nameOf(PROBABLE_CAUSE, 131), 'DMTF Reserved');
  });

  it('PerceivedSeverity: CIM_Error 2.22.1 for v2, the preliminary 2.8.1000 table only for v1', () => {
    // https://learn.microsoft.com/windows/win32/hyperv_v2/cim-error (Version "2.22.1", Root\virtualization\v2)
    const v2: ReadonlyArray<[number, string]> = [
      [0, 'Unknown'], [1, 'Other'], [2, 'Information'], [3, 'Degraded/Warning'],
      [4, 'Minor'], [5, 'Major'], [6, 'Critical'], [7, 'Fatal/NonRecoverable'],
    ];
    for (const [n, name] of v2) assert.equal(nameOf(PERCEIVED_SEVERITY_CIM, n), name, `v2 ${n}`);
    assert.equal(nameOf(PERCEIVED_SEVERITY_CIM, 8), 'DMTF Reserved');
    // https://learn.microsoft.com/previous-versions/windows/desktop/virtual/cim-error (Version "2.8.1000", Root\Virtualization)
    const v1: ReadonlyArray<[number, string]> = [[0, 'Unknown'], [2, 'Low'], [3, 'Medium'], [4, 'High'], [5, 'Fatal']];
    for (const [n, name] of v1) assert.equal(nameOf(PERCEIVED_SEVERITY_V1, n), name, `v1 ${n}`);
    assert.equal(nameOf(PERCEIVED_SEVERITY_V1, 1), 'no name known');
  });

  it('Msvm_StorageJob.JobType has its own table', () => {
    // https://learn.microsoft.com/windows/win32/hyperv_v2/msvm-storagejob, JobType
    const expected = ['Unknown', 'VHD Creation', 'Floppy Creation', 'Compaction', 'Expansion', 'Merging', 'Conversion', 'Loopback Mount', 'Get VHD Info', 'Validate VHD Image'];
    expected.forEach((name, n) => assert.equal(nameOf(STORAGE_JOB_TYPE, n), name, `JobType ${n}`));
    assert.equal(STORAGE_JOB_TYPE.values.size, expected.length);
    assert.equal(nameOf(STORAGE_JOB_TYPE, 10), 'no name known');
  });

  it('job types', () => {
    assert.equal(nameOf(CONCRETE_JOB_TYPE, 12), 'Start Virtual Machine');
    assert.equal(nameOf(CONCRETE_JOB_TYPE, 70), 'Snapshot Virtual Machine');
    assert.equal(nameOf(CONCRETE_JOB_TYPE, 260), 'Mount or Dismount Assignable Device');
    assert.equal(nameOf(CONCRETE_JOB_TYPE, 5), 'no name known');
    // https://learn.microsoft.com/windows/win32/hyperv_v2/msvm-concretejob: "Initiate Synced Replication (100)"
    // (the page spelled it "Inititate" until MicrosoftDocs/win32 commit 5156035d7e).
    assert.equal(nameOf(CONCRETE_JOB_TYPE, 100), 'Initiate Synced Replication');
    for (let t = 300; t <= 307; t++) assert.notEqual(nameOf(MIGRATION_JOB_TYPE, t), 'no name known', `job type ${t}`);
    assert.equal(nameOf(MIGRATION_JOB_TYPE, 305), 'Moving Virtual Machine');
    assert.equal(nameOf(MIGRATION_TYPE, 32771), 'VirtualSystemAndStorage');
  });

  it('negative keys (sint8 RunDayOfWeek)', () => {
    assert.equal(nameOf(RUN_DAY_OF_WEEK, -7), '-Saturday');
    assert.equal(nameOf(RUN_DAY_OF_WEEK, 0), 'ExactDayOfMonth');
    assert.equal(nameOf(RUN_DAY_OF_WEEK, 7), 'Saturday');
  });

  it('reverse lookup', () => {
    assert.equal(valueOfName(JOB_STATE, 'completed with warnings'), 32768);
    assert.equal(valueOfName(GET_ERROR_RETURN_CODES, 'Access Denied'), 32769);
    assert.equal(valueOfName(GET_ERROR_RETURN_CODES, 'nope'), undefined);
  });

  it('maps are frozen', () => {
    assert.ok(Object.isFrozen(JOB_STATE));
    assert.ok(Object.isFrozen(JOB_STATE.ranges));
    assert.throws(() => {
      (JOB_STATE as { source: string }).source = 'x';
    }, TypeError);
  });
});

describe('job-state helpers', () => {
  const cases: ReadonlyArray<[number, boolean, boolean, boolean]> = [
    // state, running, terminal, successful
    [JobStates.New, true, false, false],
    [JobStates.Starting, true, false, false],
    [JobStates.Running, true, false, false],
    [JobStates.ShuttingDown, true, false, false],
    [JobStates.Suspended, false, false, false],
    [JobStates.Service, false, false, false],
    [JobStates.QueryPending, false, false, false],
    [JobStates.Completed, false, true, true],
    [JobStates.CompletedWithWarnings, false, true, true],
    [JobStates.Terminated, false, true, false],
    [JobStates.Killed, false, true, false],
    [JobStates.Exception, false, true, false],
    [0, false, false, false],
    [32769, false, false, false],
  ];

  for (const [state, running, terminal, ok] of cases) {
    it(`state ${state} (${nameOf(JOB_STATE, state)})`, () => {
      assert.equal(isRunningJobState(state), running, 'running');
      assert.equal(isTerminalJobState(state), terminal, 'terminal');
      assert.equal(isSuccessfulJobState(state), ok, 'successful');
    });
  }

  it('kinds', () => {
    assert.equal(jobStateKind(7), 'succeeded');
    assert.equal(jobStateKind(10), 'failed');
    assert.equal(jobStateKind(5), 'waiting');
    assert.equal(jobStateKind(4), 'running');
    assert.equal(jobStateKind(99), 'unknown');
  });
});

describe('class schemas', () => {
  it('schemaFor is case-insensitive and picks the right class', () => {
    assert.equal(schemaFor('Msvm_ConcreteJob'), CONCRETE_JOB_SCHEMA);
    assert.equal(schemaFor('msvm_concretejob'), CONCRETE_JOB_SCHEMA);
    assert.equal(schemaFor('CIM_ConcreteJob'), CONCRETE_JOB_SCHEMA);
    assert.equal(schemaFor('Msvm_MigrationJob'), MIGRATION_JOB_SCHEMA);
    assert.equal(schemaFor('MSVM_ERROR'), MSVM_ERROR_SCHEMA);
    assert.equal(schemaFor('CIM_Error'), CIM_ERROR_SCHEMA);
    assert.equal(schemaFor('MSFT_WmiError'), MSFT_WMI_ERROR_SCHEMA);
    assert.equal(schemaFor('msvm_storagejob'), STORAGE_JOB_SCHEMA);
    assert.equal(schemaFor('Msvm_ComputerSystem'), undefined);
  });

  it('job schemas name JobState and their own JobType', () => {
    assert.equal(CONCRETE_JOB_SCHEMA.JobState?.valueMap, JOB_STATE);
    assert.equal(CONCRETE_JOB_SCHEMA.JobType?.valueMap, CONCRETE_JOB_TYPE);
    assert.equal(MIGRATION_JOB_SCHEMA.JobType?.valueMap, MIGRATION_JOB_TYPE);
    assert.equal(MIGRATION_JOB_SCHEMA.MigrationType?.valueMap, MIGRATION_TYPE);
    assert.equal(MIGRATION_JOB_SCHEMA.JobState?.valueMap, JOB_STATE);
    assert.deepEqual(MIGRATION_JOB_SCHEMA.NewResourceSettingData, { type: 'string', isArray: true });
    assert.equal(CONCRETE_JOB_SCHEMA.MigrationType, undefined);
    assert.equal(STORAGE_JOB_SCHEMA.JobType?.valueMap, STORAGE_JOB_TYPE);
    assert.equal(STORAGE_JOB_SCHEMA.JobCompletionStatusCode?.type, 'uint32');
    assert.equal(STORAGE_JOB_SCHEMA.JobState?.valueMap, JOB_STATE);
    assert.equal(CONCRETE_JOB_SCHEMA.OperationalStatus?.isArray, true);
    assert.equal(CONCRETE_JOB_SCHEMA.TimeBeforeRemoval?.type, 'datetime');
  });

  it('error schemas: 15 CIM_Error properties, severity table per class', () => {
    assert.equal(Object.keys(MSVM_ERROR_SCHEMA).length, 15);
    assert.equal(Object.keys(CIM_ERROR_SCHEMA).length, 15);
    assert.equal(MSVM_ERROR_SCHEMA.PerceivedSeverity?.valueMap, PERCEIVED_SEVERITY_CIM);
    assert.equal(MSVM_V1_ERROR_SCHEMA.PerceivedSeverity?.valueMap, PERCEIVED_SEVERITY_V1);
    assert.equal(CIM_ERROR_SCHEMA.PerceivedSeverity?.valueMap, PERCEIVED_SEVERITY_CIM);
    assert.equal(MSVM_ERROR_SCHEMA.CIMStatusCode?.type, 'uint32');
    assert.equal(MSVM_ERROR_SCHEMA.MessageArguments?.isArray, true);
    assert.equal(MSFT_WMI_ERROR_SCHEMA.error_Code?.type, 'uint32');
  });

  it('schemaProperty and propertyValue fall back to case-insensitive names', () => {
    assert.equal(schemaProperty(CONCRETE_JOB_SCHEMA, 'jobstate'), CONCRETE_JOB_SCHEMA.JobState);
    assert.equal(schemaProperty(CONCRETE_JOB_SCHEMA, 'Nope'), undefined);
    const job = instance('Msvm_ConcreteJob', { jobState: '7', Name: null });
    assert.equal(propertyValue(job, 'JobState'), '7');
    assert.equal(propertyValue(job, 'Name'), null);
    assert.equal(propertyValue(job, 'Owner'), undefined);
  });

  it('typedPropertyValue converts text without guessing', () => {
    assert.equal(typedPropertyValue('7', { type: 'uint16' }), 7);
    assert.equal(typedPropertyValue(' -3 ', { type: 'sint8' }), -3);
    assert.equal(typedPropertyValue('18446744073709551615', { type: 'uint64' }), 18446744073709551615n);
    assert.equal(typedPropertyValue(5, { type: 'uint64' }), 5n);
    assert.equal(typedPropertyValue('TRUE', { type: 'boolean' }), true);
    assert.equal(typedPropertyValue('0', { type: 'boolean' }), false);
    assert.equal(typedPropertyValue('1.5', { type: 'real64' }), 1.5);
    assert.equal(typedPropertyValue('INF', { type: 'real32' }), Infinity);
    assert.equal(typedPropertyValue(42, { type: 'string' }), '42');
    assert.equal(typedPropertyValue('abc', { type: 'uint16' }), 'abc');
    assert.equal(typedPropertyValue(null, { type: 'uint16' }), null);
    assert.deepEqual(typedPropertyValue('2', { type: 'uint16', isArray: true }), [2]);
    assert.deepEqual(typedPropertyValue(['2', null, '3'], { type: 'uint16', isArray: true }), [2, null, 3]);
    assert.equal(typedPropertyValue('00000000000500.000000:000', { type: 'datetime' }), '00000000000500.000000:000');
  });

  it('valueMapNames names enumerated properties, arrays as arrays, NULL as null', () => {
    const job = instance('Msvm_ConcreteJob', {
      InstanceID: 'x',
      JobState: '10',
      OperationalStatus: ['2', '6'],
      HealthState: 5,
      PrimaryStatus: null,
      JobType: 12,
      ErrorCode: 32768,
      CommunicationStatus: 'garbage',
    });
    assert.deepEqual(valueMapNames(job, CONCRETE_JOB_SCHEMA), {
      JobState: 'Exception',
      OperationalStatus: ['OK', 'Error'],
      HealthState: 'OK',
      PrimaryStatus: null,
      JobType: 'Start Virtual Machine',
      CommunicationStatus: 'no name known',
    });
    const migration = instance('Msvm_MigrationJob', { JobType: '305', MigrationType: 32769, OperationalStatus: '2' });
    assert.deepEqual(valueMapNames(migration, MIGRATION_JOB_SCHEMA), {
      JobType: 'Moving Virtual Machine',
      MigrationType: 'Storage',
      OperationalStatus: ['OK'],
    });
  });
});

describe('toHypervJob names JobType with the job class\'s own table', () => {
  it('Msvm_StorageJob 4 is Expansion, not the ConcreteJob name', () => {
    // https://learn.microsoft.com/windows/win32/hyperv_v2/msvm-storagejob: Expansion (4), Compaction (3)
    assert.equal(toHypervJob(instance('Msvm_StorageJob', { InstanceID: 's', JobType: 4 })).jobTypeName, 'Expansion');
    assert.equal(toHypervJob(instance('Msvm_StorageJob', { InstanceID: 's', JobType: 3 })).jobTypeName, 'Compaction');
  });

  it('class names are case-insensitive; unknown job classes fall back to Msvm_ConcreteJob\'s table', () => {
    // https://learn.microsoft.com/windows/win32/hyperv_v2/msvm-migrationjob: Moving Virtual Machine (305)
    assert.equal(toHypervJob(instance('msvm_migrationjob', { InstanceID: 'm', JobType: 305 })).jobTypeName, 'Moving Virtual Machine');
    assert.equal(toHypervJob(instance('msvm_migrationjob', { InstanceID: 'm', MigrationType: 32769 })).migration?.migrationTypeName, 'Storage');
    // https://learn.microsoft.com/windows/win32/hyperv_v2/msvm-concretejob: Start Virtual Machine (12)
    assert.equal(toHypervJob(instance('Msvm_ConcreteJob', { InstanceID: 'c', JobType: 12 })).jobTypeName, 'Start Virtual Machine');
    assert.equal(toHypervJob(instance('Msvm_SomeOtherJob', { InstanceID: 'o', JobType: 12 })).jobTypeName, 'Start Virtual Machine');
  });
});
