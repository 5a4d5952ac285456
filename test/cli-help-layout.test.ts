// --help of every command at common terminal widths: no option type glued to its description
// ("...Msvm_AffectedJobElement[string]", a yargs layout quirk) and no line wider than the terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, commandName, unglueTypes } from '../src/cli/main.js';
import { runCapture } from './helpers/cli-harness.js';

const GLUED = /\S\[(?:string|number|boolean|array|count)\]/;

test('unglueTypes puts a glued [type] on its own line, right-aligned; other lines are left alone', () => {
  const help = '  --x  Only through this association class, e.g. Msvm_AffectedJobElement[string]\n  --y  fine                                                               [number]';
  const out = unglueTypes(help, 80).split('\n');
  assert.equal(out[0], '  --x  Only through this association class, e.g. Msvm_AffectedJobElement');
  assert.equal(out[1], '[string]'.padStart(80));
  assert.equal(out[2], help.split('\n')[1]);
  assert.equal(unglueTypes('  --a  text[boolean] [default: true]', 40).split('\n')[1], '[boolean] [default: true]'.padStart(40));
});

test('--help of every command, at 80, 100 and 110 columns: no glued type, no line past the width', async () => {
  const stdout = process.stdout as { columns?: number };
  const saved = stdout.columns;
  try {
    for (const width of [80, 100, 110]) {
      stdout.columns = width;
      for (const name of [undefined, ...COMMANDS.map(commandName)]) {
        const r = await runCapture(name ? [name, '--help'] : ['--help']);
        assert.equal(r.code, 0, r.stderr);
        for (const line of r.stdout.split('\n')) {
          assert.doesNotMatch(line, GLUED, `${name ?? '(top)'} at ${width}: ${line}`);
          assert.ok(line.length <= width, `${name ?? '(top)'} at ${width}: ${line.length} characters: ${line}`);
        }
      }
    }
  } finally {
    stdout.columns = saved;
  }
});
