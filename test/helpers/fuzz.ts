/**
 * Deterministic fuzzing for the parser tests: a seeded PRNG (mulberry32, so every run sees the same
 * cases and a failure names its seed and case number), text/byte/tree mutators over realistic seeds,
 * and a collector for the one invariant every parser of untrusted input must keep: it returns a value
 * or throws a HypervWsmanError, nothing else (no TypeError, RangeError, plain Error).
 */
import { HypervWsmanError } from '../../src/errors.js';
import { escapeText } from '../../src/xml/escape.js';
import { namespacesInScope, type XmlAttribute, type XmlElement, type XmlNode } from '../../src/xml/tree.js';

/**
 * How many cases a fuzz loop runs: its default under `npm test`, or FUZZ_ITERATIONS for a longer run
 * (e.g. FUZZ_ITERATIONS=20000 FUZZ_STATS=1 node --import tsx --test test/fuzz-*.test.ts).
 */
export function fuzzCases(defaultCases: number): number {
  const n = Number(process.env.FUZZ_ITERATIONS);
  return Number.isInteger(n) && n > 0 ? n : defaultCases;
}

/** A loop's fixed seed, or that seed mixed with FUZZ_SEED so a longer run explores other inputs. */
export function fuzzSeed(seed: number): number {
  const extra = Number(process.env.FUZZ_SEED);
  return Number.isInteger(extra) && extra !== 0 ? (seed ^ Math.imul(extra, 0x9e3779b1)) >>> 0 : seed;
}

/** A case slower than this is counted as a hang in FUZZ_STATS (never asserted: speed is for benchmarks). */
export const FUZZ_HANG_MS = 1000;

/** mulberry32: tiny, fast, good enough for choosing mutations; same seed, same sequence. */
export class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Interesting values

/** Strings that have broken parsers before: number edges, datetime look-alikes, markup, Unicode. */
export const INTERESTING_TEXT: readonly string[] = [
  '',
  ' ',
  '0',
  '-1',
  '4096',
  '32768',
  '4294967295',
  '4294967296',
  '18446744073709551616',
  '-9223372036854775809',
  '9'.repeat(400),
  '0x',
  '0xFFFFFFFFFFFFFFFFF',
  '1e309',
  '-0',
  'NaN',
  'INF',
  '-INF',
  '+inf',
  'true',
  'FALSE',
  'yes',
  '20240305142210.123456-480',
  '99991231235959.999999+999',
  '00000000000000.000000+000',
  '****************.******+***',
  '20241305142210.123456-480',
  '99999999235959.999999:000',
  '00000000000500.000000:000',
  '2024-02-30T00:00:00Z',
  '275760-09-13T00:00:00-14:00',
  '-271821-04-20T00:00:00+14:00',
  '999999-12-31T23:59:59.9999999+14:00',
  '0000-01-01T00:00:00Z',
  '2024-01-01T24:00:00Z',
  '2024-01-01T25:61:61Z',
  '2024-01-01T00:00:00+15:00',
  'P',
  'PT',
  'P1Y',
  '-P1D',
  'P99999999999999999999999D',
  'PT999999999999999999999H',
  `PT${'9'.repeat(40)}.${'9'.repeat(40)}S`,
  'P0DT0H1M40S',
  'T',
  '12:00:00',
  '2024-01-01',
  '<INSTANCE CLASSNAME="Msvm_Error"><PROPERTY NAME="Message" TYPE="string"><VALUE>x</VALUE></PROPERTY></INSTANCE>',
  '<INSTANCE CLASSNAME=""/>',
  '<INSTANCE/>',
  '<VALUE.OBJECT/>',
  '<!DOCTYPE x>',
  '<a',
  '&amp;lt;',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'w:InvalidSelectors',
  'undeclared:Thing',
  ':',
  'a:b:c',
  'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob',
  'http://schemas.microsoft.com/wbem/wsman/1/wmi/',
  'http://schemas.microsoft.com/wbem/wsman/1/wmi//*',
  '/',
  '*',
  '仮想マシン 😀',
  '\u200b\ufeff\u202e',
  '\t\r\n',
  'a'.repeat(5000),
];

/** Raw fragments spliced into XML text: entities (valid, undefined, out of range), markup, forbidden characters. */
const XML_TOKENS: readonly string[] = [
  '<',
  '>',
  '&',
  '"',
  "'",
  '/>',
  '</',
  '<?',
  '?>',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<!DOCTYPE a [<!ENTITY x "y">]>',
  '<!ENTITY x SYSTEM "file:///etc/passwd">',
  '&amp;',
  '&lt;',
  '&quot;',
  '&apos;',
  '&nbsp;',
  '&foo;',
  '&#0;',
  '&#x0;',
  '&#xD800;',
  '&#xDFFF;',
  '&#xFFFE;',
  '&#x10FFFF;',
  '&#x110000;',
  '&#99999999999999999999;',
  '&#xFFFFFFFFFFFFFFFFFFFFFFFF;',
  '&#;',
  '&#x;',
  '&#-1;',
  '&#1e3;',
  '&#x1F600;',
  '&#128512;',
  '&amp',
  '&;',
  '&constructor;',
  '&toString;',
  '&__proto__;',
  '\u0000',
  '\u0001',
  '\u001f',
  '\ud800',
  '\udfff',
  '\ufffe',
  '\uffff',
  '\ufeff',
  'xmlns=""',
  'xmlns:p=""',
  ' xmlns:s="urn:other"',
  ' xsi:nil="true"',
  ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"',
  ' __proto__="x"',
  ' constructor="x"',
  ' xmlns:constructor="urn:c"',
  ' xmlns:__proto__="urn:p"',
  '<constructor:x/>',
  '<toString/>',
  '<p:__proto__>1</p:__proto__>',
  '<hasOwnProperty/>',
  '<x:y xmlns:x="urn:x"/>',
  '<a:b/>',
  ' a="1" a="2"',
  ' a=1',
  ' a',
  '=',
];

// ---------------------------------------------------------------------------------------------
// Text mutators (produce mostly malformed XML: exercises the XML edge itself)

type TextMutator = (rng: Rng, s: string) => string;

const at = (rng: Rng, s: string): number => rng.int(s.length + 1);

/** Ranges of `<...>` tags, for tag-level edits. */
function tagRanges(s: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = /<[^<>]*>/g;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) out.push([m.index, m.index + m[0].length]);
  return out;
}

const TEXT_MUTATORS: Readonly<Record<string, TextMutator>> = {
  truncate: (rng, s) => s.slice(0, at(rng, s)),
  deleteRange: (rng, s) => {
    const a = at(rng, s);
    return s.slice(0, a) + s.slice(a + 1 + rng.int(64));
  },
  duplicateRange: (rng, s) => {
    const a = at(rng, s);
    const b = Math.min(s.length, a + 1 + rng.int(200));
    return s.slice(0, b) + s.slice(a, b) + s.slice(b);
  },
  insertToken: (rng, s) => {
    const a = at(rng, s);
    return s.slice(0, a) + rng.pick(XML_TOKENS) + s.slice(a);
  },
  replaceChar: (rng, s) => {
    const a = rng.int(Math.max(1, s.length));
    return s.slice(0, a) + String.fromCharCode(rng.int(0x10000)) + s.slice(a + 1);
  },
  swapQuote: (rng, s) => {
    const quotes = [...s.matchAll(/["']/g)].map((m) => m.index);
    if (quotes.length === 0) return s;
    const i = rng.pick(quotes);
    return s.slice(0, i) + (s[i] === '"' ? "'" : '"') + s.slice(i + 1);
  },
  removeTag: (rng, s) => {
    const tags = tagRanges(s);
    if (tags.length === 0) return s;
    const [a, b] = rng.pick(tags);
    return s.slice(0, a) + s.slice(b);
  },
  duplicateTag: (rng, s) => {
    const tags = tagRanges(s);
    if (tags.length === 0) return s;
    const [a, b] = rng.pick(tags);
    return s.slice(0, b) + s.slice(a, b) + s.slice(b);
  },
  repeatHuge: (rng, s) => {
    const a = at(rng, s);
    const piece = s.slice(a, a + 1 + rng.int(40)) || '<a>';
    const times = 200 + rng.int(3000);
    return s.slice(0, a) + piece.repeat(times) + s.slice(a);
  },
  interestingText: (rng, s) => {
    // Replace one text node's content (between > and <) with an interesting value, escaped or raw.
    const texts = [...s.matchAll(/>([^<>]*)</g)].map((m) => [m.index + 1, m.index + 1 + m[1]!.length] as const);
    if (texts.length === 0) return s;
    const [a, b] = rng.pick(texts);
    const v = rng.pick(INTERESTING_TEXT);
    return s.slice(0, a) + (rng.chance(0.7) ? safeEscape(v) : v) + s.slice(b);
  },
  renamePrefix: (rng, s) => {
    const prefixes = [...new Set([...s.matchAll(/<\/?([A-Za-z]+):/g)].map((m) => m[1]!))];
    if (prefixes.length === 0) return s;
    const p = rng.pick(prefixes);
    const q = rng.pick(['zz', 'xml', 'xmlns', 'constructor', '__proto__', 'toString', ...prefixes]);
    // Only the first occurrence: usually an unbalanced or undeclared name.
    return s.replace(new RegExp(`<(/?)${p}:`), `<$1${q}:`);
  },
};
const TEXT_MUTATOR_NAMES = Object.keys(TEXT_MUTATORS);

function safeEscape(v: string): string {
  try {
    return escapeText(v);
  } catch {
    return v; // characters XML cannot carry: splice them raw, which is also a fine test
  }
}

/** Apply 1..3 random text mutations; returns the mutant and the mutator names (for failure reports). */
export function mutateText(rng: Rng, s: string): { text: string; ops: string[] } {
  const ops: string[] = [];
  let text = s;
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const name = rng.pick(TEXT_MUTATOR_NAMES);
    ops.push(name);
    text = TEXT_MUTATORS[name]!(rng, text);
  }
  return { text, ops };
}

/** Byte-level mutations: bit flips, truncation, invalid UTF-8 sequences, random splices. */
export function mutateBytes(rng: Rng, input: Uint8Array): { bytes: Uint8Array; ops: string[] } {
  let b: Uint8Array = Uint8Array.from(input);
  const ops: string[] = [];
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) {
    const op = rng.pick(['flip', 'flip', 'set', 'truncate', 'insert', 'delete', 'invalidUtf8', 'extend']);
    ops.push(op);
    const pos = rng.int(b.length + 1);
    switch (op) {
      case 'flip':
        if (b.length > 0) b[pos % b.length]! ^= 1 << rng.int(8);
        break;
      case 'set':
        if (b.length > 0) b[pos % b.length] = rng.pick([0, 0xff, 0x7f, 0x80, rng.int(256)]);
        break;
      case 'truncate':
        b = b.slice(0, pos);
        break;
      case 'insert':
        b = concat(b.slice(0, pos), rng.bytes(1 + rng.int(16)), b.slice(pos));
        break;
      case 'delete':
        b = concat(b.slice(0, pos), b.slice(pos + 1 + rng.int(16)));
        break;
      case 'invalidUtf8':
        b = concat(b.slice(0, pos), Uint8Array.from(rng.pick([[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xff, 0xfe], [0xef, 0xbb, 0xbf], [0x80]])), b.slice(pos));
        break;
      case 'extend':
        b = concat(b, rng.bytes(rng.int(64)));
        break;
    }
  }
  return { bytes: b, ops };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

// ---------------------------------------------------------------------------------------------
// Tree mutators (produce well-formed XML with a wrong shape: exercises what reads the tree)

const KNOWN_NAMESPACES: readonly string[] = [
  'http://www.w3.org/2003/05/soap-envelope',
  'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
  'http://schemas.xmlsoap.org/ws/2004/09/enumeration',
  'http://schemas.dmtf.org/wbem/wscim/1/common',
  'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
  'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError',
  '',
  'urn:fuzz',
];

const KNOWN_LOCALS: readonly string[] = [
  'Envelope', 'Header', 'Body', 'Fault', 'Code', 'Value', 'Subcode', 'Reason', 'Text', 'Detail', 'WSManFault', 'Message',
  'ProviderFault', 'ExtendedError', 'FaultDetail', 'RelatesTo', 'Action', 'EnumerateResponse', 'PullResponse', 'Items',
  'EndOfSequence', 'EnumerationContext', 'IdentifyResponse', 'SecurityProfiles', 'ReturnValue', 'Job', 'Error', 'Errors',
  'EndpointReference', 'Address', 'ReferenceParameters', 'ResourceURI', 'SelectorSet', 'Selector', 'Datetime', 'Interval',
  'Date', 'Time', 'CIM_DateTime', 'MSFT_WmiError', '__ExtendedStatus', 'JobState', 'OperationalStatus', 'INSTANCE',
  'PROPERTY', 'VALUE', 'GetError_OUTPUT', 'GetErrorEx_OUTPUT', '__proto__', 'constructor',
];

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const WSMV = 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd';

/** Depth-first list of every element, with a path of child indexes to reach it. */
function allElements(root: XmlElement): Array<{ el: XmlElement; path: number[] }> {
  const out: Array<{ el: XmlElement; path: number[] }> = [];
  const walk = (el: XmlElement, p: number[]): void => {
    out.push({ el, path: p });
    el.children.forEach((c, i) => {
      if (c.kind === 'element') walk(c, [...p, i]);
    });
  };
  walk(root, []);
  return out;
}

/** A copy of `root` with the element at `path` replaced by what `edit` returns (an array: 0, 1 or more nodes). */
function replaceAt(root: XmlElement, path: readonly number[], edit: (el: XmlElement) => XmlNode[]): XmlElement {
  if (path.length === 0) {
    const r = edit(root).find((n): n is XmlElement => n.kind === 'element');
    return r ?? root;
  }
  const [i, ...rest] = path as [number, ...number[]];
  const children: XmlNode[] = [];
  root.children.forEach((c, j) => {
    if (j !== i) children.push(c);
    else if (rest.length === 0) children.push(...edit(c as XmlElement));
    else children.push(replaceAt(c as XmlElement, rest, edit));
  });
  return { ...root, children };
}

/** Prefix bound to `ns` in the element's scope, or a fresh one added to it (serializeXml declares it). */
function withNamespace(el: XmlElement, ns: string, local: string): XmlElement {
  // Parsed scopes are chains: flatten before copying, or inherited bindings are lost.
  const inScope = namespacesInScope(el.scope);
  if (ns === '') return { ...el, prefix: '', ns: '', local, name: local, scope: { ...inScope, '': '' } };
  const existing = Object.entries(inScope).find(([p, u]) => u === ns && p !== '' && p !== 'xml')?.[0];
  const prefix = existing ?? 'fz';
  return { ...el, prefix, ns, local, name: `${prefix}:${local}`, scope: { ...inScope, [prefix]: ns } };
}

function setAttr(el: XmlElement, a: XmlAttribute, prefixNs?: readonly [string, string]): XmlElement {
  const attrs = el.attrs.filter((x) => !(x.local === a.local && x.ns === a.ns));
  const scope = prefixNs ? { ...namespacesInScope(el.scope), [prefixNs[0]]: prefixNs[1] } : el.scope;
  return { ...el, attrs: [...attrs, a], scope };
}

function textNode(value: string): XmlNode {
  return { kind: 'text', value, cdata: false };
}

/** Text XML can carry (lone surrogates and C0 controls are dropped, as a real peer could not send them). */
function carriable(v: string): string {
  return v.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF]/g, '');
}

type TreeMutator = (rng: Rng, el: XmlElement) => XmlNode[];

const TREE_MUTATORS: Readonly<Record<string, TreeMutator>> = {
  drop: () => [],
  duplicate: (rng, el) => Array.from({ length: 2 + rng.int(3) }, () => el),
  replaceText: (rng, el) => [{ ...el, children: [textNode(carriable(rng.pick(INTERESTING_TEXT)))] }],
  appendText: (rng, el) => [{ ...el, children: [...el.children, textNode(carriable(rng.pick(INTERESTING_TEXT)))] }],
  emptied: (_rng, el) => [{ ...el, children: [] }],
  nil: (rng, el) =>
    [setAttr(el, { name: 'fzi:nil', ns: XSI, local: 'nil', value: rng.pick(['true', 'TRUE', ' true ', 'false', '1']) }, ['fzi', XSI])],
  nullArray: (_rng, el) => [
    setAttr(
      setAttr({ ...el, children: [] }, { name: 'fzi:nil', ns: XSI, local: 'nil', value: 'true' }, ['fzi', XSI]),
      { name: 'fzm:IsNullArray', ns: WSMV, local: 'IsNullArray', value: 'true' },
      ['fzm', WSMV],
    ),
  ],
  xsiType: (rng, el) => [
    setAttr(
      el,
      {
        name: 'fzi:type',
        ns: XSI,
        local: 'type',
        value: rng.pick([
          'cim:cimUnsignedInt', 'cim:cimDateTime', 'cim:cimBoolean', 'cim:cimReference', 'cim:cimLong', 'xs:duration', 'p:X_Type', 'nope:Y', '', ':', 'cim:',
          'cim:constructor', 'cim:toString', 'constructor:name',
        ]),
      },
      ['fzi', XSI],
    ),
  ],
  attr: (rng, el) => {
    const name = rng.pick(['Name', 'Code', 'Machine', 'CLASSNAME', 'NAME', 'TYPE', 'EmbeddedObject']);
    return [setAttr(el, { name, ns: '', local: name, value: carriable(rng.pick(INTERESTING_TEXT)) })];
  },
  stripAttrs: (_rng, el) => [{ ...el, attrs: [] }],
  rename: (rng, el) => [withNamespace(el, el.ns, rng.pick(KNOWN_LOCALS))],
  renamespace: (rng, el) => [withNamespace(el, rng.pick(KNOWN_NAMESPACES), el.local)],
  wrap: (rng, el) => {
    const [ns, local] = rng.pick([
      ['http://schemas.dmtf.org/wbem/wscim/1/common', 'Datetime'],
      ['http://schemas.dmtf.org/wbem/wscim/1/common', 'Interval'],
      ['http://schemas.dmtf.org/wbem/wscim/1/common', 'CIM_DateTime'],
      ['http://schemas.dmtf.org/wbem/wscim/1/common', 'constructor'],
      ['http://schemas.xmlsoap.org/ws/2004/08/addressing', 'EndpointReference'],
      ['http://schemas.xmlsoap.org/ws/2004/08/addressing', 'ReferenceParameters'],
      ['urn:fuzz', 'Nested'],
    ] as const);
    const inner = withNamespace({ ...el, attrs: [] }, ns, local);
    return [{ ...el, children: [inner] }];
  },
  hoist: (_rng, el) => el.children.filter((c) => c.kind === 'element'),
  deepen: (rng, el) => {
    let cur: XmlElement = el;
    for (let i = 0, n = 5 + rng.int(60); i < n; i++) cur = { ...el, children: [cur] };
    return [cur];
  },
};
const TREE_MUTATOR_NAMES = Object.keys(TREE_MUTATORS);

/** Apply 1..4 random structural mutations; the result is a consistent tree serializeXml can write. */
export function mutateTree(rng: Rng, root: XmlElement): { tree: XmlElement; ops: string[] } {
  let tree = root;
  const ops: string[] = [];
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) {
    const targets = allElements(tree);
    const { el, path } = rng.pick(targets);
    const name = rng.pick(TREE_MUTATOR_NAMES);
    ops.push(`${name}@${el.local}`);
    tree = replaceAt(tree, path, (e) => TREE_MUTATORS[name]!(rng, e));
  }
  return { tree, ops };
}

// ---------------------------------------------------------------------------------------------
// The invariant

export interface FuzzFailure {
  readonly where: string;
  readonly error: unknown;
}

/** Collects invariant violations so one test reports all of them (with how to reproduce each). */
export class FuzzLog {
  readonly failures: FuzzFailure[] = [];
  /** Outcomes by error code ('ok' = returned): shows the cases reach past the first check. */
  readonly outcomes = new Map<string, number>();
  cases = 0;
  /** Cases slower than FUZZ_HANG_MS, and the slowest one. */
  hangs = 0;
  slowest = { where: '', ms: 0 };

  /**
   * Run `fn`; a throw that is not a HypervWsmanError (or not what `accept` allows, for a function
   * documented to throw something narrower) is recorded. Returns fn's value, or undefined when it threw.
   */
  run<T>(where: string, fn: () => T, accept: (error: HypervWsmanError) => boolean = () => true): T | undefined {
    this.cases++;
    const t0 = performance.now();
    try {
      const value = fn();
      this.#count('ok');
      return value;
    } catch (error) {
      if (error instanceof HypervWsmanError && accept(error)) this.#count(error.code);
      else this.failures.push({ where, error });
      return undefined;
    } finally {
      const ms = performance.now() - t0;
      if (ms > FUZZ_HANG_MS) this.hangs++;
      if (ms > this.slowest.ms) this.slowest = { where: where.slice(0, 120), ms };
    }
  }

  /** One line for FUZZ_STATS: cases, failures, hangs, the slowest case, outcomes by error code. */
  stats(name: string): string {
    return `FUZZ ${JSON.stringify({ name, cases: this.cases, failures: this.failures.length, hangs: this.hangs, slowestMs: Math.round(this.slowest.ms), slowest: this.slowest.where, outcomes: Object.fromEntries(this.outcomes) })}`;
  }

  #count(outcome: string): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
  }

  count(outcome: string): number {
    return this.outcomes.get(outcome) ?? 0;
  }

  /** Record a failed semantic check. */
  fail(where: string, error: unknown): void {
    this.failures.push({ where, error });
  }

  report(): string {
    return this.failures
      .slice(0, 8)
      .map((f) => `${f.where}\n    -> ${f.error instanceof Error ? `${f.error.constructor.name}: ${clip(f.error.message)}\n${(f.error.stack ?? '').split('\n').slice(1, 4).join('\n')}` : clip(String(f.error))}`)
      .join('\n');
  }
}

function clip(s: string): string {
  return s.length > 400 ? `${s.slice(0, 400)}…(${s.length})` : s;
}

/** A short, printable excerpt of an input, for failure messages. */
export function excerpt(input: string | Uint8Array, max = 160): string {
  const s = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…(${s.length})` : s);
}

/**
 * Mutate `seeds` `cases` times and decode each: every failure must be a typed HypervWsmanError, and
 * at least one mutation must reach an error path (else the loop tested nothing).
 */
export function assertOnlyTypedErrors(name: string, rng: Rng, seeds: readonly Uint8Array[], decode: (b: Uint8Array) => unknown, cases: number): void {
  let threw = 0;
  for (let i = 0; i < cases; i++) {
    const { bytes, ops } = mutateBytes(rng, rng.pick(seeds));
    try {
      decode(bytes);
    } catch (err) {
      threw++;
      if (!(err instanceof HypervWsmanError)) throw new Error(`${name} case ${i} (${ops.join(', ')}): untyped ${String(err)}`, { cause: err });
    }
  }
  if (threw === 0) throw new Error(`${name}: mutations never reached an error path`);
}

