/** Builds the transport and the auth session that resolved options call for. */
import type { ResolvedOptions } from '../options.js';
import { HttpTransport } from '../transport/http-transport.js';
import { BasicSession } from './basic-session.js';
import { NtlmHttpSession } from './ntlm-session.js';
import { SessionPool } from './session-pool.js';
import type { Session } from './session.js';

export function createSession(o: ResolvedOptions): Session {
  return o.maxConnections > 1 ? new SessionPool(o.maxConnections, () => createSingleSession(o)) : createSingleSession(o);
}

/** The HTTP(S) transport resolved options describe (endpoint, TLS, timeouts, proxy, size cap). */
export function createTransport(o: ResolvedOptions): HttpTransport {
  return new HttpTransport({
    url: o.endpoint,
    tls: { serverCertValidation: o.serverCertValidation, ...(o.ca !== undefined ? { ca: o.ca } : {}) },
    connectTimeoutMs: o.connectTimeoutMs,
    ...(o.proxy !== undefined ? { proxy: o.proxy } : {}),
    ...(o.maxResponseBytes !== undefined ? { maxResponseBytes: o.maxResponseBytes } : {}),
  });
}

function createSingleSession(o: ResolvedOptions): Session {
  const transport = createTransport(o);
  switch (o.transport) {
    case 'basic':
      return new BasicSession(transport, o.user, o.password, o.trace);
    case 'ntlm':
      return new NtlmHttpSession(transport, { user: o.user, password: o.password, encrypt: o.encrypt, sendCbt: o.sendCbt, emptyAuthenticateBody: o.ntlmEmptyAuthenticateBody, ...(o.trace ? { trace: o.trace } : {}) });
  }
}
