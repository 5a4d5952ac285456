/**
 * The real OMI server as a peer: started with /work/shared/tools/omi/start.sh (its own network
 * namespace, loopback only), our CLI and OMI's own omicli run inside that namespace through in-ns.sh.
 * A missing build is an error that says how to build, never a skip.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const OMI_TOOLS = process.env.OMI_TOOLS ?? '/work/shared/tools/omi';
export const OMI_BUILD = process.env.OMI_BUILD ?? '/tmp/omi/build';
export const OMI_RUN = process.env.OMI_RUN ?? '/tmp/omi/run';
const OUTPUT = join(OMI_BUILD, 'src/Unix/output');
const REPO = resolve(import.meta.dirname, '../..');

export interface OmiEnv {
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly user: string;
  readonly password: string;
  readonly ca: string;
  readonly pid: number;
  /** Whether this process started the server (and so stops it). */
  readonly startedHere: boolean;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((done) => {
    execFile(file, args, { env, cwd: REPO, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : -1) : 0;
      done({ code, stdout, stderr: stderr || (err && code === -1 ? err.message : '') });
    });
  });
}

function readEnvFile(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(OMI_RUN, 'env'), 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  }
  return out;
}

/** The OMI version of the build, e.g. "1.0.8-6", from `omiserver --version` ("…: OMI-1.0.8-6 - <build date> DEBUG"). */
export async function omiVersion(): Promise<string> {
  const r = await run(join(OUTPUT, 'bin/omiserver'), ['--version'], process.env, 20_000);
  const m = /OMI-([\w.]+-\w+)/.exec(r.stdout + r.stderr);
  return m ? m[1]! : `unknown (${(r.stdout + r.stderr).trim().split('\n')[0] ?? ''})`;
}

/** Start (or reuse) the OMI server; throws with build instructions when OMI is not built. */
export async function startOmi(): Promise<OmiEnv> {
  if (!existsSync(join(OUTPUT, 'bin/omiserver')) || !existsSync(join(OUTPUT, 'bin/omicli'))) {
    throw new Error(
      `OMI is not built: ${join(OUTPUT, 'bin/omiserver')} is missing. This opt-in suite needs a real OMI server: ` +
        `fetch github:microsoft/omi (a bare git dir), then OMI_MIRROR=<that dir> ${OMI_TOOLS}/build.sh (about 3 minutes), then rerun npm run test:omi.`,
    );
  }
  const r = await runStartScript();
  if (r.code !== 0) throw new Error(`${OMI_TOOLS}/start.sh failed (exit ${r.code}):\n${r.stdout}`);
  const env = readEnvFile();
  return {
    httpPort: Number(env.OMI_HTTP_PORT),
    httpsPort: Number(env.OMI_HTTPS_PORT),
    user: env.OMI_USER!,
    password: env.OMI_PASSWORD!,
    ca: env.OMI_CA!,
    pid: Number(env.OMI_PID),
    startedHere: !/already running/.test(r.stdout),
  };
}

/**
 * start.sh backgrounds omiserver but stays its parent until it exits, so its output pipe never
 * closes: its output goes to a file instead, read until it reports the server (or an error).
 */
async function runStartScript(): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-omi-start-'));
  const logPath = join(dir, 'start.log');
  const fd = openSync(logPath, 'w');
  const child = spawn(join(OMI_TOOLS, 'start.sh'), [], { stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  child.unref();
  const deadline = Date.now() + 120_000;
  try {
    for (;;) {
      const text = readFileSync(logPath, 'utf8');
      if (/\[start\] omiserver (pid \d+|already running)/.test(text)) return { code: 0, stdout: text, stderr: '' };
      if (exited !== null) return { code: exited === 0 ? 1 : exited, stdout: text, stderr: '' };
      if (Date.now() > deadline) return { code: -1, stdout: `${text}\n(start.sh gave no answer in 120 s)`, stderr: '' };
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function stopOmi(omi: OmiEnv): Promise<void> {
  if (omi.startedHere) await run(join(OMI_TOOLS, 'stop.sh'), [], process.env);
}

let home: string | undefined;
function cleanHome(): string {
  if (home === undefined) {
    home = mkdtempSync(join(tmpdir(), 'hyperv-wsman-omi-home-'));
    const dir = home;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return home;
}

/** Our CLI (from source, through tsx) inside OMI's network namespace; the password (OMI's unless given) comes from the environment. */
export function cli(omi: OmiEnv, args: readonly string[], password = omi.password): Promise<RunResult> {
  const env = { PATH: process.env.PATH, HOME: cleanHome(), HYPERV_WSMAN_PASSWORD: password, OMI_RUN };
  return run(join(OMI_TOOLS, 'in-ns.sh'), [process.execPath, '--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], env);
}

/** OMI's own client (it talks to the server over its local socket), e.g. omicli(['ei', 'root/cimv2', 'XYZ_Color']). */
export function omicli(args: readonly string[]): Promise<RunResult> {
  return run(join(OUTPUT, 'bin/omicli'), args, process.env);
}

/** The four ways in: NTLM with message encryption over http, Basic over http (opt-in), Basic and NTLM over https (CA-verified). */
export const TRANSPORTS = {
  'http ntlm (encrypted)': (omi: OmiEnv) => ['--port', String(omi.httpPort), '--scheme', 'http', '--transport', 'ntlm'],
  'http basic': (omi: OmiEnv) => ['--port', String(omi.httpPort), '--scheme', 'http', '--transport', 'basic', '--allow-unencrypted'],
  'https basic': (omi: OmiEnv) => ['--port', String(omi.httpsPort), '--scheme', 'https', '--transport', 'basic', '--ca-trust-path', omi.ca],
  'https ntlm': (omi: OmiEnv) => ['--port', String(omi.httpsPort), '--scheme', 'https', '--transport', 'ntlm', '--ca-trust-path', omi.ca],
} as const;
export type TransportName = keyof typeof TRANSPORTS;

/** --host, --user and the transport's flags (the password travels in the environment, see cli()). */
export const conn = (omi: OmiEnv, t: TransportName): string[] => ['--host', '127.0.0.1', '--user', omi.user, ...TRANSPORTS[t](omi)];

/** Exit 0, or a failure that shows what the command printed. */
export function ok(r: RunResult, what: string): void {
  assert.equal(r.code, 0, `${what} exited ${r.code}\nstdout: ${r.stdout.slice(0, 800)}\nstderr: ${r.stderr.slice(0, 800)}`);
}

/** NDJSON stdout, one document per line. */
export const jsonLines = (stdout: string): unknown[] => stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
