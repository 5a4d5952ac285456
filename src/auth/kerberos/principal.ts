/** Principal names from text: `user`, `user@REALM`, `HTTP/host@REALM` (RFC 1964 2.1.1 string form, no escapes). */
import { KerberosError } from './errors.js';
import { NameType, type Principal } from './types.js';

/** Parse a user principal; a name without `@` takes `defaultRealm`. Realms are upper-cased as AD expects. */
export function parseUserPrincipal(text: string, defaultRealm?: string): Principal {
  const at = text.lastIndexOf('@');
  const name = at < 0 ? text : text.slice(0, at);
  const realm = at < 0 ? defaultRealm : text.slice(at + 1);
  if (name === '' || name.includes('/')) throw new KerberosError(`"${text}" is not a user principal (expected user or user@REALM).`);
  if (realm === undefined || realm === '') throw new KerberosError(`No realm for user "${text}": write user@REALM or configure a default realm.`);
  return { nameType: NameType.PRINCIPAL, components: [name], realm: realm.toUpperCase() };
}

/**
 * The SPN of a service on a host, `service/host@REALM` (NT-SRV-INST, as Windows clients send for
 * HTTP). The host is used as given: canonicalising it through DNS is the caller's choice (RFC 4120 10).
 */
export function servicePrincipal(service: string, host: string, realm: string): Principal {
  if (service === '' || host === '' || realm === '') throw new KerberosError('A service principal needs a service, a host and a realm.');
  return { nameType: NameType.SRV_INST, components: [service, host.toLowerCase()], realm: realm.toUpperCase() };
}
