/**
 * Start-up cost of one CLI call (issue 10): CPU (user + system) and peak RSS of the whole process for
 * `hyperv-wsman job-error <id>` (NTLM + message encryption over http, the Windows default) against
 * the emulated host in its own process, beside a one-shot pywinrm script doing the same call
 * (interop/py/pywinrm_one_call.py) and Node's own floor (`node -e 0`). Also `--version` and `--help`.
 * Each process is run under /usr/bin/time (its rusage: CPU and max RSS of that child alone); the
 * figures are medians over `runs`, the variants interleaved so machine load hits them alike.
 * Measures the built CLI (package.json "bin"): run `npm run build` first. `--before=<path of another
 * build's CLI entry>` measures that one too, interleaved (before/after figures from one run).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pythonPeerCommand } from '../interop/python-peer.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS } from '../src/emulator/index.js';

export interface StartupFigure {
  /** CPU seconds, user + system, of the process. */
  readonly cpuS: number;
  /** Peak resident set size in MiB (ru_maxrss / 1024). */
  readonly rssMB: number;
}

export interface StartupResult {
  /** `node -e 0`: what any Node program costs before it runs a line. */
  readonly node: StartupFigure;
  /** One `job-error` call, NTLM + encryption over http. */
  readonly ours: StartupFigure & { readonly command: string };
  /** `--version` and `--help`: the CLI's cost before any command module loads. */
  readonly oursOther: ReadonlyArray<StartupFigure & { readonly command: string }>;
  /** The same call from a one-shot pywinrm script. */
  readonly peer: (StartupFigure & { readonly name: string }) | { readonly name: string; readonly error: string };
  /** With `opts.before` (another build of the CLI, e.g. an older commit's): its figures, measured interleaved with ours. */
  readonly before?: ReadonlyArray<StartupFigure & { readonly command: string }>;
  readonly runs: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TIME = '/usr/bin/time';
const PEER_NAME = 'pywinrm (python3 interop/py/pywinrm_one_call.py)';
const MARK = 'STARTUP-RUSAGE';

/** The built CLI, as package.json's "bin" names it. */
export function builtCli(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  const bin = join(ROOT, pkg.bin['hyperv-wsman']!);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first.`);
  return bin;
}

interface Run {
  readonly cpuS: number;
  readonly rssMB: number;
  readonly stdout: string;
}

/** Runs one process under /usr/bin/time and returns its own CPU and peak RSS. */
function timed(command: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; input?: string }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TIME, ['-f', `${MARK} %U %S %M`, command, ...args], { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', (e) => reject(new Error(`${TIME}: ${e.message} (Debian: apt-get install time)`)));
    child.once('close', (code) => {
      const m = new RegExp(`^${MARK} ([\\d.]+) ([\\d.]+) (\\d+)$`, 'm').exec(err);
      if (code !== 0 || !m) return reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${out}\n${err}`));
      resolve({ cpuS: Number(m[1]) + Number(m[2]), rssMB: Number(m[3]) / 1024, stdout: out });
    });
    child.stdin.end(opts.input ?? '');
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function figure(runs: readonly Run[]): StartupFigure {
  return { cpuS: median(runs.map((r) => r.cpuS)), rssMB: median(runs.map((r) => r.rssMB)) };
}

/** The emulated host in its own process (its work is not billed to the client measured). */
async function startHost(): Promise<{ port: number; url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'emulator-process.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const { port, url } = await new Promise<{ port: number; url: string }>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(JSON.parse(d.toString()) as { port: number; url: string }));
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
  return { port, url, stop: () => void child.kill('SIGTERM') };
}

export async function measureStartup(opts: { runs?: number; cli?: string; before?: string } = {}): Promise<StartupResult> {
  const runs = opts.runs ?? 7;
  const cli = opts.cli ?? builtCli();
  const home = mkdtempSync(join(tmpdir(), 'hyperv-wsman-startup-'));
  const host = await startHost();
  try {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD, NO_PROXY: '*' };
    const id = FIXTURE_JOB_IDS.failedConcrete;
    // --no-affected: the VM lookup is one more request the peer's script does not make.
    const jobError = ['job-error', id, '--host', '127.0.0.1', '--port', String(host.port), '--scheme', 'http', '--user', DEFAULT_USER, '--no-affected'];
    const variants: Array<{ label: string; args: string[] }> = [
      { label: `hyperv-wsman ${jobError.join(' ').replace(String(host.port), 'PORT')}`, args: [cli, ...jobError] },
      { label: 'hyperv-wsman --version', args: [cli, '--version'] },
      { label: 'hyperv-wsman --help', args: [cli, '--help'] },
    ];
    const ours = variants.length;
    if (opts.before !== undefined) for (const v of [...variants]) variants.push({ label: `before: ${v.label}`, args: [opts.before, ...v.args.slice(1)] });
    const peer = pythonPeerCommand('pywinrm_one_call.py');
    const peerJob = JSON.stringify({ endpoint: host.url, user: DEFAULT_USER, password: DEFAULT_PASSWORD, instanceId: id });
    const nodeRuns: Run[] = [];
    const ourRuns: Run[][] = variants.map(() => []);
    const peerRuns: Run[] = [];
    let peerError: string | undefined;
    for (let i = 0; i <= runs; i++) {
      // Run 0 warms the disk cache and is not counted.
      const keep = <T>(list: T[], r: T): void => void (i > 0 && list.push(r));
      keep(nodeRuns, await timed(process.execPath, ['-e', '0'], { env }));
      for (const [k, v] of variants.entries()) {
        const r = await timed(process.execPath, v.args, { env });
        if (k % ours === 0 && !r.stdout.includes('failed to modify device')) throw new Error(`job-error did not print the fixture's error:\n${r.stdout}`);
        keep(ourRuns[k]!, r);
      }
      if (peerError === undefined) {
        try {
          const r = await timed(peer.command, peer.args, { env: peer.env, input: peerJob });
          if (!(JSON.parse(r.stdout) as { message?: string }).message?.includes('failed to modify device')) throw new Error(`the peer did not decode the error: ${r.stdout}`);
          keep(peerRuns, r);
        } catch (err) {
          peerError = (err as Error).message.split('\n').slice(0, 3).join(' ');
        }
      }
    }
    return {
      node: figure(nodeRuns),
      ours: { command: variants[0]!.label, ...figure(ourRuns[0]!) },
      oursOther: variants.slice(1, ours).map((v, k) => ({ command: v.label, ...figure(ourRuns[k + 1]!) })),
      ...(opts.before !== undefined ? { before: variants.slice(ours).map((v, k) => ({ command: v.label, ...figure(ourRuns[ours + k]!) })) } : {}),
      peer: peerError === undefined ? { name: PEER_NAME, ...figure(peerRuns) } : { name: PEER_NAME, error: peerError },
      runs,
    };
  } finally {
    host.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

function row(name: string, f: StartupFigure): string {
  return `${name.padEnd(60)} ${f.cpuS.toFixed(3).padStart(8)} s ${f.rssMB.toFixed(1).padStart(8)} MiB`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runsArg = process.argv.find((a) => a.startsWith('--runs='));
  const cliArg = process.argv.find((a) => a.startsWith('--cli='));
  const beforeArg = process.argv.find((a) => a.startsWith('--before='));
  const r = await measureStartup({ ...(runsArg ? { runs: Number(runsArg.slice(7)) } : {}), ...(cliArg ? { cli: cliArg.slice(6) } : {}), ...(beforeArg ? { before: beforeArg.slice(9) } : {}) });
  console.log(`Start-up, one process per call (medians of ${r.runs}; CPU = user + system; node ${process.version})`);
  console.log(`${''.padEnd(60)} ${'CPU'.padStart(10)} ${'peak RSS'.padStart(12)}`);
  console.log(row("Node's floor: node -e 0", r.node));
  console.log(row('hyperv-wsman job-error ID (NTLM + encryption, http)', r.ours));
  for (const o of r.oursOther) console.log(row(o.command, o));
  for (const o of r.before ?? []) console.log(row(o.command.replace(/ \S+ --host .*/, ' ID (NTLM + encryption, http)'), o));
  if ('error' in r.peer) console.log(`${r.peer.name}: not measured (${r.peer.error})`);
  else console.log(row('pywinrm: import winrm + one GetError (NTLM + encryption)', r.peer));
}
