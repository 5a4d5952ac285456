/**
 * Pure-TypeScript Kerberos 5 client core (RFC 4120, 3961/3962/8009/4757, 4121, 4178): KDC
 * exchanges, GSS-API krb5 contexts with WinRM-style message protection, SPNEGO; plus an in-memory
 * KDC and an acceptor for the emulated host and tests. Sans-IO except the KDC transport.
 */
export * from './types.js';
export { KerberosError, KerberosIntegrityError } from './errors.js';
export { KdcError, KrbErrorCode, kdcErrorFrom, type KdcErrorContext } from './kdc-errors.js';
export { DEFAULT_ENCTYPES, enctypeProfile, isSupportedEnctype, type EnctypeProfile } from './crypto/index.js';
export { parseUserPrincipal, servicePrincipal } from './principal.js';
export { sendToKdc, type KdcTransportOptions } from './kdc-transport.js';
export { KdcClient, defaultSalt, tgsPrincipal, type ClientSecret, type KdcClientOptions } from './kdc-client.js';
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
