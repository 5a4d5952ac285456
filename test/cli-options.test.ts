// The CLI's shared options: usage errors (exit 2), the password rules, config file + profile + flag
// precedence, --verbose redaction, https with a trusted CA, --help examples and shell completion.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../src/cli/exit-codes.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, generateTestCertificates, startEmulatedHost, type EmulatedHost, type TestCertificates } from '../src/emulator/index.js';
import { defaultEnv, emptyHome, hostArgs, jsonDoc, runCapture } from './helpers/cli-harness.js';

let host: EmulatedHost;
let certs: TestCertificates;
let tlsHost: EmulatedHost;
let basicTlsHost: EmulatedHost;
let dir: string;

before(async () => {
  host = await startEmulatedHost();
  certs = await generateTestCertificates();
  tlsHost = await startEmulatedHost({ tls: { cert: certs.cert, key: certs.key } });
  basicTlsHost = await startEmulatedHost({ tls: { cert: certs.cert, key: certs.key }, auth: { basic: true, negotiate: false } });
  dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-cli-options-'));
});
after(async () => {
  await Promise.all([host.close(), tlsHost.close(), basicTlsHost.close()]);
  await certs.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const noPasswordEnv = (): Record<string, string> => ({ HOME: emptyHome() });
const GET_JOB = ['get', 'Msvm_ConcreteJob', '--selector', `InstanceID=${FIXTURE_JOB_IDS.completedConcrete}`];

function writeConfig(name: string, doc: unknown, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  chmodSync(path, mode);
  return path;
}

describe('usage errors exit 2 with one line on stderr', () => {
  const cases: Record<string, string[]> = {
    'no command': [],
    'unknown command': ['frobnicate'],
    'unknown option': ['identify', '--hots', 'hv01'],
    'missing --job-id': ['job-wait', '--host', 'hv01', '--user', 'u'],
    'bad --scheme': ['identify', '--scheme', 'ftp'],
    'bad --transport': ['identify', '--transport', 'credssp'],
    'stray positional': ['jobs', 'extra'],
  };
  for (const [name, argv] of Object.entries(cases)) {
    test(name, async () => {
      const r = await runCapture(argv);
      assert.equal(r.code, EXIT.USAGE);
      assert.equal(r.stdout, '');
      // The help of the command named, or the command list when none is.
      const help = argv[0] !== undefined && !argv[0].startsWith('-') && argv[0] !== 'frobnicate' ? `hyperv-wsman ${argv[0]} --help` : 'hyperv-wsman --help';
      assert.equal(r.stderr.split('\n')[1], `Run '${help}' for usage.`);
      assert.match(r.stderr, /^hyperv-wsman: ERR_USAGE: [^\n]+\nRun '[^']+' for usage\.\n$/);
    });
  }

  test('with --json, the usage error is also a JSON document on stdout', async () => {
    const r = await runCapture(['jobs', '--bogus', '--json']);
    assert.equal(r.code, EXIT.USAGE);
    assert.deepEqual(jsonDoc(r.stdout), { error: { code: 'ERR_USAGE', message: 'Unknown argument: bogus' } });
  });

  test('a usage error never runs the command', async () => {
    const before = host.model.list().length;
    const r = await runCapture(['invoke', 'Msvm_ImageManagementService', 'ResizeVirtualHardDisk', '--param', 'Path=x', ...hostArgs(host), 'stray-extra-positional']);
    assert.equal(r.code, EXIT.USAGE);
    assert.equal(host.model.list().length, before, 'no job was started');
  });
});

describe('passwords', () => {
  test('--password on the command line is refused, and its value is not echoed', async () => {
    for (const argv of [['identify', ...hostArgs(host), '--password', 'S3cret-on-argv'], ['identify', ...hostArgs(host), '--password=S3cret-on-argv']]) {
      const r = await runCapture(argv);
      assert.equal(r.code, EXIT.USAGE);
      assert.match(r.stderr, /never taken on the command line/);
      assert.ok(!r.stderr.includes('S3cret-on-argv') && !r.stdout.includes('S3cret-on-argv'));
    }
  });

  test('no password anywhere: exit 2 naming the three ways', async () => {
    const r = await runCapture(['identify', ...hostArgs(host)], { env: noPasswordEnv() });
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /^hyperv-wsman: ERR_INVALID_OPTION: No password: set HYPERV_WSMAN_PASSWORD, or use --password-stdin or --password-file/);
  });

  test('--password-stdin', async () => {
    const r = await runCapture(['identify', ...hostArgs(host), '--password-stdin'], { env: noPasswordEnv(), stdin: `${DEFAULT_PASSWORD}\n` });
    assert.equal(r.code, EXIT.OK, r.stderr);
  });

  test('--password-file (and a warning when others can read it)', async () => {
    const file = writeConfig('pw-shared', `${DEFAULT_PASSWORD}\n`, 0o644);
    const shared = await runCapture(['identify', ...hostArgs(host), '--password-file', file], { env: noPasswordEnv() });
    assert.equal(shared.code, EXIT.OK, shared.stderr);
    assert.match(shared.stderr, /warning: password file .* is readable by other users \(mode 0644\); run: chmod 600/);
    chmodSync(file, 0o600);
    const own = await runCapture(['identify', ...hostArgs(host), '--password-file', file], { env: noPasswordEnv() });
    assert.equal(own.code, EXIT.OK, own.stderr);
    assert.equal(own.stderr, '');
  });

  test('NTLM against a host offering only Basic: says so and what to use; no password or channel-binding hint', async () => {
    const r = await runCapture(['identify', ...hostArgs(basicTlsHost), '--transport', 'ntlm', '--ca-trust-path', certs.caCertPath]);
    assert.equal(r.code, EXIT.AUTH);
    assert.match(r.stderr, /^hyperv-wsman: ERR_AUTH: The server at https:\/\/\S+ does not offer NTLM \(HTTP 401; it offers Basic\): use --transport basic \(over https\), which it offers, or enable Negotiate on the host \(winrm set winrm\/config\/service\/auth @\{Negotiate="true"\}\)\.\n$/);
    assert.doesNotMatch(r.stderr, /password|--no-send-cbt/);
  });

  test('a wrong password is an authentication failure (exit 4)', async () => {
    const r = await runCapture(['identify', ...hostArgs(host)], { env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: 'wrong' } });
    assert.equal(r.code, EXIT.AUTH);
    assert.match(r.stderr, /^hyperv-wsman: ERR_AUTH: /);
    // The user name as it was read, in words (a bare name is a local account; DOMAIN\\user is not).
    assert.match(r.stderr, /for user "Administrator" \(no domain given: a local account of the host\); /);
    const domain = await runCapture(['identify', ...hostArgs(host).slice(0, -2), '--user', 'LAB\\op'], { env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: 'wrong' } });
    assert.match(domain.stderr, /for user "LAB\\op" \(read as domain\\user\); /);
    assert.doesNotMatch(r.stderr + domain.stderr, /\(form /);
  });

  test('--verbose prints the exchange, never the password (NTLM with encryption over http)', async () => {
    const r = await runCapture([...GET_JOB, ...hostArgs(host), '--verbose']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stderr, />>> Get \(NTLM negotiate\)/);
    assert.match(r.stderr, /^authorization: Negotiate <redacted>$/im);
    assert.match(r.stderr, /<<< Get HTTP 200 \(encrypted on the wire\)/);
    assert.match(r.stderr, /<w:OperationTimeout>PT20\.000S<\/w:OperationTimeout>/);
    assertNoSecret(r.stdout + r.stderr);
  });

  test('--verbose with Basic over https: the Authorization header is redacted', async () => {
    const r = await runCapture(['identify', ...hostArgs(basicTlsHost), '--transport', 'basic', '--ca-trust-path', certs.caCertPath, '--verbose']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stderr, /^authorization: Basic <redacted>$/im);
    assertNoSecret(r.stdout + r.stderr);
  });

  function assertNoSecret(text: string): void {
    const forms = [
      DEFAULT_PASSWORD,
      Buffer.from(DEFAULT_PASSWORD).toString('base64'),
      Buffer.from(`${DEFAULT_USER}:${DEFAULT_PASSWORD}`).toString('base64'),
      Buffer.from(DEFAULT_PASSWORD, 'utf16le').toString('hex'),
    ];
    for (const f of forms) assert.ok(!text.includes(f), `the output contains the password (as ${f})`);
  }
});

describe('https', () => {
  test('with the CA given by --ca-trust-path (NTLM with channel binding)', async () => {
    const r = await runCapture(['jobs', '--state', 'killed', ...hostArgs(tlsHost), '--ca-trust-path', certs.caCertPath, '--json']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.equal(jsonDoc(r.stdout).instanceId, FIXTURE_JOB_IDS.killed);
  });

  test('without the CA the certificate is refused (exit 5)', async () => {
    const r = await runCapture(['identify', ...hostArgs(tlsHost)]);
    assert.equal(r.code, EXIT.CONNECTION);
    assert.match(r.stderr, /^hyperv-wsman: ERR_TLS: /);
  });

  test('--ca-trust-path on http is a contradiction (exit 2)', async () => {
    const r = await runCapture(['identify', ...hostArgs(host), '--ca-trust-path', certs.caCertPath]);
    assert.equal(r.code, EXIT.USAGE);
  });
});

describe('config file and profiles', () => {
  const base = (): Record<string, unknown> => ({ host: '127.0.0.1', user: DEFAULT_USER, scheme: 'http' });

  test('precedence: flags > profile > defaults', async () => {
    const cfg = writeConfig('precedence.json', {
      defaults: { ...base(), port: 1, 'operation-timeout': 30 },
      profiles: { lab: { port: host.port, 'operation-timeout': 40 }, other: { host: 'example.invalid' } },
    });
    const env = { ...defaultEnv(), HYPERV_WSMAN_CONFIG: cfg };

    const defaultsOnly = await runCapture(['identify'], { env });
    assert.equal(defaultsOnly.code, EXIT.CONNECTION, 'defaults alone point at port 1');

    const profile = await runCapture([...GET_JOB, '--profile', 'lab', '--verbose'], { env });
    assert.equal(profile.code, EXIT.OK, profile.stderr);
    assert.match(profile.stderr, /<w:OperationTimeout>PT40\.000S</, 'the profile overrides the defaults');
    assert.ok(profile.stderr.includes(`hyperv-wsman: config ${cfg}, profile "lab"`));

    const flag = await runCapture([...GET_JOB, '--profile', 'lab', '--operation-timeout', '45', '--verbose'], { env });
    assert.equal(flag.code, EXIT.OK, flag.stderr);
    assert.match(flag.stderr, /<w:OperationTimeout>PT45\.000S</, 'the flag overrides the profile');

    const flagPort = await runCapture(['identify', '--profile', 'lab', '--port', '1'], { env });
    assert.equal(flagPort.code, EXIT.CONNECTION, 'the --port flag overrides the profile');

    const envProfile = await runCapture(['identify'], { env: { ...env, HYPERV_WSMAN_PROFILE: 'lab' } });
    assert.equal(envProfile.code, EXIT.OK, envProfile.stderr);
  });

  test('the default place is $HOME/.config/hyperv-wsman/config.json (or $XDG_CONFIG_HOME)', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    mkdirSync(join(home, '.config', 'hyperv-wsman'), { recursive: true });
    const path = join(home, '.config', 'hyperv-wsman', 'config.json');
    writeFileSync(path, JSON.stringify({ profiles: { emu: { ...base(), port: host.port } } }), { mode: 0o600 });
    const r = await runCapture(['identify', '--profile', 'emu', '--json'], { env: { HOME: home, HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD } });
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.equal(jsonDoc(r.stdout).endpoint, host.url);

    const xdg = mkdtempSync(join(dir, 'xdg-'));
    mkdirSync(join(xdg, 'hyperv-wsman'));
    writeFileSync(join(xdg, 'hyperv-wsman', 'config.json'), JSON.stringify({ defaults: { ...base(), port: host.port } }), { mode: 0o600 });
    const x = await runCapture(['identify'], { env: { HOME: home, XDG_CONFIG_HOME: xdg, HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD } });
    assert.equal(x.code, EXIT.OK, x.stderr);
  });

  test('--config names the file; the profile password-file is relative to it; the environment wins over it', async () => {
    const sub = mkdtempSync(join(dir, 'cfg-'));
    writeFileSync(join(sub, 'emu.pw'), DEFAULT_PASSWORD + '\n', { mode: 0o600 });
    writeFileSync(join(sub, 'wrong.pw'), 'not-the-password\n', { mode: 0o600 });
    const cfg = join(sub, 'c.json');
    writeFileSync(cfg, JSON.stringify({ profiles: { good: { ...base(), port: host.port, 'password-file': 'emu.pw' }, bad: { ...base(), port: host.port, 'password-file': 'wrong.pw' } } }), { mode: 0o600 });
    const good = await runCapture(['identify', '--config', cfg, '--profile', 'good'], { env: noPasswordEnv() });
    assert.equal(good.code, EXIT.OK, good.stderr);
    const envWins = await runCapture(['identify', '--config', cfg, '--profile', 'bad'], { env: defaultEnv() });
    assert.equal(envWins.code, EXIT.OK, envWins.stderr);
    const bad = await runCapture(['identify', '--config', cfg, '--profile', 'bad'], { env: noPasswordEnv() });
    assert.equal(bad.code, EXIT.AUTH);
  });

  test('a password in the file is refused, pointing to password-file', async () => {
    for (const doc of [{ defaults: { ...base(), password: 'x' } }, { profiles: { lab: { password: 'x' } } }, { password: 'x' }]) {
      const cfg = writeConfig('with-password.json', doc);
      const r = await runCapture(['identify', '--config', cfg]);
      assert.equal(r.code, EXIT.USAGE);
      assert.match(r.stderr, /must not hold a password.*"password-file"/);
      assert.ok(!r.stderr.includes(': x'), 'the value is not repeated');
    }
  });

  test('warns when the config file is readable by group or others', async () => {
    const cfg = writeConfig('shared.json', { defaults: { ...base(), port: host.port } }, 0o644);
    const r = await runCapture(['identify', '--config', cfg]);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stderr, /^hyperv-wsman: warning: config file .*shared\.json is readable by other users \(mode 0644\)/);
  });

  test('mistakes in the file are usage errors with the file named', async () => {
    const cases: [unknown, RegExp][] = [
      ['{ not json', /is not valid JSON/],
      [{ defaults: { hots: 'x' } }, /defaults\.hots is not a known setting/],
      [{ defaults: { port: '5985' } }, /defaults\.port must be a number/],
      [{ profiles: { lab: { host: 'x' } }, extra: 1 }, /unknown top-level key "extra"/],
      [{ profiles: [] }, /"profiles" must be an object/],
    ];
    for (const [doc, re] of cases) {
      const cfg = writeConfig('broken.json', doc);
      const r = await runCapture(['identify', '--config', cfg]);
      assert.equal(r.code, EXIT.USAGE, String(re));
      assert.match(r.stderr, re);
      assert.ok(r.stderr.includes(cfg));
    }
  });

  test('an unknown profile lists the known ones; a named file must exist', async () => {
    const cfg = writeConfig('profiles.json', { profiles: { lab: { host: 'a' }, prod: { host: 'b' } } });
    const r = await runCapture(['identify', '--config', cfg, '--profile', 'staging']);
    assert.equal(r.code, EXIT.USAGE);
    assert.match(r.stderr, /No profile "staging" in .*Profiles: lab, prod\./);
    const missing = await runCapture(['identify'], { env: { ...defaultEnv(), HYPERV_WSMAN_CONFIG: join(dir, 'nope.json') } });
    assert.equal(missing.code, EXIT.USAGE);
    assert.match(missing.stderr, /nope\.json does not exist \(named by \$HYPERV_WSMAN_CONFIG\)/);
    const noFile = await runCapture(['identify', '--profile', 'lab']);
    assert.equal(noFile.code, EXIT.USAGE);
    assert.match(noFile.stderr, /Profile "lab" was asked for, but there is no config file/);
  });
});

describe('help and completion', () => {
  const commands = ['identify', 'get', 'enumerate', 'invoke', 'jobs', 'job-wait', 'job-error'];

  test('the top-level help lists every command', async () => {
    const r = await runCapture(['--help']);
    assert.equal(r.code, EXIT.OK);
    for (const c of [...commands, 'completion']) assert.match(r.stdout, new RegExp(`hyperv-wsman ${c}\\b`));
  });

  for (const c of commands) {
    test(`${c} --help has an example and the shared options`, async () => {
      const r = await runCapture([c, '--help']);
      assert.equal(r.code, EXIT.OK);
      assert.match(r.stdout, new RegExp(`\\nExamples:\\n {2}(HYPERV_WSMAN_PASSWORD=\\S+ )?hyperv-wsman ${c} `));
      for (const flag of ['--host', '--profile', '--json', '--verbose', '--proxy']) assert.ok(r.stdout.includes(flag), `${c} --help lacks ${flag}`);
    });
  }

  test('completion prints a shell script; completions list the commands', async () => {
    const script = await runCapture(['completion']);
    assert.equal(script.code, EXIT.OK);
    assert.match(script.stdout, /###-begin-hyperv-wsman-completions-###/);
    const words = await runCapture(['--get-yargs-completions', 'job']);
    assert.equal(words.code, EXIT.OK);
    assert.ok(words.stdout.split('\n').includes('job-wait'));
  });
});

test('a password file that is not a small text file is refused (e.g. a wrong path to a large file)', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { resolvePassword } = await import('../src/cli/connection.js');
  const { PassThrough, Readable } = await import('node:stream');
  const dir = mkdtempSync(join(tmpdir(), 'hvw-'));
  const big = join(dir, 'big');
  writeFileSync(big, 'x'.repeat(200_000), { mode: 0o600 });
  const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: Readable.from([]), env: {} };
  await assert.rejects(resolvePassword({ 'password-file': big }, io), /larger than|bytes/);
  rmSync(dir, { recursive: true });
});

test('--ntlm-empty-authenticate-body sends AUTHENTICATE alone (visible in the --verbose trace)', async () => {
  const { startEmulatedHost, DEFAULT_PASSWORD, DEFAULT_USER } = await import('../src/emulator/index.js');
  const { runCli } = await import('../src/cli/main.js');
  const { PassThrough, Readable } = await import('node:stream');
  const h = await startEmulatedHost();
  const err = new PassThrough();
  let stderr = '';
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await runCli(['identify', '--host', '127.0.0.1', '--port', String(h.port), '--scheme', 'http', '--user', DEFAULT_USER, '--ntlm-empty-authenticate-body', '--verbose'], {
    stdout: new PassThrough(),
    stderr: err,
    stdin: Readable.from([]),
    env: { HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD },
  });
  await h.close();
  assert.equal(code, 0, stderr);
  assert.match(stderr, /\(NTLM authenticate\)/);
});
