/**
 * The security-context interface the connection-bound session drives (ClientSecurityContext: first
 * token, next token, final-token check, message protection), with NTLM adapted to it, and one
 * shape for the per-message protection of an established context (MessageSecurity), so the WinRM
 * framing (message-encryption.ts) and the session take NTLM and Kerberos alike. An NTLM
 * session already has that shape. The Kerberos adapter lives in kerberos-security-context.ts, so
 * an NTLM call loads no Kerberos code (start-up cost; bench:guard counts the modules).
 */
import type { MessageSecurity } from './message-encryption.js';
import { NtlmError } from '../errors.js';
import type { NtlmClientContext } from './ntlm/client-context.js';

export type { MessageSecurity } from './message-encryption.js';

/**
 * What the server's answer to a token must be: `continue`, a 401 carrying the server's next token
 * (NTLM's CHALLENGE); `mutual`, success with a final token the context verifies (Kerberos' AP-REP);
 * `none`, success and nothing more (NTLM's AUTHENTICATE).
 */
export type TokenExpectation = 'continue' | 'mutual' | 'none';

export interface OutgoingToken {
  readonly bytes: Uint8Array;
  readonly expect: TokenExpectation;
  /** Leg names for traces and messages, e.g. `negotiate` / `challenge`, `AP-REQ` / `AP-REP`. */
  readonly name: string;
  readonly replyName: string;
}

/**
 * One client handshake of a connection-bound HTTP authentication (NTLM, Kerberos, Kerberos in
 * SPNEGO), as the session drives it: first token, next token, final-token check, and the message
 * protection of the established context. A context is used for one connection only.
 */
export interface ClientSecurityContext {
  initialToken(): OutgoingToken;
  /** Answers the server's `continue` token; `channelBindings` for mechanisms that bind late (NTLM). */
  next(serverToken: Uint8Array, channelBindings: Uint8Array | undefined): OutgoingToken;
  /** Verifies the server's final token (mutual authentication); throws when it does not verify. */
  finish(serverToken: Uint8Array): void;
  /** True once messages can be sealed (NTLM: AUTHENTICATE built; Kerberos: AP-REP verified). */
  readonly canProtect: boolean;
  /** Per-message protection; read it only once `canProtect`, or when nothing is sealed. */
  readonly security: MessageSecurity;
}

/** NTLM: NEGOTIATE (answered by a CHALLENGE), then AUTHENTICATE carrying the channel bindings. */
export function ntlmSecurityContext(ntlm: NtlmClientContext): ClientSecurityContext {
  return {
    initialToken: () => ({ bytes: ntlm.createNegotiate(), expect: 'continue', name: 'negotiate', replyName: 'challenge' }),
    next: (challenge, channelBindings) => ({ bytes: ntlm.createAuthenticate(challenge, channelBindings), expect: 'none', name: 'authenticate', replyName: 'result' }),
    finish: () => {
      throw new NtlmError('NTLM has no final server token to verify.');
    },
    get canProtect() {
      return ntlm.complete;
    },
    get security() {
      return ntlm.session;
    },
  };
}
