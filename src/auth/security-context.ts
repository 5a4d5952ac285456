/**
 * One shape for the per-message protection of an established HTTP authentication context, so the
 * WinRM framing (message-encryption.ts) and the sessions take NTLM and Kerberos alike. An NTLM
 * session already has this shape; a Kerberos context is adapted here with the protocol value of
 * the HTTP scheme it was negotiated under (MS-WSMV 2.2.9.1.2: `Kerberos` has its own value,
 * Kerberos inside `Negotiate` uses the SPNEGO one).
 */
import { KERBEROS_ENCRYPTED_PROTOCOL, SPNEGO_ENCRYPTED_PROTOCOL, type MessageSecurity } from './message-encryption.js';

export type { MessageSecurity } from './message-encryption.js';

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
