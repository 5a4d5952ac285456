/**
 * Identify without credentials ([MS-WSMV] 3.1.4.16: the `WSMANIDENTIFY: unauthenticated` header).
 * Useful to probe whether a host runs WinRM and which stack it is, before any password is involved.
 * No Authorization header is sent, so nothing secret crosses the wire even over plain HTTP.
 */
import { resolveOptions, type ConnectionOptions } from '../options.js';
import { createTransport } from '../session/create-session.js';
import { parseContentType, SOAP_CONTENT_TYPE } from '../session/session.js';
import { ConnectionError, HttpStatusError, TimeoutError } from '../errors.js';
import { buildIdentifyRequest } from './requests.js';
import { parseIdentifyResponse, parseReply, type IdentifyResult } from './responses.js';

export type UnauthenticatedIdentifyOptions = Omit<ConnectionOptions, 'user' | 'password' | 'transport' | 'messageEncryption' | 'sendCbt' | 'allowUnencrypted'>;

export async function identifyUnauthenticated(options: UnauthenticatedIdentifyOptions): Promise<IdentifyResult & { readonly endpoint: string }> {
  // Resolve endpoint, TLS and timeouts with the usual rules; no credential is ever used.
  const o = resolveOptions({ ...options, user: 'unauthenticated', password: '', transport: 'basic', allowUnencrypted: true });
  const transport = createTransport(o);
  try {
    const request = buildIdentifyRequest();
    const res = await transport
      .post({ headers: { 'content-type': SOAP_CONTENT_TYPE, wsmanidentify: 'unauthenticated' }, body: request.xml, timeoutMs: o.readTimeoutMs, deadline: Date.now() + o.callTimeoutMs })
      .catch((err: unknown) => {
        throw silenceExplained(err, o.readTimeoutMs);
      });
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

/**
 * Windows answers this Identify without credentials; Microsoft OMI answers no request without
 * credentials at all (no 401 either) and closes the connection only when its idle timer expires
 * (60 s, OMI 1.0.8-6). A read timeout or a connection closed without a reply therefore says so, and
 * what works instead, rather than suggesting a longer timeout.
 */
function silenceExplained(err: unknown, readTimeoutMs: number): unknown {
  const what =
    err instanceof TimeoutError && err.kind === 'read'
      ? `sent no answer within ${readTimeoutMs / 1000} s (readTimeoutSec / --read-timeout)`
      : err instanceof ConnectionError
        ? `closed the connection without an answer (${err.message})`
        : undefined;
  if (what === undefined) return err;
  const message =
    `The host ${what} to an Identify without credentials. Some WS-Man servers (Microsoft OMI) answer only requests that carry ` +
    'credentials, and no 401 either: call Identify with credentials instead (CLI: identify with --user, without --unauthenticated).';
  return err instanceof TimeoutError ? new TimeoutError(message, { cause: err, kind: err.kind }) : new ConnectionError(message, { cause: err });
}
