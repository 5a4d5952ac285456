/**
 * Cross-realm referrals against two real MIT krb5 KDCs: CORP.TEST (the user alice) and RES.TEST
 * (the service HTTP/web.example.test), with the cross-realm key krbtgt/RES.TEST@CORP.TEST made in
 * both databases by kadmin.local from one password, as an administrator sets up a trust. Our
 * ticket source, given a krb5.conf naming both realms and [domain_realm] web.example.test =
 * RES.TEST, gets the referral TGT from CORP's KDC and the service ticket from RES's; MIT's `kvno -k`
 * then decrypts that ticket with RES's service keytab. Needs krb5-kdc, krb5-admin-server, krb5-user.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromKerberosCredential, writeCcacheFile } from '../src/auth/kerberos/ccache.js';
import { principalToString } from '../src/auth/kerberos/types.js';
import { KerberosTicketSource } from '../src/auth/kerberos-tickets.js';
import { startMitKdc, type MitRealm } from './kerberos/mit-kdc.js';

let corp: MitRealm;
let res: MitRealm;
let combined: string;

before(async () => {
  corp = await startMitKdc({ realm: 'CORP.TEST' });
  res = await startMitKdc({ realm: 'RES.TEST' });
  // One trust, one password, in both databases: the two KDCs derive the same keys (same name, same salt).
  for (const realm of [corp, res]) {
    const r = await realm.run('kadmin.local', ['-r', realm.realm, '-q', 'addprinc -pw Cross-Realm-Trust-1 krbtgt/RES.TEST@CORP.TEST']);
    assert.equal(r.code, 0, r.stderr);
  }
  combined = join(corp.dir, 'krb5-both.conf');
  writeFileSync(
    combined,
    [
      '[libdefaults]',
      '  default_realm = CORP.TEST',
      '  dns_lookup_kdc = false',
      '  dns_lookup_realm = false',
      '  rdns = false',
      '  dns_canonicalize_hostname = false',
      '  allow_rc4 = true',
      '[realms]',
      `  CORP.TEST = {\n    kdc = 127.0.0.1:${corp.port}\n  }`,
      `  RES.TEST = {\n    kdc = 127.0.0.1:${res.port}\n  }`,
      '[domain_realm]',
      '  web.example.test = RES.TEST',
      '',
    ].join('\n'),
  );
});

after(async () => {
  await corp?.stop();
  await res?.stop();
});

test('a CORP user gets a ticket for a RES service through the referral; MIT decrypts it with the RES keytab', async () => {
  const source = new KerberosTicketSource({ host: 'web.example.test', user: 'alice@CORP.TEST', password: corp.user.password, krb5Config: combined, env: {} });
  const ticket = await source.serviceTicket();
  assert.equal(principalToString(ticket.server), 'HTTP/web.example.test@RES.TEST');
  assert.equal(principalToString(ticket.client), 'alice@CORP.TEST');
  const cache = join(corp.dir, 'xrealm.ccache');
  writeCcacheFile(cache, { principal: ticket.client, credentials: [fromKerberosCredential(ticket)] });
  const verified = await res.run('kvno', ['--cached-only', '-c', `FILE:${cache}`, '-k', `FILE:${res.service.keytab}`, res.service.principal], { env: { KRB5_CONFIG: combined } });
  assert.equal(verified.code, 0, `kvno -k on our cross-realm service ticket: ${verified.stderr}`);
  assert.match(verified.stdout, /HTTP\/web\.example\.test@RES\.TEST: kvno = \d+, keytab entry valid/);
});
