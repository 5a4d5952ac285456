/**
 * Runs the CLI in-process through runCli(argv, io) with captured stdout/stderr, a scripted stdin and
 * a hermetic environment (a temporary HOME, so no real config file is read), and helpers to point it
 * at an emulated host.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runCli } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, type EmulatedHost } from '../../src/emulator/index.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** The whole environment the CLI sees (nothing is inherited). Default: HOME = a fresh temp dir + the emulator password. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Text on stdin (default empty). */
  readonly stdin?: string;
  /** Pretend stdout is a terminal. */
  readonly tty?: boolean;
  /** The terminal's width, with `tty`. */
  readonly columns?: number;
  /** Called for each stdout write, as it happens. */
  readonly onStdout?: (chunk: string) => void;
}

class Capture extends Writable {
  text = '';
  isTTY?: boolean;
  columns?: number;
  constructor(private readonly onChunk?: (chunk: string) => void) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.text += s;
    this.onChunk?.(s);
    cb();
  }
}

let sharedHome: string | undefined;

/** A temporary HOME with no config file in it, made once per test process. */
export function emptyHome(): string {
  if (sharedHome === undefined) {
    sharedHome = mkdtempSync(join(tmpdir(), 'hyperv-wsman-cli-home-'));
    const dir = sharedHome;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return sharedHome;
}

export function defaultEnv(): Record<string, string | undefined> {
  return { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD };
}

export async function runCapture(argv: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const stdout = new Capture(options.onStdout);
  if (options.tty) stdout.isTTY = true;
  if (options.columns !== undefined) stdout.columns = options.columns;
  const stderr = new Capture();
  const io: CliIo = {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? defaultEnv(),
  };
  const code = await runCli(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Connection flags for an emulated host (user and address; the password comes from the environment). */
export function hostArgs(host: EmulatedHost): string[] {
  return ['--host', host.hostname, '--port', String(host.port), '--scheme', host.scheme, '--user', DEFAULT_USER];
}

/** Every stdout line parsed as JSON (throws on a line that is not JSON). */
export function jsonLines(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

/** The one JSON document a non-streaming command prints. */
export function jsonDoc<T = Record<string, unknown>>(stdout: string): T {
  const docs = jsonLines(stdout);
  if (docs.length !== 1) throw new Error(`expected one JSON document, got ${docs.length}: ${stdout.slice(0, 300)}`);
  return docs[0] as T;
}

/** `hyperv-wsman emulator ...` as a child process, once it printed `# ready`. */
export interface EmulatorProcess {
  /** Everything printed up to `# ready`. */
  readonly stdout: string;
  /** The HYPERV_WSMAN_* settings it printed (unquoted), plus a hermetic HOME. */
  readonly env: Record<string, string>;
  /** Stderr so far (grows until exit). */
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, for finally blocks. */
  kill(): void;
}

export async function startEmulatorProcess(args: readonly string[]): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'emulator', ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`not ready:\n${out}\n${err}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/^# ready/m.test(out)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const env: Record<string, string> = { HOME: emptyHome() };
  for (const m of out.matchAll(/^(HYPERV_WSMAN_[A-Z0-9_]+)=(.*)$/gm)) env[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
  return {
    stdout: out,
    env,
    stderr: () => err,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: () => child.kill('SIGKILL'),
  };
}
