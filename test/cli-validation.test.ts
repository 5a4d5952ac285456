// Values the CLI must refuse instead of reading them some quiet way: boolean flags with a word that
// is not a boolean, flags of another transport, empty paths; and fleet hosts named twice. Each runs
// the CLI in-process against a real emulated host or stops before any connection.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../src/cli/exit-codes.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, FIXTURE_JOB_IDS, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { endpointKey } from '../src/cli/connection.js';
import { WsmanClient } from '../src/wsman/client.js';
import { CIM_SCHEMA_PREFIX } from '../src/wsman/dialect.js';
import { WsmanFaultError } from '../src/wsman/fault.js';
import { wmiResourceUri } from '../src/wsman/namespaces.js';
import type { ConnectionOptions } from '../src/options.js';
import { emptyHome, hostArgs, jsonDoc, runCapture } from './helpers/cli-harness.js';

let host: EmulatedHost;
let dir: string;

before(async () => {
  host = await startEmulatedHost({ requestLog: true });
  dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-cli-validation-'));
});
after(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

const GET_JOB = ['get', 'Msvm_ConcreteJob', '--selector', `InstanceID=${FIXTURE_JOB_IDS.completedConcrete}`];
const env = (extra: Record<string, string> = {}): Record<string, string> => ({ HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: DEFAULT_PASSWORD, ...extra });

function writeConfig(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  chmodSync(path, 0o600);
  return path;
}

function assertUsage(r: { code: number; stderr: string; stdout: string }, pattern: RegExp): void {
  assert.equal(r.code, EXIT.USAGE, r.stderr);
  assert.match(r.stderr, pattern);
}

describe('boolean values: true/false and the words of one table, nothing else', () => {
  test('--send-cbt=maybe is a usage error naming the flag, before any connection', async () => {
    const before = host.requests.length;
    const r = await runCapture([...GET_JOB, ...hostArgs(host), '--send-cbt=maybe']);
    assertUsage(r, /^hyperv-wsman: ERR_USAGE: --send-cbt must be true or false \(also 1\/0, yes\/no, on\/off\), got "maybe"\./);
    assert.equal(host.requests.length, before, 'nothing was sent');
  });

  test('the same with --json: a JSON usage error', async () => {
    const r = await runCapture(['config', 'show', '--host', 'h', '--allow-unencrypted=maybe', '--json']);
    assert.equal(r.code, EXIT.USAGE);
    assert.deepEqual(jsonDoc(r.stdout), { error: { code: 'ERR_USAGE', message: '--allow-unencrypted must be true or false (also 1/0, yes/no, on/off), got "maybe".' } });
  });

  test('the words of the table set the flag as the environment variable does (yargs alone read "yes" as false)', async () => {
    for (const [word, value] of [['yes', true], ['on', true], ['1', true], ['TRUE', true], ['no', false], ['0', false], ['off', false], ['false', false]] as const) {
      const flag = await runCapture(['config', 'show', '--json', '--host', 'h', `--send-cbt=${word}`]);
      assert.equal(flag.code, EXIT.OK, flag.stderr);
      assert.deepEqual(jsonDoc<{ settings: Record<string, unknown> }>(flag.stdout).settings['send-cbt'], { value, source: 'flag' }, `--send-cbt=${word}`);
      const fromEnv = await runCapture(['config', 'show', '--json', '--host', 'h'], { env: env({ HYPERV_WSMAN_SEND_CBT: word }) });
      assert.deepEqual(jsonDoc<{ settings: Record<string, unknown> }>(fromEnv.stdout).settings['send-cbt'], { value, source: '$HYPERV_WSMAN_SEND_CBT' }, `HYPERV_WSMAN_SEND_CBT=${word}`);
    }
  });

  test('a table word after a boolean flag is its value, as yargs already takes true/false (it read "no" as a stray argument)', async () => {
    const r = await runCapture(['config', 'show', '--json', '--host', 'h', '--send-cbt', 'no', '--port', '1']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const settings = jsonDoc<{ settings: Record<string, unknown> }>(r.stdout).settings;
    assert.deepEqual(settings['send-cbt'], { value: false, source: 'flag' });
    assert.deepEqual(settings.port, { value: 1, source: 'flag' }, 'a word after a flag that is not boolean stays its value');
    const neg = await runCapture([...GET_JOB, ...hostArgs(host), '--no-send-cbt', 'yes']);
    assertUsage(neg, /--no-send-cbt takes no value/);
  });

  test('an output boolean (--json) is checked the same way', async () => {
    const r = await runCapture(['jobs', ...hostArgs(host), '--json=perhaps']);
    assertUsage(r, /--json must be true or false.*got "perhaps"/);
  });

  test('--no-send-cbt=false (a double negative) is refused, and says what to write', async () => {
    const r = await runCapture([...GET_JOB, ...hostArgs(host), '--no-send-cbt=false']);
    assertUsage(r, /--no-send-cbt takes no value; use --send-cbt=false or --no-send-cbt alone/);
  });

  test('shell completion gets the words as typed, not a usage error', async () => {
    const r = await runCapture(['--get-yargs-completions', 'hyperv-wsman', 'get', '--send-cbt=ma']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.equal(r.stderr, '');
  });

  test('after --, nothing is rewritten', async () => {
    const r = await runCapture(['config', 'show', '--host', 'h', '--', '--send-cbt=maybe']);
    assert.doesNotMatch(r.stderr, /--send-cbt must be/);
  });

  test('HYPERV_WSMAN_SEND_CBT=maybe is a usage error naming the variable', async () => {
    const r = await runCapture([...GET_JOB, ...hostArgs(host)], { env: env({ HYPERV_WSMAN_SEND_CBT: 'maybe' }) });
    assertUsage(r, /\$HYPERV_WSMAN_SEND_CBT must be true or false \(also 1\/0, yes\/no, on\/off\), got "maybe"/);
  });

  test('"send-cbt": "maybe" (or "yes") in a config profile is a usage error naming the file and key', async () => {
    for (const word of ['maybe', 'yes']) {
      const cfg = writeConfig(`bool-${word}.json`, { profiles: { lab: { 'send-cbt': word } } });
      const r = await runCapture([...GET_JOB, ...hostArgs(host), '--config', cfg, '--profile', 'lab']);
      assertUsage(r, new RegExp(`bool-${word}\\.json: profiles\\.lab\\.send-cbt must be true or false \\(JSON true/false, unquoted\\), got "${word}"`));
    }
  });
});

describe('empty paths are refused where they are given', () => {
  const cases: Array<[string, string[]]> = [
    ['--ca-trust-path', ['--ca-trust-path', '']],
    ['--password-file', ['--password-file=']],
    ['--cert-pem', ['--transport', 'certificate', '--cert-pem', '', '--cert-key-pem', 'k.pem']],
    ['--cert-key-pem', ['--transport', 'certificate', '--cert-pem', 'c.pem', '--cert-key-pem', '']],
    ['--keytab', ['--transport', 'kerberos', '--keytab', '']],
    ['--config', ['--config', '']],
  ];
  for (const [flag, extra] of cases) {
    test(`${flag} "" is a usage error naming ${flag}, and nothing is sent`, async () => {
      const before = host.requests.length;
      const r = await runCapture([...GET_JOB, ...hostArgs(host), ...extra]);
      assertUsage(r, new RegExp(`^hyperv-wsman: ERR_USAGE: ${flag} is empty; give a path, or leave the setting out\\.`));
      assert.equal(host.requests.length, before, 'nothing was sent');
    });
  }

  test('jobs --inventory "" is a usage error naming --inventory', async () => {
    const r = await runCapture(['jobs', '--host', host.hostname, '--host', '127.0.0.1', '--inventory', '', '--user', DEFAULT_USER]);
    assertUsage(r, /--inventory is empty/);
  });

  test('an empty path in a config profile names the file and key (it would have meant the config folder)', async () => {
    const cfg = writeConfig('empty-ca.json', { profiles: { lab: { 'ca-trust-path': '' } } });
    const r = await runCapture([...GET_JOB, ...hostArgs(host), '--config', cfg, '--profile', 'lab']);
    assertUsage(r, /empty-ca\.json: profiles\.lab\.ca-trust-path is empty; give a path/);
  });

  test('--kdc "" (or only commas) names no KDC: a usage error, not a quiet fall-back to krb5.conf and DNS', async () => {
    for (const value of ['', ' , ']) {
      const r = await runCapture([...GET_JOB, ...hostArgs(host), '--transport', 'kerberos', '--kdc', value]);
      assertUsage(r, /--kdc ".*" names no KDC; give host\[:port\], comma-separated, or leave it out/);
    }
  });

  test('an empty HYPERV_WSMAN_* variable still means "not set" (documented), so the call works', async () => {
    const r = await runCapture([...GET_JOB, ...hostArgs(host)], { env: env({ HYPERV_WSMAN_CA_TRUST_PATH: '' }) });
    assert.equal(r.code, EXIT.OK, r.stderr);
  });
});

describe('a setting of another transport: refused from flags and variables, left out with a warning from the config file', () => {
  const refused: Array<[string, string[], RegExp]> = [
    ['--client-cert-negotiation with --transport ntlm', ['--transport', 'ntlm', '--client-cert-negotiation', 'handshake'], /--client-cert-negotiation applies only with --transport certificate, not with --transport ntlm\./],
    ['--cert-pem with the default transport', ['--cert-pem', 'c.pem'], /--cert-pem applies only with --transport certificate, not with --transport ntlm \(the default\)\./],
    ['--cert-key-password-file with --transport basic', ['--transport', 'basic', '--cert-key-password-file', 'p.txt'], /--cert-key-password-file applies only with --transport certificate, not with --transport basic\./],
    ['--keytab with --transport ntlm', ['--transport', 'ntlm', '--keytab', 'k.keytab'], /--keytab applies only with --transport kerberos or negotiate, not with --transport ntlm\./],
    ['--no-kerberos-delegation with --transport ntlm (a value given is a value given)', ['--transport', 'ntlm', '--no-kerberos-delegation'], /--kerberos-delegation applies only with --transport kerberos or negotiate/],
    ['--no-send-cbt with --transport basic', ['--transport', 'basic', '--no-send-cbt'], /--send-cbt applies only with --transport ntlm, kerberos, or negotiate, not with --transport basic\./],
    ['--ntlm-empty-authenticate-body with --transport kerberos', ['--transport', 'kerberos', '--ntlm-empty-authenticate-body'], /--ntlm-empty-authenticate-body applies only with --transport ntlm or negotiate, not with --transport kerberos\./],
  ];
  for (const [name, extra, pattern] of refused) {
    test(name, async () => {
      const before = host.requests.length;
      const r = await runCapture([...GET_JOB, ...hostArgs(host), ...extra]);
      assertUsage(r, pattern);
      assert.equal(host.requests.length, before, 'nothing was sent');
    });
  }

  test('from a variable, the variable is named, and so is where the transport came from', async () => {
    const r = await runCapture([...GET_JOB, ...hostArgs(host)], { env: env({ HYPERV_WSMAN_CLIENT_CERT_NEGOTIATION: 'handshake', HYPERV_WSMAN_TRANSPORT: 'ntlm' }) });
    assertUsage(r, /\$HYPERV_WSMAN_CLIENT_CERT_NEGOTIATION applies only with --transport certificate, not with --transport ntlm \(from \$HYPERV_WSMAN_TRANSPORT\)\./);
  });

  test('from the config file: a warning naming the key and its profile, the setting left out, and the call works', async () => {
    const cfg = writeConfig('krb-profile.json', { defaults: { 'send-cbt': false }, profiles: { lab: { transport: 'kerberos', keytab: 'lab.keytab', 'kerberos-service': 'WSMAN' } } });
    const r = await runCapture([...GET_JOB, ...hostArgs(host), '--config', cfg, '--profile', 'lab', '--transport', 'ntlm']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.match(r.stderr, /warning: "keytab" \(profile "lab"\) applies only with --transport kerberos or negotiate, not with --transport ntlm; left out\./);
    assert.match(r.stderr, /warning: "kerberos-service" \(profile "lab"\)/);
    assert.doesNotMatch(r.stderr, /"send-cbt"/, 'send-cbt applies to ntlm');
    const basic = await runCapture([...GET_JOB, ...hostArgs(host), '--config', cfg, '--transport', 'basic']);
    assert.match(basic.stderr, /warning: "send-cbt" \(config defaults\) applies only with --transport ntlm, kerberos, or negotiate, not with --transport basic; left out\./);
  });

  test('settings of the transport in use are not touched', async () => {
    const r = await runCapture([...GET_JOB, ...hostArgs(host), '--transport', 'ntlm', '--no-send-cbt', '--ntlm-empty-authenticate-body']);
    assert.equal(r.code, EXIT.OK, r.stderr);
    assert.equal(r.stderr, '');
  });
});

describe('jobs over several hosts: the same endpoint written differently is one host', () => {
  test('endpointKey fills in the defaults and ignores the case of the host name', () => {
    const key = (o: Partial<ConnectionOptions>): string => endpointKey({ host: 'x', user: 'u', password: 'p', ...o });
    assert.equal(key({ host: 'HV01' }), 'https://hv01:5986/wsman');
    assert.equal(key({ host: 'hv01', path: '/wsman', port: 5986, scheme: 'https' }), 'https://hv01:5986/wsman');
    assert.equal(key({ host: 'hv01', port: 5985 }), 'http://hv01:5985/wsman');
    assert.equal(key({ host: 'hv01', scheme: 'https', port: 443 }), 'https://hv01:443/wsman');
    assert.notEqual(key({ host: 'hv01', path: '/other' }), key({ host: 'hv01' }));
    assert.notEqual(key({ host: 'hv01', scheme: 'http' }), key({ host: 'hv01' }));
  });

  test('--host name:port, name:port/wsman and the URL list one host, with a note (the endpoint under --verbose)', async () => {
    const h = `${host.hostname}:${host.port}`;
    const argv = ['jobs', '--json', '--scheme', 'http', '--user', DEFAULT_USER, '--host', h, '--host', `${h}/wsman`, '--host', `http://${h}/wsman`, '--host', `HTTP://${h.toUpperCase()}/wsman`];
    const r = await runCapture(argv);
    assert.equal(r.code, EXIT.OK, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { host: string; ok: boolean });
    assert.deepEqual(lines.map((l) => [l.host, l.ok]), [[h, true]], 'one line, for the host given first');
    const hh = h.replace(/\./g, '\\.');
    assert.match(r.stderr, new RegExp(`^hyperv-wsman: note: listed once each: .*${hh}/wsman \\(the same endpoint as ${hh}\\), http://${hh}/wsman \\(the same endpoint as ${hh}\\)\n$`));
    assert.doesNotMatch(r.stderr, /http:\/\/127\.0\.0\.1:\d+\/wsman\)/, 'the endpoint itself only under --verbose');
    const verbose = await runCapture([...argv, '--verbose']);
    assert.match(verbose.stderr, new RegExp(`the same endpoint as ${h.replace(/\./g, '\\.')}: http://${host.hostname.replace(/\./g, '\\.')}:${host.port}/wsman\\)`));
  });

  test('a host the library refuses is not merged away: it fails on its own line', async () => {
    const h = `${host.hostname}:${host.port}`;
    const r = await runCapture(['jobs', '--json', '--scheme', 'http', '--user', DEFAULT_USER, '--host', h, '--host', 'bad host']);
    const lines = r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { host: string; ok: boolean });
    assert.deepEqual(lines.map((l) => l.host).sort(), [h, 'bad host'].sort());
  });
});

describe('the wrong dialect: Windows refuses a DMTF resource URI for Hyper-V classes, and the CLI says to change --dialect', () => {
  const JOB_ID = `InstanceID=${FIXTURE_JOB_IDS.completedConcrete}`;

  test('the emulated Windows host answers a DMTF URI for Msvm_ConcreteJob with ERROR_WSMAN_URI_NON_DMTF_CLASS, and serves CIM_ConcreteJob', async () => {
    const client = new WsmanClient({ host: host.hostname, port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
    try {
      const selectors = { __cimnamespace: 'root/virtualization/v2', InstanceID: FIXTURE_JOB_IDS.completedConcrete };
      const err = await client.getInstance(`${CIM_SCHEMA_PREFIX}Msvm_ConcreteJob`, selectors).then(
        () => assert.fail('a DMTF URI for an Msvm_ class was served'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WsmanFaultError, String(err));
      assert.equal(err.soapCode, 'Receiver');
      assert.equal(err.subcodeName, 'wsman:InternalError');
      assert.equal(err.wsmanCode, 2150859065);
      assert.match(err.reason, /A DMTF resource URI was used to access a non-DMTF class\. Try again using a non-DMTF resource URI\./);
      const inst = await client.getInstance(`${CIM_SCHEMA_PREFIX}CIM_ConcreteJob`, selectors);
      assert.equal(inst.className, 'Msvm_ConcreteJob');
      // Without __cimnamespace Windows looks in root\hardware, where there are no jobs.
      const elsewhere = await client.getInstance(`${CIM_SCHEMA_PREFIX}CIM_ConcreteJob`, { InstanceID: FIXTURE_JOB_IDS.completedConcrete }).then(
        () => assert.fail('served from the default namespace'),
        (e: unknown) => e,
      );
      assert.ok(elsewhere instanceof WsmanFaultError && elsewhere.subcodeName === 'wsa:DestinationUnreachable');
    } finally {
      await client.close();
    }
  });

  test('get --dialect cim against Windows: the fault, then a hint naming --dialect', async () => {
    const r = await runCapture(['get', 'Msvm_ConcreteJob', '--dialect', 'cim', '--selector', JOB_ID, ...hostArgs(host)]);
    assert.equal(r.code, EXIT.WSMAN_FAULT, r.stderr);
    assert.match(r.stderr, /^hyperv-wsman: ERR_WSMAN_FAULT: wsman:InternalError: .*\[WSManFault 0x80338139\] Hint: the host is Windows WinRM, which reaches Hyper-V's classes by WMI resource URIs: use --dialect wmi \(the default\) or --dialect auto instead of the cim dialect\.\n$/);
  });

  test('enumerate and invoke get the hint too; with --json it is in the error message', async () => {
    const e = await runCapture(['enumerate', 'Msvm_ConcreteJob', '--dialect', 'cim', '--json', ...hostArgs(host)]);
    assert.equal(e.code, EXIT.WSMAN_FAULT);
    assert.match(jsonDoc<{ error: { message: string } }>(e.stdout).error.message, /Hint: .*--dialect wmi/);
    const i = await runCapture(['invoke', 'Msvm_ConcreteJob', 'GetError', '--dialect', 'cim', '--selector', JOB_ID, ...hostArgs(host)]);
    assert.equal(i.code, EXIT.WSMAN_FAULT);
    assert.match(i.stderr, /Hint: .*--dialect wmi/);
  });

  test('a dialect from a config profile is named as such', async () => {
    const cfg = writeConfig('omi-profile.json', { profiles: { omi: { dialect: 'cim' } } });
    const r = await runCapture(['get', 'Msvm_ConcreteJob', '--selector', JOB_ID, ...hostArgs(host), '--config', cfg, '--profile', 'omi']);
    assert.equal(r.code, EXIT.WSMAN_FAULT);
    assert.match(r.stderr, /instead of the cim dialect set by profile "omi"\.\n$/);
  });

  test('faults that do not say the dialect is wrong get no hint', async () => {
    const missing = await runCapture(['get', 'Msvm_ConcreteJob', '--selector', 'InstanceID=00000000-0000-0000-0000-000000000000', ...hostArgs(host)]);
    assert.equal(missing.code, EXIT.NOT_FOUND, missing.stderr);
    assert.doesNotMatch(missing.stderr, /Hint/);
    const missingCim = await runCapture(['get', 'CIM_ConcreteJob', '--dialect', 'cim', '--selector', 'InstanceID=00000000-0000-0000-0000-000000000000', ...hostArgs(host)]);
    assert.equal(missingCim.code, EXIT.NOT_FOUND, missingCim.stderr);
    assert.doesNotMatch(missingCim.stderr, /Hint/);
    // A --resource-uri was given as it is: the fix is another URI, not --dialect.
    const uri = await runCapture(['get', '--resource-uri', `${CIM_SCHEMA_PREFIX}Msvm_ConcreteJob`, '--selector', '__cimnamespace=root/virtualization/v2', '--selector', JOB_ID, ...hostArgs(host)]);
    assert.equal(uri.code, EXIT.WSMAN_FAULT);
    assert.doesNotMatch(uri.stderr, /Hint/);
  });
});

describe('the wrong dialect the other way: a WMI resource URI sent to OMI', () => {
  let omi: EmulatedHost;
  before(async () => {
    omi = await startEmulatedHost({ dialect: 'omi' });
  });
  after(() => omi.close());

  test("the emulated OMI answers as OMI 1.0.8-6 does: DestinationUnreachable, the CIM error's message, an OMI_Error detail", async () => {
    const client = new WsmanClient({ host: omi.hostname, port: omi.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD });
    try {
      const err = await client.getInstance(wmiResourceUri('root/virtualization/v2', 'Msvm_ConcreteJob'), { InstanceID: FIXTURE_JOB_IDS.completedConcrete }).then(
        () => assert.fail('served'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WsmanFaultError, String(err));
      assert.equal(err.subcodeName, 'wsa:DestinationUnreachable');
      assert.equal(err.reason, 'The specified class does not exist.');
      assert.equal(err.cimStatusCode, 5);
      assert.deepEqual(err.detailElements.map((d) => d.local), ['OMI_Error']);
      assert.match(err.detailElements[0]!.xml, /CIMStatusCode[^>]*>5</);
    } finally {
      await client.close();
    }
  });

  test('get (wmi dialect, the default) against OMI: the fault, then a hint naming --dialect cim', async () => {
    const r = await runCapture(['get', 'Msvm_ConcreteJob', '--selector', `InstanceID=${FIXTURE_JOB_IDS.completedConcrete}`, ...hostArgs(omi)]);
    assert.equal(r.code, EXIT.NOT_FOUND, r.stderr);
    assert.match(r.stderr, /The specified class does not exist\. \[OMI_Error CIMStatusCode 5\] Hint: the host answers as OMI does, which takes the namespace only from a __cimnamespace selector: use --dialect cim or --dialect auto instead of the wmi dialect \(the default\)\.\n$/);
    const ok = await runCapture(['get', 'Msvm_ConcreteJob', '--dialect', 'cim', '--selector', `InstanceID=${FIXTURE_JOB_IDS.completedConcrete}`, ...hostArgs(omi)]);
    assert.equal(ok.code, EXIT.OK, ok.stderr);
  });

  test('a missing class in the right dialect is the same OMI fault, but no hint', async () => {
    const r = await runCapture(['get', 'Msvm_NoSuchClass', '--dialect', 'cim', '--selector', 'InstanceID=x', ...hostArgs(omi)]);
    assert.equal(r.code, EXIT.NOT_FOUND, r.stderr);
    assert.match(r.stderr, /\[OMI_Error CIMStatusCode 5\]/);
    assert.doesNotMatch(r.stderr, /Hint/);
  });
});

describe('credentials and repeated flags as typed (UX review)', () => {
  let host: EmulatedHost;
  before(async () => {
    host = await startEmulatedHost();
  });
  after(() => host.close());

  test('an empty HYPERV_WSMAN_PASSWORD means "not set", as every HYPERV_WSMAN_* variable: no empty password is sent', async () => {
    const r = await runCapture(['identify', ...hostArgs(host)], { env: { HOME: emptyHome(), HYPERV_WSMAN_PASSWORD: '' } });
    assert.equal(r.code, EXIT.USAGE, r.stderr);
    assert.match(r.stderr, /No password: set HYPERV_WSMAN_PASSWORD/);
    assert.equal(host.requests?.length ?? 0, 0);
  });

  test('an empty line on --password-stdin is a usage error naming standard input, not a refused login', async () => {
    const r = await runCapture(['identify', ...hostArgs(host), '--password-stdin'], { env: { HOME: emptyHome() }, stdin: '\n' });
    assert.equal(r.code, EXIT.USAGE, r.stderr);
    assert.match(r.stderr, /The password from standard input \(--password-stdin\) is empty/);
  });

  test('--user given twice with different values says so (yargs made it an array, which read as "--user is required")', async () => {
    const r = await runCapture(['identify', ...hostArgs(host), '--user', 'other'], { env: env() });
    assert.equal(r.code, EXIT.USAGE, r.stderr);
    assert.match(r.stderr, /--user was given 2 times \("Administrator", "other"\); give it once\./);
    const same = await runCapture(['identify', ...hostArgs(host), '--user', DEFAULT_USER], { env: env() });
    assert.equal(same.code, EXIT.OK, same.stderr);
  });

  test('a timeout that is not a number says so instead of "got NaN"', async () => {
    const r = await runCapture(['identify', ...hostArgs(host), '--read-timeout', 'soon'], { env: env() });
    assert.equal(r.code, EXIT.USAGE, r.stderr);
    assert.match(r.stderr, /--read-timeout must be a positive number of seconds, got something that is not a number\./);
  });
});
