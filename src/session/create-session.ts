/**
 * Builds the transport and the auth session that resolved options call for. Each auth scheme's code
 * (NTLM, Kerberos and its KDC client, client certificates) is loaded when the first call needs it,
 * and only for the scheme chosen: a one-shot CLI call over NTLM never loads Kerberos (issue 10).
 */
import type { ResolvedOptions } from '../options.js';
import { HttpTransport } from '../transport/http-transport.js';
import type { KerberosTicketSource } from '../auth/kerberos-tickets.js';
import { DeferredSession } from './deferred-session.js';
import { SessionPool } from './session-pool.js';
import type { Session } from './session.js';

export function createSession(o: ResolvedOptions): Session {
  return new DeferredSession(async () => {
    const make = await sessionFactory(o);
    return o.maxConnections > 1 ? new SessionPool(o.maxConnections, make) : make();
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

/** Loads the modules the chosen scheme needs and returns a factory of its sessions (a pool makes several). */
async function sessionFactory(o: ResolvedOptions): Promise<() => Session> {
  switch (o.transport) {
    case 'basic': {
      const { basicCredentials, HeaderAuthSession } = await import('./header-auth-session.js');
      return () => new HeaderAuthSession(createTransport(o), basicCredentials(o.user, o.password), o.callTimeoutMs, o.trace);
    }
    case 'certificate': {
      const [{ HeaderAuthSession }, { certificateCredentials, issuerThumbprintOf }] = await Promise.all([import('./header-auth-session.js'), import('../auth/certificate/client-certificate.js')]);
      const { certificate, maxVersion } = o.clientCertificate!;
      return () => new HeaderAuthSession(createTransport(o), certificateCredentials(certificate, issuerThumbprintOf(certificate), maxVersion), o.callTimeoutMs, o.trace);
    }
    case 'ntlm':
      return ntlmFactory(o);
    case 'kerberos': {
      const kerberos = await kerberosFactory(o, 'Kerberos');
      return kerberos.make;
    }
    case 'negotiate': {
      // NTLM needs a user and password; without them there is nothing to fall back to.
      const [{ NegotiateSession }, kerberos, ntlm] = await Promise.all([
        import('./negotiate-session.js'),
        kerberosFactory(o, 'Negotiate'),
        o.user !== '' && o.password !== '' ? ntlmFactory(o) : undefined,
      ]);
      return () => new NegotiateSession(kerberos.tickets, kerberos.make, ntlm, o.callTimeoutMs);
    }
  }
}

async function ntlmFactory(o: ResolvedOptions): Promise<() => Session> {
  const { NtlmHttpSession } = await import('./ntlm-session.js');
  return () =>
    new NtlmHttpSession(createTransport(o), { user: o.user, password: o.password, encrypt: o.encrypt, sendCbt: o.sendCbt, emptyAuthenticateBody: o.ntlmEmptyAuthenticateBody, callTimeoutMs: o.callTimeoutMs, ...(o.trace ? { trace: o.trace } : {}) });
}

async function kerberosFactory(o: ResolvedOptions, scheme: 'Kerberos' | 'Negotiate'): Promise<{ tickets: KerberosTicketSource; make: () => Session }> {
  const [{ KerberosHttpSession }, { KerberosTicketSource }] = await Promise.all([import('./kerberos-session.js'), import('../auth/kerberos-tickets.js')]);
  const k = o.kerberos!;
  // One ticket source per client: every connection of the pool reuses its service ticket.
  const tickets = new KerberosTicketSource({
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
  return { tickets, make: () => new KerberosHttpSession(createTransport(o), { scheme, tickets, encrypt: o.encrypt, sendCbt: o.sendCbt, callTimeoutMs: o.callTimeoutMs, ...(o.trace ? { trace: o.trace } : {}) }) };
}
