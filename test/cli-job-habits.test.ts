/**
 * Habits of the job commands (issue 11): the job ID positionally, any *Job class, --state in any
 * case, a progress bar that fits the terminal and shows the time spent, an aligned table on a TTY.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EXIT } from '../src/cli/exit-codes.js';
import { formatElapsed, progressLine } from '../src/cli/progress.js';
import { FIXTURE_JOB_IDS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { toHypervJob } from '../src/hyperv/jobs.js';
import { hostArgs, jsonDoc, jsonLines, runCapture } from './helpers/cli-harness.js';

let host: EmulatedHost;
before(async () => {
  host = await startEmulatedHost();
});
after(() => host.close());
const conn = (): string[] => hostArgs(host);

describe('the job ID, positionally or with --job-id', () => {
  test('job-error ID and job-error --job-id ID print the same document', async () => {
    const a = await runCapture(['job-error', FIXTURE_JOB_IDS.failedConcrete, ...conn(), '--json']);
    const b = await runCapture(['job-error', '--job-id', FIXTURE_JOB_IDS.failedConcrete, ...conn(), '--json']);
    assert.equal(a.code, EXIT.OK, a.stderr);
    assert.deepEqual(jsonDoc(a.stdout), jsonDoc(b.stdout));
  });

  test('job-wait ID works', async () => {
    const r = await runCapture(['job-wait', FIXTURE_JOB_IDS.completedConcrete, ...conn()]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stdout, /completed: Completed\./);
  });

  test('no job named, or two different ones: usage errors before any connection', async () => {
    for (const argv of [['job-error', ...conn()], ['job-wait', ...conn()], ['job-error', 'AAA', '--job-id', 'BBB', ...conn()]]) {
      const r = await runCapture(argv);
      assert.equal(r.code, EXIT.USAGE, argv.join(' '));
      assert.match(r.stderr, /^hyperv-wsman: ERR_USAGE: (Name the job|Two different jobs)/);
    }
  });
});

describe('--job-class takes any job class', () => {
  test('job-error --job-class Msvm_StorageJob', async () => {
    const r = await runCapture(['job-error', FIXTURE_JOB_IDS.storage, '--job-class', 'Msvm_StorageJob', ...conn(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const doc = jsonDoc<{ jobClass: string; outcome: { status: string } }>(r.stdout);
    assert.equal(doc.jobClass, 'Msvm_StorageJob');
    assert.equal(doc.outcome.status, 'succeeded');
  });

  test('jobs --job-class Msvm_StorageJob', async () => {
    const r = await runCapture(['jobs', '--job-class', 'Msvm_StorageJob', ...conn(), '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.deepEqual((jsonLines(r.stdout) as { instanceId: string }[]).map((d) => d.instanceId), [FIXTURE_JOB_IDS.storage]);
  });

  test('a name that is not a job class is a usage error', async () => {
    for (const argv of [['job-error', 'X', '--job-class', 'Msvm_ComputerSystem'], ['job-wait', 'X', '--job-class', 'a/b'], ['jobs', '--job-class', 'Msvm_ComputerSystem']]) {
      const r = await runCapture([...argv, ...conn()]);
      assert.equal(r.code, EXIT.USAGE, argv.join(' '));
      assert.match(r.stderr, /not a job class name/);
    }
  });
});

describe('jobs', () => {
  test('--state in any case: Exception, EXCEPTION, completed-with-warnings, "Completed with Warnings"', async () => {
    for (const state of ['Exception', 'EXCEPTION', 'exception']) {
      const r = await runCapture(['jobs', '--state', state, ...conn(), '--json']);
      assert.equal(r.code, EXIT.OK, r.stderr);
      const docs = jsonLines(r.stdout) as { jobStateName: string }[];
      assert.ok(docs.length > 0 && docs.every((d) => d.jobStateName === 'Exception'), state);
    }
    const spaced = await runCapture(['jobs', '--state', 'Completed with Warnings', ...conn()]);
    assert.equal(spaced.code, EXIT.OK, spaced.stderr);
  });

  test('on a terminal: an aligned table, every column starting at the same offset', async () => {
    const r = await runCapture(['jobs', ...conn()], { tty: true });
    assert.equal(r.code, EXIT.OK, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    const header = lines[0]!;
    for (const col of ['INSTANCE ID', 'STATE', 'OUTCOME']) {
      const at = header.indexOf(col);
      for (const l of lines.slice(1)) assert.notEqual(l[at - 1], undefined, l);
      for (const l of lines.slice(1)) assert.equal(l[at - 1], ' ', `column ${col} misaligned in ${l}`);
    }
  });
});

describe('the job-wait progress bar', () => {
  const job = toHypervJob({
    kind: 'instance',
    className: 'Msvm_ConcreteJob',
    properties: { InstanceID: 'X', JobState: 4, PercentComplete: 50, ElementName: 'Export Virtual Machine with a rather long name indeed' },
    propertyInfo: {},
    source: 'ws-cim',
  });

  test('elapsed time as m:ss or h:mm:ss', () => {
    assert.equal(formatElapsed(7_900), '0:07');
    assert.equal(formatElapsed(754_000), '12:34');
    assert.equal(formatElapsed(3_723_000), '1:02:03');
  });

  test('never wider than the terminal (less one column), whatever its width', () => {
    for (const columns of [20, 40, 60, 80, 120, 200]) {
      const line = progressLine(job, 65_000, columns);
      assert.ok([...line].length <= columns - 1, `${columns}: ${line}`);
      assert.match(line, /^\[[#-]+\]  50%/);
    }
    assert.match(progressLine(job, 65_000, 200), /^\[#{15}-{15}\]  50%  Running  1:05  Export Virtual Machine with a rather long name indeed$/);
    assert.match(progressLine(job, 65_000, 40), /…$/);
  });

  test('the real command on a narrow terminal draws lines that fit', async () => {
    const id = FIXTURE_JOB_IDS.progressing;
    const r = await runCapture(['job-wait', id, '--poll-interval', '0.01', ...conn()], { tty: true, columns: 50 });
    assert.equal(r.code, EXIT.OK, r.stderr);
    const drawn = r.stdout.split('\r\x1b[K').slice(1).map((s) => s.replace(/\n[^]*$/, ''));
    assert.ok(drawn.length >= 2);
    for (const d of drawn) assert.ok([...d].length <= 49, d);
    assert.match(drawn[0]!, /\d+:\d\d/);
  });
});
