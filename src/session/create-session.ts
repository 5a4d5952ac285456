/** Builds the transport and the auth session that resolved options call for. */
import type { ResolvedOptions } from '../options.js';
import { HttpTransport } from '../transport/http-transport.js';
import { basicCredentials, HeaderAuthSession } from './header-auth-session.js';
import { certificateCredentials, issuerThumbprintOf } from '../auth/certificate/client-certificate.js';
import { NtlmHttpSession } from './ntlm-session.js';
import { SessionPool } from './session-pool.js';
import type { Session } from './session.js';

export function createSession(o: ResolvedOptions): Session {
  return o.maxConnections > 1 ? new SessionPool(o.maxConnections, () => createSingleSession(o)) : createSingleSession(o);
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

function createSingleSession(o: ResolvedOptions): Session {
  const transport = createTransport(o);
  switch (o.transport) {
    case 'basic':
      return new HeaderAuthSession(transport, basicCredentials(o.user, o.password), o.callTimeoutMs, o.trace);
    case 'certificate': {
      const { certificate, maxVersion } = o.clientCertificate!;
      return new HeaderAuthSession(transport, certificateCredentials(certificate, issuerThumbprintOf(certificate), maxVersion), o.callTimeoutMs, o.trace);
    }
    case 'ntlm':
      return new NtlmHttpSession(transport, { user: o.user, password: o.password, encrypt: o.encrypt, sendCbt: o.sendCbt, emptyAuthenticateBody: o.ntlmEmptyAuthenticateBody, callTimeoutMs: o.callTimeoutMs, ...(o.trace ? { trace: o.trace } : {}) });
  }
}
