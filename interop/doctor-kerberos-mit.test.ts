/**
 * `hyperv-wsman doctor --transport kerberos` with a real MIT krb5 KDC (interop/kerberos/mit-kdc.ts)
 * in front of our emulated host (which accepts with the service keytab MIT's kadmin exported): the
 * Kerberos steps read MIT's krb5.conf, find MIT's KDC, get a TGT and a service ticket from it (by
 * password, and from a cache MIT's kinit wrote), and the authenticated Identify passes; MIT's own
 * refusals (wrong password, unknown SPN) come back as failed steps with the auth exit code.
 * Needs Debian krb5-kdc, krb5-admin-server, krb5-user; a missing binary fails loudly.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { startMitKdc, type MitRealm } from './kerberos/mit-kdc.js';
import { runCapture, type CliRun } from '../test/helpers/cli-harness.js';

interface Doc {
  ok: boolean;
  exitCode: number;
  steps: { id: string; status: string; summary: string; facts: Record<string, unknown> }[];
}

let mit: MitRealm;
let host: EmulatedHost;
before(async () => {
  mit = await startMitKdc();
  host = await startEmulatedHost({ kerberos: { realm: mit.realm, keytab: mit.service.keytab } });
});
after(async () => {
  await host?.close();
  await mit?.stop();
});

const doctor = (extra: string[], env: Record<string, string>): Promise<CliRun> =>
  runCapture(['doctor', '--json', '--host', '127.0.0.1', '--port', String(host.port), '--scheme', 'http', '--transport', 'kerberos', '--krb5-config', mit.krb5Conf, ...extra], { env: { HOME: mit.dir, ...env } });
const steps = (r: CliRun): Map<string, Doc['steps'][number]> => new Map((JSON.parse(r.stdout) as Doc).steps.map((s) => [s.id, s]));

describe('doctor against the emulated host with MIT\'s KDC', () => {
  test('password: every Kerberos step passes against MIT, identify passes, exit 0', async () => {
    const r = await doctor(['--user', mit.user.principal, '--kerberos-hostname-override', mit.service.host], { HYPERV_WSMAN_PASSWORD: mit.user.password });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = steps(r);
    assert.deepEqual(m.get('kerberos-config')?.facts.krb5ConfigRead, [mit.krb5Conf]);
    assert.equal(m.get('kerberos-config')?.facts.spn, `HTTP/${mit.service.host}@${mit.realm}`);
    assert.match(m.get('kerberos-kdc')!.summary, new RegExp(`realm ${mit.realm}: KDC .*:${mit.port} accepts TCP`));
    assert.equal(m.get('kerberos-tgt')?.status, 'pass');
    assert.equal(m.get('kerberos-service-ticket')?.status, 'pass');
    assert.equal(m.get('identify')?.status, 'pass');
    assert.ok(!r.stdout.includes(mit.user.password));
  });

  test('MIT kinit cache: the cache\'s TGT (with its expiry) is used', async () => {
    const ccache = join(mit.dir, 'cc-doctor');
    await mit.kinitPassword(ccache, { serviceTicket: false });
    const r = await doctor(['--kerberos-hostname-override', mit.service.host], { KRB5CCNAME: `FILE:${ccache}` });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const m = steps(r);
    assert.equal(m.get('kerberos-config')?.facts.credential, 'ccache');
    assert.equal(m.get('kerberos-config')?.facts.principal, mit.user.principal);
    assert.match(String(m.get('kerberos-config')?.facts.cachedTgtExpires), /^\d{4}-/);
  });

  test('MIT refuses a wrong password: kerberos-tgt fails, exit 4', async () => {
    const r = await doctor(['--user', mit.user.principal, '--kerberos-hostname-override', mit.service.host], { HYPERV_WSMAN_PASSWORD: 'wrong' });
    assert.equal(r.code, 4);
    const tgt = steps(r).get('kerberos-tgt')!;
    assert.equal(tgt.status, 'fail');
    assert.match(tgt.summary, /Wrong password/);
  });

  test('an SPN MIT does not know: kerberos-service-ticket fails naming it, exit 4', async () => {
    const r = await doctor(['--user', mit.user.principal, '--kerberos-hostname-override', 'nohost.example.test'], { HYPERV_WSMAN_PASSWORD: mit.user.password });
    assert.equal(r.code, 4);
    const m = steps(r);
    assert.equal(m.get('kerberos-tgt')?.status, 'pass');
    assert.match(m.get('kerberos-service-ticket')!.summary, new RegExp(`HTTP/nohost\\.example\\.test@${mit.realm}`));
  });
});
