/**
 * Kerberos behind the ClientSecurityContext interface (security-context.ts): a context is adapted
 * with the protocol value of the HTTP scheme it was negotiated under (MS-WSMV 2.2.9.1.2: `Kerberos`
 * has its own value, Kerberos inside `Negotiate` uses the SPNEGO one).
 */
import { KERBEROS_ENCRYPTED_PROTOCOL, SPNEGO_ENCRYPTED_PROTOCOL, type MessageSecurity } from './message-encryption.js';
import type { ClientSecurityContext } from './security-context.js';
import { KerberosError } from './kerberos/errors.js';
import type { KerberosInitiator } from './kerberos/gss-context.js';
import { SpnegoInitiator } from './kerberos/spnego-context.js';

/** The Kerberos HTTP schemes: the bare krb5 token (`Kerberos`) or SPNEGO (`Negotiate`). */
export type KerberosHttpScheme = 'Kerberos' | 'Negotiate';

/** What a Kerberos context (initiator or acceptor, gss-context.ts) offers for WinRM messages. */
export interface WinrmWrapping {
  wrapWinrm(plaintext: Uint8Array): { header: Uint8Array; data: Uint8Array };
  unwrapWinrm(header: Uint8Array, data: Uint8Array): Uint8Array;
}

/**
 * Wrap tokens: the header is 60 bytes for aes-sha1, 64/72 for aes-sha2 and 45 for rc4 (RFC 4121,
 * RFC 4757); anything above this bound is refused before the bytes are read.
 */
const MAX_KERBEROS_HEADER = 256;

export function kerberosMessageSecurity(context: WinrmWrapping, scheme: KerberosHttpScheme): MessageSecurity {
  return {
    protocol: scheme === 'Kerberos' ? KERBEROS_ENCRYPTED_PROTOCOL : SPNEGO_ENCRYPTED_PROTOCOL,
    maxHeaderLength: MAX_KERBEROS_HEADER,
    seal(plaintext) {
      const { header, data } = context.wrapWinrm(plaintext);
      return { signature: header, sealed: data };
    },
    unseal(sealed, signature) {
      return context.unwrapWinrm(signature, sealed);
    },
  };
}

/** Kerberos (bare under `Kerberos`, in SPNEGO under `Negotiate`): one AP-REQ, one AP-REP, verified. */
export function kerberosSecurityContext(krb: KerberosInitiator, scheme: KerberosHttpScheme): ClientSecurityContext {
  const security = kerberosMessageSecurity(krb, scheme);
  const spnego = scheme === 'Negotiate' ? new SpnegoInitiator(krb) : undefined;
  return {
    initialToken: () => ({ bytes: spnego ? spnego.initialToken() : krb.initialToken(), expect: 'mutual', name: 'AP-REQ', replyName: 'AP-REP' }),
    next: () => {
      throw new KerberosError('Kerberos expects no further round after the AP-REQ.');
    },
    finish: (token) => (spnego ? spnego.acceptReply(token) : krb.acceptReply(token)),
    get canProtect() {
      return krb.established;
    },
    security,
  };
}
