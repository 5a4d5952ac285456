// "Bad input never crashes": deterministic fuzzing of every parser that sees untrusted XML or text.
// Seeds are real: replies captured from the emulated host over HTTP, the recorded Windows faults in
// test/fixtures/faults, the golden request envelopes, and CIM-XML in the dialect WMI writes. Each seed
// is mutated with a fixed-seed PRNG (test/helpers/fuzz.ts) at three levels: bytes (bit flips,
// truncation, invalid UTF-8), text (removed/duplicated tags, swapped quotes, entities, huge repetition,
// NUL and other characters XML cannot carry) and tree (well-formed but wrongly shaped: dropped,
// duplicated, renamed, re-namespaced, nil'd or re-typed elements). The invariant for every case: the
// function returns a value or throws a HypervWsmanError; returned values render (JSON, text) without
// throwing, decoders hand back only CimValues, and each layer throws only its own kinds of error.
// Then semantic round trips (CIM-XML encode/decode, escapeText/escapeAttr through parseXml), and one
// focused regression test per bug the fuzzer found, naming the input. A failure names the seed, case
// number and mutations, so it reproduces exactly (FUZZ_STATS=1 prints the outcome mix per test).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CimDecodeError, ErrorCodes, XmlEncodeError, XmlLimitError, XmlParseError, type ErrorCode, type HypervWsmanError } from '../src/errors.js';
import { parseXml } from '../src/xml/parse.js';
import { serializeXml } from '../src/xml/serialize.js';
import { escapeAttr, escapeText } from '../src/xml/escape.js';
import { attr, elements, textOf, type XmlElement, type XmlNode } from '../src/xml/tree.js';
import {
  buildEnumerateRequest,
  buildGetRequest,
  buildIdentifyRequest,
  buildInvokeRequest,
  buildPullRequest,
  buildReleaseRequest,
  type WsmanRequest,
} from '../src/wsman/requests.js';
import {
  parseEnumerationPage,
  parseGetResponse,
  parseIdentifyResponse,
  parseInvokeResponse,
  parseReply,
  type ParsedEnvelope,
} from '../src/wsman/responses.js';
import { WsmanFaultError, findFault, isAccessDeniedFault, isNotFoundFault, isTimeoutFault, parseFault } from '../src/wsman/fault.js';
import { HYPERV_NAMESPACE, wmiResourceUri } from '../src/wsman/namespaces.js';
import { decodeCimXmlInstance, encodeCimXmlInstance } from '../src/cim/cim-xml.js';
import { decodeEmbeddedInstanceParam, decodeWsCimInstance } from '../src/cim/ws-cim.js';
import { decodeEpr, formatObjectPath } from '../src/cim/epr.js';
import { formatCimDateTime, parseCimDateTime, parseXsDate, parseXsDateTime, parseXsDuration, parseXsTime } from '../src/cim/datetime.js';
import { CimDateTime, CimInterval, cimValueToJson, isCimInstance, type CimInstance, type CimPropertyInfo, type CimScalar, type CimValue } from '../src/cim/types.js';
import { formatMsvmError, msvmErrorToJson, toMsvmError } from '../src/hyperv/msvm-error.js';
import { jobRefFromOutput, jobRefFromReference, toHypervJob } from '../src/hyperv/jobs.js';
import { jobToJson } from '../src/hyperv/job-json.js';
import { MSVM_ERROR_SCHEMA, schemaFor, schemaProperty } from '../src/hyperv/class-schemas.js';
import { DEFAULT_JOBS, DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, msvmErrorCimXml, startEmulatedHost } from '../src/emulator/index.js';
import { FuzzLog, INTERESTING_TEXT, Rng, excerpt, fuzzCases, fuzzSeed, mutateBytes, mutateText, mutateTree } from './helpers/fuzz.js';

// ---------------------------------------------------------------------------------------------
// Seeds

type ReplyKind = 'identify' | 'get' | 'enumerate' | 'pull' | 'release' | 'invoke' | 'fault';

interface ReplySeed {
  readonly name: string;
  readonly kind: ReplyKind;
  readonly request: WsmanRequest;
  /** Method name for invoke replies. */
  readonly method?: string;
  readonly xml: string;
}

const V2 = (cls: string): string => wmiResourceUri(HYPERV_NAMESPACE, cls);
const BASIC = `Basic ${Buffer.from(`${DEFAULT_USER}:${DEFAULT_PASSWORD}`).toString('base64')}`;

function post(url: string, xml: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { Authorization: BASIC, 'Content-Type': 'application/soap+xml;charset=UTF-8' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(xml);
  });
}

/** Real replies of the emulated host to the requests our own builders write. */
async function captureReplies(): Promise<ReplySeed[]> {
  const host = await startEmulatedHost({ auth: { basic: true }, allowUnencrypted: true });
  try {
    const ctx = { to: host.url };
    const seeds: ReplySeed[] = [];
    const capture = async (name: string, kind: ReplyKind, request: WsmanRequest, method?: string): Promise<ReplySeed> => {
      const seed = { name, kind, request, xml: await post(host.url, request.xml), ...(method ? { method } : {}) };
      seeds.push(seed);
      return seed;
    };
    const jobUri = V2('Msvm_ConcreteJob');
    await capture('identify', 'identify', buildIdentifyRequest());
    await capture('get-failed-concrete', 'get', buildGetRequest(ctx, jobUri, { InstanceID: FIXTURE_JOB_IDS.failedConcrete }));
    await capture('get-failed-migration', 'get', buildGetRequest(ctx, V2('Msvm_MigrationJob'), { InstanceID: FIXTURE_JOB_IDS.failedMigration }));
    const enumerate = await capture('enumerate', 'enumerate', buildEnumerateRequest(ctx, V2('*'), { wql: 'SELECT * FROM Msvm_ConcreteJob', maxElements: 2 }));
    const context = parseEnumerationPage(parseReply(enumerate.xml, enumerate.request).body, 'EnumerateResponse').context;
    assert.ok(context, 'the emulator keeps the enumeration open after 2 items');
    await capture('pull', 'pull', buildPullRequest(ctx, V2('*'), context, 2));
    await capture('release', 'release', buildReleaseRequest(ctx, V2('*'), context));
    await capture('geterror', 'invoke', buildInvokeRequest(ctx, jobUri, 'GetError', { selectors: { InstanceID: FIXTURE_JOB_IDS.failedConcrete } }), 'GetError');
    await capture('geterrorex', 'invoke', buildInvokeRequest(ctx, jobUri, 'GetErrorEx', { selectors: { InstanceID: FIXTURE_JOB_IDS.twoErrors } }), 'GetErrorEx');
    await capture('migrate-job-epr', 'invoke', buildInvokeRequest(ctx, V2('Msvm_VirtualSystemMigrationService'), 'MigrateVirtualSystemToHost'), 'MigrateVirtualSystemToHost');
    await capture('fault-not-found', 'fault', buildGetRequest(ctx, jobUri, { InstanceID: 'NO-SUCH-JOB' }));
    await capture('fault-bad-wql', 'fault', buildEnumerateRequest(ctx, V2('*'), { wql: 'SELECT FROM WHERE' }));
    return seeds;
  } finally {
    await host.close();
  }
}

const FIXTURES = join(import.meta.dirname, 'fixtures', 'faults');
const GOLDEN = join(import.meta.dirname, 'golden');
const FAULT_REQUEST: WsmanRequest = { action: 'urn:fuzz', messageId: '', xml: '', idempotent: true, label: 'Fuzz' };

function recordedFaults(): ReplySeed[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => ({ name: `faults/${f}`, kind: 'fault', request: FAULT_REQUEST, xml: readFileSync(join(FIXTURES, f), 'utf8') }));
}

function goldenRequests(): Array<{ name: string; xml: string }> {
  return readdirSync(GOLDEN)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => ({ name: `golden/${f}`, xml: readFileSync(join(GOLDEN, f), 'utf8') }));
}

/** CIM-XML as WMI writes it (with and without system properties), plus references, datetimes, arrays and nesting. */
function cimXmlSeeds(): Array<{ name: string; xml: string }> {
  const withErrors = DEFAULT_JOBS.filter((j) => (j.errors?.length ?? 0) > 0);
  const seeds = withErrors.slice(0, 2).map((j, i) => ({ name: `msvm-error-${j.instanceId}`, xml: msvmErrorCimXml(j.errors![0]!, { systemProperties: i === 0, computerName: 'HV01' }) }));
  seeds.push({
    name: 'references',
    xml:
      '<INSTANCE CLASSNAME="Msvm_AffectedJobElement">' +
      '<PROPERTY.REFERENCE NAME="AffectingElement" REFERENCECLASS="CIM_Job"><VALUE.REFERENCE><INSTANCEPATH>' +
      '<NAMESPACEPATH><HOST>HV01</HOST><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virtualization"/><NAMESPACE NAME="v2"/></LOCALNAMESPACEPATH></NAMESPACEPATH>' +
      '<INSTANCENAME CLASSNAME="Msvm_ConcreteJob"><KEYBINDING NAME="InstanceID"><KEYVALUE VALUETYPE="string">8A1F2E3D</KEYVALUE></KEYBINDING></INSTANCENAME>' +
      '</INSTANCEPATH></VALUE.REFERENCE></PROPERTY.REFERENCE>' +
      '<PROPERTY.REFERENCE NAME="Nested"><VALUE.REFERENCE><INSTANCENAME CLASSNAME="Msvm_Link">' +
      '<KEYBINDING NAME="Target"><VALUE.REFERENCE><LOCALINSTANCEPATH><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/></LOCALNAMESPACEPATH>' +
      '<INSTANCENAME CLASSNAME="Msvm_Foo"><KEYBINDING NAME="Id"><KEYVALUE>a"b</KEYVALUE></KEYBINDING></INSTANCENAME></LOCALINSTANCEPATH></VALUE.REFERENCE></KEYBINDING>' +
      '</INSTANCENAME></VALUE.REFERENCE></PROPERTY.REFERENCE>' +
      '<PROPERTY.REFERENCE NAME="Cls"><VALUE.REFERENCE><LOCALCLASSPATH><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/></LOCALNAMESPACEPATH><CLASSNAME NAME="X"/></LOCALCLASSPATH></VALUE.REFERENCE></PROPERTY.REFERENCE>' +
      '</INSTANCE>',
  });
  seeds.push({
    name: 'typed-values',
    xml:
      '<VALUE.NAMEDINSTANCE><INSTANCENAME CLASSNAME="Msvm_ConcreteJob"/><INSTANCE CLASSNAME="Msvm_ConcreteJob" xml:lang="en-US">' +
      '<QUALIFIER NAME="dynamic" TYPE="boolean"><VALUE>TRUE</VALUE></QUALIFIER>' +
      '<PROPERTY NAME="StartTime" TYPE="datetime"><VALUE>20240305142210.123456-480</VALUE></PROPERTY>' +
      '<PROPERTY NAME="TimeBeforeRemoval" TYPE="datetime"><VALUE>00000000000500.000000:000</VALUE></PROPERTY>' +
      '<PROPERTY NAME="JobState" TYPE="uint16"><VALUE>10</VALUE></PROPERTY>' +
      '<PROPERTY NAME="Size" TYPE="uint64"><VALUE>18446744073709551615</VALUE></PROPERTY>' +
      '<PROPERTY NAME="Ratio" TYPE="real64"><VALUE>-1.5e300</VALUE></PROPERTY>' +
      '<PROPERTY NAME="Cancellable" TYPE="boolean"><VALUE>false</VALUE></PROPERTY>' +
      '<PROPERTY.ARRAY NAME="OperationalStatus" TYPE="uint16"><VALUE.ARRAY><VALUE>6</VALUE><VALUE.NULL/><VALUE>2</VALUE></VALUE.ARRAY></PROPERTY.ARRAY>' +
      '<PROPERTY NAME="Inner" TYPE="string" EmbeddedObject="instance"><VALUE>&lt;INSTANCE CLASSNAME="Msvm_Error"&gt;&lt;PROPERTY NAME="Message" TYPE="string"&gt;&lt;VALUE&gt;x&lt;/VALUE&gt;&lt;/PROPERTY&gt;&lt;/INSTANCE&gt;</VALUE></PROPERTY>' +
      '<PROPERTY.ARRAY NAME="Inners" TYPE="string"><QUALIFIER NAME="EmbeddedInstance" TYPE="string"><VALUE>CIM_Error</VALUE></QUALIFIER><VALUE.ARRAY><VALUE>&lt;INSTANCE CLASSNAME="E"/&gt;</VALUE><VALUE.NULL/></VALUE.ARRAY></PROPERTY.ARRAY>' +
      '</INSTANCE></VALUE.NAMEDINSTANCE>',
  });
  return seeds;
}

// ---------------------------------------------------------------------------------------------
// Pipelines: everything the library does with one reply, as a client would

/** Rendering must never throw at all: not even a typed error (these views are documented as total). */
class RenderFailure extends Error {}
function render(what: string, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    throw new RenderFailure(`${what} threw ${err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)}`, { cause: err });
  }
}

function checkDatetime(v: CimDateTime | CimInterval): void {
  if (v instanceof CimDateTime && v.date !== null && Number.isNaN(v.date.getTime())) throw new RenderFailure(`datetime ${v.raw} decoded to an Invalid Date`);
  render('datetime toJSON', () => JSON.stringify(v));
}

const CIM_TYPES: ReadonlySet<string> = new Set([
  'boolean', 'string', 'char16', 'uint8', 'sint8', 'uint16', 'sint16', 'uint32', 'sint32', 'uint64', 'sint64', 'real32', 'real64', 'datetime',
  'reference', 'instance', 'unknown',
]);

/** A decoder must hand back CimValues only: never a function, a boxed String, undefined... */
function checkCimValue(v: unknown, where: string): void {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return;
  if (v instanceof CimDateTime || v instanceof CimInterval) return checkDatetime(v);
  if (Array.isArray(v)) {
    for (const x of v) {
      if (Array.isArray(x)) throw new RenderFailure(`${where}: nested array`);
      checkCimValue(x, where);
    }
    return;
  }
  if (typeof v === 'object' && (v as { kind?: unknown }).kind === 'reference') {
    for (const [k, s] of Object.entries((v as { selectors: Record<string, unknown> }).selectors)) {
      if (typeof s !== 'string') throw new RenderFailure(`${where}: selector ${k} is ${typeof s}`);
    }
    return;
  }
  if (typeof v === 'object' && (v as { kind?: unknown }).kind === 'instance') return checkInstance(v as CimInstance);
  throw new RenderFailure(`${where}: not a CimValue: ${typeof v} ${Object.prototype.toString.call(v)}`);
}

function checkInstance(inst: CimInstance): void {
  if (typeof inst.className !== 'string') throw new RenderFailure(`className is ${typeof inst.className}`);
  if (Object.getPrototypeOf(inst.properties) !== Object.prototype) throw new RenderFailure(`${inst.className}: properties have a foreign prototype`);
  for (const [name, v] of Object.entries(inst.properties)) {
    checkCimValue(v, `${inst.className}.${name}`);
    const info = inst.propertyInfo[name];
    if (!info || !CIM_TYPES.has(info.type)) throw new RenderFailure(`${inst.className}.${name}: propertyInfo.type ${String(info?.type)}`);
  }
}

/** Everything a caller might do with a decoded instance. */
function useInstance(inst: CimInstance): void {
  checkInstance(inst);
  render('cimValueToJson', () => JSON.stringify(cimValueToJson(inst)));
  render('toHypervJob/jobToJson', () => JSON.stringify(jobToJson(toHypervJob(inst))));
  render('toMsvmError', () => {
    const e = toMsvmError(inst);
    JSON.stringify(msvmErrorToJson(e));
    formatMsvmError(e);
  });
}

function useWsCimElement(el: XmlElement): void {
  useInstance(decodeWsCimInstance(el));
  const schema = schemaFor(el.local.replace(/_Type$/, ''));
  if (schema) useInstance(decodeWsCimInstance(el, schema));
}

function useEnvelope(env: ParsedEnvelope, seed: ReplySeed): void {
  const body = env.body;
  switch (seed.kind) {
    case 'identify': {
      const id = parseIdentifyResponse(body);
      render('identify JSON', () => JSON.stringify(id));
      break;
    }
    case 'get':
      useWsCimElement(parseGetResponse(body));
      break;
    case 'enumerate':
    case 'pull': {
      const page = parseEnumerationPage(body, seed.kind === 'enumerate' ? 'EnumerateResponse' : 'PullResponse');
      for (const item of page.items) useWsCimElement(item);
      break;
    }
    case 'invoke': {
      const out = parseInvokeResponse(body, seed.method ?? '');
      useInstance(decodeWsCimInstance(out.output, { ReturnValue: { type: 'uint32' } }));
      const ref = jobRefFromOutput(out);
      if (ref) render('job ref JSON', () => JSON.stringify(ref));
      for (const p of elements(out.output)) {
        if (p.local === 'Error' || p.local === 'Errors') {
          const inst = decodeEmbeddedInstanceParam(p, { schema: MSVM_ERROR_SCHEMA });
          if (inst) useInstance(inst);
        } else if (p.local === 'Job') {
          const r = decodeEpr(p);
          render('formatObjectPath', () => formatObjectPath(r));
          jobRefFromReference(r);
        }
      }
      break;
    }
    case 'release':
    case 'fault':
      break;
  }
}

function useFault(err: WsmanFaultError): void {
  render('fault info', () => {
    JSON.stringify(err.info);
    isNotFoundFault(err);
    isTimeoutFault(err);
    isAccessDeniedFault(err);
    String(err.message);
  });
  if (err.wmiError) useInstance(err.wmiError);
  if (err.extendedStatus) useInstance(err.extendedStatus);
  if (err.providerFault?.extendedError) useInstance(err.providerFault.extendedError);
}

/** parseReply and everything after it; a fault is read in full before it is rethrown. */
function replyPipeline(input: string | Uint8Array, seed: ReplySeed, request: WsmanRequest, charset?: string): void {
  let env: ParsedEnvelope;
  try {
    env = parseReply(input, request, { httpStatus: 500, ...(charset !== undefined ? { charset } : {}) });
  } catch (err) {
    if (err instanceof WsmanFaultError) useFault(err);
    throw err;
  }
  useEnvelope(env, seed);
}

/** Text that parses must survive serializeXml and parse again to the same tree (fault details rely on it). */
function xmlPipeline(input: string | Uint8Array): void {
  const tree = parseXml(input);
  let xml = '';
  render('serializeXml of a parsed tree', () => (xml = serializeXml(tree)));
  const again = parseXml(xml);
  assert.deepEqual(normalize(again), normalize(tree), 'serializeXml(parseXml(x)) parses back to the same tree');
}

interface PlainNode {
  ns: string;
  local: string;
  attrs: string[];
  children: Array<PlainNode | string>;
}

/** Names, namespaces, attributes and merged text: what serialization must preserve (prefixes and CDATA-ness may change). */
function normalize(el: XmlElement): PlainNode {
  const children: Array<PlainNode | string> = [];
  for (const c of el.children) {
    if (c.kind === 'element') children.push(normalize(c));
    else if (typeof children.at(-1) === 'string') children[children.length - 1] += c.value;
    else children.push(c.value);
  }
  return {
    ns: el.ns,
    local: el.local,
    attrs: el.attrs.map((a) => `{${a.ns}}${a.local}=${a.value}`).sort(),
    children: children.filter((c) => c !== ''),
  };
}

function cimXmlPipeline(text: string): void {
  const inst = decodeCimXmlInstance(text);
  useInstance(inst);
  // Whatever decoded must be writable again, or refused with a typed error.
  encodeCimXmlInstance(inst);
}

/**
 * The typed errors each layer may raise: anything else (XmlEncodeError from a reply parser, say)
 * means a failure surfaced as the wrong kind of error.
 */
const allow = (...codes: ErrorCode[]) => (e: HypervWsmanError): boolean => codes.includes(e.code);
const XML_ERRORS = [ErrorCodes.XML_MALFORMED, ErrorCodes.XML_FORBIDDEN, ErrorCodes.XML_TOO_LARGE, ErrorCodes.XML_LIMIT] as const;
const XML_EDGE = allow(...XML_ERRORS);
const REPLY = allow(...XML_ERRORS, ErrorCodes.PROTOCOL, ErrorCodes.WSMAN_FAULT, ErrorCodes.CIM_DECODE);
/** Decoding, then re-encoding what decoded (which may refuse a value with InvalidOptionError). */
const DECODE_ENCODE = allow(...XML_ERRORS, ErrorCodes.CIM_DECODE, ErrorCodes.INVALID_OPTION);

/** Assert after a fuzz loop: no untyped throw anywhere, and a minimum number of cases really ran. */
function assertClean(log: FuzzLog, minCases: number, name = 'parsers'): void {
  if (process.env.FUZZ_STATS) console.log(log.stats(name));
  assert.ok(log.cases >= minCases, `expected at least ${minCases} cases, ran ${log.cases}`);
  assert.equal(log.failures.length, 0, `${log.failures.length} of ${log.cases} cases broke the invariant:\n${log.report()}`);
}

// ---------------------------------------------------------------------------------------------

let replies: ReplySeed[] = [];
before(async () => {
  replies = [...(await captureReplies()), ...recordedFaults()];
});

describe('fuzz: the XML edge (parseXml, serializeXml round trip)', () => {
  test('text mutants of every seed: a tree or a typed error, and what parses re-serializes', () => {
    const log = new FuzzLog();
    const seeds = [...replies.map((r) => ({ name: r.name, xml: r.xml })), ...goldenRequests(), ...cimXmlSeeds()];
    assert.ok(seeds.length >= 30, `seeds: ${seeds.length}`);
    for (const [s, seed] of seeds.entries()) {
      const rng = new Rng(fuzzSeed(0x5eed0000 + s));
      log.run(`${seed.name} unmutated`, () => xmlPipeline(seed.xml), XML_EDGE);
      for (let i = 0; i < fuzzCases(40); i++) {
        const { text, ops } = mutateText(rng, seed.xml);
        log.run(`${seed.name} #${i} [${ops.join(',')}] ${excerpt(text)}`, () => xmlPipeline(text), XML_EDGE);
      }
    }
    assertClean(log, 1200);
  });

  test('byte mutants (bit flips, invalid UTF-8, BOMs, truncation): a tree or a typed error', () => {
    const log = new FuzzLog();
    for (const [s, seed] of replies.entries()) {
      const rng = new Rng(fuzzSeed(0xb17e0000 + s));
      const bytes = new TextEncoder().encode(seed.xml);
      for (let i = 0; i < fuzzCases(25); i++) {
        const { bytes: b, ops } = mutateBytes(rng, bytes);
        log.run(`${seed.name} #${i} [${ops.join(',')}] ${excerpt(b)}`, () => xmlPipeline(b), XML_EDGE);
      }
    }
    assertClean(log, 400);
  });

  test('truncation at every 7th position of a fault and a GetError reply', () => {
    const log = new FuzzLog();
    for (const seed of replies.filter((r) => r.name === 'geterror' || r.name.includes('c-wmi-error'))) {
      for (let n = 0; n < seed.xml.length; n += 7) log.run(`${seed.name} cut at ${n}`, () => replyPipeline(seed.xml.slice(0, n), seed, seed.request), REPLY);
    }
    assertClean(log, 300);
  });

  test('deep nesting (10k and 100k elements, closed and unclosed) is refused with XmlLimitError, not a RangeError', () => {
    const isDepth = (e: unknown): boolean => e instanceof XmlLimitError && e.limit === 'depth';
    for (const n of [10_000, 100_000]) {
      const docs = ['<a>'.repeat(n) + '</a>'.repeat(n), '<a>'.repeat(n), `<r>${'<x:a xmlns:x="urn:x" k="v">'.repeat(n)}${'</x:a>'.repeat(n)}</r>`];
      for (const doc of docs) assert.throws(() => parseXml(doc), isDepth, `depth ${n}`);
    }
    // The same through the reply parser and the CIM-XML decoder.
    const body = '<x>'.repeat(20_000) + '</x>'.repeat(20_000);
    const envelope = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${body}</s:Body></s:Envelope>`;
    assert.throws(() => parseReply(envelope, FAULT_REQUEST), isDepth);
    assert.throws(() => decodeCimXmlInstance(`<INSTANCE CLASSNAME="X">${body}</INSTANCE>`), isDepth);
  });

  test('nesting the library accepts (WS-Man replies are < 20 deep) is read without recursion trouble in every reader', () => {
    // 90 levels: under the parser's cap; textOf, serializeXml, findDescendant and decodeWsCimInstance all recurse.
    const depth = 90;
    const inner = `${'<p:N>'.repeat(depth)}v${'</p:N>'.repeat(depth)}`;
    const xml = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><p:Msvm_ConcreteJob xmlns:p="urn:p">${inner}</p:Msvm_ConcreteJob></s:Body></s:Envelope>`;
    const env = parseReply(xml, FAULT_REQUEST);
    const inst = decodeWsCimInstance(parseGetResponse(env.body));
    useInstance(inst);
    assert.equal(textOf(env.body), 'v');
    xmlPipeline(xml);
  });

  test('floods: 20k siblings, 1 MB of text, 5k entity references are read; past the bounds, XmlLimitError (tested at and past each in xml-parse.test.ts)', () => {
    assert.throws(() => parseXml(`<r ${Array.from({ length: 20_000 }, (_, i) => `a${i}="${i}"`).join(' ')}/>`), (e: unknown) => e instanceof XmlLimitError && e.limit === 'attributes');
    assert.equal(elements(parseXml(`<r>${'<c/>'.repeat(20_000)}</r>`)).length, 20_000);
    assert.equal(textOf(parseXml(`<r>${'x'.repeat(1 << 20)}</r>`)).length, 1 << 20);
    assert.equal(textOf(parseXml(`<r>${'&amp;&#x1F600;'.repeat(5000)}</r>`)), '&😀'.repeat(5000));
    assert.throws(() => parseXml(`<r>${'&bogus;'.repeat(5000)}</r>`), XmlParseError);
  });
});

describe('fuzz: replies (parseReply, fault, enumeration, invoke, WS-CIM, EPR, Msvm_Error, jobs)', () => {
  test('the captured replies themselves decode cleanly', () => {
    for (const seed of replies) {
      if (seed.kind === 'fault') {
        assert.throws(() => replyPipeline(seed.xml, seed, seed.request), WsmanFaultError, seed.name);
      } else {
        replyPipeline(seed.xml, seed, seed.request);
      }
    }
  });

  test('tree mutants of every reply (well-formed, wrongly shaped): a value or a typed error', () => {
    const log = new FuzzLog();
    for (const [s, seed] of replies.entries()) {
      const rng = new Rng(fuzzSeed(0x7ee00000 + s));
      const tree = parseXml(seed.xml);
      const n = fuzzCases(seed.kind === 'fault' ? 30 : 70);
      for (let i = 0; i < n; i++) {
        const { tree: mutant, ops } = mutateTree(rng, tree);
        let xml: string;
        try {
          xml = serializeXml(mutant);
        } catch (err) {
          log.fail(`${seed.name} #${i} [${ops.join(',')}] serializeXml`, err);
          continue;
        }
        // Mostly skip the RelatesTo check so the mutant reaches the decoders; sometimes keep it.
        const request = rng.chance(0.2) ? seed.request : { ...seed.request, messageId: '' };
        log.run(`${seed.name} #${i} [${ops.join(',')}] ${excerpt(xml, 400)}`, () => replyPipeline(xml, seed, request), REPLY);
      }
    }
    assertClean(log, 900);
  });

  test('text and byte mutants of every reply through parseReply: a value or a typed error', () => {
    const log = new FuzzLog();
    for (const [s, seed] of replies.entries()) {
      const rng = new Rng(fuzzSeed(0x7e470000 + s));
      const request = { ...seed.request, messageId: '' };
      for (let i = 0; i < fuzzCases(20); i++) {
        const { text, ops } = mutateText(rng, seed.xml);
        log.run(`${seed.name} text #${i} [${ops.join(',')}] ${excerpt(text)}`, () => replyPipeline(text, seed, request), REPLY);
        const { bytes, ops: bops } = mutateBytes(rng, new TextEncoder().encode(seed.xml));
        // The Content-Type charset comes from the peer too.
        const charset = rng.pick([undefined, 'utf-8', 'UTF-16', 'utf-16be', 'latin1', '', ' utf-16le ', 'x-bogus']);
        log.run(`${seed.name} bytes #${i} charset=${String(charset)} [${bops.join(',')}] ${excerpt(bytes)}`, () => replyPipeline(bytes, seed, request, charset), REPLY);
      }
    }
    assertClean(log, 900);
  });

  test('GetError/GetErrorEx with a mutated embedded CIM-XML string: null, an Msvm_Error or a typed error', () => {
    const log = new FuzzLog();
    for (const [s, seed] of replies.filter((r) => r.kind === 'invoke' && r.method?.startsWith('GetError')).entries()) {
      const rng = new Rng(fuzzSeed(0xe3303000 + s));
      const tree = parseXml(seed.xml);
      for (let i = 0; i < fuzzCases(120); i++) {
        // Half the time a syntax mutation of the CIM-XML text, half a well-formed but reshaped INSTANCE.
        const mutant = mapElements(tree, (el) => {
          if (el.local !== 'Error' && el.local !== 'Errors') return el;
          const text = rng.chance(0.5) ? mutateText(rng, textOf(el)).text : serializeXml(mutateTree(rng, parseXml(textOf(el))).tree);
          return { ...el, children: [{ kind: 'text', value: text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/g, ''), cdata: rng.chance(0.3) }] };
        });
        const xml = serializeXml(mutant);
        log.run(`${seed.name} #${i} ${excerpt(xml, 600)}`, () => replyPipeline(xml, seed, { ...seed.request, messageId: '' }), REPLY);
      }
    }
    assertClean(log, 200);
  });

  test('parseFault and findFault on arbitrary elements: a WsmanFaultError, undefined, or a typed error', () => {
    const log = new FuzzLog();
    for (const [s, seed] of replies.filter((r) => r.kind === 'fault').entries()) {
      const rng = new Rng(fuzzSeed(0xfa170000 + s));
      const tree = parseXml(seed.xml);
      for (let i = 0; i < fuzzCases(40); i++) {
        const { tree: mutant, ops } = mutateTree(rng, tree);
        log.run(`${seed.name} #${i} [${ops.join(',')}]`, () => {
          const f = findFault(mutant);
          if (f) useFault(parseFault(f, serializeXml(mutant), 500));
          else parseFault(mutant, '');
        }, allow(ErrorCodes.PROTOCOL));
      }
    }
    assertClean(log, 400);
  });
});

describe('fuzz: CIM-XML, EPR and datetime decoders', () => {
  test('text and tree mutants of CIM-XML instances: an instance or a typed error, and it re-encodes', () => {
    const log = new FuzzLog();
    for (const [s, seed] of cimXmlSeeds().entries()) {
      const rng = new Rng(fuzzSeed(0xc1a00000 + s));
      log.run(`${seed.name} unmutated`, () => cimXmlPipeline(seed.xml), DECODE_ENCODE);
      const tree = parseXml(seed.xml);
      for (let i = 0; i < fuzzCases(100); i++) {
        const { text, ops } = mutateText(rng, seed.xml);
        log.run(`${seed.name} text #${i} [${ops.join(',')}] ${excerpt(text, 400)}`, () => cimXmlPipeline(text), DECODE_ENCODE);
        const { tree: mutant, ops: tops } = mutateTree(rng, tree);
        const xml = serializeXml(mutant);
        log.run(`${seed.name} tree #${i} [${tops.join(',')}] ${excerpt(xml, 400)}`, () => cimXmlPipeline(xml), DECODE_ENCODE);
      }
    }
    assertClean(log, 800);
  });

  test('decodeEpr on mutated endpoint references: a reference or a typed error', () => {
    const log = new FuzzLog();
    const migrate = replies.find((r) => r.name === 'migrate-job-epr')!;
    const job = findElement(parseXml(migrate.xml), (e) => e.local === 'Job')!;
    const wrapped = parseXml(
      `<p:Job xmlns:p="urn:p" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><a:EndpointReference>` +
        `<a:Address>urn:x</a:Address><a:ReferenceParameters><w:ResourceURI>http://example/cim/X</w:ResourceURI><w:SelectorSet>` +
        `<w:Selector Name="Nested"><a:EndpointReference><a:ReferenceParameters><w:ResourceURI>u</w:ResourceURI></a:ReferenceParameters></a:EndpointReference></w:Selector>` +
        `<w:Selector Name="__cimnamespace">root/x</w:Selector></w:SelectorSet></a:ReferenceParameters></a:EndpointReference></p:Job>`,
    );
    for (const [s, seed] of [job, wrapped].entries()) {
      const rng = new Rng(fuzzSeed(0xe9900000 + s));
      for (let i = 0; i < fuzzCases(200); i++) {
        const { tree, ops } = mutateTree(rng, seed);
        log.run(`epr ${s} #${i} [${ops.join(',')}] ${excerpt(serializeXml(tree), 300)}`, () => {
          const ref = decodeEpr(tree);
          checkCimValue(ref, 'decodeEpr');
          render('reference JSON', () => JSON.stringify(cimValueToJson(ref)) + formatObjectPath(ref));
          jobRefFromReference(ref);
        }, allow(ErrorCodes.CIM_DECODE, ErrorCodes.PROTOCOL));
      }
    }
    assertClean(log, 400);
  });

  test('datetime parsers on 3000 mutated datetimes: a value with a valid (or null) instant, or CimDecodeError', () => {
    const log = new FuzzLog();
    const rng = new Rng(fuzzSeed(0xda7e0001));
    const valid = ['20240305142210.123456-480', '00000000000500.000000:000', '19980401135809.000000+***', '2024-03-05T14:22:10.5+01:00', '2024-03-05', '14:22:10Z', 'P1DT2H3M4.5S'];
    const parsers = { parseCimDateTime, parseXsDateTime, parseXsDuration, parseXsDate, parseXsTime } as const;
    for (let i = 0; i < fuzzCases(3000); i++) {
      const base = rng.chance(0.3) ? rng.pick(INTERESTING_TEXT) : rng.pick(valid);
      const text = rng.chance(0.8) ? mutateDatetime(rng, base) : base;
      for (const [name, parse] of Object.entries(parsers)) {
        log.run(`${name}(${JSON.stringify(text)})`, () => {
          const v = parse(text);
          checkCimValue(v, name);
          // What parsed can be written back in DMTF form, or is refused with InvalidOptionError.
          formatCimDateTime(v);
        }, allow(ErrorCodes.CIM_DECODE, ErrorCodes.INVALID_OPTION));
      }
    }
    assertClean(log, 15000);
  });
});

/** Datetime-shaped mutations: digits changed, fields lengthened, signs and separators swapped. */
function mutateDatetime(rng: Rng, s: string): string {
  const chars = [...s];
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const i = rng.int(chars.length + 1);
    const op = rng.int(4);
    if (op === 0 && chars.length > 0) chars[i % chars.length] = rng.pick(['9', '0', '*', '-', '+', ':', '.', 'T', 'Z', 'P', 'D', 'H', 'M', 'S', ' ']);
    else if (op === 1) chars.splice(i, 0, ...'9'.repeat(1 + rng.int(12)));
    else if (op === 2) chars.splice(i, 1 + rng.int(3));
    else chars.splice(i, 0, rng.pick(['-', '+14:00', '-14:00', 'Z', '.999999999', '24', '60']));
  }
  return chars.join('');
}

function findElement(el: XmlElement, pred: (e: XmlElement) => boolean): XmlElement | undefined {
  if (pred(el)) return el;
  for (const c of elements(el)) {
    const found = findElement(c, pred);
    if (found) return found;
  }
  return undefined;
}

function mapElements(el: XmlElement, fn: (e: XmlElement) => XmlElement): XmlElement {
  const mapped = fn(el);
  const children: XmlNode[] = mapped.children.map((c) => (c.kind === 'element' ? mapElements(c, fn) : c));
  return { ...mapped, children };
}

// ---------------------------------------------------------------------------------------------
// Semantic round trips

/** Random text from all of Unicode's planes; `forbidden` adds characters XML 1.0 cannot carry. */
function randomText(rng: Rng, forbidden = false): string {
  const n = rng.int(24);
  let s = '';
  for (let i = 0; i < n; i++) {
    const kind = rng.int(8);
    if (kind === 0) s += rng.pick(['&', '<', '>', '"', "'", ']]>', '\r', '\n', '\t', ' ', '\r\n', '&amp;', '&#x41;']);
    else if (kind === 1) s += String.fromCodePoint(0x10000 + rng.int(0x100000 - 0x10000)); // astral (surrogate pair)
    else if (kind === 2) s += String.fromCodePoint(0xe000 + rng.int(0xfffe - 0xe000)); // private use .. U+FFFD
    else if (kind === 3) s += String.fromCodePoint(0x80 + rng.int(0xd800 - 0x80));
    else s += String.fromCharCode(0x20 + rng.int(0x5f));
  }
  if (forbidden) {
    const bad = rng.pick(['\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001f', '\ufffe', '\uffff', '\ud800', '\udfff', 'x\udc00']);
    const at = rng.int(s.length + 1);
    // Never split a surrogate pair (that would make a different forbidden character, still fine, but keep it simple).
    const cut = /[\uDC00-\uDFFF]/.test(s[at] ?? '') ? at + 1 : at;
    s = s.slice(0, cut) + bad + s.slice(cut);
  }
  return s;
}

function randomName(rng: Rng): string {
  const first = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_';
  let s = rng.pick([...first]);
  for (let i = rng.int(12); i > 0; i--) s += rng.pick([...first, ...'0123456789']);
  return s;
}

type IntType = 'uint8' | 'sint8' | 'uint16' | 'sint16' | 'uint32' | 'sint32';
const INT_RANGES: Readonly<Record<IntType, readonly [number, number]>> = {
  uint8: [0, 0xff],
  sint8: [-0x80, 0x7f],
  uint16: [0, 0xffff],
  sint16: [-0x8000, 0x7fff],
  uint32: [0, 0xffff_ffff],
  sint32: [-0x8000_0000, 0x7fff_ffff],
};

/** One random property value with the info that makes it round-trip (the wire form carries TYPE). */
function randomProperty(rng: Rng, depth: number): { value: CimValue; info: CimPropertyInfo } {
  const scalar = (): { value: CimScalar; type: CimPropertyInfo['type'] } => {
    switch (rng.int(depth < 2 ? 8 : 7)) {
      case 0:
      case 1:
        return { value: randomText(rng), type: 'string' };
      case 2:
        return { value: rng.chance(0.5), type: 'boolean' };
      case 3: {
        const type = rng.pick(Object.keys(INT_RANGES) as IntType[]);
        const [lo, hi] = INT_RANGES[type];
        return { value: rng.pick([lo, hi, 0, lo + rng.int(hi - lo + 1)]), type };
      }
      case 4: {
        const type = rng.pick(['uint64', 'sint64'] as const);
        const big = (BigInt(rng.int(2 ** 32)) << 32n) | BigInt(rng.int(2 ** 32));
        return { value: type === 'uint64' ? big : big - (1n << 63n), type };
      }
      case 5: {
        const v = rng.pick([Infinity, -Infinity, NaN, 0, 1.5e-300, Number.MAX_VALUE, (rng.next() - 0.5) * 10 ** rng.int(30)]);
        return { value: v, type: 'real64' };
      }
      case 6: {
        const v = parseCimDateTime(rng.pick(['20240305142210.123456-480', '19991231235959.000001+000', '00000001020304.000005:000', '19980401135809.******+***']));
        return { value: v, type: 'datetime' };
      }
      default:
        return { value: randomInstance(rng, depth + 1), type: 'instance' };
    }
  };
  const first = scalar();
  if (rng.chance(0.15)) return { value: null, info: { type: first.type, isArray: rng.chance(0.5) } };
  if (!rng.chance(0.3)) return { value: first.value, info: { type: first.type, isArray: false } };
  // Arrays hold one type; regenerate until the type matches (cheap: few types).
  const items: Array<CimScalar | null> = [];
  for (let n = rng.int(5); n > 0; n--) {
    if (rng.chance(0.2)) {
      items.push(null);
      continue;
    }
    let s = scalar();
    while (s.type !== first.type) s = scalar();
    items.push(s.value);
  }
  return { value: items, info: { type: first.type, isArray: true } };
}

function randomInstance(rng: Rng, depth = 0): CimInstance {
  const properties: Record<string, CimValue> = {};
  const propertyInfo: Record<string, CimPropertyInfo> = {};
  for (let n = rng.int(6); n > 0; n--) {
    const name = randomName(rng);
    if (Object.hasOwn(properties, name)) continue;
    const { value, info } = randomProperty(rng, depth);
    properties[name] = value;
    propertyInfo[name] = info;
  }
  return { kind: 'instance', className: randomName(rng), properties, propertyInfo, source: 'cim-xml' };
}

/** Values as they compare after a round trip: datetimes by raw text, instances by class and properties. */
function comparable(v: CimValue | undefined): unknown {
  if (Array.isArray(v)) return v.map((x: CimScalar | null) => comparable(x));
  if (v instanceof CimDateTime || v instanceof CimInterval) return { raw: v.raw };
  if (isCimInstance(v)) {
    return { className: v.className, properties: Object.fromEntries(Object.entries(v.properties).map(([k, x]) => [k, comparable(x)])) };
  }
  return v;
}

describe('round trips', () => {
  test('decodeCimXmlInstance(encodeCimXmlInstance(x)) gives x back: 600 random instances with Unicode, numbers, arrays, NULLs, nesting', () => {
    const rng = new Rng(fuzzSeed(0x0c1a0001));
    for (let i = 0; i < 600; i++) {
      const inst = randomInstance(rng);
      const text = encodeCimXmlInstance(inst);
      const back = decodeCimXmlInstance(text);
      assert.equal(back.className, inst.className, `#${i}`);
      assert.deepEqual(comparable(back), comparable(inst), `#${i}: ${excerpt(text, 600)}`);
      for (const [name, info] of Object.entries(inst.propertyInfo)) {
        assert.equal(back.propertyInfo[name]?.isArray, info.isArray, `#${i} ${name}.isArray`);
      }
    }
  });

  test('characters XML cannot carry make encodeCimXmlInstance throw XmlEncodeError (in values, names and class names)', () => {
    const rng = new Rng(fuzzSeed(0x0c1a0002));
    for (let i = 0; i < 300; i++) {
      const bad = randomText(rng, true);
      const where = i % 3;
      const inst: CimInstance = {
        kind: 'instance',
        className: where === 2 ? `C${bad}` : 'C',
        properties: where === 1 ? { [`P${bad}`]: 'v' } : { P: where === 0 && rng.chance(0.5) ? ['ok', bad] : bad },
        propertyInfo: {},
        source: 'cim-xml',
      };
      assert.throws(() => encodeCimXmlInstance(inst), XmlEncodeError, `#${i} ${JSON.stringify(bad)}`);
    }
  });

  test('escapeText and escapeAttr round-trip 2000 random strings through parseXml; forbidden characters throw XmlEncodeError', () => {
    const rng = new Rng(fuzzSeed(0xe5ca9e01));
    for (let i = 0; i < 2000; i++) {
      const s = randomText(rng);
      const doc = parseXml(`<r a="${escapeAttr(s)}">${escapeText(s)}</r>`);
      assert.equal(textOf(doc), s, `text #${i} ${JSON.stringify(s)}`);
      assert.equal(attr(doc, 'a'), s, `attribute #${i} ${JSON.stringify(s)}`);
      const bad = randomText(rng, true);
      assert.throws(() => escapeText(bad), XmlEncodeError, `escapeText ${JSON.stringify(bad)}`);
      assert.throws(() => escapeAttr(bad), XmlEncodeError, `escapeAttr ${JSON.stringify(bad)}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Regressions: each input below once crashed or decoded to a wrong value.

describe('regressions: inputs the fuzzer found', () => {
  const envelope = (body: string): string => `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${body}</s:Body></s:Envelope>`;
  const fault = (code: string, detail = ''): string =>
    envelope(`<s:Fault><s:Code><s:Value>s:Sender</s:Value>${code}</s:Code><s:Detail>${detail}</s:Detail></s:Fault>`);
  const faultOf = (xml: string): WsmanFaultError => {
    try {
      parseReply(xml, FAULT_REQUEST);
    } catch (err) {
      if (err instanceof WsmanFaultError) return err;
      throw err;
    }
    assert.fail('expected a fault');
  };

  test('xs:dateTime 275760-09-13T00:00:00-14:00 (past the end of the Date range once offset): CimDecodeError, not an Invalid Date whose toJSON throws RangeError', () => {
    assert.throws(() => parseXsDateTime('275760-09-13T00:00:00-14:00'), CimDecodeError);
    assert.throws(() => parseXsDate('275760-09-13-14:00'), CimDecodeError);
    // The last representable instant still parses.
    assert.equal(parseXsDateTime('275760-09-13T00:00:00Z').date?.toISOString(), '+275760-09-13T00:00:00.000Z');
  });

  test('an undeclared prefix named after an Object.prototype member (<constructor:MSFT_WmiError/> in a fault) is XmlParseError, not TypeError el.ns.endsWith', () => {
    assert.throws(() => parseReply(fault('', '<constructor:MSFT_WmiError/>'), FAULT_REQUEST), XmlParseError);
    for (const p of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__']) {
      assert.throws(() => parseXml(`<${p}:a/>`), XmlParseError, `element prefix ${p}`);
      assert.throws(() => parseXml(`<a ${p}:x="1"/>`), XmlParseError, `attribute prefix ${p}`);
    }
  });

  test('xmlns:__proto__ and xmlns:constructor are ordinary prefixes: resolved, serialized and parsed back', () => {
    const xml = '<a xmlns:__proto__="urn:p" xmlns:constructor="urn:c"><__proto__:b constructor:k="v">w:x</__proto__:b></a>';
    const tree = parseXml(xml);
    const b = elements(tree)[0]!;
    assert.equal(b.ns, 'urn:p');
    assert.deepEqual(b.attrs.map((a) => [a.ns, a.local, a.value]), [['urn:c', 'k', 'v']]);
    xmlPipeline(xml);
  });

  test('element and attribute names such as toString and valueOf keep their names (fast-xml-parser renamed them __toString)', () => {
    const tree = parseXml('<r><toString valueOf="1"/><hasOwnProperty/></r>');
    assert.deepEqual(elements(tree).map((e) => e.local), ['toString', 'hasOwnProperty']);
    assert.equal(attr(elements(tree)[0]!, 'valueOf'), '1');
  });

  test('&constructor; and &toString; are undefined entities (XmlParseError), not the text "function Object() { [native code] }"', () => {
    for (const e of ['&constructor;', '&toString;', '&__proto__;', '&hasOwnProperty;']) {
      assert.throws(() => parseXml(`<a>${e}</a>`), XmlParseError, e);
      assert.throws(() => parseXml(`<a b="${e}"/>`), XmlParseError, e);
    }
  });

  test('WS-CIM xsi:type="cim:constructor" / "cim:toString": the value stays text, no TypeError SCALAR_DECODERS[type] is not a function', () => {
    for (const t of ['cim:constructor', 'cim:toString', 'cim:__proto__']) {
      const el = parseXml(
        `<p:X xmlns:p="urn:p" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><p:A xsi:type="${t}">1</p:A></p:X>`,
      );
      const inst = decodeWsCimInstance(el);
      assert.equal(inst.properties.A, '1', t);
      assert.equal(inst.propertyInfo.A?.type, 'unknown', t);
    }
  });

  test('WS-CIM <cim:constructor> as a property\'s only child is a nested instance, not a boxed String from Object(text)', () => {
    const el = parseXml('<p:X xmlns:p="urn:p" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common"><p:A><cim:constructor>t</cim:constructor></p:A></p:X>');
    const a = decodeWsCimInstance(el).properties.A;
    assert.ok(a !== null && typeof a === 'object' && !Array.isArray(a) && 'kind' in a && a.kind === 'instance');
    assert.equal(a.properties.constructor, 't');
  });

  test('CIM-XML booleans and reals spelled constructor/toString are CimDecodeError, not an Object.prototype function as the value', () => {
    for (const [type, text] of [['boolean', 'constructor'], ['boolean', 'toString'], ['real64', 'valueOf'], ['real32', 'constructor']]) {
      assert.throws(
        () => decodeCimXmlInstance(`<INSTANCE CLASSNAME="X"><PROPERTY NAME="P" TYPE="${type}"><VALUE>${text}</VALUE></PROPERTY></INSTANCE>`),
        CimDecodeError,
        `${type} ${text}`,
      );
    }
  });

  test('CIM-XML <toString>/<valueOf> children of INSTANCE and VALUE.REFERENCE are refused with CimDecodeError', () => {
    assert.throws(() => decodeCimXmlInstance('<INSTANCE CLASSNAME="X"><toString NAME="a"/></INSTANCE>'), CimDecodeError);
    assert.throws(
      () => decodeCimXmlInstance('<INSTANCE CLASSNAME="X"><PROPERTY.REFERENCE NAME="R"><VALUE.REFERENCE><valueOf/></VALUE.REFERENCE></PROPERTY.REFERENCE></INSTANCE>'),
      CimDecodeError,
    );
  });

  test('fault QNames: s:Value "constructor:Sender" and a subcode namespace URI "constructor" resolve to no namespace, not to Object', () => {
    const f = faultOf(envelope('<s:Fault><s:Code><s:Value>constructor:Sender</s:Value><s:Subcode><s:Value xmlns:w="constructor">w:Thing</s:Value></s:Subcode></s:Code></s:Fault>'));
    assert.equal(f.soapCodeNs, '');
    assert.equal(f.subcode?.ns, 'constructor');
    assert.equal(f.subcodeName, undefined);
    assert.equal(typeof f.message, 'string');
  });

  test('an MSFT_WmiError property element named __proto__ is kept as a property and does not replace the prototype', () => {
    const f = faultOf(
      fault('', '<p:MSFT_WmiError xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError"><p:__proto__>1</p:__proto__><p:__proto__>2</p:__proto__></p:MSFT_WmiError>'),
    );
    assert.ok(f.wmiError);
    assert.equal(Object.getPrototypeOf(f.wmiError.properties), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(f.wmiError.properties, '__proto__')?.value, ['1', '2']);
  });

  test('a raw NUL (or other character XML 1.0 excludes) in a fault detail is XmlParseError at the edge, not XmlEncodeError from re-serializing the detail', () => {
    for (const c of ['\u0000', '\u0001', '\u001f', '\uffff', '\ud800']) {
      assert.throws(() => parseReply(fault('', `<x>a${c}b</x>`), FAULT_REQUEST), XmlParseError, JSON.stringify(c));
      assert.throws(() => parseXml(`<a b="${c}"/>`), XmlParseError, JSON.stringify(c));
    }
    // Tab, CR, LF and astral characters are fine.
    assert.equal(textOf(parseXml('<a>\t\n😀</a>')), '\t\n😀');
  });

  test('attribute values: a bare &, an unterminated &amp, &#65abc; and a literal < are XmlParseError; long zero-padded references decode', () => {
    for (const v of ['a & b', '&amp', '&', '&#65', '&#65abc;', '&#x41g;', 'x<y']) {
      assert.throws(() => parseXml(`<a b="${v}"/>`), XmlParseError, v);
    }
    assert.equal(attr(parseXml(`<a b="&#${'0'.repeat(40)}65;&#x${'0'.repeat(40)}42;"/>`), 'b'), 'AB');
    assert.equal(textOf(parseXml(`<a>&#${'0'.repeat(40)}65;</a>`)), 'A');
  });

  test('schemaProperty(schema, "constructor") finds nothing rather than Object', () => {
    assert.equal(schemaProperty(MSVM_ERROR_SCHEMA, 'constructor'), undefined);
    assert.equal(schemaProperty(MSVM_ERROR_SCHEMA, 'toString'), undefined);
    assert.equal(schemaProperty(MSVM_ERROR_SCHEMA, 'message')?.type, 'string');
  });
});

// Inputs that used to take quadratic time in a regular expression (minutes at these sizes). A
// synchronous regex cannot be interrupted in-process, so they run in a child with a kill timeout:
// the bound is a hang guard (about 100x what the cases need, tsx start-up included), not a timing.
describe('regressions: linear time on hostile lengths', () => {
  test('300k-character real64 values, ResourceURIs and blanks after a closing boundary finish with the right outcome', () => {
    const script = join(import.meta.dirname, 'helpers', 'hostile-lengths.ts');
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: join(import.meta.dirname, '..'), encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.signal, null, `the hostile inputs did not finish (killed by ${run.signal}); output so far:\n${run.stdout}`);
    assert.equal(run.status, 0, run.stderr);
    const outcomes = Object.fromEntries(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { name: string; outcome: string })
        .map((r) => [r.name, r.outcome]),
    );
    assert.deepEqual(outcomes, {
      'real digits+x': 'CimDecodeError',
      'real digits.digits+x': 'CimDecodeError',
      'real 1.5e3': '1500',
      'uri slashes': '"x"',
      'uri question marks': '"C"',
      'closing boundary blanks': 'MessageEncryptionError',
    });
  });
});

test('a property named __proto__ survives into JSON output as an ordinary key', async () => {
  const { decodeCimXmlInstance } = await import('../src/cim/cim-xml.js');
  const { cimValueToJson } = await import('../src/cim/types.js');
  const inst = decodeCimXmlInstance('<INSTANCE CLASSNAME="X"><PROPERTY NAME="__proto__" TYPE="string"><VALUE>v</VALUE></PROPERTY></INSTANCE>');
  const json = JSON.parse(JSON.stringify(cimValueToJson(inst))) as { properties: Record<string, unknown> };
  assert.equal(Object.getOwnPropertyDescriptor(json.properties, '__proto__')?.value, 'v');
});
