/**
 * A client key and certificate fit for WinRM certificate mapping: Extended Key Usage clientAuth and
 * a subjectAltName otherName UPN (the name the host maps), self-signed unless an issuer is given
 * (WinRM trusts the issuer's thumbprint; a self-signed certificate is its own issuer). Made with
 * node:crypto and our X.509 writer, no openssl. Also the PowerShell lines that map it on the host.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { InvalidOptionError } from '../../errors.js';
import { EKU, toPem, writeCertificate } from '../../x509/writer.js';
import { windowsThumbprint } from './client-certificate.js';

export interface NewClientCertificateOptions {
  /** The UPN the host maps, e.g. `svc-hyperv@localhost` (WinRM's usual form for a local account). */
  readonly upn: string;
  /** Default 365. */
  readonly days?: number;
  /** Default 'rsa' (2048 bits), what every WinRM host accepts; 'ec' for P-256. */
  readonly keyType?: 'rsa' | 'ec';
  /** Issue from this CA instead of self-signing. */
  readonly issuer?: { readonly certPem: string; readonly keyPem: string };
}

export interface NewClientCertificate {
  readonly certPem: string;
  /** PKCS#8, unencrypted (Ansible and pywinrm cannot open an encrypted key): keep it 0600. */
  readonly keyPem: string;
  readonly upn: string;
  readonly thumbprint: string;
  /** The thumbprint the host's mapping names: the issuer's (its own when self-signed). */
  readonly issuerThumbprint: string;
  readonly notAfter: Date;
}

const UPN = /^[^\s@]+@[^\s@]+$/;

export function newClientCertificate(o: NewClientCertificateOptions): NewClientCertificate {
  if (!UPN.test(o.upn)) throw new InvalidOptionError(`upn must look like user@host (e.g. svc-hyperv@localhost); got "${o.upn}".`);
  const days = o.days ?? 365;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new InvalidOptionError(`days must be an integer from 1 to 3650; got ${o.days}.`);
  const keys = o.keyType === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  let issuerName: string | undefined;
  let signingKey: KeyObject = keys.privateKey;
  let issuerPublicKey: KeyObject = keys.publicKey;
  let issuerCert: X509Certificate | undefined;
  if (o.issuer) {
    issuerCert = new X509Certificate(o.issuer.certPem);
    if (!issuerCert.ca) throw new InvalidOptionError('The issuer certificate is not a CA (basicConstraints CA:TRUE).');
    signingKey = createPrivateKey(o.issuer.keyPem);
    if (!issuerCert.checkPrivateKey(signingKey)) throw new InvalidOptionError('The issuer key does not belong to the issuer certificate.');
    issuerPublicKey = issuerCert.publicKey;
    issuerName = /CN=([^\n,]+)/.exec(issuerCert.subject)?.[1] ?? issuerCert.subject;
  }
  const now = Date.now();
  const notAfter = new Date(now + days * 86_400_000);
  const der = writeCertificate({
    subject: o.upn.split('@')[0]!,
    ...(issuerName !== undefined ? { issuer: issuerName } : {}),
    publicKey: keys.publicKey,
    signingKey,
    issuerPublicKey,
    notBefore: new Date(now - 3_600_000),
    notAfter,
    ca: false,
    altNames: [`UPN:${o.upn}`],
    keyUsage: keys.publicKey.asymmetricKeyType === 'rsa' ? [0, 2] : [0],
    extKeyUsage: [EKU.clientAuth],
  });
  const cert = new X509Certificate(der);
  return {
    certPem: toPem(der),
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    upn: o.upn,
    thumbprint: windowsThumbprint(cert),
    issuerThumbprint: issuerCert ? windowsThumbprint(issuerCert) : windowsThumbprint(cert),
    notAfter,
  };
}

/** PowerShell for the host (run as Administrator): trust the issuer, map the certificate to a local account, enable the scheme. */
export function hostMappingScript(c: NewClientCertificate, certFileName: string, selfSigned: boolean): string {
  return [
    `# On the Hyper-V host, as Administrator, with ${certFileName} copied there${selfSigned ? '' : ' (import the issuing CA the same way)'}:`,
    `Import-Certificate -FilePath .\\${certFileName} -CertStoreLocation Cert:\\LocalMachine\\Root`,
    ...(selfSigned ? [`Import-Certificate -FilePath .\\${certFileName} -CertStoreLocation Cert:\\LocalMachine\\TrustedPeople`] : []),
    `$cred = Get-Credential -Message 'The local account ${c.upn} logs on as'`,
    `New-Item -Path WSMan:\\localhost\\ClientCertificate -Subject '${c.upn}' -URI * -Issuer ${c.issuerThumbprint} -Credential $cred -Force`,
    `Set-Item -Path WSMan:\\localhost\\Service\\Auth\\Certificate -Value $true`,
    '',
  ].join('\n');
}
