#!/usr/bin/env node
/**
 * Builds dist/ with the TypeScript compiler (npm run build; also `prepare`, which npm runs for
 * `npm pack` and for installs from a git URL). dist/ is emptied first so nothing stale is packed.
 * npm documents that a git install gets its dev dependencies before `prepare`; a clone installed with
 * --omit=dev does not have them, so this script installs them into the checkout first, and says so.
 * A global git install (`npm install -g <git URL>`) gets no dependencies at all (npm/cli#8440) and
 * is refused with the two-step command that works (npm pack, then install the tarball).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const project = join(root, 'tsconfig.build.json');

function compiler() {
  try {
    require.resolve('typescript/bin/tsc');
    return existsSync(join(root, 'node_modules', '@types', 'node')) ? require.resolve('typescript/bin/tsc') : undefined;
  } catch {
    return undefined;
  }
}

let tsc = compiler();
if (tsc === undefined && process.env.npm_config_global === 'true') {
  // npm prepares a git package for a global install without its dependencies and cannot be helped
  // from here (npm/cli#8440, #3692); packing it first runs prepare in an ordinary install.
  console.error('hyperv-wsman build: `npm install -g <git URL>` gives prepare no dependencies (npm/cli#8440). Install from git in two steps instead:\n  npm install -g "$(npm pack <git URL> | tail -1)"');
  process.exit(1);
}
if (tsc === undefined) {
  console.error('hyperv-wsman build: the dev dependencies (typescript, @types/node) are not installed here; installing them into this checkout to build (npm/cli#8440).');
  // Inside an npm lifecycle script npm_execpath is npm's own CLI; --global=false undoes the npm_config_global of `npm install -g`.
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : [process.platform === 'win32' ? 'npm.cmd' : 'npm'];
  const r = spawnSync(npm[0], [...npm.slice(1), 'install', '--global=false', '--include=dev', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  tsc = compiler();
  if (r.status !== 0 || tsc === undefined) {
    console.error(`hyperv-wsman build: could not install the dev dependencies (${r.error?.message ?? `npm exit ${r.status}`}); run \`npm install\` in ${root}, then \`npm run build\`.`);
    process.exit(1);
  }
}

rmSync(join(root, 'dist'), { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) console.error(`hyperv-wsman build: the TypeScript build failed (${r.error?.message ?? `exit ${r.status}`}).`);
process.exit(r.status ?? 1);
