/**
 * Kerberos client material for tests against the emulated host's in-memory KDC: a krb5.conf file,
 * a client keytab made from a password, and a credential cache holding a TGT got by password; and
 * the host itself with those files, started per test or once for a suite (before/after hooks).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromKerberosCredential, writeCcacheFile } from '../../src/auth/kerberos/ccache.js';
import { enctypeProfile } from '../../src/auth/kerberos/crypto/index.js';
import { KdcClient, defaultSalt } from '../../src/auth/kerberos/kdc-client.js';
import { writeKeytabFile } from '../../src/auth/kerberos/keytab.js';
import { parseUserPrincipal } from '../../src/auth/kerberos/principal-name.js';
import { after, before } from 'node:test';
import { DEFAULT_PASSWORD, DEFAULT_USER, startEmulatedHost, type EmulatedHost, type EmulatedHostOptions, type EmulatorKerberosOptions } from '../../src/emulator/index.js';

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

/** An emulated host with its in-memory KDC, and DEFAULT_USER's client files for it. */
export interface KerberosHost {
  readonly host: EmulatedHost;
  readonly files: KerberosFiles;
  /** Removes the files and closes the host. */
  close(): Promise<void>;
}

/** Starts a host running an in-memory KDC (`kdc`: its options) and writes DEFAULT_USER's files for it. */
export async function startKerberosHost(kdc: EmulatorKerberosOptions['kdc'] = true, extra: Omit<EmulatedHostOptions, 'kerberos'> = {}): Promise<KerberosHost> {
  const host = await startEmulatedHost({ ...extra, kerberos: { kdc } });
  try {
    const files = await kerberosFiles(host, DEFAULT_USER, DEFAULT_PASSWORD);
    return {
      host,
      files,
      close: async () => {
        files.remove();
        await host.close();
      },
    };
  } catch (err) {
    await host.close();
    throw err;
  }
}

/** One KerberosHost for the enclosing suite (its before/after hooks); read `host` and `files` inside tests. */
export function kerberosHostForSuite(kdc: EmulatorKerberosOptions['kdc'] = true): { readonly host: EmulatedHost; readonly files: KerberosFiles } {
  let started: KerberosHost | undefined;
  before(async () => {
    started = await startKerberosHost(kdc);
  });
  after(() => started?.close());
  const get = (): KerberosHost => {
    if (started === undefined) throw new Error('the Kerberos host is read before its before() hook ran');
    return started;
  };
  return {
    get host() {
      return get().host;
    },
    get files() {
      return get().files;
    },
  };
}
