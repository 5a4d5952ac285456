/**
 * Kerberos WinRM end to end with a real MIT krb5 KDC (interop/kerberos/mit-kdc.ts): our CLI gets
 * tickets from MIT's KDC (by password, from MIT's keytab, from a cache MIT's kinit wrote) and
 * authenticates to our emulated host, which accepts with the service keytab MIT's kadmin exported.
 * Needs Debian krb5-kdc, krb5-admin-server, krb5-user; a missing binary fails loudly.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FIXTURE_JOB_IDS, generateTestCertificates, startEmulatedHost, type EmulatedHost, type TestCertificates } from '../src/emulator/index.js';
import { startMitKdc, type MitRealm } from './kerberos/mit-kdc.js';
import { runPythonPeer } from './python-peer.js';
import { runCapture, type CliRun } from '../test/helpers/cli-harness.js';
import { buildIdentifyRequest } from '../src/wsman/requests.js';

const cli = (argv: string[], env: Record<string, string>): Promise<CliRun> => runCapture(argv, { env: { HOME: mit.dir, ...env } });

let mit: MitRealm;
let certs: TestCertificates;
let http: EmulatedHost;
let https: EmulatedHost;
before(async () => {
  mit = await startMitKdc();
  certs = await generateTestCertificates();
  const kerberos = { realm: mit.realm, keytab: mit.service.keytab };
  http = await startEmulatedHost({ kerberos, requestLog: true });
  https = await startEmulatedHost({ tls: { cert: certs.cert, key: certs.key }, cbtHardeningLevel: 'strict', kerberos, requestLog: true });
});
after(async () => {
  await http?.close();
  await https?.close();
  await certs?.cleanup();
  await mit?.stop();
});

const jobError = ['job-error', '--job-id', FIXTURE_JOB_IDS.failedMigration, '--json'];
const target = (h: EmulatedHost, transport: string): string[] => [
  '--host', '127.0.0.1', '--port', String(h.port), '--scheme', h.scheme, ...(h.scheme === 'https' ? ['--ca-trust-path', certs.caCertPath] : []),
  '--transport', transport, '--krb5-config', mit.krb5Conf, '--kerberos-hostname-override', mit.service.host,
];

function decoded(r: { code: number; stdout: string; stderr: string }, h: EmulatedHost): void {
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { jobClass: string }).jobClass, 'Msvm_MigrationJob');
  const last = h.requests.at(-1)!;
  assert.equal(last.authScheme, 'kerberos');
  assert.equal(last.user, mit.user.principal);
}

describe('our CLI, MIT KDC, our emulated host', () => {
  for (const transport of ['kerberos', 'negotiate']) {
    for (const scheme of ['http', 'https'] as const) {
      test(`${transport} over ${scheme}: password, MIT keytab, MIT kinit cache`, async () => {
        const host = scheme === 'http' ? http : https;
        decoded(await cli([...jobError, ...target(host, transport), '--user', mit.user.principal], { HYPERV_WSMAN_PASSWORD: mit.user.password }), host);
        decoded(await cli([...jobError, ...target(host, transport), '--keytab', mit.user.keytab], {}), host);
        const ccache = join(mit.dir, `cc-${transport}-${host.scheme}`);
        await mit.kinitPassword(ccache, { serviceTicket: false });
        decoded(await cli([...jobError, ...target(host, transport)], { KRB5CCNAME: `FILE:${ccache}` }), host);
      });
    }
  }

  test('a wrong password is refused by MIT\'s KDC with exit 4', async () => {
    const r = await cli([...jobError, ...target(http, 'kerberos'), '--user', mit.user.principal], { HYPERV_WSMAN_PASSWORD: 'wrong' });
    assert.equal(r.code, 4);
    assert.match(r.stderr, /Wrong password/);
  });
});

describe('MIT GSS-API (python3-gssapi) as the initiator against our emulated host', () => {
  interface PeerResult {
    handshake: { status: number; wwwAuthenticateScheme: string };
    complete?: boolean;
    status?: number;
    contentType?: string;
    reply?: string;
  }
  for (const scheme of ['Kerberos', 'Negotiate'] as const) {
    test(`${scheme}: MIT's AP-REQ accepted, our AP-REP completes MIT's context, MIT wrap_iov bodies both ways`, async () => {
      const ccache = join(mit.dir, `cc-gssapi-${scheme}`);
      await mit.kinitPassword(ccache, { serviceTicket: false });
      const r = await runPythonPeer<PeerResult>('gssapi_winrm.py', { krb5Config: mit.krb5Conf, ccache, url: http.url, spnHost: mit.service.host, scheme, soap: buildIdentifyRequest().xml }, ['python3-gssapi']);
      assert.deepEqual(r.handshake, { status: 200, wwwAuthenticateScheme: scheme });
      assert.equal(r.complete, true);
      assert.equal(r.status, 200);
      assert.match(r.contentType ?? '', scheme === 'Kerberos' ? /HTTP-Kerberos-session-encrypted/ : /HTTP-SPNEGO-session-encrypted/);
      assert.match(r.reply ?? '', /IdentifyResponse/);
      const last = http.requests.at(-1)!;
      assert.equal(last.authScheme, 'kerberos');
      assert.equal(last.encrypted, true);
      assert.equal(last.user, mit.user.principal);
    });
  }
});
