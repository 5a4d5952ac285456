/**
 * Kerberos delegation (--kerberos-delegation) with MIT krb5 (interop/kerberos/mit-kdc.ts): MIT's KDC
 * issues our forwardable and forwarded TGTs; MIT's GSS-API acceptor (python3-gssapi) takes our
 * AP-REQ, finds the delegated credential (ctx.delegated_creds, our principal) and uses it for a
 * second hop; our CLI delegates to the emulated host through MIT's KDC, and refuses a cache that
 * `kinit -F` made (not forwardable) with the fix. Needs Debian krb5-kdc, krb5-admin-server,
 * krb5-user, python3-gssapi; a missing one fails loudly.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { KdcClient } from '../src/auth/kerberos/kdc-client.js';
import { KerberosInitiator } from '../src/auth/kerberos/gss-context.js';
import { TicketFlags } from '../src/auth/kerberos/messages.js';
import { parseUserPrincipal, servicePrincipal } from '../src/auth/kerberos/principal-name.js';
import { FIXTURE_JOB_IDS } from '../src/emulator/index.js';
import { runCapture, type CliRun } from '../test/helpers/cli-harness.js';
import { mitRealmAndHostForSuite } from './kerberos/mit-host.js';
import { runPythonPeer } from './python-peer.js';

const suite = mitRealmAndHostForSuite();

interface AcceptResult {
  readonly complete: boolean;
  readonly initiator: string;
  readonly delegateFlag: boolean;
  readonly delegated: string | null;
  readonly secondHopToken: number;
  readonly replyToken: string;
}

test('MIT KDC issues the forwarded TGT; MIT acceptor gets our delegated credential and makes a second hop with it', async () => {
  const kdc = new KdcClient({ kdcs: [{ host: '127.0.0.1', port: suite.mit.port, transport: 'tcp' }], forwardable: true });
  const user = parseUserPrincipal(suite.mit.user.principal, { defaultRealm: suite.mit.realm });
  const tgt = await kdc.getInitialTicket(user, { password: suite.mit.user.password });
  assert.equal(tgt.flags & TicketFlags.FORWARDABLE, TicketFlags.FORWARDABLE, 'MIT granted a forwardable TGT');
  const forwarded = await kdc.getForwardedTgt(tgt);
  assert.equal(forwarded.flags & TicketFlags.FORWARDED, TicketFlags.FORWARDED, 'MIT issued a forwarded TGT');
  const service = await kdc.getServiceTicket(tgt, servicePrincipal({ host: suite.mit.service.host, realm: suite.mit.realm }));
  for (const [delegate, what] of [[forwarded, 'with'], [undefined, 'without']] as const) {
    const initiator = new KerberosInitiator({ credential: service, ...(delegate ? { delegate } : {}) });
    const r = await runPythonPeer<AcceptResult>(
      'gssapi_accept_delegation.py',
      { krb5Config: suite.mit.krb5Conf, keytab: suite.mit.service.keytab, token: initiator.initialToken().toString('base64'), secondHopHost: suite.mit.service.host },
      ['python3-gssapi'],
    );
    assert.equal(r.complete, true, what);
    assert.equal(r.initiator, suite.mit.user.principal, what);
    initiator.acceptReply(Buffer.from(r.replyToken, 'base64')); // MIT's AP-REP completes our context
    if (delegate) {
      assert.equal(r.delegateFlag, true);
      assert.equal(r.delegated, suite.mit.user.principal, 'ctx.delegated_creds names our principal');
      assert.ok(r.secondHopToken > 0, 'MIT got a service ticket with the delegated TGT');
    } else {
      assert.equal(r.delegateFlag, false);
      assert.equal(r.delegated, null);
    }
  }
});

const cli = (argv: string[], env: Record<string, string>): Promise<CliRun> => runCapture(argv, { env: { HOME: suite.mit.dir, ...env } });
const jobError = (): string[] => [
  'job-error', '--job-id', FIXTURE_JOB_IDS.failedMigration, '--json', '--host', '127.0.0.1', '--port', String(suite.host.port), '--scheme', 'http',
  '--transport', 'kerberos', '--krb5-config', suite.mit.krb5Conf, '--kerberos-hostname-override', suite.mit.service.host, '--kerberos-delegation',
];

test('CLI --kerberos-delegation through MIT KDC: password and kinit cache delegate; a kinit -F cache is refused with kinit -f', async () => {
  const r = await cli([...jobError(), '--user', suite.mit.user.principal, '--verbose'], { HYPERV_WSMAN_PASSWORD: suite.mit.user.password });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /note: Kerberos: the KDC did not mark HTTP\/.* ok-as-delegate/);
  assert.equal(suite.host.kerberos!.delegations.at(-1)?.user, suite.mit.user.principal);
  const count = suite.host.kerberos!.delegations.length;

  const cache = join(suite.mit.dir, 'forwardable.cc');
  await suite.mit.kinitPassword(cache, { serviceTicket: false });
  const ok = await cli(jobError(), { KRB5CCNAME: `FILE:${cache}` });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(suite.host.kerberos!.delegations.length, count + 1);

  const plain = join(suite.mit.dir, 'not-forwardable.cc');
  const k = await suite.mit.run('kinit', ['-F', '-c', `FILE:${plain}`, suite.mit.user.principal], { input: suite.mit.user.password + '\n' });
  assert.equal(k.code, 0, k.stderr);
  const refused = await cli(jobError(), { KRB5CCNAME: `FILE:${plain}` });
  assert.equal(refused.code, 4, refused.stderr);
  assert.match(refused.stderr, /not forwardable; run kinit -f/);
  assert.equal(suite.host.kerberos!.delegations.length, count + 1);
});
