/**
 * Performance regression guard (npm run bench:guard; issue 10): deterministic counters only, never
 * a clock, so machine load cannot make it fail. Compared with bench/guard-baseline.json; exits 1
 * naming each counter over its limit. `--update` rewrites the baseline (after a change that is
 * meant to move a counter, e.g. a cheaper envelope); the limit of each counter is set from its
 * value by the rule in COUNTERS.
 *
 * - Round trips: HTTP requests of the first NTLM call and per GetError call after it (2 + 1 per call), per
 *   Basic call, and TCP connections, counted by a byte-counting TCP relay in front of the emulated host.
 * - Bytes on the wire per GetError call, both directions (NTLM + encryption, and Basic).
 * - Start-up: modules of dist/src that `job-error` loads (tsc's unbundled CLI: an eager import
 *   creeping back shows here, by name), and the files and bytes of the bundled CLI (dist/cli) that
 *   `job-error` and `--version` load. Needs `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { HypervJobs, jobRefFor } from '../src/hyperv/jobs.js';
import { WsmanClient } from '../src/wsman/client.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BASELINE = join(ROOT, 'bench', 'guard-baseline.json');
/** GetError calls measured after the first (which carries the handshake). */
const CALLS = 20;

/** How far each counter may rise above its baseline before the guard fails. */
type Rule = { readonly kind: 'exact' } | { readonly kind: 'ratio'; readonly factor: number } | { readonly kind: 'plus'; readonly slack: number };

const COUNTERS: Readonly<Record<string, { readonly rule: Rule; readonly what: string }>> = {
  'ntlm.firstCallRequests': { rule: { kind: 'exact' }, what: 'HTTP requests of the first NTLM call, handshake included (NEGOTIATE, then AUTHENTICATE carrying the call)' },
  'ntlm.requestsPerCall': { rule: { kind: 'exact' }, what: 'HTTP requests per GetError call once authenticated (NTLM)' },
  'ntlm.connections': { rule: { kind: 'exact' }, what: `TCP connections for ${CALLS + 1} NTLM calls (one keep-alive connection)` },
  'ntlm.bytesSentPerCall': { rule: { kind: 'ratio', factor: 1.25 }, what: 'bytes sent per GetError call (NTLM + encryption)' },
  'ntlm.bytesReceivedPerCall': { rule: { kind: 'ratio', factor: 1.25 }, what: 'bytes received per GetError call (NTLM + encryption)' },
  'basic.requestsPerCall': { rule: { kind: 'exact' }, what: 'HTTP requests per GetError call (Basic)' },
  'basic.connections': { rule: { kind: 'exact' }, what: `TCP connections for ${CALLS + 1} Basic calls (one keep-alive connection)` },
  'basic.bytesSentPerCall': { rule: { kind: 'ratio', factor: 1.25 }, what: 'bytes sent per GetError call (Basic, unencrypted)' },
  'startup.jobError.distModules': { rule: { kind: 'plus', slack: 6 }, what: 'modules of dist/src loaded by `node dist/src/cli/main.js job-error` (NTLM, http)' },
  'startup.jobError.bundleFiles': { rule: { kind: 'plus', slack: 3 }, what: 'files of the bundled CLI (dist/cli) loaded by `job-error`' },
  'startup.jobError.bundleKiB': { rule: { kind: 'ratio', factor: 1.25 }, what: 'KiB of bundled CLI code loaded by `job-error`' },
  'startup.version.distModules': { rule: { kind: 'plus', slack: 2 }, what: 'modules of dist/src loaded by `node dist/src/cli/main.js --version`' },
  'startup.version.bundleKiB': { rule: { kind: 'ratio', factor: 1.25 }, what: 'KiB of bundled CLI code loaded by `--version`' },
};

interface Baseline {
  readonly note: string;
  readonly counters: Record<string, { readonly value: number; readonly limit: number }>;
  /** The dist/src modules `job-error` loaded when the baseline was taken, to name newcomers. */
  readonly jobErrorModules: readonly string[];
}

/** A TCP relay to the emulated host that counts connections, bytes and HTTP requests (Content-Length framing). */
class CountingRelay {
  connections = 0;
  sent = 0;
  received = 0;
  requests = 0;
  /** A request without Content-Length framing was seen: the request count cannot be trusted. */
  unframed = false;
  #server: Server;
  #sockets = new Set<Socket>();

  constructor(private readonly target: number) {
    this.#server = createServer((client) => this.#relay(client));
  }

  listen(): Promise<number> {
    return new Promise((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve((this.#server.address() as { port: number }).port)));
  }

  snapshot(): { requests: number; sent: number; received: number } {
    return { requests: this.requests, sent: this.sent, received: this.received };
  }

  #relay(client: Socket): void {
    this.connections++;
    const upstream = connect(this.target, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    let pending = Buffer.alloc(0);
    let bodyLeft = 0;
    client.on('data', (chunk: Buffer) => {
      this.sent += chunk.length;
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (bodyLeft > 0) {
          const take = Math.min(bodyLeft, pending.length);
          bodyLeft -= take;
          pending = pending.subarray(take);
          if (bodyLeft > 0) break;
        }
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = pending.subarray(0, end).toString('latin1');
        if (/^transfer-encoding:/im.test(head)) this.unframed = true; // counted as one request; reported by roundTrips
        this.requests++;
        bodyLeft = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
        pending = pending.subarray(end + 4);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  }

  close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Requests and bytes of one GetError call after the first, and of the first (handshake included). */
async function roundTrips(host: EmulatedHost, transport: 'ntlm' | 'basic'): Promise<Record<string, number>> {
  const relay = new CountingRelay(host.port);
  const port = await relay.listen();
  const client = new WsmanClient({ host: '127.0.0.1', port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, transport, ...(transport === 'basic' ? { allowUnencrypted: true } : {}) });
  try {
    const jobs = new HypervJobs(client);
    const ref = jobRefFor('Msvm_ConcreteJob', FIXTURE_JOB_IDS.failedConcrete);
    // The job is read once, outside the count; each call is then GetError alone, decoded to a typed Msvm_Error.
    const job = await jobs.getJobByRef(ref);
    const call = async (): Promise<void> => {
      const r = await jobs.getErrorByRef(ref, undefined, job);
      if (r.error === null) throw new Error(`bench:guard: GetError (${transport}) decoded no Msvm_Error; the counters would mean nothing`);
    };
    const first = relay.snapshot();
    for (let i = 0; i < CALLS; i++) await call();
    const all = relay.snapshot();
    if (relay.unframed) throw new Error('bench:guard: the client sent a chunked request; the relay counts requests by Content-Length and cannot count these');
    return {
      // The first call (the job's Get) carries the handshake.
      [`${transport}.firstCallRequests`]: first.requests,
      [`${transport}.requestsPerCall`]: (all.requests - first.requests) / CALLS,
      [`${transport}.connections`]: relay.connections,
      [`${transport}.bytesSentPerCall`]: Math.round((all.sent - first.sent) / CALLS),
      [`${transport}.bytesReceivedPerCall`]: Math.round((all.received - first.received) / CALLS),
    };
  } finally {
    await client.close();
    await relay.close();
  }
}

/** Runs the CLI with the module-logging hooks (asynchronously: the emulated host answers from this process); returns the files it loaded under `under`. */
async function loadedFiles(entry: string, args: readonly string[], env: NodeJS.ProcessEnv, under: string, expect: RegExp): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-guard-'));
  try {
    const log = join(dir, 'modules.log');
    const hooks = pathToFileURL(join(ROOT, 'bench', 'module-log-hooks.mjs')).href;
    const register = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(hooks)});`;
    const child = spawn(process.execPath, ['--import', register, entry, ...args], { env: { ...env, HOME: dir, HYPERV_WSMAN_MODULE_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] });
    const r = { stdout: '', stderr: '', status: null as number | null };
    child.stdout.setEncoding('utf8').on('data', (d: string) => (r.stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (r.stderr += d));
    r.status = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (r.status !== 0 || !expect.test(r.stdout)) throw new Error(`bench:guard: ${relative(ROOT, entry)} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    const files = readFileSync(log, 'utf8').split('\n').filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    return [...new Set(files.filter((f) => f.startsWith(under)))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Newest modification time of the files under dir (the sources dist/ is built from). */
function newestMtime(dir: string): number {
  return Math.max(0, ...readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => statSync(join(dir, f)).mtimeMs));
}

async function startup(host: EmulatedHost): Promise<{ counters: Record<string, number>; jobErrorModules: string[] }> {
  const distSrc = join(ROOT, 'dist', 'src');
  const distCli = join(ROOT, 'dist', 'cli');
  const unbundled = join(distSrc, 'cli', 'main.js');
  const bundled = join(distCli, 'hyperv-wsman.js');
  if (!existsSync(unbundled) || !existsSync(bundled)) throw new Error('bench:guard: dist/ is missing: run `npm run build` first.');
  if (statSync(unbundled).mtimeMs < newestMtime(join(ROOT, 'src'))) throw new Error('bench:guard: dist/ is older than src/: run `npm run build` first.');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD };
  const jobError = ['job-error', FIXTURE_JOB_IDS.failedConcrete, '--host', '127.0.0.1', '--port', String(host.port), '--scheme', 'http', '--user', DEFAULT_USER];
  const failed = /failed to modify device/;
  const version = /^\d+\.\d+\.\d+/;
  const kib = (files: readonly string[]): number => Math.round(files.reduce((n, f) => n + statSync(f).size, 0) / 1024);
  const jobErrorModules = (await loadedFiles(unbundled, jobError, env, distSrc, failed)).map((f) => relative(distSrc, f)).sort();
  const jobErrorBundle = await loadedFiles(bundled, jobError, env, distCli, failed);
  const versionModules = await loadedFiles(unbundled, ['--version'], env, distSrc, version);
  const versionBundle = await loadedFiles(bundled, ['--version'], env, distCli, version);
  return {
    counters: {
      'startup.jobError.distModules': jobErrorModules.length,
      'startup.jobError.bundleFiles': jobErrorBundle.length,
      'startup.jobError.bundleKiB': kib(jobErrorBundle),
      'startup.version.distModules': versionModules.length,
      'startup.version.bundleKiB': kib(versionBundle),
    },
    jobErrorModules,
  };
}

function limitOf(value: number, rule: Rule): number {
  switch (rule.kind) {
    case 'exact':
      return value;
    case 'ratio':
      return Math.ceil(value * rule.factor);
    case 'plus':
      return value + rule.slack;
  }
}

export async function measureGuardCounters(): Promise<{ counters: Record<string, number>; jobErrorModules: string[] }> {
  const host = await startEmulatedHost({ auth: { basic: true, negotiate: true }, allowUnencrypted: true });
  try {
    const ntlm = await roundTrips(host, 'ntlm');
    const basic = await roundTrips(host, 'basic');
    const s = await startup(host);
    const all: Record<string, number> = { ...ntlm, ...basic, ...s.counters };
    const counters = Object.fromEntries(Object.keys(COUNTERS).map((k) => [k, all[k]!]));
    return { counters, jobErrorModules: s.jobErrorModules };
  } finally {
    await host.close();
  }
}

async function main(): Promise<number> {
  const { counters, jobErrorModules } = await measureGuardCounters();
  if (process.argv.includes('--update')) {
    const baseline: Baseline = {
      note: 'Written by `npm run bench:guard -- --update`. Deterministic counters (no timings); limit = the most each may reach (rules in bench/guard.ts).',
      counters: Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, { value: v, limit: limitOf(v, COUNTERS[k]!.rule) }])),
      jobErrorModules,
    };
    writeFileSync(BASELINE, JSON.stringify(baseline, null, 2) + '\n');
    console.log(`bench:guard: baseline written to ${relative(ROOT, BASELINE)}`);
    for (const [k, v] of Object.entries(baseline.counters)) console.log(`  ${k.padEnd(32)} ${String(v.value).padStart(8)}  (limit ${v.limit})`);
    return 0;
  }
  if (!existsSync(BASELINE)) {
    console.error(`bench:guard: no baseline (${relative(ROOT, BASELINE)}): run \`npm run bench:guard -- --update\` and commit it.`);
    return 1;
  }
  const baseline = JSON.parse(readFileSync(BASELINE, 'utf8')) as Baseline;
  const failures: string[] = [];
  for (const [k, value] of Object.entries(counters)) {
    const base = baseline.counters[k];
    if (base === undefined) {
      failures.push(`${k}: not in the baseline; run \`npm run bench:guard -- --update\` and commit it`);
      continue;
    }
    const status = value > base.limit ? 'REGRESSED' : value < base.value ? 'improved' : 'ok';
    console.log(`  ${k.padEnd(32)} ${String(value).padStart(8)}  baseline ${String(base.value).padStart(8)}  limit ${String(base.limit).padStart(8)}  ${status}`);
    if (value > base.limit) {
      let detail = '';
      if (k === 'startup.jobError.distModules') {
        const added = jobErrorModules.filter((m) => !baseline.jobErrorModules.includes(m));
        detail = added.length ? ` Newly loaded: ${added.join(', ')}.` : '';
      }
      failures.push(`${k} = ${value}, over its limit ${base.limit} (baseline ${base.value}): ${COUNTERS[k]!.what}.${detail}`);
    }
  }
  if (failures.length) {
    console.error(`bench:guard: FAILED, ${failures.length} counter(s) regressed:\n${failures.map((f) => `  - ${f}`).join('\n')}\nIf the change is intended, run \`npm run bench:guard -- --update\` and commit bench/guard-baseline.json.`);
    return 1;
  }
  const better = Object.entries(counters).filter(([k, v]) => v < baseline.counters[k]!.value).map(([k]) => k);
  console.log(`bench:guard: ${Object.keys(counters).length} counters within their limits${better.length ? ` (lower than the baseline: ${better.join(', ')}; \`--update\` locks that in)` : ''}.`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
