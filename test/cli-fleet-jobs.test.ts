// `jobs` over several hosts (repeated --host, --inventory) against real emulated hosts on loopback:
// per-host grouping, JSON lines as each host finishes, typed per-host failures and the exit code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../src/cli/exit-codes.js';
import { fleetHosts, parseInventory } from '../src/cli/inventory.js';
import { DEFAULT_USER, generateTestCertificates, startEmulatedHost, type EmulatedHost, type JobFixture } from '../src/emulator/index.js';
import { InvalidOptionError } from '../src/errors.js';
import { jsonLines, runCapture } from './helpers/cli-harness.js';

const job = (id: number, jobState: number): JobFixture => ({
  className: 'Msvm_ConcreteJob',
  instanceId: `F1EE7000-0000-4000-8000-${String(id).padStart(12, '0')}`,
  jobState,
  percentComplete: jobState === 7 ? 100 : 30,
  errorCode: jobState === 10 ? 32768 : 0,
  elementName: 'Export Virtual Machine',
  jobType: 61,
});

let hosts: EmulatedHost[] = [];
/** A host whose only user has another password: authentication fails. */
let authFails: EmulatedHost;
/** A loopback port nobody listens on. */
let deadUrl: string;
let dir: string;

before(async () => {
  hosts = await Promise.all([
    startEmulatedHost({ jobs: [job(1, 7), job(2, 10)], computerName: 'HV-A' }),
    startEmulatedHost({ jobs: [job(3, 10)], computerName: 'HV-B' }),
    startEmulatedHost({ jobs: [], computerName: 'HV-C' }),
  ]);
  authFails = await startEmulatedHost({ users: { [DEFAULT_USER]: 'another password' } });
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  deadUrl = `http://127.0.0.1:${port}/wsman`;
  dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-fleet-'));
});
after(async () => {
  await Promise.all([...hosts, authFails].map((h) => h.close()));
  rmSync(dir, { recursive: true, force: true });
});

const hostFlags = (list: readonly string[]): string[] => list.flatMap((u) => ['--host', u]);
const user = ['--user', DEFAULT_USER];

type HostLine = { host: string; ok: boolean; jobs?: Array<{ instanceId: string; jobState: number }>; error?: { code: string; exitCode: number; message: string } };

describe('jobs on several hosts', () => {
  test('--host repeated: one JSON line per host, every job of each, exit 0', async () => {
    const urls = hosts.map((h) => h.url);
    const r = await runCapture(['jobs', ...hostFlags(urls), ...user, '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const lines = jsonLines(r.stdout) as HostLine[];
    assert.deepEqual(lines.map((l) => l.host).sort(), [...urls].sort());
    const byHost = new Map(lines.map((l) => [l.host, l]));
    assert.deepEqual(byHost.get(urls[0]!)!.jobs!.map((j) => j.instanceId).sort(), [job(1, 7).instanceId, job(2, 10).instanceId]);
    assert.deepEqual(byHost.get(urls[1]!)!.jobs!.map((j) => j.instanceId), [job(3, 10).instanceId]);
    assert.deepEqual(byHost.get(urls[2]!)!.jobs, []);
    assert.ok(lines.every((l) => l.ok === true));
  });

  test('http and https hosts together: --ca-trust-path applies to the https ones only', async () => {
    const certs = await generateTestCertificates();
    const tlsHost = await startEmulatedHost({ tls: { cert: certs.cert, key: certs.key }, computerName: 'HV-TLS' });
    try {
      const r = await runCapture(['jobs', ...hostFlags([hosts[0]!.url, `https://localhost:${tlsHost.port}/wsman`]), ...user, '--ca-trust-path', certs.caCertPath, '--json']);
      assert.equal(r.code, EXIT.OK, r.stderr);
      assert.deepEqual((jsonLines(r.stdout) as HostLine[]).map((l) => l.ok), [true, true]);
    } finally {
      await tlsHost.close();
      await certs.cleanup();
    }
  });

  test('--state applies to every host', async () => {
    const r = await runCapture(['jobs', ...hostFlags(hosts.map((h) => h.url)), ...user, '--state', 'exception', '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const ids = (jsonLines(r.stdout) as HostLine[]).flatMap((l) => l.jobs!.map((j) => j.instanceId)).sort();
    assert.deepEqual(ids, [job(2, 10).instanceId, job(3, 10).instanceId]);
  });

  test('a host that fails is reported with its code, the others still listed, exit code non-zero', async () => {
    const urls = [hosts[0]!.url, authFails.url, deadUrl, hosts[1]!.url];
    const r = await runCapture(['jobs', ...hostFlags(urls), ...user, '--json', '--connect-timeout', '5']);
    const lines = jsonLines(r.stdout) as HostLine[];
    const byHost = new Map(lines.map((l) => [l.host, l]));
    assert.equal(lines.length, 4);
    assert.equal(byHost.get(authFails.url)!.ok, false);
    assert.equal(byHost.get(authFails.url)!.error!.exitCode, EXIT.AUTH);
    assert.equal(byHost.get(deadUrl)!.ok, false);
    assert.equal(byHost.get(deadUrl)!.error!.code, 'ERR_CONNECTION');
    assert.equal(byHost.get(deadUrl)!.error!.exitCode, EXIT.CONNECTION);
    assert.equal(byHost.get(hosts[1]!.url)!.jobs!.length, 1);
    // The first failed host in the order given decides the exit code (auth, before the dead one).
    assert.equal(r.code, EXIT.AUTH);
    assert.match(r.stderr, new RegExp(`${authFails.url.replace(/[.:/]/g, '\\$&')}: ERR_AUTH`));
    assert.match(r.stderr, /2 of 4 hosts failed/);
    // Reordered: the dead host comes first, so its code wins.
    const r2 = await runCapture(['jobs', ...hostFlags([deadUrl, authFails.url]), ...user, '--json']);
    assert.equal(r2.code, EXIT.CONNECTION);
  });

  test('--inventory: one host per line with comments; human output grouped per host on a terminal', async () => {
    const file = join(dir, 'hosts.txt');
    writeFileSync(file, `# lab hosts\n${hosts[0]!.url}   # first\n\n${hosts[2]!.url}\n`);
    const r = await runCapture(['jobs', '--inventory', file, ...user], { tty: true });
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stdout, new RegExp(`^${hosts[0]!.url.replace(/[.:/]/g, '\\$&')}: 2 jobs$`, 'm'));
    assert.match(r.stdout, new RegExp(`^${hosts[2]!.url.replace(/[.:/]/g, '\\$&')}: 0 jobs$`, 'm'));
    assert.match(r.stdout, /^CLASS +INSTANCE ID/m);
    assert.match(r.stdout, new RegExp(job(2, 10).instanceId));
  });

  test('on an 80-column terminal each host\'s table fits, as the single-host table does (UX review)', async () => {
    const r = await runCapture(['jobs', ...hostFlags([hosts[0]!.url, hosts[1]!.url]), ...user], { tty: true, columns: 80 });
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stdout, new RegExp(job(2, 10).instanceId));
    const long = r.stdout.split('\n').filter((l) => [...l].length > 80);
    assert.deepEqual(long, []);
  });

  test('not a terminal: tab-separated rows with the host first', async () => {
    const r = await runCapture(['jobs', ...hostFlags([hosts[0]!.url, hosts[1]!.url]), ...user, '--concurrency', '1']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(rows[0]!.slice(0, 3), ['HOST', 'CLASS', 'INSTANCE ID']);
    assert.equal(rows.length, 4);
    assert.ok(rows.slice(1).every((c) => c[0] === hosts[0]!.url || c[0] === hosts[1]!.url));
  });

  test('usage errors: bad --concurrency, empty inventory, fleet flags on one host', async () => {
    const bad = await runCapture(['jobs', ...hostFlags([hosts[0]!.url, hosts[1]!.url]), ...user, '--concurrency', '0']);
    assert.equal(bad.code, EXIT.USAGE);
    assert.match(bad.stderr, /--concurrency must be an integer from 1/);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '# nothing\n\n');
    const e = await runCapture(['jobs', '--inventory', empty, ...user]);
    assert.equal(e.code, EXIT.USAGE);
    assert.match(e.stderr, /names no host/);
    const one = await runCapture(['jobs', '--host', hosts[0]!.url, ...user, '--concurrency', '4']);
    assert.equal(one.code, EXIT.USAGE);
    assert.match(one.stderr, /--concurrency and --per-host-concurrency apply to several hosts/);
  });

  test('one --host keeps the single-host output (no host column, NDJSON of jobs)', async () => {
    const r = await runCapture(['jobs', '--host', hosts[1]!.url, ...user, '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const lines = jsonLines(r.stdout) as Array<{ instanceId: string }>;
    assert.deepEqual(lines.map((l) => l.instanceId), [job(3, 10).instanceId]);
  });
});

describe('inventory files', () => {
  test('hosts in order, comments and blank lines skipped, CRLF accepted', () => {
    assert.deepEqual(parseInventory('hv01\r\n# c\n  hv02  # trailing\n\nhttps://hv03:5986/wsman\n', 'f'), ['hv01', 'hv02', 'https://hv03:5986/wsman']);
  });
  test('two words on a line (an Ansible INI line with variables) is refused, naming the line', () => {
    assert.throws(() => parseInventory('hv01\nhv02 ansible_host=10.0.0.2\n', '--inventory inv'), (e: unknown) => e instanceof InvalidOptionError && /--inventory inv line 2/.test(e.message));
  });
  test('duplicates are listed once, and reported', () => {
    assert.deepEqual(fleetHosts(['hv01', 'HV01'], ['hv02', 'hv01']), { hosts: ['hv01', 'hv02'], duplicates: ['HV01', 'hv01'] });
  });
});
