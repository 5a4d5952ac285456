/**
 * Kerberos client material for tests against the emulated host's in-memory KDC: a krb5.conf file,
 * a client keytab made from a password, and a credential cache holding a TGT got by password.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromKerberosCredential, writeCcacheFile } from '../../src/auth/kerberos/ccache.js';
import { enctypeProfile } from '../../src/auth/kerberos/crypto/index.js';
import { KdcClient, defaultSalt } from '../../src/auth/kerberos/kdc-client.js';
import { writeKeytabFile } from '../../src/auth/kerberos/keytab.js';
import { parseUserPrincipal } from '../../src/auth/kerberos/principal-name.js';
import type { EmulatedHost } from '../../src/emulator/index.js';

export interface KerberosFiles {
  readonly dir: string;
  readonly krb5Config: string;
  /** Keytab with the user's keys (enctypes 18 and 17, kvno 1). */
  readonly keytab: string;
  /** FILE ccache with the user's TGT. */
  readonly ccache: string;
  remove(): void;
}

export async function kerberosFiles(host: EmulatedHost, user: string, password: string): Promise<KerberosFiles> {
  const k = host.kerberos;
  if (k?.krb5Conf === undefined || k.kdc === undefined) throw new Error('the host runs no in-memory KDC (start it with kerberos: { kdc: true })');
  const dir = mkdtempSync(join(tmpdir(), 'hvw-krb-'));
  const krb5Config = join(dir, 'krb5.conf');
  writeFileSync(krb5Config, k.krb5Conf);
  const principal = parseUserPrincipal(user, { defaultRealm: k.realm });
  const keytab = join(dir, 'client.keytab');
  writeKeytabFile(keytab, [18, 17].map((etype) => ({ principal, kvno: 1, key: enctypeProfile(etype).stringToKey(password, defaultSalt(principal)) })));
  const tgt = await new KdcClient({ kdcs: [k.kdc] }).getInitialTicket(principal, { password });
  const ccache = join(dir, 'ccache');
  writeCcacheFile(ccache, { principal, credentials: [fromKerberosCredential(tgt)] });
  return { dir, krb5Config, keytab, ccache, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
