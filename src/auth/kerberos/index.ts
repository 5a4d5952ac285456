/**
 * Pure-TypeScript Kerberos 5 client core (RFC 4120, 3961/3962/8009/4757, 4121, 4178): KDC
 * exchanges, GSS-API krb5 contexts with WinRM-style message protection, SPNEGO; plus an in-memory
 * KDC and an acceptor for the emulated host and tests. Sans-IO except the KDC transport.
 * The user's environment: krb5.conf, KDC location, credential caches, keytabs, principal names.
 */
export * from './types.js';
export { KerberosError, KerberosIntegrityError } from './errors.js';
export { KdcError, KrbErrorCode, kdcErrorFrom, type KdcErrorContext } from './kdc-errors.js';
export { DEFAULT_ENCTYPES, enctypeProfile, isSupportedEnctype, type EnctypeProfile } from './crypto/index.js';
export {
  formatPrincipal,
  parsePrincipalName,
  parseUserPrincipal,
  samePrincipal,
  servicePrincipal,
  type ServicePrincipalOptions,
  type UserPrincipalOptions,
} from './principal-name.js';
export {
  DEFAULT_KRB5_CONFIG,
  MIT_DEFAULT_ENCTYPES,
  enctypeName,
  krb5ConfigFiles,
  loadKrb5Config,
  parseKrb5Conf,
  type Krb5Config,
  type RealmConfig,
} from './krb5-conf.js';
export { kdcClientSettings } from './krb5-client-settings.js';
export { KDC_PORT, locateKdcs, parseKdcAddress, realmForHost, systemResolver, type LocatedKdc, type SrvResolver } from './kdc-locator.js';
export {
  TicketFlag,
  decodeCcache,
  encodeCcache,
  findServiceTicket,
  findTgt,
  fromKerberosCredential,
  isConfigEntry,
  readCcacheFile,
  resolveCcacheName,
  toKerberosCredential,
  withCredential,
  writeCcacheFile,
  type CcacheCredential,
  type CcacheLocation,
  type CredentialCache,
} from './ccache.js';
export {
  decodeKeytab,
  encodeKeytab,
  findKeys,
  readKeytabFile,
  resolveClientKeytabName,
  resolveKeytabName,
  writeKeytabFile,
  type Keytab,
  type KeytabLocation,
} from './keytab.js';
export { sendToKdc, type KdcCallOptions, type KdcTransportOptions } from './kdc-transport.js';
export { KdcClient, defaultSalt, tgsPrincipal, type ClientSecret, type KdcClientOptions } from './kdc-client.js';
export { decodeEncKrbCredPart, decodeKrbCred, encodeEncKrbCredPart, encodeKrbCred, makeKrbCred, openKrbCred, type EncKrbCredPart, type KrbCred, type KrbCredInfo } from './krb-cred.js';
export { KRB5_OID, MS_KRB5_OID, GssFlags, TokenId, channelBindingHash, frameInitialToken, unframeInitialToken } from './gss-framing.js';
export { GssMessageProtection, WrapFlags } from './gss-wrap.js';
export {
  DEFAULT_INITIATOR_FLAGS,
  KerberosAcceptor,
  KerberosInitiator,
  type AcceptedContext,
  type KerberosAcceptorOptions,
  type KerberosInitiatorOptions,
} from './gss-context.js';
export { NegState, SPNEGO_OID, NTLM_OID, decodeNegTokenInit, decodeNegTokenResp, encodeNegTokenInit, encodeNegTokenResp, encodeMechTypeList, type NegTokenInit, type NegTokenResp } from './spnego.js';
export { SpnegoAcceptor, SpnegoInitiator } from './spnego-context.js';
export { ReplayCache } from './replay-cache.js';
export { InMemoryKdc, type InMemoryKdcOptions } from './in-memory-kdc.js';
