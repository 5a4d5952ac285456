#!/usr/bin/env node
/**
 * Builds dist/ with the TypeScript compiler (npm run build; also `prepare`, which npm runs for
 * `npm pack` and for installs from a git URL, where it installs the dev dependencies first).
 * dist/ is emptied first so nothing stale is packed. Without the compiler (a clone installed with
 * --omit=dev): an existing dist/ is kept, and says so; no dist/ at all is an error that says what to do.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  if (existsSync(join(root, 'dist', 'src', 'cli', 'main.js'))) {
    console.error('hyperv-wsman build: the TypeScript compiler is not installed (a dev dependency); keeping the existing dist/.');
    process.exit(0);
  }
  console.error('hyperv-wsman build: dist/ is missing and the TypeScript compiler (dev dependency "typescript") is not installed. Run `npm install` without --omit=dev, then `npm run build`.');
  process.exit(1);
}

rmSync(join(root, 'dist'), { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
