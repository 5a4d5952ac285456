// CLI habits: flags before the command, "did you mean", --host as a URL, HYPERV_WSMAN_* variables and
// their precedence, one broken profile not breaking the others, config show (sources, redaction),
// errors in flag terms, completion scripts for three shells, and the emulator command.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandFirst, packageVersion } from '../src/cli/main.js';
import { globalBooleanFlags } from '../src/cli/connection.js';
import { inFlagTerms } from '../src/cli/option-names.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { defaultEnv, emptyHome, hostArgs, jsonDoc, runCapture, startEmulatorProcess } from './helpers/cli-harness.js';

let host: EmulatedHost;
let dir: string;
before(async () => {
  host = await startEmulatedHost();
  dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-cli-habits-'));
});
after(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  chmodSync(path, 0o600);
  return path;
}

const GET_JOB = ['get', 'Msvm_ConcreteJob', '--selector', `InstanceID=${FIXTURE_JOB_IDS.completedConcrete}`];

describe('global flags before the command', () => {
  test('`--json --host h identify` works as `identify --json --host h`', async () => {
    const r = await runCapture(['--json', ...hostArgs(host), 'identify']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.equal(jsonDoc(r.stdout).productVendor, 'Microsoft Corporation');
  });

  test('values of flags before the command are not taken for the command; booleans take no value', () => {
    assert.deepEqual(commandFirst(['--host', 'h', '--json', 'jobs', '--state', 'failed'], globalBooleanFlags()), ['jobs', '--host', 'h', '--json', '--state', 'failed']);
    assert.deepEqual(commandFirst(['--no-send-cbt', '--port=5986', 'get', 'X'], globalBooleanFlags()), ['get', '--no-send-cbt', '--port=5986', 'X']);
    assert.deepEqual(commandFirst(['jobs', '--json'], globalBooleanFlags()), ['jobs', '--json']);
  });
});

describe('did you mean', () => {
  test('a misspelt flag gets the closest real one', async () => {
    const r = await runCapture(['identify', '--hots', '127.0.0.1']);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /Unknown argument: hots\. Did you mean --host\?/);
    const r2 = await runCapture(['get', 'X', '--ca-trust-pth', 'x']);
    assert.match(r2.stderr, /Unknown argument: ca-trust-pth\. Did you mean --ca-trust-path\?/);
    assert.doesNotMatch(r2.stderr, /caTrustPth/, 'the camel-case twin yargs adds is not shown');
  });

  test('a misspelt command, value or state says what was typed and the closest accepted word', async () => {
    const cases: Array<[string[], string, string]> = [
      [['job-eror', 'X'], 'Unknown command "job-eror". Did you mean job-error?', 'hyperv-wsman --help'],
      [['identify', '--transport', 'ntml'], '--transport "ntml" is not one of: basic, ntlm, kerberos, negotiate, certificate. Did you mean ntlm?', 'hyperv-wsman identify --help'],
      [['config', 'shwo'], 'config <action>: "shwo" is not one of: show. Did you mean show?', 'hyperv-wsman config --help'],
      [['completion', 'tcsh'], 'completion <shell>: "tcsh" is not one of: bash, zsh, fish.', 'hyperv-wsman completion --help'],
      [['config'], 'Missing <action>: hyperv-wsman config <action>.', 'hyperv-wsman config --help'],
      [['job-error', '--job-id'], '--job-id needs a value.', 'hyperv-wsman job-error --help'],
      [['cert', 'new'], 'Missing --upn, --out.', 'hyperv-wsman cert --help'],
      [['enumerate', 'Msvm_A', 'Msvm_B'], 'Unexpected argument "Msvm_B": hyperv-wsman enumerate [class] takes no more words than that (a value with spaces needs quotes).', 'hyperv-wsman enumerate --help'],
      [['jobs', 'extra'], 'Unexpected argument "extra": hyperv-wsman jobs takes no words, only flags', 'hyperv-wsman jobs --help'],
      [['jobs', '--state', 'excepton'], 'Unknown job state "excepton" for --state. Did you mean exception? It takes one of new, ', 'hyperv-wsman jobs --help'],
    ];
    for (const [argv, message, help] of cases) {
      const r = await runCapture(argv);
      assert.equal(r.code, EXIT.USAGE, argv.join(' '));
      const [first, second] = r.stderr.split('\n');
      assert.ok(first!.startsWith(`hyperv-wsman: ERR_USAGE: ${message}`), `${argv.join(' ')}: ${first}`);
      assert.equal(second, `Run '${help}' for usage.`);
    }
    for (const argv of [['job-wait', 'X', '--timeout', 'abc'], ['enumerate', 'Msvm_ConcreteJob', '--max-elements', 'x'], ['emulator', '--port', 'x'], ['jobs', '--host', 'a', '--host', 'b', '--concurrency', 'x']]) {
      const r = await runCapture(argv);
      assert.equal(r.code, EXIT.USAGE, argv.join(' '));
      assert.match(r.stderr, /got something that is not a number\.\n$/, argv.join(' '));
      assert.doesNotMatch(r.stderr, /NaN/);
    }
    const far = await runCapture(['jobs', '--state', 'zzzzzzzz']);
    assert.doesNotMatch(far.stderr, /Did you mean/, 'nothing close: no guess');
  });

  test('a flag of another command is suggested only when it is close to one of this command', async () => {
    const r = await runCapture(['identify', '--zzzzzz']);
    assert.equal(r.code, EXIT.USAGE);
    assert.doesNotMatch(r.stderr, /Did you mean/);
  });
});

describe('--host as a URL', () => {
  test('scheme, port and path come from the URL', async () => {
    const r = await runCapture(['identify', '--host', `http://127.0.0.1:${host.port}/wsman`, '--user', DEFAULT_USER]);
    assert.equal(r.code, EXIT.OK, r.stderr);
  });

  test('a flag that contradicts the URL is a usage error; one that agrees is fine', async () => {
    const url = `http://127.0.0.1:${host.port}/wsman`;
    const bad = await runCapture(['identify', '--host', url, '--port', '5986', '--user', DEFAULT_USER]);
    assert.equal(bad.code, EXIT.USAGE);
    assert.match(bad.stderr, new RegExp(`--host ${url} says port ${host.port}, but --port says 5986`));
    const same = await runCapture(['identify', '--host', url, '--scheme', 'http', '--user', DEFAULT_USER]);
    assert.equal(same.code, EXIT.OK, same.stderr);
  });

  test('credentials in the URL are refused', async () => {
    const r = await runCapture(['identify', '--host', `http://u:p@127.0.0.1:${host.port}/wsman`, '--user', DEFAULT_USER]);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /credentials are not taken from a URL/);
  });
});

describe('--host name:port', () => {
  test('the port after the name is taken, as other tools take it', async () => {
    const r = await runCapture(['identify', '--host', `127.0.0.1:${host.port}`, '--scheme', 'http', '--user', DEFAULT_USER]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const v6 = await runCapture(['config', 'show', '--json', '--host', '[::1]:5986']);
    const doc = jsonDoc<{ settings: Record<string, { value: unknown }> }>(v6.stdout);
    assert.equal(doc.settings.host?.value, '::1');
    assert.equal(doc.settings.port?.value, 5986);
  });

  test('config show: the table ends without a blank line; an empty $HYPERV_WSMAN_PASSWORD shows as (empty), not (hidden)', async () => {
    const set = await runCapture(['config', 'show', '--host', 'hv01'], { env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: 'x' } });
    assert.equal(set.code, EXIT.OK, set.stderr);
    assert.match(set.stdout, /^password +\(hidden\) +\$HYPERV_WSMAN_PASSWORD\n$/m);
    assert.ok(!set.stdout.endsWith('\n\n'), 'no trailing blank line');
    const empty = await runCapture(['config', 'show', '--host', 'hv01'], { env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: '' } });
    assert.match(empty.stdout, /^password +\(empty\) +\$HYPERV_WSMAN_PASSWORD$/m);
  });

  test('port 5985 without a scheme means http; a contradicting --port is a usage error', async () => {
    const r = await runCapture(['config', 'show', '--json', '--host', 'hv01:5985']);
    const doc = jsonDoc<{ settings: Record<string, { value: unknown }> }>(r.stdout);
    assert.equal(doc.settings.scheme?.value, 'http');
    const bad = await runCapture(['identify', '--host', 'hv01:5985', '--port', '5986', '--user', DEFAULT_USER]);
    assert.equal(bad.code, EXIT.USAGE);
    assert.match(bad.stderr, /--host hv01:5985 says port 5985, but --port says 5986/);
  });

  test('name:port of an http listener without a scheme: the TLS failure says to use http', async () => {
    const r = await runCapture(['identify', '--host', `127.0.0.1:${host.port}`, '--user', DEFAULT_USER]);
    assert.equal(r.code, EXIT.CONNECTION);
    assert.match(r.stderr, /answered in plain text: for an http listener .* use scheme http \(--scheme http, or an http:\/\/ URL\)/);
  });

  test('a name that does not resolve is said so (not "check that WinRM listens")', async () => {
    const r = await runCapture(['identify', '--host', 'nosuchhost.invalid', '--scheme', 'http', '--user', DEFAULT_USER]);
    assert.equal(r.code, EXIT.CONNECTION);
    assert.match(r.stderr, /the host name does not resolve/);
  });

  test('a port that is not a number is a usage error naming the port', async () => {
    const r = await runCapture(['config', 'show', '--host', 'hv01:abc']);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /--host "hv01:abc": the port after the colon must be a number/);
  });

  test('a bare IPv6 address is not split', async () => {
    const r = await runCapture(['config', 'show', '--json', '--host', 'fe80::1']);
    const doc = jsonDoc<{ settings: Record<string, { value: unknown }> }>(r.stdout);
    assert.equal(doc.settings.host?.value, 'fe80::1');
  });
});

describe('HYPERV_WSMAN_* variables: flag > env > profile > defaults', () => {
  const envFor = (h: EmulatedHost): Record<string, string> => ({
    ...defaultEnv(),
    HYPERV_WSMAN_HOST: h.hostname,
    HYPERV_WSMAN_PORT: String(h.port),
    HYPERV_WSMAN_SCHEME: h.scheme,
    HYPERV_WSMAN_USER: DEFAULT_USER,
  });

  test('the variables alone are enough', async () => {
    const r = await runCapture(GET_JOB, { env: envFor(host) });
    assert.equal(r.code, EXIT.OK, r.stderr);
  });

  test('a flag beats the variable, the variable beats the profile', async () => {
    const cfg = writeConfig('precedence.json', { defaults: { 'operation-timeout': 30 }, profiles: { lab: { host: '203.0.113.1', port: 1, 'read-timeout': 50 } } });
    const env = { ...envFor(host), HYPERV_WSMAN_CONFIG: cfg, HYPERV_WSMAN_PROFILE: 'lab', HYPERV_WSMAN_READ_TIMEOUT: '60' };
    const r = await runCapture(['config', 'show', '--json', '--operation-timeout', '40'], { env });
    assert.equal(r.code, EXIT.OK, r.stderr);
    const doc = jsonDoc<{ settings: Record<string, { value: unknown; source: string }> }>(r.stdout);
    assert.deepEqual(doc.settings.host, { value: host.hostname, source: '$HYPERV_WSMAN_HOST' });
    assert.deepEqual(doc.settings['read-timeout'], { value: 60, source: '$HYPERV_WSMAN_READ_TIMEOUT' });
    assert.deepEqual(doc.settings['operation-timeout'], { value: 40, source: 'flag' });
    const noFlag = jsonDoc<{ settings: Record<string, { value: unknown; source: string }> }>((await runCapture(['config', 'show', '--json'], { env })).stdout);
    assert.deepEqual(noFlag.settings['operation-timeout'], { value: 30, source: 'config defaults' });
    // And the connection really goes where the variables say, not to the profile's host.
    const get = await runCapture(GET_JOB, { env });
    assert.equal(get.code, EXIT.OK, get.stderr);
  });

  test('a variable of the wrong type is a usage error naming the variable', async () => {
    const r = await runCapture(GET_JOB, { env: { ...envFor(host), HYPERV_WSMAN_PORT: 'eighty' } });
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /\$HYPERV_WSMAN_PORT must be a number, got "eighty"/);
    const b = await runCapture(GET_JOB, { env: { ...envFor(host), HYPERV_WSMAN_SEND_CBT: 'maybe' } });
    assert.match(b.stderr, /\$HYPERV_WSMAN_SEND_CBT must be true or false/);
  });
});

describe('config profiles', () => {
  test('a bad key in one profile does not break another; it fails when that profile is used', async () => {
    const cfg = writeConfig('one-bad.json', {
      profiles: { good: { host: host.hostname, port: host.port, scheme: 'http', user: DEFAULT_USER }, broken: { hots: 'x', port: '5985' } },
    });
    const good = await runCapture([...GET_JOB, '--config', cfg, '--profile', 'good']);
    assert.equal(good.code, EXIT.OK, good.stderr);
    const none = await runCapture(['config', 'show', '--config', cfg]);
    assert.equal(none.code, EXIT.OK, none.stderr);
    const broken = await runCapture([...GET_JOB, '--config', cfg, '--profile', 'broken']);
    assert.equal(broken.code, EXIT.USAGE);
    assert.match(broken.stderr, /profiles\.broken\.hots is not a known setting/);
  });
});

describe('config show', () => {
  test('prints each setting with its source; the password only by its source', async () => {
    const r = await runCapture(['config', 'show', ...hostArgs(host)]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stdout, /^host +127\.0\.0\.1 +flag$/m);
    assert.match(r.stdout, /^password +\(hidden\) +\$HYPERV_WSMAN_PASSWORD$/m);
    assert.ok(!r.stdout.includes(DEFAULT_PASSWORD), 'the password is never printed');
  });

  test('proxy credentials are redacted, and nothing is read or sent', async () => {
    const env = { ...defaultEnv(), HYPERV_WSMAN_PROXY: 'http://alice:s3cret@proxy.example:3128' };
    const r = await runCapture(['config', 'show', '--json'], { env });
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.ok(!r.stdout.includes('s3cret'), r.stdout);
    assert.equal(jsonDoc<{ settings: { proxy: { value: string } } }>(r.stdout).settings.proxy.value, 'http://***@proxy.example:3128');
    // A password with a raw @ or / is hidden whole (the mask runs to the last @).
    for (const proxy of ['http://alice:s3cr@tPart@proxy.example:3128', 'http://alice:pa/ss3cret@proxy.example:3128']) {
      const raw = await runCapture(['config', 'show', '--json'], { env: { ...env, HYPERV_WSMAN_PROXY: proxy } });
      assert.equal(jsonDoc<{ settings: { proxy: { value: string } } }>(raw.stdout).settings.proxy.value, 'http://***@proxy.example:3128', raw.stdout);
      assert.doesNotMatch(raw.stdout + raw.stderr, /tPart|ss3cret/);
    }
  });
});

describe('errors name CLI flags, not library options', () => {
  test('library option names in a message become flags', () => {
    assert.equal(inFlagTerms('readTimeoutSec (5) must be greater than operationTimeoutSec (20), or ...'), '--read-timeout (5) must be greater than --operation-timeout (20), or ...');
    assert.equal(inFlagTerms('port must be 1-65535; got 70000.'), '--port must be 1-65535; got 70000.');
    assert.equal(inFlagTerms('The host did not answer.'), 'The host did not answer.');
  });

  test('end to end: a contradiction the library finds is reported with the flags', async () => {
    const r = await runCapture([...GET_JOB, ...hostArgs(host), '--operation-timeout', '20', '--read-timeout', '5']);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /--read-timeout \(5\) must be greater than --operation-timeout \(20\)/);
    assert.doesNotMatch(r.stderr, /TimeoutSec/);
    const ca = await runCapture([...GET_JOB, ...hostArgs(host), '--ca-trust-path', '/dev/null', '--json']);
    assert.equal(ca.code, EXIT.USAGE);
    assert.match(ca.stderr, /--ca-trust-path only applies to https/);
    assert.match(jsonDoc<{ error: { message: string } }>(ca.stdout).error.message, /--ca-trust-path/);
  });
});

describe('completion', () => {
  for (const [shell, marker] of [['bash', /complete -o bashdefault -o default -F _hyperv_wsman_completions hyperv-wsman/], ['zsh', /^#compdef hyperv-wsman/], ['fish', /complete -f -c hyperv-wsman -a '\(__hyperv_wsman_complete\)'/]] as const) {
    test(`completion ${shell} prints a ${shell} script that asks the CLI for the words`, async () => {
      const r = await runCapture(['completion', shell]);
      assert.equal(r.code, EXIT.OK, r.stderr);
      assert.match(r.stdout, marker);
      assert.match(r.stdout, /hyperv-wsman --get-yargs-completions/);
    });
  }

  test('an unknown shell is a usage error; no shell follows $SHELL', async () => {
    assert.equal((await runCapture(['completion', 'tcsh'])).code, EXIT.USAGE);
    const r = await runCapture(['completion'], { env: { HOME: emptyHome(), SHELL: '/usr/bin/fish' } });
    assert.match(r.stdout, /commandline -opc/);
  });

  test('the words the scripts ask for: commands, then the flags of a command', async () => {
    const cmds = await runCapture(['--get-yargs-completions', 'hyperv-wsman', 'job-']);
    assert.deepEqual(cmds.stdout.split('\n').filter((w) => w.startsWith('job-')).sort(), ['job-error', 'job-wait']);
    const flags = await runCapture(['--get-yargs-completions', 'hyperv-wsman', 'emulator', '--']);
    assert.ok(flags.stdout.split('\n').includes('--tls'), flags.stdout);
  });
});

describe('hyperv-wsman emulator', () => {
  test('prints HYPERV_WSMAN_* lines the CLI reads, serves until SIGTERM, then exits 0', async () => {
    const emulator = await startEmulatorProcess(['--tls', '--auth', 'basic']);
    try {
      const env = emulator.env;
      assert.deepEqual(Object.keys(env).filter((k) => k !== 'HOME').sort(), ['HYPERV_WSMAN_CA_TRUST_PATH', 'HYPERV_WSMAN_HOST', 'HYPERV_WSMAN_PASSWORD', 'HYPERV_WSMAN_PORT', 'HYPERV_WSMAN_SCHEME', 'HYPERV_WSMAN_TRANSPORT', 'HYPERV_WSMAN_USER']);
      assert.equal(env.HYPERV_WSMAN_SCHEME, 'https');
      const r = await runCapture(['job-error', '--job-id', FIXTURE_JOB_IDS.failedConcrete, '--json'], { env });
      assert.equal(r.code, EXIT.OK, r.stderr);
      assert.equal(jsonDoc<{ error: { className: string } }>(r.stdout).error.className, 'Msvm_Error');
      assert.equal(await emulator.stop(), 0, emulator.stderr());
      assert.match(emulator.stderr(), /emulator stopped \(SIGTERM\)/);
    } finally {
      emulator.kill();
    }
  });

  test('--empty-hyperv-namespace: doctor fails its hyperv-namespace step (exit 7); jobs on a terminal does not call an empty answer reassuring', async () => {
    const emulator = await startEmulatorProcess(['--empty-hyperv-namespace']);
    try {
      assert.match(emulator.stdout, /^# root\/virtualization\/v2 is empty \(--empty-hyperv-namespace\)/m);
      assert.doesNotMatch(emulator.stdout, /^# job /m);
      const doctor = await runCapture(['doctor', '--json'], { env: emulator.env });
      assert.equal(doctor.code, EXIT.NOT_FOUND, doctor.stdout);
      const steps = jsonDoc<{ steps: Array<{ id: string; status: string }> }>(doctor.stdout).steps;
      assert.deepEqual(steps.find((s) => s.id === 'hyperv-namespace')?.status, 'fail');
      const jobs = await runCapture(['jobs'], { env: emulator.env, tty: true });
      assert.equal(jobs.code, EXIT.OK, jobs.stderr);
      assert.match(jobs.stdout, /^No jobs listed\. An account without Hyper-V rights is shown none too: hyperv-wsman doctor checks\.\n$/);
    } finally {
      emulator.kill();
    }
    const both = await runCapture(['emulator', '--empty-hyperv-namespace', '--fixtures', 'x.json']);
    assert.equal(both.code, EXIT.USAGE);
    assert.match(both.stderr, /--empty-hyperv-namespace shows no job at all: leave out --fixtures/);
  });

  test('basic over plain http without --allow-unencrypted is refused before listening', async () => {
    const r = await runCapture(['emulator', '--auth', 'basic']);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /--auth basic over http sends passwords in clear text/);
  });

  test('a port that is taken is a connection failure (exit 5) that says so', async () => {
    const r = await runCapture(['emulator', '--port', String(host.port)]);
    assert.equal(r.code, EXIT.CONNECTION);
    assert.match(r.stderr, new RegExp(`Cannot listen on 127\\.0\\.0\\.1:${host.port}: the port is taken`));
  });
});

describe('the emulator module is loaded only by the emulator command', () => {
  const loaded = (argv: string[]): string[] => {
    const file = join(dir, `imports-${argv.join('_').replace(/\W/g, '')}.txt`);
    writeFileSync(file, '');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', './test/helpers/record-imports.mjs', 'src/cli/main.ts', ...argv], {
      cwd: process.cwd(),
      env: { ...process.env, RECORD_IMPORTS: file, HOME: emptyHome() },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.notEqual(r.status, null, r.stderr);
    return readFileSync(file, 'utf8').split('\n').filter((u) => u.includes('/src/'));
  };

  test('--version and identify --help load the CLI but not src/emulator/', () => {
    for (const argv of [['--version'], ['identify', '--help']]) {
      const urls = loaded(argv);
      assert.ok(urls.some((u) => u.endsWith('/src/cli/main.ts')), `the recorder saw the CLI load (${argv.join(' ')})`);
      assert.deepEqual(urls.filter((u) => u.includes('/src/emulator/')), [], argv.join(' '));
    }
  });

  test('the emulator command does load it (the recorder can see it)', () => {
    const urls = loaded(['emulator', '--port', '70000']);
    assert.ok(urls.some((u) => u.includes('/src/emulator/server.ts')), urls.join('\n'));
  });
});

// yargs' own lookup walked up from process.argv[1] and, installed in a project, printed the project's
// version (found by scripts/check-pack.mjs --git, which keeps checking the installed case).
test('--version is this package\'s own version, read from its package.json', async () => {
  const own = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
  assert.equal(packageVersion(), own);
  const r = await runCapture(['--version']);
  assert.equal(r.stdout.trim(), own);
});
