/**
 * Step `tls`: the handshake the client itself makes (transport/connect.ts, with the same checks from
 * tls-verify.ts), plus what a person needs to judge the certificate: the leaf's SHA-256
 * fingerprint (to pin with --cert-fingerprint), subject names, expiry, the TLS version. With
 * --server-cert-validation ignore it says what went unchecked, and what the checks would have said.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ErrorCodes, TlsError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import { openSocket } from '../transport/connect.js';
import { parseProxyUrl } from '../transport/proxy-tunnel.js';
import { displayFingerprint, normaliseFingerprint } from '../transport/tls-verify.js';
import { endpointHost } from './network.js';
import { failureOf } from './step-runner.js';
import type { FactValue, StepOutcome } from './types.js';

/** Warn when the listener's certificate ends sooner than this. */
export const CERT_EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

export async function checkTls(o: ResolvedOptions, now = new Date()): Promise<StepOutcome> {
  const url = new URL(o.endpoint);
  const host = endpointHost(o);
  const verify = o.serverCertValidation !== 'ignore';
  let opened;
  try {
    opened = await openSocket(
      {
        url,
        verify,
        connectTimeoutMs: o.connectTimeoutMs,
        ...(o.ca !== undefined ? { ca: o.ca } : {}),
        ...(o.certFingerprint !== undefined ? { fingerprint: normaliseFingerprint(o.certFingerprint) } : {}),
        ...(o.proxy !== undefined ? { proxy: parseProxyUrl(o.proxy) } : {}),
        // Certificate transport: the handshake as the session makes it (its TLS version cap, the certificate offered).
        ...(o.clientCertificate !== undefined
          ? { clientCertificate: { cert: o.clientCertificate.certificate.certPem, key: o.clientCertificate.keyPem, passphrase: o.clientCertificate.passphrase, maxVersion: o.clientCertificate.maxVersion } }
          : {}),
      },
      AbortSignal.timeout(o.connectTimeoutMs + 1000),
    );
  } catch (err) {
    if (err instanceof TlsError) {
      return { ...failureOf(err), facts: { reason: err.reason, ...(err.fingerprint !== undefined ? { fingerprint: err.fingerprint } : {}) } };
    }
    return failureOf(err);
  }
  const socket = opened.socket as TLSSocket;
  try {
    const der = opened.peerCertificate;
    if (der === undefined) return { status: 'fail', summary: `${url.origin} presented no certificate`, code: ErrorCodes.TLS };
    const cert = new X509Certificate(der);
    const protocol = socket.getProtocol() ?? 'unknown';
    const validTo = new Date(cert.validTo);
    const daysLeft = Math.floor((validTo.getTime() - now.getTime()) / DAY_MS);
    const nameOk = isIP(host) !== 0 ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
    const facts: Record<string, FactValue> = {
      protocol,
      fingerprint: displayFingerprint(cert.fingerprint256.replace(/:/g, '')),
      subject: oneLine(cert.subject),
      issuer: oneLine(cert.issuer),
      ...(cert.subjectAltName !== undefined ? { subjectAltName: cert.subjectAltName } : {}),
      validTo: validTo.toISOString(),
      daysLeft,
    };
    if (!verify) {
      // The socket still carries OpenSSL's verdict: say what the checks would have found.
      const chain = socket.authorized ? 'would pass' : `would fail (${String(socket.authorizationError)})`;
      return {
        status: 'warn',
        summary: `${protocol}; certificate NOT verified (--server-cert-validation ignore): chain ${chain}, host name ${nameOk ? 'would match' : `does not match "${host}"`}${o.certFingerprint !== undefined ? '; the pinned fingerprint matches' : ''}`,
        facts: { ...facts, chainVerified: false, nameChecked: false, ...(o.certFingerprint !== undefined ? { fingerprintPinned: true } : {}) },
        fix:
          o.certFingerprint !== undefined
            ? 'Only the pinned --cert-fingerprint protects this connection; when the listener certificate is renewed, pin the new one.'
            : `Nothing protects this connection from interception. Trust the CA with --ca-trust-path, or pin this certificate with --cert-fingerprint ${facts.fingerprint as string} after checking it on the host (Get-ChildItem Cert:\\LocalMachine\\My).`,
      };
    }
    const summary = `${protocol}; certificate chain verified, host name "${host}" matches${o.certFingerprint !== undefined ? ', pinned fingerprint matches' : ''}; expires ${validTo.toISOString().slice(0, 10)} (${days(daysLeft)})`;
    if (daysLeft < CERT_EXPIRY_WARNING_DAYS) {
      return { status: 'warn', summary, facts: { ...facts, chainVerified: true, nameMatches: true }, fix: `The listener's certificate expires in ${days(daysLeft)}: renew it on the host and update the https listener (winrm set winrm/config/listener?Address=*+Transport=HTTPS @{CertificateThumbprint="<new>"}).` };
    }
    return { status: 'pass', summary, facts: { ...facts, chainVerified: true, nameMatches: true } };
  } finally {
    socket.destroy();
  }
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

const days = (n: number): string => `${n} day${n === 1 || n === -1 ? '' : 's'}`;
