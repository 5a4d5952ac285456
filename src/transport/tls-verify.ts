/**
 * Server certificate checks for a TLS socket we own, done before a single request byte is written:
 * the chain (OpenSSL's verdict), the host name (RFC 6125 via Node's checkServerIdentity) and, when
 * asked, a pinned SHA-256 fingerprint. Every failure gets its own message naming what is wrong and
 * what to do; all are TlsError (one exit code).
 */
import { checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from 'node:tls';
import { InvalidOptionError, TlsError, type TlsFailureReason } from '../errors.js';
import { quoteServerText } from '../server-text.js';

export interface PeerExpectations {
  /** Name (or address) the certificate must be valid for. */
  readonly host: string;
  /** false = skip chain and name checks ('ignore', opted into by name). */
  readonly verify: boolean;
  /** Normalised SHA-256 fingerprint (64 upper-case hex digits) the leaf must have, if pinned. */
  readonly fingerprint?: string;
  /** The endpoint, for messages. */
  readonly where: string;
}

interface Failure {
  readonly reason: TlsFailureReason;
  readonly text: (c: PeerCertificate, fp: string) => string;
}

const TRUST_HINT = 'Pass the CA that signed it with --ca-trust-path (caTrustPath)';
// A pin replaces the CA check, so it goes with validation off (a pin alone still fails on the chain).
const PIN_HINT = (fp: string): string => `or, having checked it out of band, pin it with --server-cert-validation ignore (serverCertValidation) and --cert-fingerprint ${fp} (certFingerprint)`;

/**
 * OpenSSL X509_V_ERR_* verdicts (as Node reports them in authorizationError) and what each means
 * for a user. Source: OpenSSL's x509_vfy.h / verify(1) "Diagnostics".
 */
const CHAIN_FAILURES: Readonly<Record<string, Failure>> = {
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: {
    reason: 'unknown-ca',
    text: (c, fp) => `is issued by a CA this client does not trust (issuer ${dn(c.issuer)}). ${TRUST_HINT}, ${PIN_HINT(fp)}.`,
  },
  UNABLE_TO_GET_ISSUER_CERT: {
    reason: 'unknown-ca',
    text: (c, fp) => `is issued by a CA this client does not trust (issuer ${dn(c.issuer)}). ${TRUST_HINT}, ${PIN_HINT(fp)}.`,
  },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: {
    reason: 'unknown-ca',
    text: (c, fp) => `cannot be traced to a trusted CA (issuer ${dn(c.issuer)}). ${TRUST_HINT} (the CA, not the host's own certificate), ${PIN_HINT(fp)}.`,
  },
  CERT_UNTRUSTED: {
    reason: 'unknown-ca',
    text: (c, fp) => `chains to a CA that is not trusted for server authentication (issuer ${dn(c.issuer)}). ${TRUST_HINT}, ${PIN_HINT(fp)}.`,
  },
  DEPTH_ZERO_SELF_SIGNED_CERT: {
    reason: 'self-signed',
    text: (c, fp) => `is self-signed (subject ${dn(c.subject)}), so no CA vouches for it. Pass it with --ca-trust-path (caTrustPath), ${PIN_HINT(fp)}.`,
  },
  SELF_SIGNED_CERT_IN_CHAIN: {
    reason: 'self-signed',
    text: (c) => `chains to a self-signed root this client does not trust (issuer ${dn(c.issuer)}). ${TRUST_HINT}.`,
  },
  CERT_HAS_EXPIRED: {
    reason: 'expired',
    text: (c) => `expired on ${c.valid_to}. Renew the WinRM listener's certificate (or check this machine's clock).`,
  },
  CERT_NOT_YET_VALID: {
    reason: 'not-yet-valid',
    text: (c) => `is not valid before ${c.valid_from}. Check the clocks of this machine and the host.`,
  },
  INVALID_CA: {
    reason: 'leaf-as-ca',
    text: (c) => `is signed by a certificate that is not a CA (issuer ${dn(c.issuer)}): a server certificate was used to sign another. Issue the listener's certificate from a real CA.`,
  },
  INVALID_PURPOSE: {
    reason: 'leaf-as-ca',
    text: (c) =>
      `has a certificate in its chain used outside its allowed purpose (issuer ${dn(c.issuer)}): typically a server (leaf) certificate used as a CA, or a certificate without the serverAuth usage. Issue the listener's certificate from a real CA with serverAuth.`,
  },
};

const fallbackFailure = (code: string): Failure => ({ reason: 'untrusted', text: () => `was not trusted (${code}). ${TRUST_HINT}, or fix the host's certificate.` });

const NAME_MISMATCH = 'ERR_TLS_CERT_ALTNAME_INVALID';

/** Whether a certificate above the leaf in the presented chain is not a CA (a leaf used as a CA). */
function issuedByNonCa(leaf: DetailedPeerCertificate): boolean {
  const seen = new Set<DetailedPeerCertificate>([leaf]);
  for (let c = leaf.issuerCertificate; c && !seen.has(c); c = c.issuerCertificate) {
    seen.add(c);
    if (c.ca === false) return true;
  }
  return false;
}

/** A certificate name as the peer wrote it, quoted bounded (server-text.ts): the certificate is the attacker's choice. */
function dn(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '(none)';
  const parts = Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`);
  return parts.length ? quoteServerText(parts.join(', '), 300) : '(empty)';
}

/** "sha256:AB:CD:..." (64 hex digits, colons and case optional) -> 64 upper-case hex digits. */
export function normaliseFingerprint(input: string, label = 'certFingerprint / --cert-fingerprint'): string {
  const m = /^(?:sha-?256:)?([0-9a-f:]+)$/i.exec(input.trim());
  const hex = m ? m[1]!.replace(/:/g, '') : '';
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new InvalidOptionError(`${label} must be a SHA-256 fingerprint, sha256: followed by 64 hex digits (colons allowed); got "${input.slice(0, 120)}".`);
  return hex.toUpperCase();
}

/** The display form used in messages and accepted back by --cert-fingerprint. */
export function displayFingerprint(hex: string): string {
  return 'sha256:' + hex.replace(/(..)(?!$)/g, '$1:');
}

/**
 * Returns the error to fail with, or undefined when the peer passes every check asked for. `cert` is
 * the socket's getPeerCertificate(), read once by the caller: on Node 20, mixing or repeating the
 * peer-certificate getters can return nothing the second time.
 */
export function checkPeer(socket: TLSSocket, cert: DetailedPeerCertificate | undefined, want: PeerExpectations): TlsError | undefined {
  if (!cert || !cert.raw || !cert.fingerprint256) return new TlsError(`${want.where} presented no TLS certificate.`, { reason: 'handshake' });
  const fp = cert.fingerprint256.replace(/:/g, '').toUpperCase();
  const shown = displayFingerprint(fp);
  if (want.verify) {
    const code = socket.authorized ? undefined : String(socket.authorizationError ?? 'UNKNOWN');
    // Node runs its own name check too and reports it the same way; ours below says more.
    if (code !== undefined && code !== NAME_MISMATCH) {
      // OpenSSL reports a non-CA issuer under several codes (INVALID_CA, INVALID_PURPOSE, a key-usage
      // error Node calls UNSPECIFIED); the chain itself says what happened.
      const f = issuedByNonCa(cert) ? CHAIN_FAILURES.INVALID_CA! : (CHAIN_FAILURES[code] ?? fallbackFailure(code));
      return new TlsError(`The TLS certificate of ${want.where} ${f.text(cert, shown)}`, { reason: f.reason, fingerprint: shown });
    }
    const nameError = checkServerIdentity(want.host, cert);
    if (nameError) {
      const names = cert.subjectaltname ? quoteServerText(cert.subjectaltname, 600) : `subject ${dn(cert.subject)}`;
      return new TlsError(
        `Host name mismatch: the TLS certificate of ${want.where} is for ${names}, not for "${want.host}". Connect with --host set to a name the certificate lists, or reissue the listener's certificate for "${want.host}".`,
        { reason: 'name-mismatch', fingerprint: shown },
      );
    }
  }
  if (want.fingerprint !== undefined && want.fingerprint !== fp) {
    return new TlsError(
      `The TLS certificate of ${want.where} has fingerprint ${shown}, not the pinned ${displayFingerprint(want.fingerprint)}. The certificate changed or the connection is intercepted; do not continue until you know which.`,
      { reason: 'fingerprint-mismatch', fingerprint: shown },
    );
  }
  return undefined;
}
