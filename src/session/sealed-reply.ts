/**
 * Opening a reply on a connection-bound session (NTLM, Kerberos): a multipart/encrypted body is
 * verified and decrypted with the context's MessageSecurity; on an encrypted session an unsealed
 * 200 reply is refused (downgrade) and an unsealed error page is reported as an HTTP error, never
 * parsed as SOAP. One implementation for every security context.
 */
import { decryptMessageDetailed, isEncryptedContentType, type MessageSecurity } from '../auth/message-encryption.js';
import { MessageEncryptionError } from '../errors.js';
import type { TraceEvent } from '../options.js';
import type { HttpResponse } from '../transport/http-transport.js';
import { emitTrace, headerString, parseContentType, redactHeaders, type SoapExchange, type SoapReply } from './session.js';

export function openReply(x: SoapExchange, res: HttpResponse, security: MessageSecurity, encrypt: boolean, trace: ((e: TraceEvent) => void) | undefined): SoapReply {
  const contentType = headerString(res.headers['content-type']);
  let body: Uint8Array = res.body;
  const sealed = isEncryptedContentType(contentType);
  // A sealed reply's media type and charset come from inside it (OriginalContent), not from the header.
  let { mediaType, charset } = sealed ? { mediaType: 'application/soap+xml', charset: undefined as string | undefined } : parseContentType(contentType);
  if (sealed) {
    const opened = decryptMessageDetailed(security, res.body, contentType!);
    body = opened.plaintext;
    charset = opened.charset.toLowerCase();
  } else if (encrypt && res.body.length > 0) {
    if (res.status === 200) {
      throw new MessageEncryptionError(`The server sent an unencrypted reply to ${x.label} although the session is encrypted; refusing it.`);
    }
    // An unsealed error page (e.g. from HTTP.sys) is reported as an HTTP error, never parsed as SOAP.
    mediaType = 'application/x-unencrypted';
  }
  emitTrace(trace, () => ({ direction: 'response', label: x.label, status: res.status, headers: redactHeaders(res.headers), body: Buffer.from(body).toString('utf8'), encrypted: sealed }));
  return { status: res.status, mediaType, charset, body };
}
