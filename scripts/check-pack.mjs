#!/usr/bin/env node
/**
 * Proves the package as users get it: `npm pack` makes a tarball with the right files (LICENSE, docs,
 * typings, no source maps without sources, no tests), publint and @arethetypeswrong/cli find nothing
 * wrong, the tarball installs globally into an empty prefix, and the installed `hyperv-wsman` works:
 * --version, then `hyperv-wsman emulator` with `job-error` against it using the settings it printed.
 * With --git, also from a git URL of this checkout's HEAD (which runs `prepare`): into a project
 * (`npm install <git URL>`), and globally the way README says (`npm pack <git URL>`, then install the
 * tarball; `npm install -g <git URL>` itself is broken in npm, npm/cli#8440).
 * Exits non-zero, with the reason, on the first thing that is wrong.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'hyperv-wsman-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const FAILED_JOB = '4E7B2A9C-5D1F-4C83-A6E0-9B3D7F2C1A68'; // FIXTURE_JOB_IDS.failedConcrete

function fail(message) {
  console.error(`check-pack: FAILED: ${message}`);
  process.exitCode = 1;
  throw new Error(message);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', ...opts });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited ${r.status}${r.error ? ` (${r.error.message})` : ''}:\n${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  return r.stdout;
}

function step(name) {
  console.log(`check-pack: ${name}`);
}

/** Starts the installed `hyperv-wsman emulator`, returns its settings once it prints `# ready`. */
function startEmulator(bin) {
  const child = spawn(bin, ['emulator', '--tls', '--auth', 'basic'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the emulator did not get ready in 30 s:\n${out}\n${err}`)), 30_000);
    child.on('exit', (code) => reject(new Error(`the emulator exited (${code}) before it was ready:\n${out}\n${err}`)));
    child.stdout.on('data', (d) => {
      out += d;
      if (!/^# ready/m.test(out)) return;
      clearTimeout(timer);
      const env = {};
      for (const m of out.matchAll(/^(HYPERV_WSMAN_[A-Z_]+)=(.*)$/gm)) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/'\\''/g, "'");
      resolve({ child, env });
    });
  });
}

async function smoke(bin, label) {
  step(`${label}: hyperv-wsman --version`);
  const version = run(bin, ['--version']).trim();
  if (version !== pkg.version) fail(`--version printed "${version}", expected ${pkg.version}`);
  step(`${label}: hyperv-wsman emulator + job-error against it`);
  const { child, env } = await startEmulator(bin);
  try {
    for (const k of ['HYPERV_WSMAN_HOST', 'HYPERV_WSMAN_PORT', 'HYPERV_WSMAN_SCHEME', 'HYPERV_WSMAN_USER', 'HYPERV_WSMAN_PASSWORD', 'HYPERV_WSMAN_CA_TRUST_PATH']) {
      if (!env[k]) fail(`the emulator did not print ${k}`);
    }
    const childEnv = { PATH: process.env.PATH, HOME: work, ...env };
    const json = JSON.parse(run(bin, ['job-error', '--job-id', FAILED_JOB, '--json'], { env: childEnv }));
    if (json.instanceId !== FAILED_JOB || json.error?.className !== 'Msvm_Error') fail(`job-error --json did not decode the fixture's Msvm_Error: ${JSON.stringify(json)}`);
    const text = run(bin, ['job-error', '--job-id', FAILED_JOB], { env: childEnv });
    if (!/Msvm_Error|error/i.test(text)) fail(`job-error printed no error:\n${text}`);
  } finally {
    child.kill('SIGTERM');
  }
}

async function main() {
  step('npm pack');
  const packed = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', work]));
  const tarball = join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  for (const must of ['LICENSE', 'README.md', 'package.json', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/emulator/index.d.ts', 'dist/cli/hyperv-wsman.js', 'dist/cli/THIRD-PARTY-LICENSES.txt', 'docs/cli-json.md', 'wsdl/wsman-request.xsd']) {
    if (!files.includes(must)) fail(`the tarball lacks ${must}`);
  }
  // dist/src/cli is tsc's unbundled copy of the CLI: the package ships the bundle (dist/cli) instead.
  const stray = files.filter((f) => f.endsWith('.map') || f.startsWith('test/') || f.startsWith('src/') || f.startsWith('node_modules/') || f.startsWith('dist/src/cli/'));
  if (Object.keys(pkg.dependencies ?? {}).length) fail(`the package has runtime dependencies (${Object.keys(pkg.dependencies).join(', ')}); the CLI bundles yargs, the library needs nothing`);
  if (stray.length) fail(`the tarball holds files it should not: ${stray.slice(0, 10).join(', ')}`);
  for (const f of files.filter((f) => f.startsWith('docs/'))) {
    // Links between doc pages must resolve in the tarball (links to the repository's examples/ need the repository).
    const text = readFileSync(join(root, f), 'utf8');
    for (const m of text.matchAll(/\]\((?!https?:|#)([^)#]+)/g)) {
      const target = join(dirname(f), m[1]).replace(/\\/g, '/');
      if (target.startsWith('docs/') && !files.includes(target)) fail(`${f} links ${m[1]}, which is not in the tarball`);
    }
  }
  console.log(`check-pack: ${files.length} files, ${packed[0].size} bytes packed`);

  step('publint');
  run(process.execPath, [join(root, 'node_modules', 'publint', 'src', 'cli.js'), '--strict', root]);
  step('@arethetypeswrong/cli (ESM-only profile)');
  run(process.execPath, [join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'), tarball, '--profile', 'esm-only', '--format', 'ascii']);

  step('npm install -g into an empty prefix');
  const prefix = join(work, 'prefix');
  run(npm, ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball]);
  await smoke(join(prefix, 'bin', 'hyperv-wsman'), 'tarball');

  if (process.argv.includes('--git')) {
    const url = `git+file://${root}#${run('git', ['rev-parse', 'HEAD']).trim()}`;
    step('npm install <git URL> into a project (runs prepare)');
    const project = join(work, 'project');
    mkdirSync(project);
    run(npm, ['init', '-y'], { cwd: project });
    run(npm, ['install', '--no-audit', '--no-fund', url], { cwd: project });
    await smoke(join(project, 'node_modules', '.bin', 'hyperv-wsman'), 'git, project');
    step('npm pack <git URL>, then npm install -g of that tarball');
    const fromGit = JSON.parse(run(npm, ['pack', '--json', '--pack-destination', work, url], { cwd: work }));
    const gitPrefix = join(work, 'git-prefix');
    run(npm, ['install', '-g', '--prefix', gitPrefix, '--no-audit', '--no-fund', join(work, fromGit[0].filename)]);
    await smoke(join(gitPrefix, 'bin', 'hyperv-wsman'), 'git, global');
  }
  console.log('check-pack: the package installs and runs');
}

main()
  .catch((err) => {
    if (!process.exitCode) console.error(`check-pack: FAILED: ${err.message}`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
