/**
 * HTTP authentication of the emulated WinRM listener. Basic authenticates each request; NTLM (raw
 * NTLMSSP inside `Negotiate`, as Windows accepts it, or `NTLM`) authenticates the TCP connection, so
 * its state lives on the socket: later requests on that socket carry no Authorization header and may
 * be sealed with the session ([MS-WSMV] 2.2.9.1.1). Over HTTPS the NTLM channel binding is checked
 * against the listener's own certificate per CbtHardeningLevel ([MS-WSMV] 2.2.4.34). Kerberos
 * (`Kerberos`, or Kerberos inside `Negotiate`) is accepted when configured (kerberos-auth.ts).
 */
import { NtlmServerContext, NtlmAuthenticationRejected } from '../auth/ntlm/server-context.js';
import { channelBindingApplicationData } from '../auth/ntlm/channel-binding.js';
import type { NtlmSession } from '../auth/ntlm/session-security.js';
import type { MessageSecurity } from '../auth/security-context.js';
import { NtlmError } from '../errors.js';
import { acceptKerberos, type EmulatorKerberos } from './kerberos-auth.js';

export type CbtHardeningLevel = 'none' | 'relaxed' | 'strict';

export interface AuthConfig {
  readonly users: Readonly<Record<string, string>>;
  readonly basic: boolean;
  readonly negotiate: boolean;
  readonly ntlm: boolean;
  readonly allowUnencrypted: boolean;
  readonly secure: boolean;
  readonly cbtHardeningLevel: CbtHardeningLevel;
  readonly computerName: string;
  /** DER of the listener's certificate, for channel binding over HTTPS. */
  readonly certificateDer: Uint8Array | undefined;
  /** Kerberos service keys; absent: Kerberos tokens are refused. */
  readonly kerberos?: EmulatorKerberos;
}

export type NtlmScheme = 'Negotiate' | 'NTLM';

/** Authentication state of one TCP connection. */
export interface ConnectionAuth {
  pending?: { readonly context: NtlmServerContext; readonly scheme: NtlmScheme };
  ntlm?: { readonly user: string; readonly domain: string; readonly session: NtlmSession; readonly scheme: NtlmScheme };
  kerberos?: { readonly user: string; readonly security: MessageSecurity };
  /** Set by certificate authentication (server.ts) for the request that carried the mutual profile. */
  certificate?: { readonly user: string };
}

export type AuthScheme = 'basic' | 'ntlm' | 'kerberos' | 'certificate';

export type AuthDecision =
  | {
      readonly kind: 'authenticated';
      readonly user: string;
      readonly scheme: AuthScheme;
      readonly session?: MessageSecurity;
      readonly handshake: boolean;
      /** Final-leg token for the reply (Kerberos AP-REP / SPNEGO NegTokenResp). */
      readonly wwwAuthenticate?: string;
    }
  /** 401 carrying the NTLM CHALLENGE: the handshake continues on this connection. */
  | { readonly kind: 'continue'; readonly wwwAuthenticate: string }
  /** 401 listing the offered schemes. */
  | { readonly kind: 'reject'; readonly reason: string };

const NTLMSSP = Buffer.from('NTLMSSP\0', 'latin1');

/** Schemes offered in WWW-Authenticate (Windows: Negotiate; Basic only where it may be used). */
export function offeredSchemes(config: AuthConfig): string[] {
  const out: string[] = [];
  if (config.negotiate) out.push('Negotiate');
  if (config.kerberos !== undefined) out.push('Kerberos');
  if (config.ntlm) out.push('NTLM');
  if (basicUsable(config)) out.push('Basic realm="WSMAN"');
  return out;
}

/** Basic sends the password in clear: WinRM accepts it over HTTP only with AllowUnencrypted ([MS-WSMV] 3.1.4.1.29.1). */
function basicUsable(config: AuthConfig): boolean {
  return config.basic && (config.secure || config.allowUnencrypted);
}

/** Accepts `user`, `HOST\user`, `.\user` and `user@host`; user names are case-insensitive on Windows. */
function lookupPassword(users: Readonly<Record<string, string>>, typed: string, domain = ''): string | undefined {
  let name = typed;
  const slash = name.lastIndexOf('\\');
  if (slash >= 0) name = name.slice(slash + 1);
  const at = name.indexOf('@');
  if (at > 0 && domain === '') name = name.slice(0, at);
  const wanted = name.toLowerCase();
  for (const [u, p] of Object.entries(users)) if (u.toLowerCase() === wanted) return p;
  return undefined;
}

function parseAuthorization(header: string): { scheme: string; token: string } {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  return space < 0 ? { scheme: trimmed, token: '' } : { scheme: trimmed.slice(0, space), token: trimmed.slice(space + 1).trim() };
}

function basic(token: string, config: AuthConfig): AuthDecision {
  if (!basicUsable(config)) return { kind: 'reject', reason: config.basic ? 'Basic over unencrypted HTTP is refused (AllowUnencrypted=false)' : 'Basic is disabled' };
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { kind: 'reject', reason: 'malformed Basic credentials' };
  const user = decoded.slice(0, colon);
  const expected = lookupPassword(config.users, user);
  if (expected === undefined || expected !== decoded.slice(colon + 1)) return { kind: 'reject', reason: `Basic credentials for ${user} rejected` };
  return { kind: 'authenticated', user, scheme: 'basic', handshake: false };
}

/** NTLMSSP message type (1, 2, 3), or undefined for something else (e.g. SPNEGO/Kerberos tokens). */
function ntlmMessageType(bytes: Buffer): number | undefined {
  if (bytes.length < 12 || !bytes.subarray(0, 8).equals(NTLMSSP)) return undefined;
  return bytes.readUInt32LE(8);
}

function serverContext(config: AuthConfig): NtlmServerContext {
  const cbt = config.secure && config.certificateDer !== undefined && config.cbtHardeningLevel !== 'none';
  return new NtlmServerContext({
    lookupPassword: (user, domain) => lookupPassword(config.users, user, domain),
    computerName: config.computerName,
    ...(cbt ? { expectedChannelBindings: channelBindingApplicationData(config.certificateDer!), requireChannelBindings: config.cbtHardeningLevel === 'strict' } : {}),
  });
}

function ntlm(scheme: NtlmScheme, token: string, conn: ConnectionAuth, config: AuthConfig): AuthDecision {
  const bytes = Buffer.from(token, 'base64');
  const type = ntlmMessageType(bytes);
  if (type === 1) {
    // A new NEGOTIATE restarts authentication of this connection.
    delete conn.ntlm;
    delete conn.kerberos;
    const context = serverContext(config);
    try {
      const challenge = context.createChallenge(new Uint8Array(bytes));
      conn.pending = { context, scheme };
      return { kind: 'continue', wwwAuthenticate: `${scheme} ${Buffer.from(challenge).toString('base64')}` };
    } catch (err) {
      delete conn.pending;
      if (err instanceof NtlmError) return { kind: 'reject', reason: err.message };
      throw err;
    }
  }
  if (type === 3) {
    const pending = conn.pending;
    delete conn.pending;
    if (!pending) return { kind: 'reject', reason: 'NTLM AUTHENTICATE without a preceding NEGOTIATE on this connection' };
    try {
      const result = pending.context.acceptAuthenticate(new Uint8Array(bytes));
      conn.ntlm = { user: result.user, domain: result.domain, session: result.session, scheme };
      return { kind: 'authenticated', user: result.user, scheme: 'ntlm', session: result.session, handshake: true };
    } catch (err) {
      if (err instanceof NtlmAuthenticationRejected) return { kind: 'reject', reason: `NTLM rejected (${err.reason}): ${err.message}` };
      if (err instanceof NtlmError) return { kind: 'reject', reason: err.message };
      throw err;
    }
  }
  if (scheme === 'Negotiate' && config.kerberos !== undefined) return kerberos('Negotiate', bytes, conn, config);
  return { kind: 'reject', reason: 'unsupported Negotiate token (only raw NTLMSSP is accepted)' };
}

function kerberos(scheme: 'Kerberos' | 'Negotiate', token: Buffer, conn: ConnectionAuth, config: AuthConfig): AuthDecision {
  // A new AP-REQ restarts authentication of this connection.
  delete conn.ntlm;
  delete conn.pending;
  delete conn.kerberos;
  const result = acceptKerberos(scheme, token, { ...config, kerberos: config.kerberos! });
  if (!result.ok) return { kind: 'reject', reason: result.reason };
  conn.kerberos = { user: result.user, security: result.security };
  return { kind: 'authenticated', user: result.user, scheme: 'kerberos', session: result.security, handshake: true, wwwAuthenticate: result.wwwAuthenticate };
}

const NTLM_SCHEMES: Readonly<Record<string, NtlmScheme>> = { negotiate: 'Negotiate', ntlm: 'NTLM' };

/** Decide what a request's Authorization header (or its connection's state) allows. */
export function authenticate(authorization: string | undefined, conn: ConnectionAuth, config: AuthConfig): AuthDecision {
  if (authorization === undefined || authorization.trim() === '') {
    if (conn.ntlm) return { kind: 'authenticated', user: conn.ntlm.user, scheme: 'ntlm', session: conn.ntlm.session, handshake: false };
    if (conn.kerberos) return { kind: 'authenticated', user: conn.kerberos.user, scheme: 'kerberos', session: conn.kerberos.security, handshake: false };
    return { kind: 'reject', reason: 'no credentials' };
  }
  if (conn.certificate) {
    // The certificate was checked for this request by server.ts; each request carries the mutual header.
    const { user } = conn.certificate;
    delete conn.certificate;
    return { kind: 'authenticated', user, scheme: 'certificate', handshake: false };
  }
  const { scheme, token } = parseAuthorization(authorization);
  const lower = scheme.toLowerCase();
  if (lower === 'basic') return basic(token, config);
  if (lower === 'kerberos') {
    if (config.kerberos === undefined) return { kind: 'reject', reason: 'Kerberos is not offered' };
    return kerberos('Kerberos', Buffer.from(token, 'base64'), conn, config);
  }
  const ntlmScheme = NTLM_SCHEMES[lower];
  if (ntlmScheme === undefined) return { kind: 'reject', reason: `unsupported scheme ${scheme}` };
  const offered = ntlmScheme === 'Negotiate' ? config.negotiate : config.ntlm;
  if (!offered) return { kind: 'reject', reason: `${ntlmScheme} is not offered` };
  return ntlm(ntlmScheme, token, conn, config);
}
