/**
 * Association traversal end to end over a real socket (NTLM with message encryption): the DMTF
 * association filter and WQL ASSOCIATORS OF / REFERENCES OF sent by the library, answered by the
 * emulated host from its Msvm_AffectedJobElement links between jobs and VMs, with the faults it sends
 * for a filter it cannot process; and HypervJobs.affectedElements on top.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isCimReference, type CimInstance } from '../src/cim/types.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, FIXTURE_VMS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { ASSOCIATION_FILTER_DIALECT, HypervJobs, schemaFor, WsmanClient, WsmanFaultError, describeAffectedElement, type AssociationFilter, type EnumerateArgs } from '../src/index.js';
import { HYPERV_NAMESPACE, wmiResourceUri } from '../src/wsman/namespaces.js';
import { runCapture } from './helpers/cli-harness.js';

let host: EmulatedHost;
let client: WsmanClient;
before(async () => {
  host = await startEmulatedHost({ requestLog: true });
  client = new WsmanClient({ host: host.hostname, port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
});
after(async () => {
  await client.close();
  await host.close();
});

const ALL = wmiResourceUri(HYPERV_NAMESPACE);
const JOB_URI = wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ConcreteJob');
const VM_URI = wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_ComputerSystem');
const jobObject = (id: string) => ({ resourceUri: JOB_URI, selectors: { InstanceID: id } });
const vmObject = (id: string) => ({ resourceUri: VM_URI, selectors: { CreationClassName: 'Msvm_ComputerSystem', Name: id } });

async function all(args: EnumerateArgs): Promise<CimInstance[]> {
  const out: CimInstance[] = [];
  for await (const inst of client.enumerateInstances(ALL, args, (cls) => schemaFor(cls))) out.push(inst);
  return out;
}
const associated = (filter: AssociationFilter): Promise<CimInstance[]> => all({ association: filter });

async function fault(p: Promise<unknown>): Promise<WsmanFaultError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WsmanFaultError, `a WS-Man fault, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a fault');
}

describe('AssociatedInstances (DSP0227 8.2.1)', () => {
  test('from a failed job through Msvm_AffectedJobElement: the VM it worked on', async () => {
    const found = await associated({ kind: 'AssociatedInstances', object: jobObject(FIXTURE_JOB_IDS.failedConcrete), associationClassName: 'Msvm_AffectedJobElement', role: 'AffectingElement', resultRole: 'AffectedElement' });
    assert.deepEqual(
      found.map((i) => [i.className, i.properties.Name, i.properties.ElementName]),
      [['Msvm_ComputerSystem', FIXTURE_VMS.failed.id, FIXTURE_VMS.failed.name]],
    );
    const sent = host.requests.at(-1)!;
    assert.equal(sent.operation, 'Enumerate');
    assert.equal(sent.resourceUri, ALL);
  });

  test('the superclass CIM_AffectedJobElement and ResultClassName CIM_ComputerSystem find the same VM; the job id is matched without regard to case', async () => {
    const found = await associated({ kind: 'AssociatedInstances', object: jobObject(FIXTURE_JOB_IDS.failedConcrete.toLowerCase()), associationClassName: 'CIM_AffectedJobElement', resultClassName: 'CIM_ComputerSystem' });
    assert.deepEqual(found.map((i) => i.properties.Name), [FIXTURE_VMS.failed.id]);
  });

  test('the other way: from a VM, the jobs that affect it (typed by their class schema)', async () => {
    const found = await associated({ kind: 'AssociatedInstances', object: vmObject(FIXTURE_VMS.multi.id), role: 'AffectedElement' });
    assert.deepEqual(found.map((i) => i.properties.InstanceID).sort(), [FIXTURE_JOB_IDS.completedConcrete, FIXTURE_JOB_IDS.terminated, FIXTURE_JOB_IDS.twoErrors].sort());
    assert.ok(found.every((i) => i.className === 'Msvm_ConcreteJob' && typeof i.properties.JobState === 'number'));
  });

  test('a role, result role or result class that does not fit finds nothing (not a fault)', async () => {
    const object = jobObject(FIXTURE_JOB_IDS.failedConcrete);
    for (const filter of [
      { kind: 'AssociatedInstances', object, role: 'AffectedElement' },
      { kind: 'AssociatedInstances', object, resultRole: 'AffectingElement' },
      { kind: 'AssociatedInstances', object, resultClassName: 'Msvm_ConcreteJob' },
      { kind: 'AssociatedInstances', object, associationClassName: 'Msvm_VirtualSystemSettingData' },
    ] as const) {
      assert.deepEqual(await associated(filter), [], JSON.stringify(filter));
    }
  });

  test('IncludeResultProperty projects the result', async () => {
    const [vm] = await associated({ kind: 'AssociatedInstances', object: jobObject(FIXTURE_JOB_IDS.failedConcrete), includeResultProperties: ['Name', 'EnabledState'] });
    assert.deepEqual(Object.keys(vm!.properties), ['EnabledState', 'Name']);
  });

  test('a job the host keeps no link for (a migration job) has no associated element', async () => {
    const object = { resourceUri: wmiResourceUri(HYPERV_NAMESPACE, 'Msvm_MigrationJob'), selectors: { InstanceID: FIXTURE_JOB_IDS.failedMigration } };
    assert.deepEqual(await associated({ kind: 'AssociatedInstances', object }), []);
  });

  test('pages: a long list arrives over Pulls', async () => {
    const vm = FIXTURE_VMS.migrating.id;
    for (let i = 0; i < 7; i++) host.model.add({ className: 'Msvm_ConcreteJob', instanceId: `PAGED-${i}`, jobState: 7, percentComplete: 100, errorCode: 0, affectedElements: [vm] });
    try {
      const found = await all({ association: { kind: 'AssociatedInstances', object: vmObject(vm) }, maxElements: 2 });
      assert.equal(found.filter((j) => String(j.properties.InstanceID).startsWith('PAGED-')).length, 7);
      assert.ok(host.requests.filter((r) => r.operation === 'Pull').length >= 4);
    } finally {
      for (let i = 0; i < 7; i++) host.model.remove(`PAGED-${i}`);
    }
  });
});

describe('AssociationInstances (DSP0227 8.2.2)', () => {
  test('the Msvm_AffectedJobElement instances of a VM, with both references', async () => {
    const found = await associated({ kind: 'AssociationInstances', object: vmObject(FIXTURE_VMS.failed.id), resultClassName: 'Msvm_AffectedJobElement', role: 'AffectedElement' });
    assert.equal(found.length, 2);
    for (const link of found) {
      assert.equal(link.className, 'Msvm_AffectedJobElement');
      const affected = link.properties.AffectedElement;
      const affecting = link.properties.AffectingElement;
      assert.ok(isCimReference(affected) && isCimReference(affecting), 'references decode as references');
      assert.equal(affected.selectors.Name, FIXTURE_VMS.failed.id);
      assert.equal(affecting.className, 'Msvm_ConcreteJob');
    }
    const jobs = found.map((l) => (isCimReference(l.properties.AffectingElement) ? l.properties.AffectingElement.selectors.InstanceID : '')).sort();
    assert.deepEqual(jobs, [FIXTURE_JOB_IDS.failedConcrete, FIXTURE_JOB_IDS.accessDenied].sort());
  });
});

describe('WQL ASSOCIATORS OF / REFERENCES OF (the way Windows users ask)', () => {
  test('ASSOCIATORS OF {Msvm_ConcreteJob.InstanceID=...} WHERE AssocClass = Msvm_AffectedJobElement', async () => {
    const found = await all({ wql: `ASSOCIATORS OF {Msvm_ConcreteJob.InstanceID='${FIXTURE_JOB_IDS.twoErrors}'} WHERE AssocClass = Msvm_AffectedJobElement ResultRole = AffectedElement` });
    assert.deepEqual(found.map((i) => i.properties.ElementName), [FIXTURE_VMS.multi.name]);
  });

  test('an object path with a namespace and double quotes, and REFERENCES OF', async () => {
    const path = `\\\\HV-EMU01\\root\\virtualization\\v2:Msvm_ComputerSystem.CreationClassName="Msvm_ComputerSystem",Name="${FIXTURE_VMS.migrating.id}"`;
    const refs = await all({ wql: `REFERENCES OF {${path}} WHERE ResultClass = Msvm_AffectedJobElement` });
    assert.equal(refs.length, 3);
    assert.ok(refs.every((r) => r.className === 'Msvm_AffectedJobElement'));
  });

  test('the VMs enumerate as Msvm_ComputerSystem, and WQL conditions on them work', async () => {
    const running = await all({ wql: 'SELECT Name, ElementName FROM Msvm_ComputerSystem WHERE EnabledState = 2' });
    assert.deepEqual(running.map((i) => i.properties.Name).sort(), [FIXTURE_VMS.failed.id, FIXTURE_VMS.multi.id].sort());
    const vm = await client.getInstance(VM_URI, { CreationClassName: 'Msvm_ComputerSystem', Name: FIXTURE_VMS.migrating.id });
    assert.equal(vm.properties.ElementName, FIXTURE_VMS.migrating.name);
  });
});

describe('faults for what the host cannot process', () => {
  test('a source job that does not exist: not found (wsa:DestinationUnreachable)', async () => {
    const f = await fault(associated({ kind: 'AssociatedInstances', object: jobObject('FFFFFFFF-0000-0000-0000-000000000000') }));
    assert.equal(f.subcodeName, 'wsa:DestinationUnreachable');
  });

  test('an association class the namespace does not have: wsen:CannotProcessFilter naming the class', async () => {
    const f = await fault(associated({ kind: 'AssociatedInstances', object: jobObject(FIXTURE_JOB_IDS.failedConcrete), associationClassName: 'Msvm_NoSuchAssociation' }));
    assert.equal(f.subcodeName, 'wsen:CannotProcessFilter');
    assert.match(f.providerFault?.message ?? '', /class does not exist/);
  });

  test('a filter of the association dialect without AssociatedInstances: wsen:CannotProcessFilter', async () => {
    const f = await fault(all({ filter: { dialect: ASSOCIATION_FILTER_DIALECT, content: 'not an association query' } }));
    assert.equal(f.subcodeName, 'wsen:CannotProcessFilter');
  });

  test('an Object in another namespace, and ASSOCIATORS OF without keys: wsen:CannotProcessFilter', async () => {
    const other = { resourceUri: wmiResourceUri('root/cimv2', 'Win32_Service'), selectors: { Name: 'WinRM' } };
    assert.equal((await fault(associated({ kind: 'AssociatedInstances', object: other }))).subcodeName, 'wsen:CannotProcessFilter');
    assert.equal((await fault(all({ wql: 'ASSOCIATORS OF {Msvm_ConcreteJob}' }))).subcodeName, 'wsen:CannotProcessFilter');
    assert.equal((await fault(all({ wql: `ASSOCIATORS OF {Msvm_ConcreteJob.InstanceID='x'} WHERE ClassDefsOnly` }))).subcodeName, 'wsen:CannotProcessFilter');
  });
});

describe('HypervJobs.affectedElements', () => {
  const jobs = (): HypervJobs => new HypervJobs(client);

  test('the VM of a failed job, in one Enumerate', async () => {
    const before = host.requests.length;
    const found = await jobs().affectedElements(FIXTURE_JOB_IDS.failedConcrete, 'Msvm_ConcreteJob');
    assert.deepEqual(host.requests.slice(before).map((r) => r.operation), ['Enumerate']);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.name, FIXTURE_VMS.failed.id);
    assert.equal(found[0]!.elementName, FIXTURE_VMS.failed.name);
    assert.equal(describeAffectedElement(found[0]!), `VM ${FIXTURE_VMS.failed.name} (Name ${FIXTURE_VMS.failed.id})`);
  });

  test('a migration job: found in its class, and no element', async () => {
    assert.deepEqual(await jobs().affectedElements(FIXTURE_JOB_IDS.failedMigration), []);
  });

  test('an unknown job: JobNotFoundError, as for getError', async () => {
    await assert.rejects(jobs().affectedElements('FFFFFFFF-0000-0000-0000-000000000000'), (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'ERR_NOT_FOUND');
  });

  test('REFERENCES from a job: its link, whose AffectingElement points back at the job', async () => {
    const [link] = await associated({ kind: 'AssociationInstances', object: jobObject(FIXTURE_JOB_IDS.failedConcrete) });
    const ref = link!.properties.AffectingElement;
    assert.ok(isCimReference(ref));
    assert.equal(ref.selectors.InstanceID, FIXTURE_JOB_IDS.failedConcrete);
  });
});

describe('CLI: enumerate --associated-with', () => {
  const conn = (): string[] => ['--host', host.hostname, '--port', String(host.port), '--scheme', 'http', '--user', DEFAULT_USER];

  test('the VM a job worked on, as NDJSON, with every association flag', async () => {
    const r = await runCapture([
      'enumerate', '--associated-with', 'Msvm_ConcreteJob', '--selector', `InstanceID=${FIXTURE_JOB_IDS.twoErrors}`,
      '--association-class', 'Msvm_AffectedJobElement', '--role', 'AffectingElement', '--result-role', 'AffectedElement', '--result-class', 'Msvm_ComputerSystem',
      '--json', ...conn(),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { className: string; properties: Record<string, unknown> });
    assert.deepEqual(docs.map((d) => [d.className, d.properties.Name]), [['Msvm_ComputerSystem', FIXTURE_VMS.multi.id]]);
  });

  test('the request: an association filter on the namespace URI, the keys in the filter and not in the header', async () => {
    const before = host.requests.length;
    const r = await runCapture(['enumerate', '--associated-with', 'Msvm_ComputerSystem', '--selector', `Name=${FIXTURE_VMS.failed.id}`, ...conn()]);
    assert.equal(r.code, 0, r.stderr);
    const sent = host.requests.slice(before).find((q) => q.operation === 'Enumerate')!;
    assert.equal(sent.resourceUri, ALL);
    assert.deepEqual(sent.selectors, {});
    assert.match(r.stdout, new RegExp(`InstanceID: +${FIXTURE_JOB_IDS.failedConcrete}`));
  });

  test('an empty answer on a terminal says so, and that a role naming nothing gives none; piped, it stays empty', async () => {
    const argv = ['enumerate', '--associated-with', 'Msvm_ConcreteJob', '--selector', `InstanceID=${FIXTURE_JOB_IDS.failedConcrete}`, '--role', 'AffectedElement', ...conn()];
    const tty = await runCapture(argv, { tty: true });
    assert.equal(tty.code, 0, tty.stderr);
    assert.equal(tty.stdout, 'No instances listed. A --role that names nothing in the association also gives none, not an error.\n');
    const piped = await runCapture(argv);
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout, '');
    const found = await runCapture(['enumerate', '--associated-with', 'Msvm_ConcreteJob', '--selector', `InstanceID=${FIXTURE_JOB_IDS.failedConcrete}`, ...conn()], { tty: true });
    assert.doesNotMatch(found.stdout, /No instances/);
  });

  test('WQL ASSOCIATORS OF goes through --wql unchanged', async () => {
    const r = await runCapture(['enumerate', '--wql', `ASSOCIATORS OF {Msvm_ConcreteJob.InstanceID='${FIXTURE_JOB_IDS.failedConcrete}'} WHERE AssocClass = Msvm_AffectedJobElement`, '--json', ...conn()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { properties: { ElementName: string } }).properties.ElementName, FIXTURE_VMS.failed.name);
  });

  test('usage errors: no keys, a class argument, --wql beside it, the cim dialect, association flags alone', async () => {
    const cases: ReadonlyArray<readonly [readonly string[], RegExp]> = [
      [['enumerate', '--associated-with', 'Msvm_ConcreteJob'], /needs the keys of the instance to start from: --selector/],
      [['enumerate', 'Msvm_ComputerSystem', '--associated-with', 'Msvm_ConcreteJob', '--selector', 'InstanceID=x'], /does not go with a class argument \(use --result-class\)/],
      [['enumerate', '--associated-with', 'Msvm_ConcreteJob', '--selector', 'InstanceID=x', '--wql', 'SELECT * FROM Msvm_ConcreteJob'], /does not go with --wql/],
      [['enumerate', '--associated-with', 'Msvm_ConcreteJob', '--selector', 'InstanceID=x', '--dialect', 'cim'], /needs the wmi dialect/],
      [['enumerate', 'Msvm_ConcreteJob', '--role', 'AffectingElement', '--result-class', 'Msvm_ComputerSystem'], /--result-class, --role go with --associated-with/],
      [['enumerate', '--associated-with', 'Msvm_ConcreteJob', '--selector', 'InstanceID=x', '--role', 'Affecting Element'], /role "Affecting Element" is not a CIM name/],
    ];
    for (const [argv, message] of cases) {
      const r = await runCapture([...argv, ...conn()]);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, argv.join(' '));
    }
  });

  test('a source instance that does not exist: exit 7 (not found)', async () => {
    const r = await runCapture(['enumerate', '--associated-with', 'Msvm_ConcreteJob', '--selector', 'InstanceID=FFFFFFFF-0000-0000-0000-000000000000', ...conn()]);
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /DestinationUnreachable/);
    assert.match(r.stderr, /No instance of Msvm_ConcreteJob has InstanceID=FFFFFFFF-0000-0000-0000-000000000000: check the --selector values/);
  });
});
