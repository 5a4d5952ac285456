/**
 * Identify without credentials ([MS-WSMV] 3.1.4.16: the `WSMANIDENTIFY: unauthenticated` header).
 * Useful to probe whether a host runs WinRM and which stack it is, before any password is involved.
 * No Authorization header is sent, so nothing secret crosses the wire even over plain HTTP.
 */
import { resolveOptions, type ConnectionOptions } from '../options.js';
import { createTransport } from '../session/create-session.js';
import { parseContentType, SOAP_CONTENT_TYPE } from '../session/session.js';
import { HttpStatusError } from '../errors.js';
import { buildIdentifyRequest } from './requests.js';
import { parseIdentifyResponse, parseReply, type IdentifyResult } from './responses.js';

export type UnauthenticatedIdentifyOptions = Omit<ConnectionOptions, 'user' | 'password' | 'transport' | 'messageEncryption' | 'sendCbt' | 'allowUnencrypted'>;

export async function identifyUnauthenticated(options: UnauthenticatedIdentifyOptions): Promise<IdentifyResult & { readonly endpoint: string }> {
  // Resolve endpoint, TLS and timeouts with the usual rules; no credential is ever used.
  const o = resolveOptions({ ...options, user: 'unauthenticated', password: '', transport: 'basic', allowUnencrypted: true });
  const transport = createTransport(o);
  try {
    const request = buildIdentifyRequest();
    const res = await transport.post({ headers: { 'content-type': SOAP_CONTENT_TYPE, wsmanidentify: 'unauthenticated' }, body: request.xml, timeoutMs: o.readTimeoutMs, deadline: Date.now() + o.callTimeoutMs });
    if (res.status !== 200) {
      throw new HttpStatusError(res.status, `Unauthenticated Identify was refused with HTTP ${res.status}; the host may require authentication for Identify.`, res.body.subarray(0, 300).toString('utf8'));
    }
    const { charset } = parseContentType(res.headers['content-type'] as string | undefined);
    return { endpoint: o.endpoint, ...parseIdentifyResponse(parseReply(res.body, request, { httpStatus: res.status, ...(charset ? { charset } : {}), maxBytes: o.maxResponseBytes }).body) };
  } finally {
    // Destroys the socket; never waits on the network, so a failure path cannot hang here.
    void transport.close();
  }
}
