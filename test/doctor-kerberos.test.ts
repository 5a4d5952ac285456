/**
 * diagnoseHost with --transport kerberos / negotiate against the emulated host and its in-memory
 * KDC: the Kerberos steps' pass (password, keytab, credential cache), and their failures with the
 * typed errors' messages: wrong password, unknown SPN, clock skew, no KDC answering; under Negotiate
 * with a password a Kerberos failure is a warning (NTLM fallback) and the call still succeeds. With
 * --kerberos-delegation the delegation step: warn without ok-as-delegate, pass with it, fail for a
 * TGT that is not forwardable (realm policy, or a cache without kinit -f).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diagnoseHost, type DiagnosticStep, type StepId } from '../src/index.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startEmulatedHost } from '../src/emulator/index.js';
import type { ConnectionOptions } from '../src/options.js';
import { kerberosHostForSuite, startKerberosHost } from './helpers/kerberos-env.js';

const suite = kerberosHostForSuite();
const env = { HOME: '/nonexistent' };

const kerberos = (extra: Partial<ConnectionOptions> = {}): ConnectionOptions => ({
  host: 'localhost',
  port: suite.host.port,
  scheme: 'http',
  transport: 'kerberos',
  user: DEFAULT_USER,
  password: DEFAULT_PASSWORD,
  krb5Config: suite.files.krb5Config,
  ...extra,
});

const byId = (steps: readonly DiagnosticStep[]): Map<StepId, DiagnosticStep> => new Map(steps.map((s) => [s.id, s]));
const statuses = (steps: readonly DiagnosticStep[]): string => steps.map((s) => `${s.id}=${s.status}`).join(' ');

describe('doctor: Kerberos', () => {
  test('password: config, KDC, TGT (with the clock difference), service ticket, identify all pass', async () => {
    const steps = await diagnoseHost(kerberos(), undefined, { env });
    assert.deepEqual(steps.map((s) => s.id), ['target', 'dns', 'tcp', 'tls', 'auth-schemes', 'kerberos-config', 'kerberos-kdc', 'kerberos-tgt', 'kerberos-service-ticket', 'identify', 'hyperv-namespace']);
    for (const s of steps) if (s.id !== 'tls') assert.equal(s.status, 'pass', `${s.id}: ${s.summary} ${statuses(steps)}`);
    const m = byId(steps);
    assert.deepEqual(m.get('kerberos-config')!.facts.krb5ConfigRead, [suite.files.krb5Config]);
    assert.equal(m.get('kerberos-config')!.facts.principal, 'Administrator@EMULATOR.TEST');
    assert.equal(m.get('kerberos-config')!.facts.credential, 'password');
    assert.equal(m.get('kerberos-config')!.facts.spn, 'HTTP/localhost@EMULATOR.TEST');
    assert.match(m.get('kerberos-kdc')!.summary, /realm EMULATOR\.TEST: KDC 127\.0\.0\.1:\d+ accepts TCP \(from krb5\.conf\)/);
    assert.ok(Math.abs(m.get('kerberos-tgt')!.facts.clockDifferenceSeconds as number) <= 2);
    assert.match(m.get('kerberos-service-ticket')!.summary, /service ticket for HTTP\/localhost@EMULATOR\.TEST/);
    assert.ok(m.get('auth-schemes')!.facts.offered instanceof Array && (m.get('auth-schemes')!.facts.offered as string[]).includes('Kerberos'));
    assert.ok(!JSON.stringify(steps).includes(DEFAULT_PASSWORD));
  });

  test('keytab, and the credential cache (its TGT and expiry)', async () => {
    const kt = byId(await diagnoseHost(kerberos({ password: '', keytab: suite.files.keytab }), undefined, { env }));
    assert.equal(kt.get('kerberos-config')?.facts.credential, 'keytab');
    assert.equal(kt.get('identify')?.status, 'pass');
    const cc = byId(await diagnoseHost(kerberos({ user: '', password: '', ccache: `FILE:${suite.files.ccache}` }), undefined, { env }));
    assert.equal(cc.get('kerberos-config')?.facts.credential, 'ccache');
    assert.equal(cc.get('kerberos-config')?.facts.principal, 'Administrator@EMULATOR.TEST');
    assert.match(String(cc.get('kerberos-config')?.facts.cachedTgtExpires), /^\d{4}-\d\d-\d\dT/);
    assert.match(cc.get('kerberos-tgt')!.summary, /credential cache's ticket-granting ticket/);
    assert.equal(cc.get('identify')?.status, 'pass');
  });

  test('wrong password: kerberos-tgt fails with the KDC\'s typed error; the service ticket and identify are skipped', async () => {
    const steps = await diagnoseHost(kerberos({ password: 'not the password' }), undefined, { env });
    const m = byId(steps);
    assert.equal(m.get('kerberos-tgt')?.status, 'fail');
    assert.equal(m.get('kerberos-tgt')?.code, 'ERR_KERBEROS_KDC');
    assert.match(m.get('kerberos-tgt')!.summary, /Wrong password for Administrator@EMULATOR\.TEST/);
    assert.equal(m.get('kerberos-service-ticket')?.blockedBy, 'kerberos-tgt');
    assert.equal(m.get('identify')?.blockedBy, 'kerberos-tgt');
    assert.ok(!JSON.stringify(steps).includes('not the password'));
  });

  test('unknown SPN: the TGT passes, the service ticket fails naming the SPN and --kerberos-hostname-override', async () => {
    const m = byId(await diagnoseHost(kerberos({ kerberosHostnameOverride: 'hv99.example.com' }), undefined, { env }));
    assert.equal(m.get('kerberos-tgt')?.status, 'pass');
    const st = m.get('kerberos-service-ticket')!;
    assert.equal(st.status, 'fail');
    assert.match(st.summary, /HTTP\/hv99\.example\.com@EMULATOR\.TEST/);
    assert.match(st.summary, /--kerberos-hostname-override/);
    assert.equal(m.get('identify')?.status, 'skip');
  });

  test('clock skew: kerberos-tgt fails with the amount', async () => {
    const skewed = await startEmulatedHost({ kerberos: { kdc: { clockOffsetSeconds: -900 } } });
    try {
      const kdc = skewed.kerberos!.kdc!;
      const m = byId(await diagnoseHost({ host: '127.0.0.1', port: skewed.port, scheme: 'http', transport: 'kerberos', user: `${DEFAULT_USER}@EMULATOR.TEST`, password: DEFAULT_PASSWORD, kdc: [`${kdc.host}:${kdc.port}`] }, undefined, { env: { KRB5_CONFIG: '/nonexistent/krb5.conf' } }));
      const tgt = m.get('kerberos-tgt')!;
      assert.equal(tgt.status, 'fail');
      assert.match(tgt.summary, /Clocks differ too much.*900 s behind/);
      assert.equal(tgt.facts.clockDifferenceSeconds, -900);
      assert.equal(m.get('dns')?.status, 'warn', 'an IP address with Kerberos and no override is worth a warning');
      assert.match(m.get('dns')?.fix ?? '', /--kerberos-hostname-override/);
    } finally {
      await skewed.close();
    }
  });

  test('no KDC answers: kerberos-kdc fails naming what was tried', async () => {
    const m = byId(await diagnoseHost(kerberos({ kdc: ['127.0.0.1:1'] }), undefined, { env }));
    const kdc = m.get('kerberos-kdc')!;
    assert.equal(kdc.status, 'fail');
    assert.equal(kdc.code, 'ERR_KERBEROS_KDC');
    assert.match(kdc.summary, /127\.0\.0\.1:1 \(ECONNREFUSED\)/);
    assert.match(kdc.fix ?? '', /a KDC listens at 127\.0\.0\.1:1 /);
    assert.doesNotMatch(kdc.fix ?? '', /port 88/);
    assert.equal(m.get('kerberos-tgt')?.blockedBy, 'kerberos-kdc');
  });

  test('negotiate with a password: a Kerberos failure is a warning, NTLM is checked, identify passes', async () => {
    const steps = await diagnoseHost(kerberos({ transport: 'negotiate', kerberosHostnameOverride: 'hv99.example.com' }), undefined, { env });
    const m = byId(steps);
    assert.equal(m.get('kerberos-service-ticket')?.status, 'warn');
    assert.match(m.get('kerberos-service-ticket')?.fix ?? '', /fall back to NTLM/);
    assert.equal(m.get('ntlm-challenge')?.status, 'pass');
    assert.equal(m.get('identify')?.status, 'pass', statuses(steps));
  });

  test('negotiate with a wrong password: the TGT step fails (no NTLM fallback for a refusal), identify is skipped (no second try of the password)', async () => {
    const steps = await diagnoseHost(kerberos({ transport: 'negotiate', password: 'not-the-password' }), undefined, { env });
    const m = byId(steps);
    assert.equal(m.get('kerberos-tgt')?.status, 'fail', statuses(steps));
    assert.match(m.get('kerberos-tgt')?.summary ?? '', /password/i);
    assert.equal(m.get('identify')?.status, 'skip', statuses(steps));
  });
});

describe('doctor: --kerberos-delegation', () => {
  test('a host the KDC does not mark ok-as-delegate: kerberos-delegation warns (forwardable TGT, forwarded TGT got) saying what the admin sets; identify passes', async () => {
    const delegated = suite.host.kerberos!.delegations.length;
    const steps = await diagnoseHost(kerberos({ kerberosDelegation: true }), undefined, { env });
    assert.deepEqual(steps.map((s) => s.id), ['target', 'dns', 'tcp', 'tls', 'auth-schemes', 'kerberos-config', 'kerberos-kdc', 'kerberos-tgt', 'kerberos-service-ticket', 'kerberos-delegation', 'identify', 'hyperv-namespace']);
    assert.equal(suite.host.kerberos!.delegations.length, delegated + 1, "identify delegated, as the session would");
    const d = byId(steps).get('kerberos-delegation')!;
    assert.equal(d.status, 'warn', d.summary);
    assert.equal(d.title, 'Delegation');
    assert.equal(d.facts.tgtForwardable, true);
    assert.equal(d.facts.forwardedFlag, true);
    assert.equal(d.facts.okAsDelegate, false);
    assert.equal(d.facts.forwardedTgt, 'krbtgt/EMULATOR.TEST@EMULATOR.TEST');
    assert.match(d.summary, /the KDC did not mark HTTP\/localhost@EMULATOR\.TEST ok-as-delegate: --kerberos-delegation delegates anyway/);
    assert.match(d.fix ?? '', /Trust this computer for delegation/);
    assert.match(d.fix ?? '', /ok_as_delegate/);
    assert.equal(byId(steps).get('identify')?.status, 'pass', statuses(steps));
  });

  test('a host trusted for delegation (ok-as-delegate): kerberos-delegation passes', async () => {
    const trusted = await startKerberosHost({ okAsDelegate: true });
    try {
      const steps = await diagnoseHost(kerberos({ port: trusted.host.port, krb5Config: trusted.files.krb5Config, kerberosDelegation: true }), undefined, { env });
      const d = byId(steps).get('kerberos-delegation')!;
      assert.equal(d.status, 'pass', d.summary);
      assert.equal(d.facts.okAsDelegate, true);
      assert.match(d.summary, /HTTP\/localhost@EMULATOR\.TEST is ok-as-delegate/);
      assert.equal(byId(steps).get('identify')?.status, 'pass', statuses(steps));
    } finally {
      await trusted.close();
    }
  });

  test('a realm that grants no forwardable TGT: kerberos-delegation fails with the library\'s message, identify is skipped (the session would stop there too)', async () => {
    const strict = await startKerberosHost({ allowForwardable: false });
    try {
      const steps = await diagnoseHost(kerberos({ port: strict.host.port, krb5Config: strict.files.krb5Config, kerberosDelegation: true }), undefined, { env });
      const m = byId(steps);
      assert.equal(m.get('kerberos-service-ticket')?.status, 'pass', 'without delegation the tickets are fine');
      const d = m.get('kerberos-delegation')!;
      assert.equal(d.status, 'fail');
      assert.equal(d.code, 'ERR_KERBEROS');
      assert.match(d.summary, /issued Administrator@EMULATOR\.TEST a TGT that is not forwardable/);
      assert.equal(m.get('identify')?.blockedBy, 'kerberos-delegation');
    } finally {
      await strict.close();
    }
  });

  test('a credential cache whose TGT is not forwardable: fails saying kinit -f', async () => {
    const m = byId(await diagnoseHost(kerberos({ user: '', password: '', ccache: `FILE:${suite.files.ccache}`, kerberosDelegation: true }), undefined, { env }));
    assert.equal(m.get('kerberos-service-ticket')?.status, 'pass');
    const d = m.get('kerberos-delegation')!;
    assert.equal(d.status, 'fail');
    assert.match(d.summary, /not forwardable; run kinit -f/);
  });

  test('negotiate falling back to NTLM (no ticket for the SPN): kerberos-delegation warns that NTLM cannot delegate; identify passes', async () => {
    const steps = await diagnoseHost(kerberos({ transport: 'negotiate', kerberosHostnameOverride: 'hv99.example.com', kerberosDelegation: true }), undefined, { env });
    const m = byId(steps);
    assert.equal(m.get('kerberos-service-ticket')?.status, 'warn');
    const d = m.get('kerberos-delegation')!;
    assert.equal(d.status, 'warn');
    assert.match(d.summary, /NTLM, which cannot delegate/);
    assert.equal(m.get('identify')?.status, 'pass', statuses(steps));
  });
});
