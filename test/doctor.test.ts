/**
 * diagnoseHost (the library behind `hyperv-wsman doctor`) against the emulated host over real
 * sockets and real TLS: each step's pass, and the failures it exists to explain: a closed port, an
 * untrusted / wrong-name / expired certificate, Basic not offered, a wrong password, a host without
 * the Hyper-V namespace (the OMI dialect), a namespace that shows the user no instance. Steps after a failed one are skipped, naming it.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { diagnoseHost, STEP_IDS, type DiagnosticStep, type StepId } from '../src/index.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import type { ConnectionOptions } from '../src/options.js';
import { makeBadCerts, type BadCerts } from './helpers/bad-certs.js';
import { startProxy } from './helpers/connect-proxy.js';

let bad: BadCerts;
let http: EmulatedHost;
const hosts: EmulatedHost[] = [];

before(async () => {
  bad = makeBadCerts();
  http = await startEmulatedHost({});
  hosts.push(http);
});
after(async () => {
  for (const h of hosts) await h.close();
});

async function tlsHost(pair: { cert: string; key: string }, extra: Parameters<typeof startEmulatedHost>[0] = {}): Promise<EmulatedHost> {
  const h = await startEmulatedHost({ tls: { cert: pair.cert, key: pair.key }, ...extra });
  hosts.push(h);
  return h;
}

const creds = { user: DEFAULT_USER, password: DEFAULT_PASSWORD };
const over = (h: EmulatedHost, extra: Partial<ConnectionOptions> = {}): ConnectionOptions => ({ host: h.hostname, port: h.port, scheme: h.scheme, ...creds, ...extra });

function byId(steps: readonly DiagnosticStep[]): Map<StepId, DiagnosticStep> {
  return new Map(steps.map((s) => [s.id, s]));
}

function statuses(steps: readonly DiagnosticStep[]): string {
  return steps.map((s) => `${s.id}=${s.status}`).join(' ');
}

/** Every step after `failed` is skipped and names it. */
function assertSkippedAfter(steps: readonly DiagnosticStep[], failed: StepId): void {
  const i = steps.findIndex((s) => s.id === failed);
  assert.equal(steps[i]?.status, 'fail', statuses(steps));
  const rest = steps.slice(i + 1);
  assert.ok(rest.length > 0);
  for (const s of rest) {
    assert.equal(s.status, 'skip', `${s.id} after ${failed}: ${statuses(steps)}`);
    assert.equal(s.blockedBy, failed);
    assert.match(s.summary, new RegExp(`skipped: .*\\(${failed}\\) failed`));
  }
}

function assertNoSecret(steps: readonly DiagnosticStep[]): void {
  assert.ok(!JSON.stringify(steps).includes(DEFAULT_PASSWORD), 'the password appears in a step');
}

describe('doctor: NTLM', () => {
  test('http with message encryption: every step passes, in the documented order, with the host names from the CHALLENGE', async () => {
    const seen: StepId[] = [];
    const steps = await diagnoseHost(over(http), (s) => seen.push(s.id));
    assert.deepEqual(seen, steps.map((s) => s.id), 'onStep is called once per step, in order');
    assert.deepEqual(steps.map((s) => s.id), ['target', 'dns', 'tcp', 'tls', 'auth-schemes', 'ntlm-challenge', 'identify', 'hyperv-namespace']);
    const ids = [...STEP_IDS];
    assert.deepEqual([...steps.map((s) => ids.indexOf(s.id))].sort((a, b) => a - b), steps.map((s) => ids.indexOf(s.id)), 'steps follow STEP_IDS order');
    const m = byId(steps);
    assert.equal(m.get('tls')?.status, 'skip');
    assert.match(m.get('tls')!.summary, /plain http/);
    for (const id of ['target', 'dns', 'tcp', 'auth-schemes', 'ntlm-challenge', 'identify', 'hyperv-namespace'] as const) assert.equal(m.get(id)?.status, 'pass', `${id}: ${m.get(id)?.summary}`);
    assert.deepEqual(m.get('auth-schemes')!.facts.offered, ['Negotiate']);
    const ch = m.get('ntlm-challenge')!.facts;
    assert.equal(ch.netbiosComputer, 'HV-EMU01');
    assert.equal(ch.sealing, true);
    assert.equal(typeof ch.clockDifferenceSeconds, 'number');
    assert.ok(Math.abs(ch.clockDifferenceSeconds as number) <= 2);
    const ns = m.get('hyperv-namespace')!;
    assert.equal(ns.summary, 'root/virtualization/v2 answers an Enumerate of Msvm_VirtualSystemManagementService: vmms on HV-EMU01');
    assert.equal(ns.facts.instancesRead, 1);
    assert.equal(ns.facts.serviceName, 'vmms');
    assert.match(String(m.get('identify')!.facts.productVersion), /Stack: 3\.0/);
    assert.equal(m.get('identify')!.facts.dialect, 'wmi');
    assertNoSecret(steps);
  });

  test('closed port: tcp fails naming the port and the WinRM listener fix; everything after is skipped', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const steps = await diagnoseHost({ host: '127.0.0.1', port, scheme: 'http', ...creds });
    const tcp = byId(steps).get('tcp')!;
    assert.equal(tcp.code, 'ERR_CONNECTION');
    assert.match(tcp.summary, new RegExp(`port ${port}.*ECONNREFUSED`));
    assert.match(tcp.fix ?? '', /5985 \(http\) and 5986 \(https\)/);
    assert.match(tcp.fix ?? '', /winrm quickconfig/);
    assert.match(tcp.fix ?? '', /firewall/);
    assertSkippedAfter(steps, 'tcp');
  });

  test('a name that does not resolve: dns fails, tcp and the rest are skipped', async () => {
    const steps = await diagnoseHost({ host: 'no-such-host.invalid', port: 5985, scheme: 'http', ...creds, connectTimeoutSec: 2 });
    const dns = byId(steps).get('dns')!;
    assert.equal(dns.code, 'ERR_CONNECTION');
    assert.match(dns.summary, /no-such-host\.invalid does not resolve/);
    assert.match(dns.fix ?? '', /--host/);
    assertSkippedAfter(steps, 'dns');
  });

  test('wrong password: identify fails with the auth error; the steps before it pass', async () => {
    const steps = await diagnoseHost(over(http, { password: 'not-the-password' }));
    const m = byId(steps);
    assert.equal(m.get('ntlm-challenge')?.status, 'pass');
    assert.equal(m.get('identify')?.status, 'fail');
    assert.equal(m.get('identify')?.code, 'ERR_AUTH');
    assert.equal(m.get('hyperv-namespace')?.status, 'skip');
    assert.equal(m.get('hyperv-namespace')?.blockedBy, 'identify');
    assert.ok(!JSON.stringify(steps).includes('not-the-password'));
  });

  test('--user names a domain that is neither the host nor its domain: a note with both forms', async () => {
    const steps = await diagnoseHost(over(http, { user: `OTHERDOM\\${DEFAULT_USER}` }));
    const ch = byId(steps).get('ntlm-challenge')!;
    assert.match(ch.fix ?? '', /--user names domain OTHERDOM; the host is in HV-EMU01/);
  });

  test('unusable settings: target fails with a usage error and nothing is sent', async () => {
    const steps = await diagnoseHost({ host: 'hv01', port: 70000, ...creds });
    assert.equal(steps[0]?.id, 'target');
    assert.equal(steps[0]?.code, 'ERR_INVALID_OPTION');
    assertSkippedAfter(steps, 'target');
  });
});

describe('doctor: TLS', () => {
  test('verified certificate: chain, name, expiry, protocol and the fingerprint to pin', async () => {
    const h = await tlsHost(bad.good);
    const tls = byId(await diagnoseHost(over(h, { ca: bad.caCert }))).get('tls')!;
    assert.equal(tls.status, 'pass', tls.summary);
    assert.match(tls.summary, /certificate chain verified, host name "127\.0\.0\.1" matches/);
    assert.match(String(tls.facts.fingerprint), /^sha256:([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.match(String(tls.facts.protocol), /^TLSv1\.[23]$/);
    assert.equal(tls.facts.chainVerified, true);
    assert.ok((tls.facts.daysLeft as number) > 30);
  });

  test('untrusted CA: tls fails with the verdict reason and the fingerprint; auth steps are skipped', async () => {
    const h = await tlsHost(bad.unknownCa);
    const steps = await diagnoseHost(over(h, { ca: bad.caCert }));
    const tls = byId(steps).get('tls')!;
    assert.equal(tls.code, 'ERR_TLS');
    assert.equal(tls.facts.reason, 'unknown-ca');
    assert.match(String(tls.facts.fingerprint), /^sha256:/);
    // A pin only replaces the CA check with validation off: the hint says both (a pin alone would fail the same way).
    assert.match(tls.summary, /--server-cert-validation ignore \(serverCertValidation\) and --cert-fingerprint sha256:/);
    assertSkippedAfter(steps, 'tls');
  });

  test('certificate for another name: name-mismatch', async () => {
    const h = await tlsHost(bad.otherName);
    const tls = byId(await diagnoseHost(over(h, { ca: bad.caCert }))).get('tls')!;
    assert.equal(tls.status, 'fail');
    assert.equal(tls.facts.reason, 'name-mismatch');
    assert.match(tls.summary, /other\.example/);
  });

  test('expired certificate: expired, with the date', async () => {
    const h = await tlsHost(bad.expired);
    const tls = byId(await diagnoseHost(over(h, { ca: bad.caCert }))).get('tls')!;
    assert.equal(tls.status, 'fail');
    assert.equal(tls.facts.reason, 'expired');
    assert.match(tls.summary, /expired on .*2020/);
  });

  test('a certificate that ends within 30 days: warn, and the steps after it still run', async () => {
    const soon = makeBadCerts(); // its CA and self-signed certificates end in 2 days
    const h = await tlsHost(soon.selfSigned);
    const steps = await diagnoseHost(over(h, { ca: soon.selfSigned.cert }));
    const m = byId(steps);
    assert.equal(m.get('tls')?.status, 'warn', m.get('tls')?.summary);
    assert.match(m.get('tls')?.fix ?? '', /expires in [01] days?/);
    assert.equal(m.get('identify')?.status, 'pass');
  });

  test('--server-cert-validation ignore: warn saying what was not checked and what the checks would have found', async () => {
    const h = await tlsHost(bad.unknownCa);
    const steps = await diagnoseHost(over(h, { serverCertValidation: 'ignore' }));
    const tls = byId(steps).get('tls')!;
    assert.equal(tls.status, 'warn');
    assert.match(tls.summary, /NOT verified/);
    assert.match(tls.summary, /chain would fail/);
    assert.equal(tls.facts.chainVerified, false);
    assert.match(tls.fix ?? '', /--cert-fingerprint sha256:/);
    assert.equal(byId(steps).get('identify')?.status, 'pass');
  });
});

describe('doctor: auth schemes and the Hyper-V namespace', () => {
  test('Basic not offered: auth-schemes fails with the winrm setting to change and the scheme that is offered', async () => {
    const h = await tlsHost(bad.good);
    const steps = await diagnoseHost(over(h, { ca: bad.caCert, transport: 'basic' }));
    const auth = byId(steps).get('auth-schemes')!;
    assert.equal(auth.code, 'ERR_AUTH');
    assert.deepEqual(auth.facts.offered, ['Negotiate']);
    assert.match(auth.fix ?? '', /winrm set winrm\/config\/service\/auth @\{Basic="true"\}/);
    assert.match(auth.fix ?? '', /--transport negotiate/);
    assertSkippedAfter(steps, 'auth-schemes');
  });

  test('Basic offered over https: passes through identify', async () => {
    const h = await tlsHost(bad.good, { auth: { basic: true, negotiate: true } });
    const m = byId(await diagnoseHost(over(h, { ca: bad.caCert, transport: 'basic' })));
    assert.equal(m.get('auth-schemes')?.status, 'pass');
    assert.equal(m.get('identify')?.status, 'pass');
  });

  test('OMI (no Hyper-V namespace, no answer without credentials): warn on schemes, hyperv-namespace says it is not a Hyper-V host', async () => {
    const omi = await startEmulatedHost({ dialect: 'omi' });
    hosts.push(omi);
    // OMI leaves a request without credentials unanswered (60 s, then it closes): the probe gives up
    // after min(read timeout, 10 s) and goes on.
    const steps = await diagnoseHost(over(omi, { ntlmEmptyAuthenticateBody: true, operationTimeoutSec: 1, readTimeoutSec: 2 }));
    const m = byId(steps);
    assert.equal(m.get('auth-schemes')?.status, 'warn');
    assert.match(m.get('auth-schemes')!.summary, /sent no answer within 2 s/);
    assert.match(m.get('auth-schemes')!.fix ?? '', /Microsoft OMI/);
    assert.equal(m.get('identify')?.status, 'pass');
    assert.equal(m.get('identify')?.facts.dialect, 'cim');
    const ns = m.get('hyperv-namespace')!;
    assert.equal(ns.status, 'fail');
    assert.equal(ns.code, 'ERR_NOT_FOUND');
    assert.match(ns.summary, /^not a Hyper-V host: Open Management Infrastructure 1\.0\.8-6 is not Windows WinRM/);
    assert.match(ns.fix ?? '', /Hyper-V runs only on Windows/);
    assert.match(ns.fix ?? '', /--dialect cim/);
  });
});

describe('doctor: a Hyper-V namespace with nothing in it', () => {
  test('an Enumerate of Msvm_VirtualSystemManagementService with no instance fails hyperv-namespace, naming the role and the Hyper-V Administrators group', async () => {
    const empty = await startEmulatedHost({ emptyHypervNamespace: true });
    hosts.push(empty);
    const steps = await diagnoseHost(over(empty));
    const m = byId(steps);
    assert.equal(m.get('identify')?.status, 'pass', statuses(steps));
    const ns = m.get('hyperv-namespace')!;
    assert.equal(ns.status, 'fail');
    assert.equal(ns.code, 'ERR_NOT_FOUND');
    assert.equal(ns.facts.instancesRead, 0);
    assert.match(ns.summary, /with no instance, yet every Hyper-V host has exactly one/);
    assert.match(ns.fix ?? '', /Hyper-V role is installed/);
    assert.match(ns.fix ?? '', /'Hyper-V Administrators' group/);
    assert.match(ns.fix ?? '', /--user/);
  });
});

describe('doctor: through a CONNECT proxy', () => {
  test('dns and tcp are skipped (the proxy resolves and connects) without blocking; TLS and auth go through the tunnel', async () => {
    const proxy = await startProxy();
    try {
      const h = await tlsHost(bad.good);
      const steps = await diagnoseHost(over(h, { ca: bad.caCert, proxy: proxy.url }));
      const m = byId(steps);
      assert.equal(m.get('dns')?.status, 'skip');
      assert.match(m.get('dns')!.summary, /proxy/);
      assert.equal(m.get('dns')?.blockedBy, undefined);
      assert.equal(m.get('tcp')?.status, 'skip');
      assert.equal(m.get('tls')?.status, 'pass', m.get('tls')?.summary);
      assert.equal(m.get('identify')?.status, 'pass', statuses(steps));
      assert.ok(proxy.connects.length >= 3, `every connection went through the proxy: ${proxy.connects.join(', ')}`);
    } finally {
      await proxy.close();
    }
  });
});
