/**
 * Kerberos for the emulated host: the service keys it accepts tickets with, from a keytab file,
 * given keys, or an in-memory KDC started beside it (tests, demo). With the KDC every emulated
 * user gets a principal with the same password, and the host's service principals
 * (HTTP/ and WSMAN/ for each service host name) are registered; `info.krb5Conf` points a client at it.
 */
import { InMemoryKdc, type InMemoryKdcOptions } from '../auth/kerberos/in-memory-kdc.js';
import { readKeytabFile } from '../auth/kerberos/keytab.js';
import { ReplayCache } from '../auth/kerberos/replay-cache.js';
import { principalToString, type KdcAddress, type KeytabEntry } from '../auth/kerberos/types.js';
import { InvalidOptionError } from '../errors.js';
import type { DelegatedCredential, EmulatorKerberos } from './kerberos-auth.js';

export interface EmulatorKerberosOptions {
  /** Default 'EMULATOR.TEST'. */
  readonly realm?: string;
  /** A keytab file with the host's service keys. */
  readonly keytab?: string;
  /** The host's service keys, as InMemoryKdc.addService or readKeytabFile give them. */
  readonly serviceKeys?: readonly KeytabEntry[];
  /** Run an in-memory KDC for the realm on loopback (true, or its options). */
  readonly kdc?: boolean | Pick<InMemoryKdcOptions, 'clockOffsetSeconds' | 'enctypes' | 'allowForwardable' | 'okAsDelegate'>;
  /** Host names the service principals are registered for; default localhost, the listen address and the computer name. */
  readonly serviceHosts?: readonly string[];
}

export interface EmulatedHostKerberos {
  readonly realm: string;
  /** Principals the host accepts tickets for, e.g. HTTP/localhost@EMULATOR.TEST. */
  readonly servicePrincipals: readonly string[];
  /** With `kdc`: where the in-memory KDC listens (TCP and UDP on one port). */
  readonly kdc?: KdcAddress;
  /** With `kdc`: a krb5.conf naming the realm and its KDC (write it to a file for KRB5_CONFIG / --krb5-config). */
  readonly krb5Conf?: string;
  /** Delegated TGTs received so far (live: grows as clients delegate). */
  readonly delegations: readonly DelegatedCredential[];
}

export interface StartedKerberos {
  readonly acceptor: EmulatorKerberos;
  readonly info: EmulatedHostKerberos;
  close(): Promise<void>;
}

const DEFAULT_REALM = 'EMULATOR.TEST';
const SERVICES = ['HTTP', 'WSMAN'] as const;

export async function startEmulatorKerberos(
  options: EmulatorKerberosOptions,
  host: { readonly users: Readonly<Record<string, string>>; readonly hostname: string; readonly computerName: string },
): Promise<StartedKerberos> {
  const realm = options.realm ?? DEFAULT_REALM;
  const keytab: KeytabEntry[] = [...(options.serviceKeys ?? []), ...(options.keytab !== undefined ? readKeytabFile(options.keytab).entries : [])];
  let kdc: InMemoryKdc | undefined;
  let address: KdcAddress | undefined;
  if (options.kdc) {
    const kdcOptions = options.kdc === true ? {} : options.kdc;
    kdc = new InMemoryKdc({ realm, ...kdcOptions });
    for (const [user, password] of Object.entries(host.users)) kdc.addUser(user, password);
    const hosts = [...new Set((options.serviceHosts ?? ['localhost', host.hostname, host.computerName]).map((h) => h.toLowerCase()))];
    for (const h of hosts) for (const service of SERVICES) keytab.push(...kdc.addService(`${service}/${h}`));
    address = (await kdc.listen(host.hostname.includes(':') ? '::1' : '127.0.0.1')).any;
  }
  if (keytab.length === 0) throw new InvalidOptionError('kerberos needs service keys: pass kerberos.keytab, kerberos.serviceKeys or kerberos.kdc.');
  const servicePrincipals = [...new Set(keytab.map((e) => principalToString(e.principal)))];
  const delegations: DelegatedCredential[] = [];
  const info: EmulatedHostKerberos = {
    realm,
    servicePrincipals,
    delegations,
    ...(address !== undefined ? { kdc: address, krb5Conf: krb5Conf(realm, address) } : {}),
  };
  return {
    acceptor: { realm, keytab, replayCache: new ReplayCache(), delegations },
    info,
    close: async () => {
      await kdc?.close();
    },
  };
}

function krb5Conf(realm: string, kdc: KdcAddress): string {
  const host = kdc.host.includes(':') ? `[${kdc.host}]` : kdc.host;
  return [
    '[libdefaults]',
    `\tdefault_realm = ${realm}`,
    '\tdns_lookup_kdc = false',
    '\tdns_canonicalize_hostname = false',
    '\trdns = false',
    '[realms]',
    `\t${realm} = {`,
    `\t\tkdc = ${host}:${kdc.port}`,
    '\t}',
    '',
  ].join('\n');
}
