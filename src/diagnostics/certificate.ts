/**
 * Step `client-certificate` (transport certificate): the library's own local checks of the
 * certificate and key (src/auth/certificate/client-certificate.ts: key matches, clientAuth EKU,
 * validity, UPN), and what the host's mapping must name (issuer thumbprint, UPN).
 */
import { issuerThumbprintOf } from '../auth/certificate/client-certificate.js';
import type { ResolvedOptions } from '../options.js';
import { failureOf } from './step-runner.js';
import type { StepOutcome } from './types.js';

const EXPIRY_WARNING_DAYS = 30;

export function checkClientCertificate(o: ResolvedOptions, loadError: unknown): StepOutcome {
  if (loadError !== undefined) return failureOf(loadError);
  const c = o.clientCertificate;
  if (c === undefined) return { status: 'skip', summary: 'skipped: no client certificate in use' };
  const cert = c.certificate;
  const days = Math.floor((cert.validTo.getTime() - Date.now()) / 86_400_000);
  const facts = {
    subject: cert.subject,
    issuer: cert.issuer,
    thumbprint: cert.thumbprint,
    ...(cert.upn !== undefined ? { upn: cert.upn } : {}),
    validTo: cert.validTo.toISOString(),
    tlsMaxVersion: c.maxVersion,
    keyMatches: true,
  };
  const summary = `${cert.upn !== undefined ? `UPN ${cert.upn}` : 'no UPN'}, issuer ${cert.issuer}; key matches, valid until ${cert.validTo.toISOString().slice(0, 10)}; offered at ${c.maxVersion} at most`;
  const mapping = `On the host the mapping must name this certificate's issuer and UPN: New-Item WSMan:\\localhost\\ClientCertificate -Subject '${cert.upn ?? '<upn>'}' -URI * -Issuer ${issuerThumbprintOf(cert) ?? '<thumbprint of the issuing CA>'} -Credential (Get-Credential).`;
  if (cert.warnings.length > 0) return { status: 'warn', summary, facts, fix: `${cert.warnings.join(' ')} ${mapping}` };
  if (days < EXPIRY_WARNING_DAYS) return { status: 'warn', summary, facts, fix: `The client certificate expires in ${days} day${days === 1 ? '' : 's'}: make a new one (hyperv-wsman cert new) and map it on the host.` };
  return { status: 'pass', summary, facts: { ...facts, hostMapping: mapping } };
}
