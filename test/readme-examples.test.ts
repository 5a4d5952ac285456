/**
 * The CLI examples of README.md ("## CLI") and of every command's --help, run against the emulated
 * host so they never rot. Placeholders are mapped onto the emulated host: --host/--user values and
 * HYPERV_WSMAN_PASSWORD=... come from HYPERV_WSMAN_* variables pointing at it, `5E2C1B2D-...` is a
 * failed fixture job, a trailing `...` is dropped, `>> file` redirections are ignored, an `--out`
 * folder is a fresh temporary one, an `--inventory` file lists the emulated host (twice, by name and URL). An example
 * passes when it parses and reaches the host: exit 0, or an outcome the fixture implies (job failed,
 * not found, WS-Man fault, method failed), never a usage, internal, auth or connection error.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import yargs, { type Argv } from 'yargs';
import { COMMANDS } from '../src/cli/main.js';

/** Every command module (main.ts loads only the one argv names). */
const BOUND = await Promise.all(COMMANDS.map((c) => c.load()));
import { EXIT } from '../src/cli/exit-codes.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { emptyHome, runCapture } from './helpers/cli-harness.js';

const OUTCOMES_FROM_FIXTURES = new Set<number>([EXIT.OK, EXIT.JOB_FAILED, EXIT.NOT_FOUND, EXIT.WSMAN_FAULT, EXIT.METHOD_FAILED]);

/** Shell words: '...', "..." (with \" and \\), and bare words; enough for the examples. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"((?:\\.|[^"\\])*)"|([^\s'"]+)/g;
  let word = '';
  let last = 0;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const joined = m.index === last && word !== '';
    if (!joined && word !== '') words.push(word), (word = '');
    word += m[1] ?? (m[2] !== undefined ? m[2].replace(/\\(["\\$`])/g, '$1') : m[3]!);
    last = re.lastIndex;
  }
  if (word !== '') words.push(word);
  return words;
}

/** The argv an example line stands for, placeholders mapped (see the header). */
function argvOf(line: string): string[] {
  const words = shellWords(line.replace(/\s+#.*$/, ''));
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (/^HYPERV_WSMAN_[A-Z_]+=/.test(w) && out.length === 0) continue; // VAR=value prefix: the test's variables stand in
    if (w === 'hyperv-wsman' && out.length === 0) continue;
    if (w === '>>' || w === '>') break; // the redirection target is not an argument
    if (w === '...') continue;
    if (w === '--out') {
      i++; // a folder the example writes to (cert new): a fresh temporary one
      out.push('--out', 'OUTDIR');
      continue;
    }
    if (w === '--inventory') {
      i++; // a host list (jobs over a fleet): a file naming the emulated host
      out.push('--inventory', 'INVENTORY');
      continue;
    }
    if ((w === '--host' || w === '--user') && !words[i + 1]?.startsWith('http')) {
      i++; // placeholder host and user: the variables point at the emulated host
      continue;
    }
    if (w === '--host') {
      i++;
      const u = new URL(words[i]!); // a URL example: same shape, the emulated host's address
      out.push('--host', `http://127.0.0.1:PORT${u.pathname}`);
      continue;
    }
    out.push(w.replace(/5E2C(1B2D-)?\.\.\./g, FIXTURE_JOB_IDS.failedConcrete));
  }
  return out;
}

function readmeExamples(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## CLI\n'), readme.indexOf('\n## ', readme.indexOf('\n## CLI\n') + 1));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').filter((l) => l.startsWith('hyperv-wsman '));
}

/** Example lines of the docs/cli/*.md pages (```sh blocks), except the emulator's own, which runs in the foreground. */
function docsExamples(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const dir = new URL('../docs/cli/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.md')).sort()) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
      for (const line of block[1]!.split('\n')) {
        if (!/^(HYPERV_WSMAN_[A-Z_]+=\S+ )?hyperv-wsman /.test(line) || /hyperv-wsman emulator\b/.test(line)) continue;
        out.push([file, line]);
      }
    }
  }
  return out;
}

/** The `.example(...)` strings of a command's builder, $0 as hyperv-wsman. */
function helpExamples(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const bound of BOUND) {
    const mod = bound({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {} }, () => undefined);
    const y = yargs([]);
    const proxy: Argv = new Proxy(y, {
      get(target, prop, receiver) {
        if (prop === 'example') {
          return (cmd: string) => {
            out.push([String(mod.command), cmd.replace(/\$0/g, 'hyperv-wsman')]);
            return proxy;
          };
        }
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (...a: unknown[]) => ((v as (...x: unknown[]) => unknown).apply(target, a) === target ? proxy : (v as (...x: unknown[]) => unknown).apply(target, a)) : v;
      },
    });
    if (typeof mod.builder === 'function') mod.builder(proxy);
  }
  return out;
}

let host: EmulatedHost;
let dir: string;
let inventory: string;
let env: Record<string, string>;
before(async () => {
  host = await startEmulatedHost();
  dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-readme-'));
  const cfg = join(dir, 'config.json');
  writeFileSync(cfg, JSON.stringify({ profiles: { lab: { host: host.hostname, port: host.port, scheme: 'http', user: DEFAULT_USER } } }));
  chmodSync(cfg, 0o600);
  // Two entries for the one emulated host (its URL, and its address with the port from the environment): a fleet of two.
  inventory = join(dir, 'hosts.txt');
  writeFileSync(inventory, `# emulated hosts\n${host.url}\n${host.hostname}\n`);
  env = {
    HOME: emptyHome(),
    HYPERV_WSMAN_HOST: host.hostname,
    HYPERV_WSMAN_PORT: String(host.port),
    HYPERV_WSMAN_SCHEME: 'http',
    HYPERV_WSMAN_USER: DEFAULT_USER,
    HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD,
    HYPERV_WSMAN_CONFIG: cfg,
  };
});
after(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

async function runExample(line: string): Promise<void> {
  const argv = argvOf(line).map((a) => (a === 'OUTDIR' ? mkdtempSync(join(dir, 'out-')) : a === 'INVENTORY' ? inventory : a.replace('PORT', String(host.port))));
  // Long-running examples get bounded: job-wait on the failed fixture ends at once; the emulator is run by cli-habits.
  const r = await runCapture(argv, { env });
  assert.ok(OUTCOMES_FROM_FIXTURES.has(r.code), `\`${line}\` → hyperv-wsman ${argv.join(' ')}: exit ${r.code}\n${r.stderr}`);
}

describe('README.md CLI examples run against the emulated host', () => {
  const lines = readmeExamples();
  test('there are examples to run', () => assert.ok(lines.length >= 8, lines.join('\n')));
  for (const line of lines) test(line, () => runExample(line));
});

describe('--help examples run against the emulated host', () => {
  const examples = helpExamples();
  test('every command has examples', () => {
    const withExamples = new Set(examples.map(([c]) => c.split(' ')[0]));
    for (const bound of BOUND) {
      const name = String(bound({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {} }, () => undefined).command).split(' ')[0];
      assert.ok(withExamples.has(name), `${name} has no --help example`);
    }
  });
  for (const [command, line] of examples) {
    // The emulator runs in the foreground until a signal: test/cli-habits.test.ts runs it as a process.
    if (command.startsWith('emulator')) continue;
    test(line, () => runExample(line));
  }
});

describe('docs/cli/ examples run against the emulated host', () => {
  const examples = docsExamples();
  test('there are examples to run', () => assert.ok(examples.length >= 20, String(examples.length)));
  for (const [file, line] of examples) test(`${file}: ${line}`, () => runExample(line));
});

test('the word splitter handles the quoting the examples use', () => {
  assert.deepEqual(shellWords(`a 'LAB\\op' "x = 'y'" b"c d"e`), ['a', 'LAB\\op', "x = 'y'", 'bc de']);
});
