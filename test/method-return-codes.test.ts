// ReturnValue names per class and method. Every expected name below was typed from the Hyper-V v2 method
// page named above it (https://learn.microsoft.com/windows/win32/hyperv_v2/<page>, the "Return value"
// section), not read back from src/hyperv/method-return-codes.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { hypervReturnValueName, methodReturnTable, returnValueNameOf } from '../src/hyperv/method-return-codes.js';

const V2 = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2';

function expectNames(className: string, method: string, expected: ReadonlyArray<readonly [number, string]>): void {
  for (const [code, name] of expected) assert.equal(returnValueNameOf(className, method, code), name, `${className}.${method} ${code}`);
}

describe('DMTF-style service methods define 1..6 themselves', () => {
  it('DefineSystem', () => {
    // definesystem-msvm-virtualsystemmanagementservice: Completed with No Error (0), Not Supported (1), Failed (2),
    // Timeout (3), Invalid Parameter (4), DMTF Reserved (..), Method Parameters Checked - Job Started (4096),
    // Method Reserved (4097..32767), Vendor Specific (32768..65535)
    expectNames('Msvm_VirtualSystemManagementService', 'DefineSystem', [
      [0, 'Completed with No Error'],
      [1, 'Not Supported'],
      [2, 'Failed'],
      [3, 'Timeout'],
      [4, 'Invalid Parameter'],
      [5, 'DMTF Reserved'],
      [4095, 'DMTF Reserved'],
      [4096, 'Method Parameters Checked - Job Started'],
      [4097, 'Method Reserved'],
      [32767, 'Method Reserved'],
      [32768, 'Vendor Specific'],
      [65535, 'Vendor Specific'],
    ]);
  });

  it('ModifyResourceSettings and MigrateVirtualSystemToSystem add Invalid State (5), Incompatible Parameters (6)', () => {
    // modifyresourcesettings-msvm-virtualsystemmanagementservice
    expectNames('Msvm_VirtualSystemManagementService', 'ModifyResourceSettings', [
      [2, 'Failed'],
      [5, 'Invalid State'],
      [6, 'Incompatible Parameters'],
      [7, 'DMTF Reserved'],
    ]);
    // migratevirtualsystemtosystem-msvm-virtualsystemmigrationservice
    expectNames('Msvm_VirtualSystemMigrationService', 'MigrateVirtualSystemToSystem', [
      [5, 'Invalid State'],
      [6, 'Incompatible Parameters'],
      [4096, 'Method Parameters Checked - Job Started'],
    ]);
  });

  it('CreateSnapshot adds Invalid State (5), Invalid Type (6)', () => {
    // createsnapshot-msvm-virtualsystemsnapshotservice
    expectNames('Msvm_VirtualSystemSnapshotService', 'CreateSnapshot', [
      [1, 'Not Supported'],
      [5, 'Invalid State'],
      [6, 'Invalid Type'],
    ]);
  });

  it('DestroySystem stops at Invalid State (5)', () => {
    // destroysystem-msvm-virtualsystemmanagementservice
    expectNames('Msvm_VirtualSystemManagementService', 'DestroySystem', [
      [5, 'Invalid State'],
      [6, 'DMTF Reserved'],
    ]);
  });
});

describe('Hyper-V 32768-family methods', () => {
  it('32779 is File not found on most pages', () => {
    // attachvirtualharddisk-msvm-imagemanagementservice: ... Out of memory (32778), File not found (32779)
    expectNames('Msvm_ImageManagementService', 'AttachVirtualHardDisk', [
      [0, 'Completed with No Error'],
      [4096, 'Method Parameters Checked - Job Started'],
      [32768, 'Failed'],
      [32769, 'Access Denied'],
      [32775, 'Invalid state for this operation'],
      [32778, 'Out of memory'],
      [32779, 'File not found'],
    ]);
  });

  it('32779 is File in Use on the import methods', () => {
    // importsystemdefinition-msvm-virtualsystemmanagementservice: File in Use (32779)
    expectNames('Msvm_VirtualSystemManagementService', 'ImportSystemDefinition', [[32779, 'File in Use']]);
    // validateplannedsystem-msvm-virtualsystemmanagementservice: File in Use (32779)
    expectNames('Msvm_VirtualSystemManagementService', 'ValidatePlannedSystem', [[32779, 'File in Use']]);
  });

  it('method-specific codes above 32779', () => {
    // msvm-shutdowncomponent-initiateshutdown: The system is not ready (32780), ... A system shutdown is in progress (32782)
    expectNames('Msvm_ShutdownComponent', 'InitiateShutdown', [
      [32780, 'The system is not ready'],
      [32782, 'A system shutdown is in progress'],
    ]);
    // msvm-imagemanagementservice-findmountedstorageimageinstance: Object not found (32789)
    expectNames('Msvm_ImageManagementService', 'FindMountedStorageImageInstance', [[32789, 'Object not found']]);
    // createpool-msvm-resourcepoolconfigurationservice: Insufficient Resources (32780), Object Not Found (32781..32787), Object Exists (32788)
    expectNames('Msvm_ResourcePoolConfigurationService', 'CreatePool', [
      [0, 'Job Completed with No Error'],
      [32780, 'Insufficient Resources'],
      [32781, 'Object Not Found'],
      [32787, 'Object Not Found'],
      [32788, 'Object Exists'],
      [32789, 'Vendor Specific'],
    ]);
  });

  it('a code the method\'s page does not list has no name', () => {
    // addkvpitems-msvm-virtualsystemmanagementservice lists 0, 4096, 32768..32778 only
    expectNames('Msvm_VirtualSystemManagementService', 'AddKvpItems', [
      [2, 'no name known'],
      [32779, 'no name known'],
    ]);
  });
});

describe('job methods', () => {
  it('GetError / GetErrorEx on every job class', () => {
    // geterror-msvm-concretejob, geterror-msvm-migrationjob, msvm-storagejob-geterror: Completed with No Error (0),
    // Failed (32768) ... "System is in used" (32774, spelled "in use" as on most pages) ... Out of memory (32778)
    for (const [cls, method] of [['Msvm_ConcreteJob', 'GetError'], ['Msvm_MigrationJob', 'GetErrorEx'], ['Msvm_StorageJob', 'GetError']] as const) {
      expectNames(cls, method, [
        [0, 'Completed with No Error'],
        [32768, 'Failed'],
        [32774, 'System is in use'],
        [32778, 'Out of memory'],
        [4096, 'no name known'],
      ]);
    }
  });

  it('Msvm_ConcreteJob.RequestStateChange has the CIM table', () => {
    // requeststatechange-msvm-concretejob: Not Supported (1), Unknown/Unspecified Error (2), In Use (6),
    // Method Parameters Checked - Transition Started (4096), Invalid State Transition (4097), Busy (4099)
    expectNames('Msvm_ConcreteJob', 'RequestStateChange', [
      [1, 'Not Supported'],
      [2, 'Unknown/Unspecified Error'],
      [6, 'In Use'],
      [4096, 'Method Parameters Checked - Transition Started'],
      [4097, 'Invalid State Transition'],
      [4099, 'Busy'],
      [32768, 'Vendor Specific'],
    ]);
  });

  it('other job classes\' RequestStateChange list the 32768 numbers, not the CIM table', () => {
    // requeststatechange-msvm-migrationjob and msvm-storagejob-requeststatechange list (0), (32768) ... (32778) without
    // names; the numbers are GetError's, named as there (Failed (32768), Access Denied (32769) ...).
    for (const cls of ['Msvm_MigrationJob', 'Msvm_StorageJob', 'Msvm_VirtualSystemReferencePointExportJob']) {
      expectNames(cls, 'RequestStateChange', [
        [0, 'Completed with No Error'],
        [32768, 'Failed'],
        [32769, 'Access Denied'],
        [4097, 'no name known'],
      ]);
    }
    // requeststatechange-msvm-copyfiletoguestjob: Use of Timeout Parameter Not Supported (4098), Failed (32768)
    expectNames('Msvm_CopyFileToGuestJob', 'RequestStateChange', [
      [4098, 'Use of Timeout Parameter Not Supported'],
      [32768, 'Failed'],
    ]);
  });

  it('Msvm_ComputerSystem.RequestStateChange: 4096 is Transition Started', () => {
    // requeststatechange-msvm-computersystem: Method Parameters Checked - Transition Started (4096), Access Denied (32769),
    // Invalid state for this operation (32775)
    expectNames('Msvm_ComputerSystem', 'RequestStateChange', [
      [0, 'Completed with No Error'],
      [4096, 'Method Parameters Checked - Transition Started'],
      [32769, 'Access Denied'],
      [32775, 'Invalid state for this operation'],
    ]);
  });
});

describe('lookup', () => {
  it('is case-insensitive and cites the page', () => {
    const t = methodReturnTable('msvm_virtualsystemmanagementservice', 'definesystem');
    assert.ok(t);
    assert.equal(t.className, 'Msvm_VirtualSystemManagementService');
    assert.equal(t.method, 'DefineSystem');
    assert.equal(t.url, 'https://learn.microsoft.com/windows/win32/hyperv_v2/definesystem-msvm-virtualsystemmanagementservice');
    const s = methodReturnTable('Msvm_StorageJob', 'RequestStateChange');
    assert.equal(s?.url, 'https://learn.microsoft.com/windows/win32/hyperv_v2/msvm-storagejob-requeststatechange');
  });

  it('without a table: 0 and 4096 are named, the rest are "method-specific code"', () => {
    assert.equal(methodReturnTable('Msvm_Nothing', 'Nothing'), undefined);
    assert.equal(returnValueNameOf('Msvm_Nothing', 'Nothing', 0), 'Completed with No Error');
    assert.equal(returnValueNameOf(undefined, 'Nothing', 4096), 'Method Parameters Checked - Job Started');
    for (const code of [1, 2, 6, 32768, 32779]) assert.equal(returnValueNameOf('Msvm_Nothing', 'Nothing', code), 'method-specific code');
    // An inherited method the class has no page for is not guessed from another class either.
    assert.equal(returnValueNameOf('Msvm_Nothing', 'DefineSystem', 2), 'method-specific code');
    assert.equal(methodReturnTable('constructor', 'toString'), undefined);
  });

  it('hypervReturnValueName names only methods in root/virtualization/v2, by the resource URI\'s class', () => {
    assert.equal(hypervReturnValueName(`${V2}/Msvm_VirtualSystemManagementService`, 'DefineSystem', 2), 'Failed');
    assert.equal(hypervReturnValueName(`${V2.toUpperCase()}/MSVM_VIRTUALSYSTEMMANAGEMENTSERVICE`, 'DefineSystem', 2), 'Failed');
    assert.equal(hypervReturnValueName(`${V2}/Msvm_Nothing`, 'Nothing', 2), 'method-specific code');
    assert.equal(hypervReturnValueName('http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Process', 'Create', 2), null);
    assert.equal(hypervReturnValueName(`${V2}/Msvm_VirtualSystemManagementService`, 'DefineSystem', null), null);
  });
});
