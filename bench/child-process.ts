/** Child processes of the scale benchmarks: emulated hosts that print one JSON line when ready, and clients that print one JSON result. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Lib = 'src' | 'dist';

const here = (file: string): string => fileURLToPath(new URL(`./${file}`, import.meta.url));

/** Start a bench/*.ts server process under tsx; resolves with the JSON line it prints once listening. */
export async function startServerProcess<T>(file: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<{ ready: T; child: ChildProcess; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', here(file), ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const ready = await new Promise<T>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(buf.slice(0, nl)) as T);
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready`)));
  });
  return { ready, child, stop: () => void child.kill('SIGTERM') };
}

/** The built library when `npm run build` has made one (what an installed package costs), else the sources under tsx. */
export function defaultLib(): Lib {
  return existsSync(fileURLToPath(new URL('../dist/src/index.js', import.meta.url))) ? 'dist' : 'src';
}

/**
 * Run bench/scale-client.mjs on `job` and return its JSON result. lib 'dist' runs the built library
 * on plain node (npm run build first); 'src' runs the sources under tsx.
 */
export async function runScaleClient<T>(job: Record<string, unknown> & { lib: Lib }): Promise<T> {
  if (job.lib === 'dist' && !existsSync(fileURLToPath(new URL('../dist/src/index.js', import.meta.url)))) {
    throw new Error('dist/ is missing: run `npm run build` first (or measure with lib "src").');
  }
  const loader = job.lib === 'dist' ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, here('scale-client.mjs'), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const text = Buffer.concat(out).toString('utf8').trim();
  if (code !== 0) throw new Error(`scale-client exited with ${code}: ${text}`);
  return JSON.parse(text.split('\n').pop()!) as T;
}
