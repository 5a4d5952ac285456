/** Builds the transport and the auth session that resolved options call for. */
import type { ResolvedOptions } from '../options.js';
import { HttpTransport } from '../transport/http-transport.js';
import { basicCredentials, HeaderAuthSession } from './header-auth-session.js';
import { certificateCredentials, issuerThumbprintOf } from '../auth/certificate/client-certificate.js';
import { KerberosTicketSource } from '../auth/kerberos-tickets.js';
import { KerberosHttpSession } from './kerberos-session.js';
import { NegotiateSession } from './negotiate-session.js';
import { NtlmHttpSession } from './ntlm-session.js';
import { SessionPool } from './session-pool.js';
import type { Session } from './session.js';

export function createSession(o: ResolvedOptions): Session {
  // One ticket source per client: every connection of the pool reuses its service ticket.
  const tickets = kerberosTickets(o);
  return o.maxConnections > 1 ? new SessionPool(o.maxConnections, () => createSingleSession(o, tickets)) : createSingleSession(o, tickets);
}

function kerberosTickets(o: ResolvedOptions): KerberosTicketSource | undefined {
  const k = o.kerberos;
  if (k === undefined) return undefined;
  return new KerberosTicketSource({
    host: o.host,
    user: o.user,
    password: o.password,
    service: k.service,
    ...(k.delegation ? { delegation: true } : {}),
    ...(o.notice !== undefined ? { notice: o.notice } : {}),
    ...(k.hostnameOverride !== undefined ? { hostnameOverride: k.hostnameOverride } : {}),
    ...(k.kdc !== undefined ? { kdc: k.kdc } : {}),
    ...(k.keytab !== undefined ? { keytab: k.keytab } : {}),
    ...(k.ccache !== undefined ? { ccache: k.ccache } : {}),
    ...(k.krb5Config !== undefined ? { krb5Config: k.krb5Config } : {}),
  });
}

/** The HTTP(S) transport resolved options describe (endpoint, TLS and pinning, timeouts, whole-call deadline, proxy, size cap). */
export function createTransport(o: ResolvedOptions): HttpTransport {
  return new HttpTransport({
    url: o.endpoint,
    tls: {
      serverCertValidation: o.serverCertValidation,
      ...(o.ca !== undefined ? { ca: o.ca } : {}),
      ...(o.certFingerprint !== undefined ? { certFingerprint: o.certFingerprint } : {}),
      ...(o.clientCertificate !== undefined
        ? { clientCertificate: { cert: o.clientCertificate.certificate.certPem, key: o.clientCertificate.keyPem, passphrase: o.clientCertificate.passphrase, maxVersion: o.clientCertificate.maxVersion } }
        : {}),
    },
    connectTimeoutMs: o.connectTimeoutMs,
    callTimeoutMs: o.callTimeoutMs,
    maxResponseBytes: o.maxResponseBytes,
    ...(o.proxy !== undefined ? { proxy: o.proxy } : {}),
  });
}

function createSingleSession(o: ResolvedOptions, tickets: KerberosTicketSource | undefined): Session {
  const ntlm = (): Session =>
    new NtlmHttpSession(createTransport(o), { user: o.user, password: o.password, encrypt: o.encrypt, sendCbt: o.sendCbt, emptyAuthenticateBody: o.ntlmEmptyAuthenticateBody, callTimeoutMs: o.callTimeoutMs, ...(o.trace ? { trace: o.trace } : {}) });
  const kerberos = (scheme: 'Kerberos' | 'Negotiate'): Session =>
    new KerberosHttpSession(createTransport(o), { scheme, tickets: tickets!, encrypt: o.encrypt, sendCbt: o.sendCbt, callTimeoutMs: o.callTimeoutMs, ...(o.trace ? { trace: o.trace } : {}) });
  switch (o.transport) {
    case 'basic':
      return new HeaderAuthSession(createTransport(o), basicCredentials(o.user, o.password), o.callTimeoutMs, o.trace);
    case 'certificate': {
      const { certificate, maxVersion } = o.clientCertificate!;
      return new HeaderAuthSession(createTransport(o), certificateCredentials(certificate, issuerThumbprintOf(certificate), maxVersion), o.callTimeoutMs, o.trace);
    }
    case 'ntlm':
      return ntlm();
    case 'kerberos':
      return kerberos('Kerberos');
    case 'negotiate':
      // NTLM needs a user and password; without them there is nothing to fall back to.
      return new NegotiateSession(tickets!, () => kerberos('Negotiate'), o.user !== '' && o.password !== '' ? ntlm : undefined, o.callTimeoutMs);
  }
}
