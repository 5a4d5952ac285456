/**
 * diagnoseHost with --transport kerberos / negotiate against the emulated host and its in-memory
 * KDC: the Kerberos steps' pass (password, keytab, credential cache), and their failures with the
 * typed errors' messages: wrong password, unknown SPN, clock skew, no KDC answering; under Negotiate
 * with a password a Kerberos failure is a warning (NTLM fallback) and the call still succeeds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { diagnoseHost, type DiagnosticStep, type StepId } from '../src/index.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import type { ConnectionOptions } from '../src/options.js';
import { kerberosFiles, type KerberosFiles } from './helpers/kerberos-env.js';

let host: EmulatedHost;
let files: KerberosFiles;
const env = { HOME: '/nonexistent' };

before(async () => {
  host = await startEmulatedHost({ kerberos: { kdc: true } });
  files = await kerberosFiles(host, DEFAULT_USER, DEFAULT_PASSWORD);
});
after(async () => {
  files.remove();
  await host.close();
});

const kerberos = (extra: Partial<ConnectionOptions> = {}): ConnectionOptions => ({
  host: 'localhost',
  port: host.port,
  scheme: 'http',
  transport: 'kerberos',
  user: DEFAULT_USER,
  password: DEFAULT_PASSWORD,
  krb5Config: files.krb5Config,
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
    assert.deepEqual(m.get('kerberos-config')!.facts.krb5ConfigRead, [files.krb5Config]);
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
    const kt = byId(await diagnoseHost(kerberos({ password: '', keytab: files.keytab }), undefined, { env }));
    assert.equal(kt.get('kerberos-config')?.facts.credential, 'keytab');
    assert.equal(kt.get('identify')?.status, 'pass');
    const cc = byId(await diagnoseHost(kerberos({ user: '', password: '', ccache: `FILE:${files.ccache}` }), undefined, { env }));
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
