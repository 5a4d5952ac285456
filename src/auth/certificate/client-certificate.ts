/**
 * Client certificates for WinRM's https/mutual security profile ([MS-WSMV] 2.2.4.37 and the
 * WinRM ClientCertificate mapping): load the PEM files, open an encrypted key, and check before
 * anything is sent what the host would otherwise refuse with a bare reset or 401.
 *
 * What the host needs (Microsoft's "Certificate mapping" docs for WinRM; pywinrm/Ansible docs):
 * Extended Key Usage clientAuth (1.3.6.1.5.5.7.3.2), and a subjectAltName otherName UPN
 * (1.3.6.1.4.1.311.20.2.3) that the host maps, with the issuer's thumbprint, to a local account.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { AuthenticationError, InvalidOptionError, type AuthFailureDetails } from '../../errors.js';

export const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';
export const ANY_EKU = '2.5.29.37.0';

/** Files larger than this are not certificates or keys (a chain of a few certificates is a few KB). */
export const MAX_PEM_BYTES = 256 * 1024;

export interface ClientCertificateInput {
  /** PEM text of the certificate (and optionally its chain, leaf first). */
  readonly certPem: string | Buffer;
  /** PEM text of the private key, PKCS#8 or traditional, possibly encrypted. */
  readonly keyPem: string | Buffer;
  /** Passphrase of an encrypted key. */
  readonly passphrase?: string;
  /** For messages: what the user called each input (CLI flag or library option). */
  readonly names?: { readonly cert: string; readonly key: string; readonly passphrase: string };
  /** Defaults to now; for tests. */
  readonly now?: Date;
}

export interface ClientCertificate {
  /** PEM of the certificate chain to present (leaf first). */
  readonly certPem: string;
  /** The opened private key, never serialised back to text by us. */
  readonly key: KeyObject;
  readonly leaf: X509Certificate;
  /** UPN from the subjectAltName otherName, the name the host maps; undefined when absent. */
  readonly upn: string | undefined;
  readonly subject: string;
  readonly issuer: string;
  /** SHA-1 thumbprint of the leaf, upper-case hex without colons, as Windows shows it. */
  readonly thumbprint: string;
  readonly validFrom: Date;
  readonly validTo: Date;
  /** Problems the host may not mind but the user should hear about (no UPN). */
  readonly warnings: readonly string[];
}

const DEFAULT_NAMES = { cert: 'certPem', key: 'certKeyPem', passphrase: 'certKeyPassword' } as const;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Windows shows thumbprints as upper-case hex without separators. */
export function windowsThumbprint(cert: X509Certificate): string {
  return cert.fingerprint.replace(/:/g, '').toUpperCase();
}

/** The UPN otherName of a subjectAltName, as Node renders it ("othername:UPN:user@host"). */
export function upnOf(cert: X509Certificate): string | undefined {
  const san = cert.subjectAltName ?? '';
  for (const part of san.split(/,\s*/)) {
    const m = /^othername:\s*UPN:(.+)$/i.exec(part.trim());
    if (m) return m[1]!.trim();
  }
  return undefined;
}

function text(v: string | Buffer, what: string): string {
  const size = typeof v === 'string' ? Buffer.byteLength(v) : v.length;
  if (size > MAX_PEM_BYTES) throw new InvalidOptionError(`${what} is ${size} bytes: larger than any certificate or key (limit ${MAX_PEM_BYTES}). Is it the right file?`);
  return typeof v === 'string' ? v : v.toString('utf8');
}

/** Whether a PEM key is encrypted (PKCS#8 EncryptedPrivateKeyInfo or a traditional Proc-Type header). */
export function isEncryptedKeyPem(pem: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem) || /Proc-Type:\s*4,ENCRYPTED/.test(pem);
}

function openKey(pem: string, passphrase: string | undefined, names: ClientCertificateInput['names'] & object): KeyObject {
  const encrypted = isEncryptedKeyPem(pem);
  if (encrypted && passphrase === undefined) {
    throw new InvalidOptionError(`The private key in ${names.key} is encrypted and no passphrase was given (${names.passphrase}).`);
  }
  try {
    return createPrivateKey(encrypted ? { key: pem, format: 'pem', passphrase: passphrase! } : { key: pem, format: 'pem' });
  } catch (err) {
    // OpenSSL's text ("bad decrypt") reveals nothing of the key; ours says what to do.
    if (encrypted) throw new InvalidOptionError(`Cannot open the encrypted private key in ${names.key}: wrong passphrase (${names.passphrase}) or an unsupported key format.`);
    throw new InvalidOptionError(`${names.key} does not hold a PEM private key (${(err as Error).message.split('\n')[0]}).`);
  }
}

/**
 * Load and check a client certificate. Usage errors (InvalidOptionError, CLI exit 2): unreadable PEM,
 * wrong passphrase, key that does not match. Errors the host would answer with a refusal
 * (AuthenticationError, CLI exit 4): expired or not yet valid, no clientAuth EKU. A missing UPN is a warning.
 */
export function loadClientCertificate(input: ClientCertificateInput, endpoint = ''): ClientCertificate {
  const names = input.names ?? DEFAULT_NAMES;
  const certText = text(input.certPem, names.cert);
  const pems = certText.match(PEM_CERT) ?? [];
  if (pems.length === 0) throw new InvalidOptionError(`${names.cert} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(pems[0]!);
  } catch (err) {
    throw new InvalidOptionError(`${names.cert} holds a certificate that cannot be read: ${(err as Error).message.split('\n')[0]}`);
  }
  const key = openKey(text(input.keyPem, names.key), input.passphrase, names);
  if (key.type !== 'private') throw new InvalidOptionError(`${names.key} holds a ${key.type} key, not a private key.`);
  if (!leaf.checkPrivateKey(key)) {
    throw new InvalidOptionError(`The private key in ${names.key} does not belong to the certificate in ${names.cert} (subject ${oneLine(leaf.subject)}).`);
  }

  const details = { attempted: 'certificate', offered: [], user: upnOf(leaf) ?? oneLine(leaf.subject), endpoint };
  const now = input.now ?? new Date();
  const validFrom = new Date(leaf.validFrom);
  const validTo = new Date(leaf.validTo);
  if (now < validFrom) throw new AuthenticationError(`The client certificate in ${names.cert} is not valid yet: it starts on ${validFrom.toISOString()} (now ${now.toISOString()}). Check this machine's clock, or use another certificate.`, details);
  if (now > validTo) throw new AuthenticationError(`The client certificate in ${names.cert} expired on ${validTo.toISOString()}. Make a new one (hyperv-wsman cert new) and map it on the host.`, details);
  const eku = leaf.keyUsage; // Node names the extended key usage OIDs "keyUsage"; undefined when the extension is absent.
  if (eku !== undefined && !eku.includes(CLIENT_AUTH_EKU) && !eku.includes(ANY_EKU)) {
    throw new AuthenticationError(`The client certificate in ${names.cert} has no Client Authentication extended key usage (${CLIENT_AUTH_EKU}); WinRM refuses it. Its usages: ${eku.join(', ') || 'none'}.`, details);
  }

  const upn = upnOf(leaf);
  const warnings: string[] = [];
  if (eku === undefined) warnings.push(`The client certificate in ${names.cert} has no extended key usage extension; WinRM expects Client Authentication (${CLIENT_AUTH_EKU}).`);
  if (upn === undefined) warnings.push(`The client certificate in ${names.cert} has no UPN in its subjectAltName; WinRM maps certificates by UPN (otherName 1.3.6.1.4.1.311.20.2.3), so the host will likely refuse it.`);
  return {
    certPem: pems.join('\n') + '\n',
    key,
    leaf,
    upn,
    subject: oneLine(leaf.subject),
    issuer: oneLine(leaf.issuer),
    thumbprint: windowsThumbprint(leaf),
    validFrom,
    validTo,
    warnings,
  };
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

/** WinRM's header for certificate authentication ([MS-WSMV] 2.2.4.37 https/mutual). */
export const MUTUAL_AUTHORIZATION = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual';

/**
 * The header a certificate-authenticated session sends, and what a 401 means: the TLS handshake
 * carried the certificate, so the host refused the mapping, not the certificate's form.
 */
export function certificateCredentials(
  cert: ClientCertificate,
  issuerThumbprint: string | undefined,
  maxVersion: 'TLSv1.2' | 'TLSv1.3',
): { readonly authorization: string; refused(offered: readonly string[], endpoint: URL): AuthenticationError; connectionLost(err: Error, endpoint: URL): AuthenticationError } {
  const upn = cert.upn ?? '(none: the certificate has no UPN)';
  const details = (endpoint: URL): AuthFailureDetails => ({ attempted: 'certificate', offered: [], user: cert.upn ?? cert.subject, endpoint: endpoint.href });
  return {
    authorization: MUTUAL_AUTHORIZATION,
    // The host asks for the certificate only after this request's header; a connection closed then is
    // its answer (HTTP.sys resets, or sends an alert that the reset hides).
    connectionLost: (err, endpoint) =>
      new AuthenticationError(
        maxVersion === 'TLSv1.3'
          ? `${endpoint.origin} closed the connection when the client certificate was due. A host that asks for it after the request (HTTP.sys's default) does so on TLS 1.3 by post-handshake authentication, which Node's TLS client does not offer: use clientCertNegotiation renegotiation (TLS 1.2, the default), or set clientcertnegotiation=enable on the host's binding (netsh http update sslcert). (${err.message})`
          : `${endpoint.origin} closed the connection when it asked for the client certificate. Most often it does not trust the certificate's issuer "${cert.issuer}": import that CA into the host's LocalMachine\Root store (and map the certificate). Otherwise it may refuse TLS 1.2 renegotiation: set clientcertnegotiation=enable on its binding and use clientCertNegotiation handshake. (${err.message})`,
        details(endpoint),
      ),
    refused: (offered, endpoint) =>
      new AuthenticationError(
        `${endpoint.origin} refused the client certificate (HTTP 401): check its WinRM certificate mapping (WSMan:\\localhost\\ClientCertificate) for issuer ${issuerThumbprint ? `thumbprint ${issuerThumbprint}` : `"${cert.issuer}"`} and subject UPN ${upn}, that the issuing CA is in the host's Trusted Root store, and that Service/Auth/Certificate is true. Certificate: ${cert.subject}, thumbprint ${cert.thumbprint}.`,
        { ...details(endpoint), offered },
      ),
  };
}

/** Thumbprint of the certificate's issuer: its own when self-signed, the chain's issuer when the PEM file holds it, else undefined. */
export function issuerThumbprintOf(cert: ClientCertificate): string | undefined {
  if (cert.leaf.subject === cert.leaf.issuer && cert.leaf.verify(cert.leaf.publicKey)) return cert.thumbprint;
  for (const pem of cert.certPem.match(PEM_CERT)?.slice(1) ?? []) {
    const c = new X509Certificate(pem);
    if (cert.leaf.checkIssued(c)) return windowsThumbprint(c);
  }
  return undefined;
}
