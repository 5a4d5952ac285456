#!/usr/bin/env node
/**
 * Builds dist/ with the TypeScript compiler (npm run build; also `prepare`, which npm runs for
 * `npm pack` and for installs from a git URL). dist/ is emptied first so nothing stale is packed.
 * The library is dist/src (tsc). The CLI is also bundled with esbuild into dist/cli: one entry file
 * (yargs inside) plus a chunk per command, loaded when that command runs; one file instead of ~60
 * modules to resolve halves the CLI's start-up (issue 10, numbers in README); its whitespace and
 * syntax are minified (not its names). The licences of the bundled packages go to
 * dist/cli/THIRD-PARTY-LICENSES.txt.
 * npm documents that a git install gets its dev dependencies before `prepare`; a clone installed with
 * --omit=dev does not have them, so this script installs them into the checkout first, and says so.
 * A global git install (`npm install -g <git URL>`) gets no dependencies at all (npm/cli#8440) and
 * is refused with the two-step command that works (npm pack, then install the tarball).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const project = join(root, 'tsconfig.build.json');

function compiler() {
  try {
    require.resolve('typescript/bin/tsc');
    require.resolve('esbuild');
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
if (r.status !== 0) {
  console.error(`hyperv-wsman build: the TypeScript build failed (${r.error?.message ?? `exit ${r.status}`}).`);
  process.exit(r.status ?? 1);
}

/** dist/cli/hyperv-wsman.js from tsc's dist/src/cli/main.js, with a chunk per dynamically imported command. */
async function bundleCli() {
  const esbuild = await import(pathToFileURL(require.resolve('esbuild')).href);
  const outdir = join(root, 'dist', 'cli');
  const result = await esbuild.build({
    entryPoints: { 'hyperv-wsman': join(root, 'dist', 'src', 'cli', 'main.js') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    legalComments: 'none', // the licences are in THIRD-PARTY-LICENSES.txt
    // Less source to parse and keep on the heap: ~0.8 MiB off a job-error call's peak RSS (issue 10).
    // Names stay (no minifyIdentifiers), so a --debug stack trace still names its functions.
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [lazyStringWidth],
  });
  writeFileSync(join(outdir, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicences(Object.keys(result.metafile.inputs)));
}

/**
 * string-width (through yargs' help layout) builds an Intl.Segmenter and five Unicode-property
 * regular expressions when it is loaded: about 0.02 s of CPU and 3 MiB at every start, though only
 * `--help` measures text, and ours is printable ASCII, whose width is its length. Each import of it
 * gets a stand-in that answers printable ASCII itself and loads the real module (a lazily
 * initialised part of the bundle) for any other text.
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { real: true } });
      if (real.errors.length) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `let real;
export default function stringWidth(text, options) {
  if (typeof text === 'string' && /^[\\x20-\\x7e]*$/.test(text)) return text.length;
  real ??= require(${JSON.stringify(args.path)}).default;
  return real(text, options);
}
`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/** The licence text of every package whose code is in the bundle (MIT/ISC ask for their notice to travel with copies). */
function thirdPartyLicences(inputs) {
  const packages = new Map(); // name@version -> its directory (a package installed twice is listed once)
  for (const input of inputs) {
    // A plugin's stand-in is named `namespace:path`: it stands for the package at that path.
    const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input.replace(/^[a-z-]+:/, '').replace(/\\/g, '/'));
    if (!m) continue;
    const dir = resolve(root, m[1]);
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    packages.set(`${m[2]}@${version}`, dir);
  }
  const parts = ['Third-party code bundled into dist/cli (the hyperv-wsman CLI), with its licences.\n'];
  for (const [id, dir] of [...packages].sort((a, b) => a[0].localeCompare(b[0]))) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const name = id.slice(0, id.lastIndexOf('@'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
    if (!file) throw new Error(`${name} has no LICENSE file to ship with the bundle`);
    parts.push(`${'='.repeat(78)}\n${name}@${pkg.version} (${pkg.license})\n${'='.repeat(78)}\n${readFileSync(join(dir, file), 'utf8').trim()}\n`);
  }
  return parts.join('\n');
}

try {
  await bundleCli();
} catch (err) {
  console.error(`hyperv-wsman build: bundling the CLI failed: ${err.message}`);
  process.exit(1);
}
