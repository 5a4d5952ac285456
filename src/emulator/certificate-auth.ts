/**
 * Client-certificate authentication of the emulated listener, the way HTTP.sys and WinRM do it:
 * a request whose Authorization is the https/mutual security profile makes the host ask for the
 * client's certificate, by TLS 1.2 renegotiation (default) or, when the listener has
 * clientcertnegotiation=enable, in the first handshake. A TLS 1.3 connection cannot be renegotiated
 * and HTTP.sys would ask by post-handshake authentication, which Node's client does not offer: the
 * host resets such a connection, as Windows does. The certificate is mapped to a local user by
 * issuer thumbprint and subject UPN (WSMan:\localhost\ClientCertificate; `*` matches any subject).
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { upnOf, windowsThumbprint, CLIENT_AUTH_EKU } from '../auth/certificate/client-certificate.js';

export const MUTUAL_PROFILE = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual';

export interface ClientCertificateMapping {
  /** The UPN in the certificate's subjectAltName, or `*` for any; `*@domain` matches any user of that domain. */
  readonly subject: string;
  /** SHA-1 thumbprint of the issuing CA (hex, any case, colons allowed). */
  readonly issuerThumbprint: string;
  /** Local account the certificate logs on as. */
  readonly user: string;
}

export interface ClientCertificateConfig {
  /** PEM of the CA certificate(s) trusted to issue client certificates. */
  readonly issuers: string | Buffer | readonly (string | Buffer)[];
  readonly mappings: readonly ClientCertificateMapping[];
  /** 'renegotiate' (default): ask after the mutual header, TLS 1.2 only. 'handshake': ask in the first handshake. */
  readonly negotiation?: 'renegotiate' | 'handshake';
}

export type CertificateDecision =
  | { readonly kind: 'authenticated'; readonly user: string; readonly upn: string }
  | { readonly kind: 'reject'; readonly reason: string }
  /** The connection was reset (TLS 1.3 without post-handshake auth, or a TLS alert was sent). */
  | { readonly kind: 'reset'; readonly reason: string };

export function issuerList(config: ClientCertificateConfig): X509Certificate[] {
  const all = Array.isArray(config.issuers) ? config.issuers : [config.issuers as string | Buffer];
  return all.map((p) => new X509Certificate(p));
}

const normThumb = (t: string): string => t.replace(/[^0-9a-f]/gi, '').toUpperCase();

function subjectMatches(pattern: string, upn: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*@')) return upn.toLowerCase().endsWith(pattern.slice(1).toLowerCase());
  return pattern.toLowerCase() === upn.toLowerCase();
}

function renegotiate(socket: TLSSocket): Promise<Error | null> {
  return new Promise((resolve) => {
    // rejectUnauthorized: an issuer the host does not trust ends in a TLS alert (unknown_ca), as with HTTP.sys.
    const started = socket.renegotiate({ requestCert: true, rejectUnauthorized: true }, (err) => resolve(err ?? null));
    if (!started) resolve(new Error('renegotiation could not start'));
  });
}

/** Authenticate the request's connection by its client certificate. */
export async function authenticateCertificate(socket: TLSSocket, config: ClientCertificateConfig, issuers: readonly X509Certificate[], now = new Date()): Promise<CertificateDecision> {
  let peer = socket.getPeerX509Certificate();
  if (!peer && (config.negotiation ?? 'renegotiate') === 'renegotiate') {
    if (socket.getProtocol() === 'TLSv1.3') {
      socket.destroy();
      return { kind: 'reset', reason: 'TLS 1.3 connection: the certificate would be asked for by post-handshake authentication, which the client did not offer' };
    }
    const err = await renegotiate(socket);
    if (err) {
      socket.destroy();
      return { kind: 'reset', reason: `renegotiation failed: ${err.message}` };
    }
    peer = socket.getPeerX509Certificate();
  }
  if (!peer) return { kind: 'reject', reason: 'no client certificate' };
  // A self-signed client certificate is trusted as itself (in Root, as WinRM's docs have it); OpenSSL's
  // issued-by check would refuse it for lacking keyCertSign.
  const issuer = issuers.find((ca) => ca.fingerprint256 === peer!.fingerprint256 || (peer!.checkIssued(ca) && peer!.verify(ca.publicKey)));
  if (!issuer) return { kind: 'reject', reason: `certificate issued by an untrusted CA (${peer.issuer.replace(/\n/g, ', ')})` };
  if (now < new Date(peer.validFrom) || now > new Date(peer.validTo)) return { kind: 'reject', reason: 'certificate outside its validity period' };
  const eku = peer.keyUsage;
  if (eku !== undefined && !eku.includes(CLIENT_AUTH_EKU)) return { kind: 'reject', reason: 'certificate without the Client Authentication EKU' };
  const upn = upnOf(peer);
  if (upn === undefined) return { kind: 'reject', reason: 'certificate without a UPN subjectAltName' };
  const thumb = windowsThumbprint(issuer);
  const mapping = config.mappings.find((m) => normThumb(m.issuerThumbprint) === thumb && subjectMatches(m.subject, upn));
  if (!mapping) return { kind: 'reject', reason: `no ClientCertificate mapping for subject ${upn} and issuer ${thumb}` };
  return { kind: 'authenticated', user: mapping.user, upn };
}
