#!/usr/bin/env node
/**
 * Builds dist/ with the TypeScript compiler (npm run build; also `prepare`, which npm runs for
 * `npm pack` and for installs from a git URL, where it installs the dev dependencies first).
 * dist/ is emptied first so nothing stale is packed. Without a local compiler (a clone installed with
 * --omit=dev, or `npm install -g <git URL>`, where npm prepares the clone without its dev
 * dependencies in reach) the compiler of the version package.json names is run through `npm exec`,
 * so the build never depends on a tsc that happens to be on PATH.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

const project = join(root, 'tsconfig.build.json');
let command;
try {
  command = [process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project]];
} catch {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const wanted = `typescript@${pkg.devDependencies.typescript}`;
  console.error(`hyperv-wsman build: no local TypeScript compiler; running ${wanted} through npm exec.`);
  // Inside an npm lifecycle script npm_execpath is npm's own CLI; run it with this node.
  const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
  command = [npm[0], [...npm[1], 'exec', '--yes', '--global=false', '--package', wanted, '--', 'tsc', '-p', project]];
}

rmSync(join(root, 'dist'), { recursive: true, force: true });
const r = spawnSync(command[0], command[1], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) console.error(`hyperv-wsman build: the TypeScript build failed (${r.error?.message ?? `exit ${r.status}`}).`);
process.exit(r.status ?? 1);
