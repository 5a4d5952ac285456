/**
 * `hyperv-wsman doctor --transport kerberos` with a real MIT krb5 KDC (interop/kerberos/mit-kdc.ts)
 * in front of our emulated host (which accepts with the service keytab MIT's kadmin exported): the
 * Kerberos steps read MIT's krb5.conf, find MIT's KDC, get a TGT and a service ticket from it (by
 * password, and from a cache MIT's kinit wrote), and the authenticated Identify passes; MIT's own
 * refusals (wrong password, unknown SPN) come back as failed steps with the auth exit code. With
 * --kerberos-delegation, MIT's forwardable and forwarded TGTs pass the delegation step, which warns
 * until the service principal has ok_as_delegate (set with kadmin.local for one run) and fails for
 * a cache kinit -F made.
 * Needs Debian krb5-kdc, krb5-admin-server, krb5-user; a missing binary fails loudly.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { mitRealmAndHostForSuite } from './kerberos/mit-host.js';
import { runCapture, type CliRun } from '../test/helpers/cli-harness.js';

interface Doc {
  ok: boolean;
  exitCode: number;
  steps: { id: string; status: string; summary: string; facts: Record<string, unknown> }[];
}

const suite = mitRealmAndHostForSuite();

const doctor = (extra: string[], env: Record<string, string>): Promise<CliRun> =>
  runCapture(['doctor', '--json', '--host', '127.0.0.1', '--port', String(suite.host.port), '--scheme', 'http', '--transport', 'kerberos', '--krb5-config', suite.mit.krb5Conf, ...extra], { env: { HOME: suite.mit.dir, ...env } });
const steps = (r: CliRun): Map<string, Doc['steps'][number]> => new Map((JSON.parse(r.stdout) as Doc).steps.map((s) => [s.id, s]));

describe('doctor against the emulated host with MIT\'s KDC', () => {
  test('password: every Kerberos step passes against MIT, identify passes, exit 0', async () => {
    const r = await doctor(['--user', suite.mit.user.principal, '--kerberos-hostname-override', suite.mit.service.host], { HYPERV_WSMAN_PASSWORD: suite.mit.user.password });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = steps(r);
    assert.deepEqual(m.get('kerberos-config')?.facts.krb5ConfigRead, [suite.mit.krb5Conf]);
    assert.equal(m.get('kerberos-config')?.facts.spn, `HTTP/${suite.mit.service.host}@${suite.mit.realm}`);
    assert.match(m.get('kerberos-kdc')!.summary, new RegExp(`realm ${suite.mit.realm}: KDC .*:${suite.mit.port} accepts TCP`));
    assert.equal(m.get('kerberos-tgt')?.status, 'pass');
    assert.equal(m.get('kerberos-service-ticket')?.status, 'pass');
    assert.equal(m.get('identify')?.status, 'pass');
    assert.ok(!r.stdout.includes(suite.mit.user.password));
  });

  test('MIT kinit cache: the cache\'s TGT (with its expiry) is used', async () => {
    const ccache = join(suite.mit.dir, 'cc-doctor');
    await suite.mit.kinitPassword(ccache, { serviceTicket: false });
    const r = await doctor(['--kerberos-hostname-override', suite.mit.service.host], { KRB5CCNAME: `FILE:${ccache}` });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = steps(r);
    assert.equal(m.get('kerberos-config')?.facts.credential, 'ccache');
    assert.equal(m.get('kerberos-config')?.facts.principal, suite.mit.user.principal);
    assert.match(String(m.get('kerberos-config')?.facts.cachedTgtExpires), /^\d{4}-/);
  });

  test('MIT refuses a wrong password: kerberos-tgt fails, exit 4', async () => {
    const r = await doctor(['--user', suite.mit.user.principal, '--kerberos-hostname-override', suite.mit.service.host], { HYPERV_WSMAN_PASSWORD: 'wrong' });
    assert.equal(r.code, 4);
    const tgt = steps(r).get('kerberos-tgt')!;
    assert.equal(tgt.status, 'fail');
    assert.match(tgt.summary, /Wrong password/);
  });

  test('an SPN MIT does not know: kerberos-service-ticket fails naming it, exit 4', async () => {
    const r = await doctor(['--user', suite.mit.user.principal, '--kerberos-hostname-override', 'nohost.example.test'], { HYPERV_WSMAN_PASSWORD: suite.mit.user.password });
    assert.equal(r.code, 4);
    const m = steps(r);
    assert.equal(m.get('kerberos-tgt')?.status, 'pass');
    assert.match(m.get('kerberos-service-ticket')!.summary, new RegExp(`HTTP/nohost\\.example\\.test@${suite.mit.realm}`));
  });

  test('--kerberos-delegation: MIT grants a forwardable and a forwarded TGT; not ok-as-delegate is a warning (exit 0), +ok_as_delegate passes; a kinit -F cache fails, exit 4', async () => {
    const { mit } = suite;
    const args = ['--user', mit.user.principal, '--kerberos-hostname-override', mit.service.host, '--kerberos-delegation'];
    const delegated = suite.host.kerberos!.delegations.length;
    const r = await doctor(args, { HYPERV_WSMAN_PASSWORD: mit.user.password });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    let d = steps(r).get('kerberos-delegation')!;
    assert.equal(d.status, 'warn', d.summary);
    assert.equal(d.facts.tgtForwardable, true);
    assert.equal(d.facts.forwardedFlag, true);
    assert.equal(d.facts.okAsDelegate, false);
    assert.match(d.summary, new RegExp(`did not mark HTTP/${mit.service.host.replace(/\./g, '\\.')}@${mit.realm} ok-as-delegate`));
    assert.equal(steps(r).get('identify')?.status, 'pass');
    assert.equal(suite.host.kerberos!.delegations.length, delegated + 1, 'identify delegated the TGT MIT forwarded');

    const flag = (sign: '+' | '-') => mit.run('kadmin.local', ['-r', mit.realm, '-q', `modprinc ${sign}ok_as_delegate ${mit.service.principal}`]);
    assert.equal((await flag('+')).code, 0);
    try {
      const trusted = await doctor(args, { HYPERV_WSMAN_PASSWORD: mit.user.password });
      assert.equal(trusted.code, 0, trusted.stdout + trusted.stderr);
      d = steps(trusted).get('kerberos-delegation')!;
      assert.equal(d.status, 'pass', d.summary);
      assert.equal(d.facts.okAsDelegate, true);
    } finally {
      assert.equal((await flag('-')).code, 0);
    }

    const plain = join(mit.dir, 'cc-doctor-not-forwardable');
    const k = await mit.run('kinit', ['-F', '-c', `FILE:${plain}`, mit.user.principal], { input: mit.user.password + '\n' });
    assert.equal(k.code, 0, k.stderr);
    const refused = await doctor(['--kerberos-hostname-override', mit.service.host, '--kerberos-delegation'], { KRB5CCNAME: `FILE:${plain}` });
    assert.equal(refused.code, 4, refused.stdout + refused.stderr);
    d = steps(refused).get('kerberos-delegation')!;
    assert.equal(d.status, 'fail');
    assert.match(d.summary, /not forwardable; run kinit -f/);
  });
});
