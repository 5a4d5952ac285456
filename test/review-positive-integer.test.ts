/**
 * Review of the one count check (src/positive-integer.ts, b5785f6) and of its five callers: the
 * values at and around every bound, the words of each message in the library and on the CLI (the
 * in-process runner, and once the real process for its exit status).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../src/cli/exit-codes.js';
import { ErrorCodes, InvalidOptionError } from '../src/errors.js';
import { MAX_FLEET_CONCURRENCY, MAX_PER_HOST_CONCURRENCY, runFleet } from '../src/hyperv/fleet.js';
import { describeNumber, requirePositiveInteger } from '../src/positive-integer.js';
import { WsmanClient } from '../src/wsman/client.js';
import { buildEnumerateRequest, buildPullRequest } from '../src/wsman/requests.js';
import { emptyHome, runCapture } from './helpers/cli-harness.js';

const TWO_TO_53 = 2 ** 53;

/** The InvalidOptionError `fn` throws, with its message. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InvalidOptionError, String(e));
    assert.equal(e.code, ErrorCodes.INVALID_OPTION);
    return e.message;
  }
  assert.fail('accepted');
}

test('requirePositiveInteger: integers from 1 pass unchanged; everything else is refused, in words a person can read', () => {
  for (const v of [1, 2, 4096, Number.MAX_SAFE_INTEGER]) assert.equal(requirePositiveInteger('n', v), v);
  assert.equal(requirePositiveInteger('n', 64, 64), 64);
  assert.equal(requirePositiveInteger('n', 1, 1), 1);
  const cases: Array<[number, number | undefined, string]> = [
    [0, undefined, 'n must be a positive integer, got 0.'],
    [-0, undefined, 'n must be a positive integer, got 0.'],
    [-1, undefined, 'n must be a positive integer, got -1.'],
    [1.5, undefined, 'n must be a positive integer, got 1.5.'],
    [Number.NaN, undefined, 'n must be a positive integer, got something that is not a number.'],
    [Infinity, undefined, 'n must be a positive integer, got Infinity.'],
    [-Infinity, undefined, 'n must be a positive integer, got -Infinity.'],
    [Number.MIN_VALUE, undefined, 'n must be a positive integer, got 5e-324.'],
    // Integers past 2^53 - 1 are refused (they cannot be told apart from their neighbours); the message says why, not that they are not integers.
    [TWO_TO_53, undefined, `n must be a positive integer no larger than ${Number.MAX_SAFE_INTEGER}, got ${TWO_TO_53}.`],
    [1e300, undefined, `n must be a positive integer no larger than ${Number.MAX_SAFE_INTEGER}, got 1e+300.`],
    [65, 64, 'n must be an integer from 1 to 64, got 65.'],
    [0, 64, 'n must be an integer from 1 to 64, got 0.'],
    [Number.NaN, 64, 'n must be an integer from 1 to 64, got something that is not a number.'],
    [TWO_TO_53, 64, `n must be an integer from 1 to 64, got ${TWO_TO_53}.`],
  ];
  for (const [v, max, message] of cases) assert.equal(refusal(() => requirePositiveInteger('n', v, max)), message, `${v} (max ${max})`);
  assert.equal(describeNumber(undefined), 'undefined');
  assert.equal(describeNumber(Number.NaN), 'something that is not a number');
});

test('library callers: maxElements (Enumerate and Pull), maxItems, concurrency and perHostConcurrency', async () => {
  const ctx = { to: 'http://127.0.0.1:1/wsman' };
  assert.match(buildEnumerateRequest(ctx, 'http://x/y', { maxElements: Number.MAX_SAFE_INTEGER }).xml, new RegExp(`>${Number.MAX_SAFE_INTEGER}<`));
  assert.equal(refusal(() => buildEnumerateRequest(ctx, 'http://x/y', { maxElements: 0 })), 'maxElements must be a positive integer, got 0.');
  assert.equal(refusal(() => buildEnumerateRequest(ctx, 'http://x/y', { maxElements: 2.5 })), 'maxElements must be a positive integer, got 2.5.');
  assert.equal(refusal(() => buildPullRequest(ctx, 'http://x/y', 'ctx', Number.NaN)), 'maxElements must be a positive integer, got something that is not a number.');
  // maxItems is checked before any request: the port is closed, so a request would fail otherwise.
  const client = new WsmanClient({ host: '127.0.0.1', port: 1, scheme: 'http', user: 'u', password: 'p', connectTimeoutSec: 1 });
  try {
    for (const [bad, message] of [
      [0, 'maxItems must be a positive integer, got 0.'],
      [Infinity, 'maxItems must be a positive integer, got Infinity.'],
      [TWO_TO_53, `maxItems must be a positive integer no larger than ${Number.MAX_SAFE_INTEGER}, got ${TWO_TO_53}.`],
    ] as const) {
      await assert.rejects(client.enumerate('http://x/y', { maxItems: bad }).next(), (e: unknown) => e instanceof InvalidOptionError && e.message === message, String(bad));
    }
  } finally {
    await client.close();
  }
  const fleet = async (options: { concurrency?: number; perHostConcurrency?: number }): Promise<string> => {
    try {
      for await (const _ of runFleet([], async () => 0, options));
    } catch (e) {
      assert.ok(e instanceof InvalidOptionError, String(e));
      return e.message;
    }
    return 'accepted';
  };
  assert.equal(await fleet({ concurrency: MAX_FLEET_CONCURRENCY, perHostConcurrency: MAX_PER_HOST_CONCURRENCY }), 'accepted');
  assert.equal(await fleet({ concurrency: 0 }), `concurrency must be an integer from 1 to ${MAX_FLEET_CONCURRENCY}, got 0.`);
  assert.equal(await fleet({ concurrency: MAX_FLEET_CONCURRENCY + 1 }), `concurrency must be an integer from 1 to ${MAX_FLEET_CONCURRENCY}, got ${MAX_FLEET_CONCURRENCY + 1}.`);
  assert.equal(await fleet({ perHostConcurrency: 1.5 }), `perHostConcurrency must be an integer from 1 to ${MAX_PER_HOST_CONCURRENCY}, got 1.5.`);
  assert.equal(await fleet({ perHostConcurrency: Number.NaN }), `perHostConcurrency must be an integer from 1 to ${MAX_PER_HOST_CONCURRENCY}, got something that is not a number.`);
});

test('CLI: the exact words for each count flag, exit status 2, before any connection', async () => {
  const two = ['--host', '127.0.0.1:1', '--host', '127.0.0.1:2', '--user', 'u'];
  const cases: Array<[string[], string]> = [
    // One host (or none): the fleet flags are refused as such, whatever their value.
    [['jobs', '--concurrency', '0'], '--concurrency and --per-host-concurrency apply to several hosts (repeat --host, or --inventory).'],
    [[...['jobs', ...two], '--concurrency', '0'], `--concurrency must be an integer from 1 to ${MAX_FLEET_CONCURRENCY}, got 0.`],
    [[...['jobs', ...two], '--concurrency', String(MAX_FLEET_CONCURRENCY + 1)], `--concurrency must be an integer from 1 to ${MAX_FLEET_CONCURRENCY}, got ${MAX_FLEET_CONCURRENCY + 1}.`],
    [[...['jobs', ...two], '--concurrency=-1'], `--concurrency must be an integer from 1 to ${MAX_FLEET_CONCURRENCY}, got -1.`],
    [[...['jobs', ...two], '--concurrency', 'abc'], `--concurrency must be an integer from 1 to ${MAX_FLEET_CONCURRENCY}, got something that is not a number.`],
    [[...['jobs', ...two], '--per-host-concurrency', '2.5'], `--per-host-concurrency must be an integer from 1 to ${MAX_PER_HOST_CONCURRENCY}, got 2.5.`],
    [['jobs', '--host', '127.0.0.1:1', '--user', 'u', '--max-items', 'Infinity'], '--max-items must be an integer from 1 to 10000000, got Infinity.'],
    [['enumerate', 'Msvm_ConcreteJob', '--max-elements', 'abc'], '--max-elements must be a positive integer, got something that is not a number.'],
    [['enumerate', 'Msvm_ConcreteJob', '--max-elements', '0'], '--max-elements must be a positive integer, got 0.'],
    [['enumerate', 'Msvm_ConcreteJob', '--max-elements', '1.5'], '--max-elements must be a positive integer, got 1.5.'],
    [['enumerate', 'Msvm_ConcreteJob', '--max-elements', String(TWO_TO_53)], `--max-elements must be a positive integer no larger than ${Number.MAX_SAFE_INTEGER}, got ${TWO_TO_53}.`],
    [['enumerate', 'Msvm_ConcreteJob', '--max-items', 'NaN'], '--max-items must be a positive integer, got something that is not a number.'],
  ];
  for (const [argv, message] of cases) {
    const r = await runCapture(argv);
    assert.equal(r.code, EXIT.USAGE, `${argv.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, `hyperv-wsman: ERR_INVALID_OPTION: ${message}\n`, argv.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('CLI as a process: `enumerate --max-elements abc` exits 2 with the one-line message, nothing on stdout', () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'enumerate', 'Msvm_ConcreteJob', '--max-elements', 'abc'], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: emptyHome() },
    timeout: 60_000,
  });
  assert.equal(run.status, EXIT.USAGE, run.stderr);
  assert.equal(run.stderr, 'hyperv-wsman: ERR_INVALID_OPTION: --max-elements must be a positive integer, got something that is not a number.\n');
  assert.equal(run.stdout, '');
});
