/**
 * Every error this library throws is a HypervWsmanError with a stable `code`.
 * Callers branch on `code` (or `instanceof`), never on message text.
 * Messages say what happened and what to do; they never contain a password.
 */

export const ErrorCodes = {
  INVALID_OPTION: 'ERR_INVALID_OPTION',
  XML_MALFORMED: 'ERR_XML_MALFORMED',
  XML_FORBIDDEN: 'ERR_XML_FORBIDDEN',
  XML_TOO_LARGE: 'ERR_XML_TOO_LARGE',
  XML_LIMIT: 'ERR_XML_LIMIT',
  XML_ENCODE: 'ERR_XML_ENCODE',
  RESPONSE_TOO_LARGE: 'ERR_RESPONSE_TOO_LARGE',
  PROTOCOL: 'ERR_WSMAN_PROTOCOL',
  WSMAN_FAULT: 'ERR_WSMAN_FAULT',
  NOT_FOUND: 'ERR_NOT_FOUND',
  HTTP_STATUS: 'ERR_HTTP_STATUS',
  CONNECTION: 'ERR_CONNECTION',
  TLS: 'ERR_TLS',
  TIMEOUT: 'ERR_TIMEOUT',
  AUTH: 'ERR_AUTH',
  NTLM: 'ERR_NTLM',
  NTLM_SIGNATURE: 'ERR_NTLM_SIGNATURE',
  ENCRYPTION: 'ERR_MESSAGE_ENCRYPTION',
  /** Kerberos decoding, protocol or state failure on our side of the exchange. */
  KERBEROS: 'ERR_KERBEROS',
  /** The KDC answered with a KRB-ERROR (wrong password, unknown principal, clock skew, ...). */
  KERBEROS_KDC: 'ERR_KERBEROS_KDC',
  /** A Kerberos ciphertext or checksum failed verification (wrong key or tampering): never parsed. */
  KERBEROS_INTEGRITY: 'ERR_KERBEROS_INTEGRITY',
  CIM_DECODE: 'ERR_CIM_DECODE',
  /** Bytes that are not the DER (X.690) expected, or past a decoding limit (src/asn1/der.ts). */
  DER: 'ERR_DER',
  /** krb5.conf that cannot be read or parsed. */
  KRB5_CONFIG: 'ERR_KRB5_CONFIG',
  /** A Kerberos credential cache that cannot be used (unsupported type, malformed, missing). */
  KRB5_CCACHE: 'ERR_KRB5_CCACHE',
  /** A keytab that cannot be used (malformed, missing, no matching key). */
  KRB5_KEYTAB: 'ERR_KRB5_KEYTAB',
  /** No KDC could be found for a realm. */
  KDC_NOT_FOUND: 'ERR_KDC_NOT_FOUND',
  JOB_FAILED: 'ERR_JOB_FAILED',
  JOB_TIMEOUT: 'ERR_JOB_TIMEOUT',
  /** A method ran but returned a failure code (CLI `invoke`; the library returns the code instead). */
  METHOD_FAILED: 'ERR_METHOD_FAILED',
  ABORTED: 'ERR_ABORTED',
  /** A caller-supplied function threw something that is not one of ours (e.g. fleet work). */
  INTERNAL: 'ERR_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class HypervWsmanError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A caller-supplied option is invalid or contradicts another; raised before any I/O. */
export class InvalidOptionError extends HypervWsmanError {
  constructor(message: string) {
    super(ErrorCodes.INVALID_OPTION, message);
  }
}

/** Input that is not well-formed XML (including truncated replies). */
export class XmlParseError extends HypervWsmanError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.XML_MALFORMED, message, options);
  }
}

/** XML that uses a construct we refuse on principle (DTDs, entity declarations). */
export class XmlForbiddenError extends HypervWsmanError {
  constructor(message: string) {
    super(ErrorCodes.XML_FORBIDDEN, message);
  }
}

/** XML larger than the configured cap. */
export class XmlTooLargeError extends HypervWsmanError {
  readonly size: number;
  readonly limit: number;
  constructor(size: number, limit: number) {
    super(ErrorCodes.XML_TOO_LARGE, `XML document of ${size} bytes exceeds the limit of ${limit} bytes; raise maxResponseBytes if this is expected.`);
    this.size = size;
    this.limit = limit;
  }
}

/** XML past one of the reader's structural bounds (depth, attributes, namespace declarations, nodes, text length; src/xml/limits.ts). */
export class XmlLimitError extends HypervWsmanError {
  /** Which bound: 'depth', 'attributes', 'namespaceDeclarations', 'nodes' or 'textLength'. */
  readonly limit: string;
  readonly max: number;
  constructor(limit: string, max: number, message: string) {
    super(ErrorCodes.XML_LIMIT, message);
    this.limit = limit;
    this.max = max;
  }
}

/** A value cannot be written into XML 1.0 (e.g. a NUL character). */
export class XmlEncodeError extends HypervWsmanError {
  constructor(message: string) {
    super(ErrorCodes.XML_ENCODE, message);
  }
}

/** An HTTP response body exceeded maxResponseBytes. */
export class ResponseTooLargeError extends HypervWsmanError {
  readonly limit: number;
  constructor(limit: number) {
    super(
      ErrorCodes.RESPONSE_TOO_LARGE,
      `The server's reply exceeded ${limit} bytes and was cut off unread. The cap follows MaxEnvelopeSize; for bigger pages raise maxEnvelopeSize (--max-envelope-size), or ask for fewer items per Pull.`,
    );
    this.limit = limit;
  }
}

/** The peer broke the WS-Man / SOAP contract: wrong RelatesTo, no Body, unexpected shape. */
export class ProtocolError extends HypervWsmanError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.PROTOCOL, message, options);
  }
}

/** A SOAP reply (or fault) whose RelatesTo names another message than the one sent: refused, never taken as the answer. */
export class MismatchedReplyError extends ProtocolError {
  readonly expected: string;
  readonly received: string;
  constructor(message: string, expected: string, received: string) {
    super(message);
    this.expected = expected;
    this.received = received;
  }
}

/** A reply body that fits none of the shapes known for its operation; names what was found. */
export class UnexpectedReplyError extends ProtocolError {
  /** The element names that would have been accepted. */
  readonly expected: readonly string[];
  /** The top-level Body elements the server sent (qualified name and namespace URI). */
  readonly found: ReadonlyArray<{ readonly name: string; readonly namespace: string }>;
  constructor(message: string, details: { expected: readonly string[]; found: ReadonlyArray<{ readonly name: string; readonly namespace: string }> }) {
    super(message);
    this.expected = details.expected;
    this.found = details.found;
  }
}

/** An HTTP status that carried no SOAP envelope (e.g. 500 with an HTML page, 413, 404). */
export class HttpStatusError extends HypervWsmanError {
  readonly statusCode: number;
  readonly bodyExcerpt: string;
  constructor(statusCode: number, message: string, bodyExcerpt: string) {
    super(ErrorCodes.HTTP_STATUS, message);
    this.statusCode = statusCode;
    this.bodyExcerpt = bodyExcerpt;
  }
}

/** TCP-level failure: refused, reset, DNS. */
export class ConnectionError extends HypervWsmanError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.CONNECTION, message, options);
  }
}

/** What exactly failed in TLS; every reason shares the one code ERR_TLS (and the CLI's one exit code). */
export type TlsFailureReason =
  | 'unknown-ca'
  | 'self-signed'
  | 'name-mismatch'
  | 'expired'
  | 'not-yet-valid'
  | 'leaf-as-ca'
  | 'untrusted'
  | 'fingerprint-mismatch'
  | 'handshake';

/** TLS handshake or certificate verification failure. */
export class TlsError extends HypervWsmanError {
  readonly reason: TlsFailureReason;
  /** SHA-256 fingerprint of the certificate the server presented (sha256:AB:...), when one was seen. */
  readonly fingerprint: string | undefined;
  constructor(message: string, options?: { cause?: unknown; reason?: TlsFailureReason; fingerprint?: string }) {
    super(ErrorCodes.TLS, message, options);
    this.reason = options?.reason ?? 'handshake';
    this.fingerprint = options?.fingerprint;
  }
}

/** Which bound expired: connecting, silence while waiting for bytes, or the whole call. */
export type TimeoutKind = 'connect' | 'read' | 'call';

/** Connect, read (idle) or whole-call timeout on the HTTP layer. The connection is destroyed. */
export class TimeoutError extends HypervWsmanError {
  readonly kind: TimeoutKind | undefined;
  constructor(message: string, options?: { cause?: unknown; kind?: TimeoutKind }) {
    super(ErrorCodes.TIMEOUT, message, options);
    this.kind = options?.kind;
  }
}

/** The caller's AbortSignal fired. */
export class AbortedError extends HypervWsmanError {
  constructor(message = 'The operation was aborted by the caller.', options?: { cause?: unknown }) {
    super(ErrorCodes.ABORTED, message, options);
  }
}

export interface AuthFailureDetails {
  /** Scheme we tried (basic, ntlm). */
  readonly attempted: string;
  /** Schemes the server offered in WWW-Authenticate. */
  readonly offered: readonly string[];
  /** The user as sent (never the password). */
  readonly user: string;
  /** Whether a channel binding token was sent (NTLM over HTTPS). */
  readonly channelBindingSent?: boolean;
  readonly endpoint: string;
}

/** The server refused our credentials (HTTP 401). Never retried: account lockout. */
export class AuthenticationError extends HypervWsmanError {
  readonly details: AuthFailureDetails;
  constructor(message: string, details: AuthFailureDetails) {
    super(ErrorCodes.AUTH, message);
    this.details = details;
  }
}

/** NTLM message decoding, negotiation or policy failure. */
export class NtlmError extends HypervWsmanError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.NTLM, message, options);
  }
}

/** A sealed/signed NTLM message failed verification: never parsed. */
export class NtlmSignatureError extends HypervWsmanError {
  constructor(message: string) {
    super(ErrorCodes.NTLM_SIGNATURE, message);
  }
}

/** WinRM message-encryption framing problem. */
export class MessageEncryptionError extends HypervWsmanError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.ENCRYPTION, message, options);
  }
}

/** krb5.conf could not be read or parsed; `file` and `line` (1-based, 0 = whole file) say where. */
export class Krb5ConfigError extends HypervWsmanError {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.KRB5_CONFIG, `${line > 0 ? `${file}:${line}` : file}: ${message}`, options);
    this.file = file;
    this.line = line;
  }
}

/** A credential cache (KRB5CCNAME) that cannot be used; `cache` names it (never a ticket or key). */
export class CredentialCacheError extends HypervWsmanError {
  readonly cache: string;
  constructor(cache: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.KRB5_CCACHE, message, options);
    this.cache = cache;
  }
}

/** A keytab (KRB5_KTNAME / KRB5_CLIENT_KTNAME) that cannot be used; `keytab` names it (never a key). */
export class KeytabError extends HypervWsmanError {
  readonly keytab: string;
  constructor(keytab: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.KRB5_KEYTAB, message, options);
    this.keytab = keytab;
  }
}

/** Neither krb5.conf, DNS SRV records nor an explicit override named a KDC for `realm`. */
export class KdcNotFoundError extends HypervWsmanError {
  readonly realm: string;
  constructor(realm: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.KDC_NOT_FOUND, message, options);
    this.realm = realm;
  }
}

/** Every KDC of `realm` was tried and none answered (refused, unreachable, silent past its per-attempt timeout). */
export class KdcUnreachableError extends ConnectionError {
  readonly realm: string;
  /** The attempts made, as host:port/transport, in order. */
  readonly tried: readonly string[];
  constructor(realm: string, tried: readonly string[], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.realm = realm;
    this.tried = tried;
  }
}

/** The call's whole deadline ran out while waiting for the KDCs of `realm` (kind 'call'). */
export class KdcTimeoutError extends TimeoutError {
  readonly realm: string;
  /** The attempts made, as host:port/transport, in order. */
  readonly tried: readonly string[];
  constructor(realm: string, tried: readonly string[], message: string) {
    super(message, { kind: 'call' });
    this.realm = realm;
    this.tried = tried;
  }
}

/** CIM-XML or WS-CIM content that cannot be decoded into typed values. */
export class CimDecodeError extends HypervWsmanError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.CIM_DECODE, message, options);
  }
}
