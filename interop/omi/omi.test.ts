/**
 * hyperv-wsman against Microsoft's OMI, a WS-Man server we did not write (opt-in: `npm run test:omi`).
 * The server is built from source and started by /work/shared/tools/omi (loopback only, in its own
 * network namespace); our CLI runs inside that namespace and its answers are compared with what
 * OMI's own client, omicli, reads from the same server. A missing OMI build fails every test with
 * the command that builds it: nothing is skipped.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, conn as connArgs, jsonLines, ok, omicli, omiVersion, startOmi, stopOmi, TRANSPORTS, type OmiEnv, type TransportName } from './omi-peer.js';
import { fromCliJson, parseOmicli, type OmicliInstance, type OmicliValue } from './omicli-output.js';

let omi: OmiEnv;
let files: string;
const TIMEOUT = { timeout: 120_000 };

before(async () => {
  omi = await startOmi();
  files = mkdtempSync(join(tmpdir(), 'hyperv-wsman-omi-params-'));
  process.stderr.write(`# OMI ${await omiVersion()} (pid ${omi.pid}, ${omi.startedHere ? 'started by this run' : 'already running'})\n`);
});
after(async () => {
  if (files) rmSync(files, { recursive: true, force: true });
  if (omi) await stopOmi(omi);
});

const TRANSPORT_NAMES = Object.keys(TRANSPORTS) as TransportName[];
const conn = (t: TransportName): string[] => connArgs(omi, t);
const lines = jsonLines;

const byKey = (list: readonly OmicliValue[], key: string): Map<string, OmicliInstance> =>
  new Map(list.map((i) => [String((i as OmicliInstance).properties[key]), i as OmicliInstance]));

async function enumerateBoth(t: TransportName, ns: string, cls: string): Promise<{ ours: OmicliValue[]; theirs: OmicliInstance[] }> {
  const [r, o] = await Promise.all([cli(omi, ['enumerate', cls, '--dialect', 'cim', '--namespace', ns, ...conn(t), '--json']), omicli(['ei', ns, cls])]);
  ok(r, `enumerate ${ns} ${cls}`);
  ok(o, `omicli ei ${ns} ${cls}`);
  return { ours: lines(r.stdout).map(fromCliJson), theirs: parseOmicli(o.stdout) };
}

for (const t of TRANSPORT_NAMES) {
  describe(`identify over ${t}`, () => {
    test('answers with OMI\'s product and the DMTF protocol version', TIMEOUT, async () => {
      const r = await cli(omi, ['identify', ...conn(t), '--json']);
      ok(r, 'identify');
      const doc = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(doc.protocolVersion, 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd');
      assert.equal(doc.productVendor, 'Open Management Infrastructure');
      assert.match(String(doc.productVersion), /^\d+\.\d+\.\d+/);
    });
  });
}

for (const t of ['http ntlm (encrypted)', 'https basic'] as const) {
  describe(`enumerate and get over ${t}, compared with omicli`, () => {
    test('XYZ_Color in root/cimv2 (a class only that namespace has)', TIMEOUT, async () => {
      const { ours, theirs } = await enumerateBoth(t, 'root/cimv2', 'XYZ_Color');
      assert.ok(theirs.length > 0);
      assert.deepEqual(ours, theirs);
    });

    test('page by page: one instance per Enumerate/Pull gives the same list', TIMEOUT, async () => {
      const r = await cli(omi, ['enumerate', 'XYZ_Color', '--dialect', 'cim', '--namespace', 'root/cimv2', '--max-elements', '1', ...conn(t), '--json']);
      ok(r, 'enumerate --max-elements 1');
      assert.deepEqual(lines(r.stdout).map(fromCliJson), parseOmicli((await omicli(['ei', 'root/cimv2', 'XYZ_Color'])).stdout));
    });

    test('MSFT_President in interop and in root/cimv2: each namespace answers for itself', TIMEOUT, async () => {
      for (const ns of ['interop', 'root/cimv2']) {
        const { ours, theirs } = await enumerateBoth(t, ns, 'MSFT_President');
        assert.ok(theirs.length > 0, ns);
        assert.deepEqual(ours, theirs, ns);
      }
    });

    test('root/omi: OMI_Identify and TestClass_AllDMTFTypes', TIMEOUT, async () => {
      const id = await enumerateBoth(t, 'root/omi', 'OMI_Identify');
      assert.equal(id.ours.length, 1);
      const [ours] = id.ours as OmicliInstance[];
      const [theirs] = id.theirs;
      for (const p of ['InstanceID', 'ProductVersionString', 'SystemName', 'ProductName']) assert.equal(ours!.properties[p], theirs!.properties[p], p);
      const all = await enumerateBoth(t, 'root/omi', 'TestClass_AllDMTFTypes');
      const mine = byKey(all.ours, 'v_Key');
      assert.deepEqual([...mine.keys()].sort(), [...byKey(all.theirs, 'v_Key').keys()].sort());
      for (const [k, inst] of byKey(all.theirs, 'v_Key')) {
        for (const p of ['v_string', 'v_uint8', 'v_sint32', 'v_uint64', 'v_sint64', 'v_char16']) assert.equal(mine.get(k)!.properties[p], inst.properties[p], `${k}.${p}`);
      }
    });

    test('get: an instance with embedded instances (TestEmbeddedOperations key=1) equals omicli gi', TIMEOUT, async () => {
      const [r, o] = await Promise.all([
        cli(omi, ['get', 'TestEmbeddedOperations', '--dialect', 'cim', '--namespace', 'interop', '--selector', 'key=1', ...conn(t), '--json']),
        omicli(['gi', 'interop', '{', 'TestEmbeddedOperations', 'key', '1', '}']),
      ]);
      ok(r, 'get');
      ok(o, 'omicli gi');
      const ours = fromCliJson(JSON.parse(r.stdout)) as OmicliInstance;
      assert.equal((ours.properties.person as OmicliInstance).properties.Last, 'Smith');
      assert.deepEqual(ours, parseOmicli(o.stdout)[0]);
    });
  });
}

describe('invoke, compared with omicli iv', () => {
  test('MSFT_Person.Add (<p:Class_OUTPUT> reply): same ReturnValue and Z; a non-zero ReturnValue exits 9', TIMEOUT, async () => {
    const [r, o] = await Promise.all([
      cli(omi, ['invoke', 'MSFT_Person', 'Add', '--dialect', 'cim', '--namespace', 'interop', '--selector', 'Key=1', '--param', 'X=1', '--param', 'Y=2', ...conn('http ntlm (encrypted)'), '--json']),
      omicli(['iv', 'interop', '{', 'MSFT_Person', 'Key', '1', '}', 'Add', '{', 'X', '1', 'Y', '2', '}']),
    ]);
    ok(o, 'omicli iv');
    const theirs = parseOmicli(o.stdout)[0]!;
    const doc = JSON.parse(r.stdout) as { returnValue: number; outParams: Record<string, unknown> };
    assert.equal(String(doc.returnValue), theirs.properties.ReturnValue);
    assert.equal(doc.outParams.Z, theirs.properties.Z);
    assert.equal(r.code, doc.returnValue === 0 ? 0 : 9);
  });

  test('embedded instances both ways: TestEmbedded takes X_TestObject inputs and returns an X_TestObject as ReturnValue', TIMEOUT, async () => {
    const params: string[] = [];
    for (const id of [1, 2, 3]) {
      const path = join(files, `x${id}.xml`);
      writeFileSync(path, `<INSTANCE CLASSNAME="X_TestObject"><PROPERTY NAME="id" TYPE="uint64"><VALUE>${id}</VALUE></PROPERTY></INSTANCE>`);
      params.push('--param', `testObjectsArray:instance=${path}`);
    }
    for (const t of ['http ntlm (encrypted)', 'https basic'] as const) {
      const [r, o] = await Promise.all([
        cli(omi, ['invoke', 'TestEmbeddedOperations', 'TestEmbedded', '--dialect', 'cim', '--namespace', 'interop', ...params, ...conn(t), '--json']),
        omicli(['iv', 'interop', '{', 'TestEmbeddedOperations', '}', 'TestEmbedded', '{', 'testObjectsArray', '[', ...[1, 2, 3].flatMap((id) => ['{', 'X_TestObject', 'id', String(id), '}']), ']', '}']),
      ]);
      ok(r, `invoke TestEmbedded over ${t}`);
      ok(o, 'omicli iv TestEmbedded');
      const doc = JSON.parse(r.stdout) as { returnValue: number | null; outParams: Record<string, unknown> };
      const theirs = parseOmicli(o.stdout)[0]!;
      assert.equal(doc.returnValue, null, 'the ReturnValue is an instance, not a number');
      const rv = fromCliJson(doc.outParams.ReturnValue) as OmicliInstance;
      assert.equal(rv.properties.id, '6', 'the sum of the ids sent');
      assert.deepEqual(rv, theirs.properties.ReturnValue);
      assert.deepEqual(fromCliJson(doc.outParams.testObjectsArray), theirs.properties.testObjectsArray);
    }
  });
});

describe('the namespace asked for is reached, or the call fails', () => {
  test('--dialect auto asks Identify and then uses __cimnamespace', TIMEOUT, async () => {
    const r = await cli(omi, ['enumerate', 'XYZ_Color', '--dialect', 'auto', '--namespace', 'root/cimv2', ...conn('http ntlm (encrypted)'), '--json']);
    ok(r, 'enumerate --dialect auto');
    assert.deepEqual(lines(r.stdout).map(fromCliJson), parseOmicli((await omicli(['ei', 'root/cimv2', 'XYZ_Color'])).stdout));
  });

  test('the wmi dialect (the default) against OMI fails with ERR_WSMAN_PROTOCOL instead of returning another namespace\'s data', TIMEOUT, async () => {
    const r = await cli(omi, ['enumerate', 'MSFT_President', '--namespace', 'root/cimv2', ...conn('http ntlm (encrypted)')]);
    assert.equal(r.code, 6, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /ERR_WSMAN_PROTOCOL: .*--dialect cim/);
  });

  test('a namespace OMI does not have is an error', TIMEOUT, async () => {
    const r = await cli(omi, ['enumerate', 'XYZ_Color', '--dialect', 'cim', '--namespace', 'root/nowhere', ...conn('http ntlm (encrypted)')]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '');
  });
});
