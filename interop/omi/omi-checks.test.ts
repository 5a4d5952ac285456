/**
 * hyperv-wsman against Microsoft's OMI, part 2 (opt-in: `npm run test:omi`): what the first suite
 * (omi.test.ts) does not cover. Reference parameters in the cim dialect, WQL filters, Pull paging,
 * Get by key, the faults for an unknown class / namespace / instance (typed, exit code and words),
 * Identify without credentials, Basic over http only when opted in, TLS checks, a wrong password,
 * and `doctor` against a server that is not Windows. Answers are compared with OMI's own omicli
 * where it can ask the same question. A missing OMI build fails every test with the command that
 * builds it: nothing is skipped.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, conn as connArgs, jsonLines, ok, omicli, startOmi, stopOmi, type OmiEnv, type TransportName } from './omi-peer.js';
import { fromCliJson, parseOmicli, type OmicliInstance } from './omicli-output.js';

let omi: OmiEnv;
const TIMEOUT = { timeout: 120_000 };
const DMTF = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';

before(async () => {
  omi = await startOmi();
});
after(async () => {
  if (omi) await stopOmi(omi);
});

const conn = (t: TransportName): string[] => connArgs(omi, t);
const cim = (ns: string): string[] => ['--dialect', 'cim', '--namespace', ns];
/** How many SOAP requests of one kind --verbose shows going out (`>>> Pull`, `>>> Pull (encrypted on the wire)`; not NTLM handshake legs). */
const sent = (stderr: string, label: string): number => stderr.split('\n').filter((l) => l === `>>> ${label}` || l === `>>> ${label} (encrypted on the wire)`).length;

describe('a reference parameter in the cim dialect (--param Name:ref=Class?Key=Value)', () => {
  test('MSFT_Person.TestAllTypes takes rf as an EPR with the DMTF class URI and __cimnamespace; OMI reads it (Key 5 comes back as rf Key 6), as omicli iv sees', TIMEOUT, async () => {
    for (const t of ['http basic', 'http ntlm (encrypted)'] as const) {
      const args = ['invoke', 'MSFT_Person', 'TestAllTypes', ...cim('interop'), '--selector', 'Key=1', '--param', 's=abc', '--param', 'rf:ref=MSFT_Person?Key=5'];
      const [r, o] = await Promise.all([
        cli(omi, [...args, '--param', 'rfA:ref=MSFT_Person?Key=7', '--param', 'rfA:ref=MSFT_Person?Key=8', ...conn(t), '--json', '--verbose']),
        omicli(['iv', 'interop', '{', 'MSFT_Person', 'Key', '1', '}', 'TestAllTypes', '{', 's', 'abc', 'rf', '{', 'MSFT_Person', 'Key', '5', '}', '}']),
      ]);
      ok(o, 'omicli iv TestAllTypes');
      // The request as sent (before message encryption): the reference in the cim dialect's form.
      assert.match(
        r.stderr,
        new RegExp(`<p:rf><a:Address>[^<]+</a:Address><a:ReferenceParameters><w:ResourceURI>${DMTF}MSFT_Person</w:ResourceURI><w:SelectorSet><w:Selector Name="__cimnamespace">interop</w:Selector><w:Selector Name="Key">5</w:Selector>`),
      );
      assert.equal(sent(r.stderr, 'Invoke TestAllTypes'), 1, r.stderr.slice(0, 400));
      const doc = JSON.parse(r.stdout) as { returnValue: number | null; outParams: Record<string, unknown> };
      const theirs = parseOmicli(o.stdout)[0]!;
      // TestAllTypes returns the string "100": our CLI reads any non-zero ReturnValue as a failure code (exit 9).
      assert.equal(String(doc.returnValue), theirs.properties.ReturnValue);
      assert.equal(r.code, 9, r.stderr.split('\n').at(-2));
      const rf = doc.outParams.rf as { className: string; selectors: Record<string, string>; resourceUri: string };
      assert.equal(rf.className, 'MSFT_Person');
      assert.equal(rf.resourceUri, `${DMTF}MSFT_Person`);
      assert.equal(rf.selectors.Key, '6');
      assert.equal(rf.selectors.Key, ((theirs.properties.rf as OmicliInstance).properties.Key as string));
      assert.equal(doc.outParams.s, 'abc!');
    }
  });
});

describe('enumerate with a WQL filter (cim dialect: sent to the class the query selects from)', () => {
  const where = 'Id > 1002';
  test('--where and --wql give what omicli wql gives, over NTLM and over https; --dialect auto too', TIMEOUT, async () => {
    const o = await omicli(['wql', 'root/cimv2', `SELECT * FROM XYZ_Color WHERE ${where}`]);
    ok(o, 'omicli wql');
    const theirs = parseOmicli(o.stdout);
    assert.deepEqual(theirs.map((i) => i.properties.Id), ['1003', '1004']);
    for (const [t, args] of [
      ['http ntlm (encrypted)', ['XYZ_Color', '--where', where, ...cim('root/cimv2')]],
      ['https basic', ['--wql', `SELECT * FROM XYZ_Color WHERE ${where}`, ...cim('root/cimv2')]],
      ['http ntlm (encrypted)', ['--wql', `SELECT * FROM XYZ_Color WHERE ${where}`, '--dialect', 'auto', '--namespace', 'root/cimv2']],
    ] as const) {
      const r = await cli(omi, ['enumerate', ...args, ...conn(t), '--json']);
      ok(r, `enumerate ${args.join(' ')}`);
      assert.deepEqual(jsonLines(r.stdout).map(fromCliJson), theirs, args.join(' '));
    }
  });

  test('a query about another class than the resource URI names: OMI refuses it (wsman:InternalError, CIM_ERR_INVALID_QUERY), exit 6', TIMEOUT, async () => {
    const r = await cli(omi, ['enumerate', '--resource-uri', `${DMTF}XYZ_Color`, '--selector', '__cimnamespace=root/cimv2', '--wql', 'SELECT * FROM MSFT_President', ...conn('http basic')]);
    assert.equal(r.code, 6, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /ERR_WSMAN_FAULT: wsman:InternalError: The query is not valid for the specified query language\. \[OMI_Error CIMStatusCode 15\]/);
  });
});

describe('Pull paging', () => {
  test('MSFT_President (5 instances) two per page: one Enumerate and two Pulls, the same list as omicli ei', TIMEOUT, async () => {
    const [r, o] = await Promise.all([cli(omi, ['enumerate', 'MSFT_President', ...cim('interop'), '--max-elements', '2', ...conn('http ntlm (encrypted)'), '--json', '--verbose']), omicli(['ei', 'interop', 'MSFT_President'])]);
    ok(r, 'enumerate --max-elements 2');
    const theirs = parseOmicli(o.stdout);
    assert.equal(theirs.length, 5);
    assert.deepEqual(jsonLines(r.stdout).map(fromCliJson), theirs);
    assert.equal(sent(r.stderr, 'Enumerate'), 1);
    assert.equal(sent(r.stderr, 'Pull'), 2);
  });
});

describe('get with selectors', () => {
  test('MSFT_President Key=3 equals omicli gi', TIMEOUT, async () => {
    const [r, o] = await Promise.all([cli(omi, ['get', 'MSFT_President', ...cim('interop'), '--selector', 'Key=3', ...conn('https basic'), '--json']), omicli(['gi', 'interop', '{', 'MSFT_President', 'Key', '3', '}'])]);
    ok(r, 'get');
    ok(o, 'omicli gi');
    assert.deepEqual(fromCliJson(JSON.parse(r.stdout)), parseOmicli(o.stdout)[0]);
    assert.equal((parseOmicli(o.stdout)[0]!.properties.Last), 'Jefferson');
  });

  test('a provider without Get (XYZ_Color): wsman:UnsupportedFeature with CIM_ERR_NOT_SUPPORTED, exit 6; omicli gi fails too', TIMEOUT, async () => {
    const [r, o] = await Promise.all([cli(omi, ['get', 'XYZ_Color', ...cim('root/cimv2'), '--selector', 'Id=1001', ...conn('http basic')]), omicli(['gi', 'root/cimv2', '{', 'XYZ_Color', 'Id', '1001', '}'])]);
    assert.notEqual(o.code, 0);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /wsman:UnsupportedFeature: CIM ERROR:NOT_SUPPORTED: .*\[OMI_Error CIMStatusCode 7\]/);
  });
});

describe('faults: typed (OMI_Error CIMStatusCode), exit code, words', () => {
  const cases = [
    { what: 'an unknown class', args: ['get', 'NoSuch_Class', ...cim('root/cimv2'), '--selector', 'Id=1'], exit: 7, said: /wsa:DestinationUnreachable: The specified class does not exist\. \[OMI_Error CIMStatusCode 5\]/ },
    { what: 'an unknown class (enumerate)', args: ['enumerate', 'NoSuch_Class', ...cim('root/cimv2')], exit: 7, said: /wsa:DestinationUnreachable: The specified class does not exist\. \[OMI_Error CIMStatusCode 5\]/ },
    { what: 'an unknown namespace', args: ['enumerate', 'XYZ_Color', ...cim('root/nowhere')], exit: 7, said: /wsa:DestinationUnreachable: The target namespace does not exist\. \[OMI_Error CIMStatusCode 3\]/ },
    { what: 'a missing instance', args: ['get', 'MSFT_President', ...cim('interop'), '--selector', 'Key=99'], exit: 7, said: /wsa:DestinationUnreachable: CIM ERROR:NOT_FOUND: The requested object cannot be found\. \[OMI_Error CIMStatusCode 6\] No instance of MSFT_President has Key=99: check the --selector values \(hyperv-wsman enumerate MSFT_President lists its instances with their keys\)\.$/m },
    // Windows answers a key name the class lacks with wsman:InvalidSelectors (exit 7); OMI with CIM_ERR_NO_SUCH_PROPERTY under InternalError.
    { what: 'a key the class does not have', args: ['get', 'MSFT_President', ...cim('interop'), '--selector', 'Nope=3'], exit: 6, said: /wsman:InternalError: The specified property does not exist\. \[OMI_Error CIMStatusCode 12\]/ },
  ];
  for (const c of cases) {
    test(`${c.what}: exit ${c.exit}`, TIMEOUT, async () => {
      const r = await cli(omi, [...c.args, ...conn('http basic'), '--json']);
      assert.equal(r.code, c.exit, r.stderr);
      assert.match(r.stderr, new RegExp(`^hyperv-wsman: ERR_WSMAN_FAULT: ${c.said.source}`, 'm'));
      const doc = jsonLines(r.stdout) as { error: { code: string; message: string } }[];
      assert.equal(doc.length, 1);
      assert.equal(doc[0]!.error.code, 'ERR_WSMAN_FAULT');
      assert.match(doc[0]!.error.message, c.said);
    });
  }

  test('the omicli view of the same missing instance: MI_RESULT_NOT_FOUND, CIMStatusCode 6', TIMEOUT, async () => {
    const o = await omicli(['gi', 'interop', '{', 'MSFT_President', 'Key', '99', '}']);
    assert.notEqual(o.code, 0);
    assert.match(o.stdout + o.stderr, /MI_RESULT_NOT_FOUND/);
    assert.equal(parseOmicli(o.stdout)[0]!.properties.CIMStatusCode, '6');
  });
});

describe('identify without credentials', () => {
  test('OMI never answers it (no 401 either): exit 5 after --read-timeout, and the error says to identify with --user', TIMEOUT, async () => {
    const r = await cli(omi, ['identify', '--unauthenticated', '--host', '127.0.0.1', '--port', String(omi.httpPort), '--scheme', 'http', '--operation-timeout', '1', '--read-timeout', '3']);
    assert.equal(r.code, 5, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /ERR_TIMEOUT: The host sent no answer within 3 s \(--read-timeout\) to an Identify without credentials\. .*Microsoft OMI.*identify with --user, without --unauthenticated/);
  });
});

describe('authentication and TLS', () => {
  test('Basic over http is refused before anything is sent unless --allow-unencrypted; with it, OMI answers', TIMEOUT, async () => {
    const refused = await cli(omi, ['identify', '--host', '127.0.0.1', '--user', omi.user, '--port', String(omi.httpPort), '--scheme', 'http', '--transport', 'basic']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--allow-unencrypted/);
    const r = await cli(omi, ['enumerate', 'XYZ_Color', ...cim('root/cimv2'), ...conn('http basic'), '--json']);
    ok(r, 'enumerate over http basic');
    assert.equal(jsonLines(r.stdout).length, 4);
  });

  test('a wrong password: exit 4 over Basic (http, https) and NTLM (http)', TIMEOUT, async () => {
    for (const t of ['http basic', 'https basic', 'http ntlm (encrypted)'] as const) {
      const r = await cli(omi, ['identify', ...conn(t)], 'Not-The-Password-7');
      assert.equal(r.code, 4, `${t}: ${r.stderr}`);
      assert.match(r.stderr, /ERR_AUTH/, t);
      assert.ok(!(r.stdout + r.stderr).includes('Not-The-Password-7'), t);
    }
  });

  test('https: a certificate not issued for the name asked for, and one from an untrusted CA, fail the TLS check (exit 5)', TIMEOUT, async () => {
    // The certificate is for IP 127.0.0.1 only; "localhost" is a name mismatch on purpose (start.sh).
    const byName = await cli(omi, ['identify', '--host', 'localhost', '--user', omi.user, '--port', String(omi.httpsPort), '--scheme', 'https', '--transport', 'basic', '--ca-trust-path', omi.ca]);
    assert.equal(byName.code, 5, byName.stderr);
    assert.match(byName.stderr, /ERR_TLS/);
    const untrusted = await cli(omi, ['identify', '--host', '127.0.0.1', '--user', omi.user, '--port', String(omi.httpsPort), '--scheme', 'https', '--transport', 'basic']);
    assert.equal(untrusted.code, 5, untrusted.stderr);
    assert.match(untrusted.stderr, /ERR_TLS/);
  });
});

describe('doctor against OMI (not Windows, no Hyper-V)', () => {
  interface Step {
    id: string;
    status: string;
    summary: string;
    fix?: string;
    code?: string;
    facts: Record<string, unknown>;
  }
  const run = async (t: TransportName): Promise<{ code: number; steps: Map<string, Step> }> => {
    const r = await cli(omi, ['doctor', ...conn(t), '--operation-timeout', '1', '--read-timeout', '3', '--json']);
    const doc = JSON.parse(r.stdout) as { exitCode: number; steps: Step[] };
    assert.equal(doc.exitCode, r.code);
    return { code: r.code, steps: new Map(doc.steps.map((s) => [s.id, s])) };
  };

  test('NTLM over http: no 401 is a warning, the NTLM challenge and Identify pass, the Hyper-V step says this is not a Hyper-V host (exit 7)', TIMEOUT, async () => {
    const { code, steps } = await run('http ntlm (encrypted)');
    assert.equal(code, 7);
    assert.equal(steps.get('auth-schemes')?.status, 'warn');
    assert.match(steps.get('auth-schemes')!.summary, /sent no answer within 3 s/);
    assert.match(steps.get('auth-schemes')!.fix ?? '', /Microsoft OMI/);
    assert.equal(steps.get('ntlm-challenge')?.status, 'pass', steps.get('ntlm-challenge')?.summary);
    assert.equal(steps.get('identify')?.status, 'pass');
    assert.equal(steps.get('identify')?.facts.productVendor, 'Open Management Infrastructure');
    assert.equal(steps.get('identify')?.facts.dialect, 'cim');
    const ns = steps.get('hyperv-namespace')!;
    assert.equal(ns.status, 'fail');
    assert.equal(ns.code, 'ERR_NOT_FOUND');
    assert.match(ns.summary, /^not a Hyper-V host: Open Management Infrastructure \S+ is not Windows WinRM, and it has no Msvm_VirtualSystemManagementService \(wsa:DestinationUnreachable: The specified class does not exist\. \[OMI_Error CIMStatusCode 5\]\)/);
    assert.match(ns.fix ?? '', /Hyper-V runs only on Windows/);
  });

  test('Basic over https: the TLS step verifies the chain and the name; the same ending', TIMEOUT, async () => {
    const { code, steps } = await run('https basic');
    assert.equal(code, 7);
    const tls = steps.get('tls')!;
    assert.notEqual(tls.status, 'fail', tls.summary);
    assert.equal(tls.facts.chainVerified, true);
    assert.equal(tls.facts.nameMatches, true);
    assert.equal(steps.get('identify')?.status, 'pass');
    assert.match(steps.get('hyperv-namespace')!.summary, /^not a Hyper-V host/);
  });
});
