// The bound on items of one enumeration (EnumerateArgs.maxItems, ListJobsOptions.maxItems, `jobs
// --max-items`) against a real emulated host on loopback: past it a typed ProtocolError (CLI exit 6)
// naming the limit and how to raise it, with the server's context released; under it nothing changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT } from '../src/cli/exit-codes.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startEmulatedHost, type EmulatedHost, type JobFixture } from '../src/emulator/index.js';
import { ErrorCodes, InvalidOptionError, ProtocolError } from '../src/errors.js';
import { listFleetJobs } from '../src/hyperv/fleet.js';
import { HypervJobs } from '../src/hyperv/jobs.js';
import { WsmanClient } from '../src/wsman/client.js';
import { jsonLines, runCapture } from './helpers/cli-harness.js';

const job = (id: number): JobFixture => ({
  className: 'Msvm_ConcreteJob',
  instanceId: `3A11CE00-0000-4000-8000-${String(id).padStart(12, '0')}`,
  jobState: 7,
  percentComplete: 100,
  errorCode: 0,
  elementName: 'Export Virtual Machine',
  jobType: 61,
});
const SEVEN = Array.from({ length: 7 }, (_, i) => job(i + 1));

let many: EmulatedHost;
let few: EmulatedHost;
before(async () => {
  many = await startEmulatedHost({ jobs: SEVEN, requestLog: true });
  few = await startEmulatedHost({ jobs: SEVEN.slice(0, 2) });
});
after(async () => {
  await Promise.all([many.close(), few.close()]);
});

const user = ['--user', DEFAULT_USER];
const connection = (h: EmulatedHost) => ({ host: h.hostname, port: h.port, scheme: h.scheme, user: DEFAULT_USER, password: DEFAULT_PASSWORD });

describe('library: maxItems', () => {
  test('more items than maxItems across pages: ProtocolError naming the limit, and the context is released', async () => {
    const client = new WsmanClient(connection(many));
    try {
      const seen: string[] = [];
      const before = many.requests.length;
      await assert.rejects(
        (async () => {
          for await (const j of new HypervJobs(client).listJobs({ classes: ['Msvm_ConcreteJob'], maxElements: 2, maxItems: 5 })) seen.push(j.instanceId);
        })(),
        (err: unknown) => err instanceof ProtocolError && err.code === ErrorCodes.PROTOCOL && /more than 5 items/.test(err.message) && /raise maxItems/.test(err.message),
      );
      assert.equal(seen.length, 4, 'whole pages of 2 up to the limit were delivered');
      assert.ok(many.requests.slice(before).some((r) => r.operation === 'Release'), 'the enumeration context was released');
    } finally {
      await client.close();
    }
  });

  test('exactly maxItems items: all of them, no error', async () => {
    const client = new WsmanClient(connection(many));
    try {
      const seen: string[] = [];
      for await (const j of new HypervJobs(client).listJobs({ classes: ['Msvm_ConcreteJob'], maxElements: 3, maxItems: 7 })) seen.push(j.instanceId);
      assert.deepEqual(seen.sort(), SEVEN.map((j) => j.instanceId).sort());
    } finally {
      await client.close();
    }
  });

  test('maxItems that is not a positive integer is refused before any request', async () => {
    const client = new WsmanClient(connection(many));
    try {
      for (const bad of [0, -1, 1.5, Number.NaN]) {
        await assert.rejects(client.enumerate('http://example/x', { maxItems: bad }).next(), InvalidOptionError, String(bad));
      }
    } finally {
      await client.close();
    }
  });

  test('listFleetJobs: list.maxItems fails only the host past it', async () => {
    const results = new Map<string, { ok: boolean; code?: string }>();
    const targets = [{ name: 'many', connection: connection(many) }, { name: 'few', connection: connection(few) }];
    for await (const r of listFleetJobs(targets, { classes: ['Msvm_ConcreteJob'], maxItems: 5 })) results.set(r.host, r.ok ? { ok: true } : { ok: false, code: r.error.code });
    assert.deepEqual(results.get('many'), { ok: false, code: ErrorCodes.PROTOCOL });
    assert.deepEqual(results.get('few'), { ok: true });
  });
});

describe('CLI: jobs --max-items', () => {
  test('one host past --max-items 5: exit 6, the message names the limit and --max-items', async () => {
    const r = await runCapture(['jobs', '--host', many.url, ...user, '--max-items', '5']);
    assert.equal(r.code, EXIT.WSMAN_FAULT, r.stderr);
    assert.equal(EXIT.WSMAN_FAULT, 6);
    assert.match(r.stderr, /ERR_WSMAN_PROTOCOL/);
    assert.match(r.stderr, /more than 5 items/);
    assert.match(r.stderr, /raise --max-items/);
    assert.doesNotMatch(r.stderr, /maxItems/);
  });

  test('the terminal table past --max-items fails the same way, printing no table', async () => {
    const r = await runCapture(['jobs', '--host', many.url, ...user, '--max-items', '5'], { tty: true });
    assert.equal(r.code, EXIT.WSMAN_FAULT, r.stderr);
    assert.doesNotMatch(r.stdout, /No jobs|3A11CE00/);
  });

  test('under the limit (and by default) every job is listed, exit 0', async () => {
    for (const extra of [['--max-items', '7'], []]) {
      const r = await runCapture(['jobs', '--host', many.url, ...user, '--json', ...extra]);
      assert.equal(r.code, EXIT.OK, r.stderr);
      const ids = (jsonLines(r.stdout) as Array<{ instanceId: string }>).map((j) => j.instanceId).sort();
      assert.deepEqual(ids, SEVEN.map((j) => j.instanceId).sort(), extra.join(' '));
    }
  });

  test('several hosts: the host past the limit fails with exit 6 in its JSON line, the other is listed', async () => {
    const r = await runCapture(['jobs', '--host', many.url, '--host', few.url, ...user, '--json', '--max-items', '5']);
    assert.equal(r.code, EXIT.WSMAN_FAULT, r.stderr);
    const lines = jsonLines(r.stdout) as Array<{ host: string; ok: boolean; jobs?: unknown[]; error?: { code: string; exitCode: number; message: string } }>;
    const byHost = new Map(lines.map((l) => [l.host, l]));
    assert.equal(byHost.get(many.url)?.ok, false);
    assert.equal(byHost.get(many.url)?.error?.exitCode, 6);
    assert.match(byHost.get(many.url)?.error?.message ?? '', /more than 5 items.*--max-items/);
    assert.equal(byHost.get(few.url)?.jobs?.length, 2);
  });

  test('--max-items that is not a positive integer: usage error (exit 2) before any connection', async () => {
    for (const bad of ['0', '-3', '1.5', 'many']) {
      const r = await runCapture(['jobs', '--host', many.url, ...user, '--max-items', bad]);
      assert.equal(r.code, EXIT.USAGE, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--max-items must be an integer/, bad);
    }
  });
});

describe('CLI: enumerate --max-items', () => {
  test('streams until past the limit, then exit 6 naming --max-items; without it every instance', async () => {
    const r = await runCapture(['enumerate', 'Msvm_ConcreteJob', '--host', many.url, ...user, '--json', '--max-elements', '2', '--max-items', '5']);
    assert.equal(r.code, EXIT.WSMAN_FAULT, r.stderr);
    assert.match(r.stderr, /more than 5 items.*raise --max-items/);
    const lines = jsonLines(r.stdout) as Array<{ className?: string; error?: { code: string } }>;
    assert.equal(lines.filter((l) => l.className !== undefined).length, 4, 'the pages before the limit were printed');
    assert.equal(lines.at(-1)?.error?.code, 'ERR_WSMAN_PROTOCOL');
    const all = await runCapture(['enumerate', 'Msvm_ConcreteJob', '--host', many.url, ...user, '--json', '--max-elements', '2']);
    assert.equal(all.code, EXIT.OK, all.stderr);
    assert.equal(jsonLines(all.stdout).length, 7);
  });

  test('--max-items 0: usage error', async () => {
    const r = await runCapture(['enumerate', 'Msvm_ConcreteJob', '--host', many.url, ...user, '--max-items', '0']);
    assert.equal(r.code, EXIT.USAGE, r.stderr);
    assert.match(r.stderr, /--max-items must be a positive integer/);
  });
});
