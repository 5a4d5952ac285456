// The short-life V8 settings of a one-shot CLI process (src/cli/short-life.ts): this Node's V8 knows
// every flag set (an unknown one would be reported on stdout, into --json output), and a V8 the
// flags were not checked against gets none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CHECKED_V8_MAJORS, SHORT_LIFE_FLAGS, shortLifeFlags } from '../src/cli/short-life.js';

const major = Number(process.versions.v8.split('.')[0]);

test(`this Node's V8 (${process.versions.v8}) is one the flags were checked against`, () => {
  // A newer Node fails here on purpose: check `node --v8-options` for each flag, then add its V8 major.
  assert.ok(CHECKED_V8_MAJORS.includes(major), `V8 ${major} is not in CHECKED_V8_MAJORS (${CHECKED_V8_MAJORS.join(', ')})`);
  assert.deepEqual(shortLifeFlags(), SHORT_LIFE_FLAGS.map((f) => f.flag));
});

test('every flag is in this V8\'s flag list', () => {
  const options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
  for (const { flag } of SHORT_LIFE_FLAGS) {
    const name = flag.replace(/^--(no-)?/, '').replace(/=.*/, '');
    assert.match(options, new RegExp(`^  --${name} `, 'm'), `${flag} is not listed by node --v8-options`);
  }
});

test('setting the flags at run time is silent and leaves the process working', () => {
  const code = `const v8 = require('node:v8'); for (const f of ${JSON.stringify(shortLifeFlags())}) v8.setFlagsFromString(f); process.stdout.write(String([1, 2, 3].map((x) => x * 2)));`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '2,4,6', 'nothing but the program\'s own output on stdout');
  assert.equal(r.stderr, '');
});

test('an unchecked V8 gets no flags', () => {
  assert.deepEqual(shortLifeFlags('99.1.0'), []);
  assert.deepEqual(shortLifeFlags('10.2.154'), []);
});
