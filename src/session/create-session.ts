/** Builds the transport and the auth session that resolved options call for. */
import { InvalidOptionError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import { HttpTransport } from '../transport/http-transport.js';
import { BasicSession } from './basic-session.js';
import type { Session } from './session.js';

export function createSession(o: ResolvedOptions): Session {
  const transport = new HttpTransport({
    url: o.endpoint,
    tls: { serverCertValidation: o.serverCertValidation, ...(o.ca !== undefined ? { ca: o.ca } : {}) },
    connectTimeoutMs: o.connectTimeoutMs,
    ...(o.maxResponseBytes !== undefined ? { maxResponseBytes: o.maxResponseBytes } : {}),
  });
  switch (o.transport) {
    case 'basic':
      return new BasicSession(transport, o.user, o.password, o.trace);
    case 'ntlm':
      void transport.close();
      throw new InvalidOptionError('transport ntlm is not available yet in this build; use basic over https.');
  }
}
