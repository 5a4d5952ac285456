/**
 * docs/cli/: a page per command, each with examples and exit codes, and every flag a page names
 * exists on that command (so a renamed or removed flag cannot linger in the docs). The pages'
 * examples are run by readme-examples.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { COMMANDS, commandName, knownFlags } from '../src/cli/main.js';

const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {} };
const names = COMMANDS.map(commandName);
// Every command's flags, loaded once (main.ts loads only the command argv names).
const flagsByCommand = new Map(await Promise.all(names.map(async (n) => [n, await knownFlags([n], io)] as const)));
const page = (name: string): URL => new URL(`../docs/cli/${name}.md`, import.meta.url);

test('every command has a page, listed in docs/cli/README.md', () => {
  const index = readFileSync(new URL('../docs/cli/README.md', import.meta.url), 'utf8');
  for (const name of names) {
    assert.ok(existsSync(page(name)), `docs/cli/${name}.md is missing`);
    assert.ok(index.includes(`(${name}.md)`), `docs/cli/README.md does not link ${name}.md`);
  }
});

for (const name of names) {
  test(`docs/cli/${name}.md has examples and exit codes, and names only real flags`, () => {
    const text = readFileSync(page(name), 'utf8');
    assert.match(text, /^## Examples$/m);
    assert.match(text, /^## Exit codes$/m);
    assert.match(text, new RegExp(`^\`\`\`sh\\n[^]*?hyperv-wsman ${name}\\b`, 'm'), 'an example runs this command');
    const known = new Set([...flagsByCommand.get(name)!, 'no-send-cbt']);
    // Flags in examples of other commands on the page are checked against those commands.
    for (const line of text.split('\n')) {
      const other = /hyperv-wsman (?:--\S+ )*([a-z-]+)/.exec(line)?.[1];
      const flags = [...line.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
      const against = other && other !== name && names.includes(other) ? new Set(flagsByCommand.get(other)!) : known;
      // yargs takes --no-X for a boolean flag X (e.g. job-error --no-affected).
      for (const f of flags) assert.ok(against.has(f) || (f.startsWith('no-') && against.has(f.slice(3))), `docs/cli/${name}.md names --${f}, which ${other && other !== name ? other : name} does not have:\n${line}`);
    }
  });
}

test('docs/cli/README.md names only flags some command has', () => {
  const text = readFileSync(new URL('../docs/cli/README.md', import.meta.url), 'utf8');
  const known = new Set([...names.flatMap((n) => flagsByCommand.get(n)!), 'no-send-cbt']);
  for (const m of text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)) assert.ok(known.has(m[1]!), `--${m[1]}`);
});

test('the command table lists each command as its module defines it', async () => {
  for (const entry of COMMANDS) {
    const mod = (await entry.load())(io, () => undefined);
    assert.equal(mod.command, entry.command);
    assert.equal(mod.describe, entry.describe);
  }
});

test('docs/cli-json.md lists every config-file key the loader accepts', async () => {
  const { CONFIG_KEYS } = await import('../src/cli/config-file.js');
  const doc = readFileSync('docs/cli-json.md', 'utf8');
  const listed = doc.slice(doc.indexOf('- Keys are the flag names'), doc.indexOf('Numbers and booleans are JSON'));
  const missing = Object.keys(CONFIG_KEYS).filter((k) => !listed.includes(`\`${k}\``));
  assert.deepEqual(missing, []);
});
