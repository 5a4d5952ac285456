/**
 * Connection options, named as Ansible's winrm connection options are (server_cert_validation,
 * ca_trust_path, message_encryption, send_cbt, operation_timeout_sec, read_timeout_sec) so users
 * recognise them. Resolution and contradiction checks happen here, before any I/O.
 */
import { readFileSync, statSync } from 'node:fs';
import { loadClientCertificate, MAX_PEM_BYTES, type ClientCertificate } from './auth/certificate/client-certificate.js';
import { InvalidOptionError } from './errors.js';
import { parseProxyUrl, proxyFromEnv } from './transport/proxy-tunnel.js';
import { displayFingerprint, normaliseFingerprint } from './transport/tls-verify.js';
import { DEFAULT_MAX_ENVELOPE_SIZE, DEFAULT_OPERATION_TIMEOUT_SEC } from './wsman/envelope.js';
import { refuseWorldWritable } from './file-trust.js';

export type AuthTransport = 'basic' | 'ntlm' | 'kerberos' | 'negotiate' | 'certificate';
/** When the host asks for the client certificate: after the request (TLS 1.2 renegotiation, HTTP.sys's default) or in the first handshake (netsh clientcertnegotiation=enable). */
export type ClientCertNegotiation = 'renegotiation' | 'handshake';
export type MessageEncryption = 'auto' | 'always' | 'never';

/** One request/response as seen on the wire, with Authorization headers and NTLM tokens redacted. */
export interface TraceEvent {
  readonly direction: 'request' | 'response';
  readonly label: string;
  readonly status?: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The SOAP text (decrypted for encrypted replies, plaintext before encryption for requests). */
  readonly body: string;
  /** Whether the body travelled encrypted. */
  readonly encrypted: boolean;
}

export interface ConnectionOptions {
  /** Host name or address of the Hyper-V host. */
  readonly host: string;
  /** Default 5985 for http, 5986 for https. */
  readonly port?: number;
  /** Default https, or http when port is 5985 (as Ansible decides). */
  readonly scheme?: 'http' | 'https';
  /** Default /wsman. */
  readonly path?: string;
  /** Default ntlm. */
  readonly transport?: AuthTransport;
  /** Required except with transport 'certificate'. */
  readonly user?: string;
  /** Required except with transport 'certificate'. */
  readonly password?: string;
  /** auto = encrypt on http, not on https (pywinrm/Ansible semantics). Default auto. */
  readonly messageEncryption?: MessageEncryption;
  /** Default validate. 'ignore' turns off certificate checks; use only for lab hosts. */
  readonly serverCertValidation?: 'validate' | 'ignore';
  /** PEM file with the CA(s) to trust for the host's certificate. */
  readonly caTrustPath?: string;
  /** PEM CA content, as an alternative to caTrustPath. */
  readonly ca?: string | Buffer;
  /** NTLM channel binding over HTTPS. Default true. */
  readonly sendCbt?: boolean;
  /** Allow credentials or SOAP in clear text over plain HTTP (Basic on http). Default false. */
  readonly allowUnencrypted?: boolean;
  /** WS-Man OperationTimeout in seconds. Default 20. */
  readonly operationTimeoutSec?: number;
  /** HTTP read timeout; default operationTimeoutSec + 10 (the margin Ansible and WinRb use). Must exceed operationTimeoutSec. */
  readonly readTimeoutSec?: number;
  /** Default 30. */
  readonly connectTimeoutSec?: number;
  /**
   * Whole-call deadline in seconds: connecting, sending, and receiving the complete reply (every
   * NTLM leg of the call included), however the server trickles bytes. Default
   * connectTimeoutSec + readTimeoutSec + 30. Must exceed operationTimeoutSec.
   */
  readonly callTimeoutSec?: number;
  /**
   * MaxEnvelopeSize sent to the server (bytes; default 153600) and, with a small allowance for
   * WinRM's encryption framing, the cap on each reply, enforced while it streams. Raise it for bigger pages.
   */
  readonly maxEnvelopeSize?: number;
  /** Cap on one HTTP reply body; overrides the cap derived from maxEnvelopeSize. */
  readonly maxResponseBytes?: number;
  /**
   * SHA-256 fingerprint of the server certificate ("sha256:AB:CD:...", colons optional). Checked in
   * addition to the CA and name checks; with serverCertValidation 'ignore' it is the only check
   * (a self-signed listener certificate, pinned).
   */
  readonly certFingerprint?: string;
  readonly locale?: string;
  /** Receives one-line notes about choices made on the way (e.g. Kerberos delegation), for --verbose. */
  readonly notice?: (message: string) => void;
  /** Receives each exchange, redacted (for --verbose). */
  readonly trace?: (event: TraceEvent) => void;
  /** http://[user:pass@]host:port of an HTTP CONNECT proxy (one tunnel per connection, so NTLM works through it). */
  readonly proxy?: string;
  /** Take the proxy from HTTPS_PROXY/HTTP_PROXY/NO_PROXY. Off by default: environment proxies are used only when asked for. */
  readonly proxyFromEnv?: boolean;
  /**
   * Connections (each authenticated on its own) used for concurrent calls. Default 1: calls are
   * serialised on one connection, as NTLM requires per connection. Opened only as concurrency needs them.
   */
  readonly maxConnections?: number;
  /**
   * NTLM: send AUTHENTICATE with an empty body and the first message after it, as pywinrm and WinRb
   * do (OMI, the Linux WS-Man server, requires it). Default false: AUTHENTICATE carries the first
   * message, as in the [MS-WSMV] 4.5 example, saving a round trip.
   */
  readonly ntlmEmptyAuthenticateBody?: boolean;
  /** Kerberos SPN service class (transport kerberos/negotiate). Default HTTP; WinRM also registers WSMAN. */
  readonly kerberosService?: string;
  /** Host name for the SPN when `host` is an IP address or an alias (the name the computer is registered under). */
  readonly kerberosHostnameOverride?: string;
  /**
   * Delegate the user's Kerberos credentials (a forwarded TGT) to the host, for a second hop (an SMB
   * share, a live migration). Needs a forwardable TGT. Delegates even when the domain has not marked
   * the host trusted for delegation (ok-as-delegate); `notice` says so. Default false.
   */
  readonly kerberosDelegation?: boolean;
  /** KDCs as host[:port]; when given, krb5.conf and DNS are not consulted. */
  readonly kdc?: readonly string[];
  /** Client keytab file: used when no password is given (user = its principal unless `user` names one). */
  readonly keytab?: string;
  /** Credential cache name (FILE:path or path); default KRB5CCNAME, then krb5.conf, then FILE:/tmp/krb5cc_<uid>. */
  readonly ccache?: string;
  /** krb5.conf path; default KRB5_CONFIG, then /etc/krb5.conf. */
  readonly krb5Config?: string;
  /** transport 'certificate': PEM file of the client certificate, chain optional (Ansible's cert_pem). */
  readonly certPem?: string;
  /** transport 'certificate': PEM file of its private key (Ansible's cert_key_pem); may be encrypted. */
  readonly certKeyPem?: string;
  /** Passphrase of an encrypted certKeyPem. */
  readonly certKeyPassword?: string;
  /**
   * When the host asks for the client certificate. Default 'renegotiation': HTTP.sys asks after the
   * request, by TLS 1.2 renegotiation (on TLS 1.3 it would need post-handshake authentication, which
   * Node's client does not offer, and the host resets), so connections are kept at TLS 1.2.
   * 'handshake': the host asks in the first handshake (clientcertnegotiation=enable); TLS 1.3 allowed.
   */
  readonly clientCertNegotiation?: ClientCertNegotiation;
}

/** Kerberos settings after resolution (transport kerberos or negotiate). */
export interface ResolvedKerberos {
  readonly service: string;
  readonly delegation: boolean;
  readonly hostnameOverride: string | undefined;
  readonly kdc: readonly string[] | undefined;
  readonly keytab: string | undefined;
  readonly ccache: string | undefined;
  readonly krb5Config: string | undefined;
}

/** A checked client certificate and what TLS needs to present it. */
export interface ResolvedClientCertificate {
  readonly certificate: ClientCertificate;
  /** The key as given (possibly encrypted) and its passphrase, for the TLS handshake. */
  readonly keyPem: string;
  readonly passphrase: string | undefined;
  readonly maxVersion: 'TLSv1.2' | 'TLSv1.3';
}

export interface ResolvedOptions {
  readonly endpoint: string;
  readonly scheme: 'http' | 'https';
  readonly transport: AuthTransport;
  readonly user: string;
  readonly password: string;
  readonly encrypt: boolean;
  readonly serverCertValidation: 'validate' | 'ignore';
  readonly ca: string | Buffer | undefined;
  readonly sendCbt: boolean;
  readonly operationTimeoutSec: number;
  readonly readTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly callTimeoutMs: number;
  readonly maxEnvelopeSize: number;
  readonly maxResponseBytes: number;
  readonly certFingerprint: string | undefined;
  readonly locale: string;
  readonly trace: ((event: TraceEvent) => void) | undefined;
  readonly notice: ((message: string) => void) | undefined;
  readonly proxy: string | undefined;
  readonly maxConnections: number;
  readonly ntlmEmptyAuthenticateBody: boolean;
  /** The endpoint host (for the Kerberos SPN). */
  readonly host: string;
  readonly kerberos: ResolvedKerberos | undefined;
  readonly clientCertificate: ResolvedClientCertificate | undefined;
}

export const READ_TIMEOUT_MARGIN_SEC = 10;
export const DEFAULT_CONNECT_TIMEOUT_SEC = 30;
/** Added to connect + read timeouts for the default whole-call deadline. */
export const CALL_TIMEOUT_MARGIN_SEC = 30;
/**
 * Bytes a reply may carry beyond MaxEnvelopeSize: WinRM's encryption framing (MIME boundaries,
 * headers, the 16-byte signature and its length) around an envelope of at most MaxEnvelopeSize.
 */
export const REPLY_FRAMING_ALLOWANCE = 4096;

const oneOf = <T extends string>(name: string, v: string | undefined, allowed: readonly T[], dflt: T): T => {
  if (v === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(v)) throw new InvalidOptionError(`${name} must be one of ${allowed.join(', ')}; got "${v}".`);
  return v as T;
};

export function resolveOptions(o: ConnectionOptions): ResolvedOptions {
  if (!o || typeof o.host !== 'string' || o.host.trim() === '') throw new InvalidOptionError('host is required.');
  if (/[\s/]/.test(o.host)) throw new InvalidOptionError(`host "${o.host}" must be a host name or address, not a URL.`);
  if (/^[^:[\]]+:\d+$/.test(o.host) || /^\[.*\]:\d+$/.test(o.host)) throw new InvalidOptionError(`host "${o.host}" includes a port; pass the port as the port option.`);
  const usesKerberos = o.transport === 'kerberos' || o.transport === 'negotiate';
  const usesCertificate = o.transport === 'certificate';
  // A client certificate is the credential: no user name or password is sent. Kerberos can take
  // its identity from a credential cache or keytab: user and password may then be empty.
  if (!usesCertificate && (typeof o.user !== 'string' || (o.user === '' && !usesKerberos))) throw new InvalidOptionError('user is required.');
  if (!usesCertificate && typeof o.password !== 'string') throw new InvalidOptionError('password is required (give it through an option, never in a URL); with Kerberos, an empty password means the credential cache or keytab.');
  const port = o.port ?? (o.scheme === 'http' ? 5985 : 5986);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidOptionError(`port must be 1-65535; got ${o.port}.`);
  const scheme = oneOf('scheme', o.scheme, ['http', 'https'] as const, port === 5985 ? 'http' : 'https');
  const transport = oneOf('transport', o.transport, ['basic', 'ntlm', 'kerberos', 'negotiate', 'certificate'] as const, 'ntlm');
  const messageEncryption = oneOf('messageEncryption', o.messageEncryption, ['auto', 'always', 'never'] as const, 'auto');
  const serverCertValidation = oneOf('serverCertValidation', o.serverCertValidation, ['validate', 'ignore'] as const, 'validate');
  const path = o.path ?? '/wsman';
  if (!path.startsWith('/')) throw new InvalidOptionError(`path must start with "/"; got "${path}".`);

  // Contradictions are refused here, before any I/O (pypsrp's habit).
  const clientCertificate = resolveClientCertificate(o, transport, scheme, `${scheme}://${o.host}:${port}${path}`);
  if ((transport === 'basic' || transport === 'certificate') && messageEncryption === 'always') {
    throw new InvalidOptionError(`messageEncryption "always" needs NTLM: ${transport === 'basic' ? 'Basic auth' : 'certificate authentication'} has no session key to encrypt with${transport === 'certificate' ? ' (TLS protects the body)' : ''}. Use transport ntlm, or https.`);
  }
  const encrypt = (transport === 'ntlm' || transport === 'kerberos' || transport === 'negotiate') && (messageEncryption === 'always' || (messageEncryption === 'auto' && scheme === 'http'));
  if (scheme === 'http' && !encrypt && !o.allowUnencrypted) {
    throw new InvalidOptionError(
      transport === 'basic'
        ? 'Basic auth over plain HTTP would send the password and every message in clear text. Use https (port 5986), or NTLM with message encryption; set allowUnencrypted only for a lab host that has AllowUnencrypted=true.'
        : `${transport === 'ntlm' ? 'NTLM' : 'Kerberos'} over plain HTTP with messageEncryption "never" sends every message in clear text. Use messageEncryption auto, or set allowUnencrypted for a lab host.`,
    );
  }
  const operationTimeoutSec = o.operationTimeoutSec ?? DEFAULT_OPERATION_TIMEOUT_SEC;
  if (!(operationTimeoutSec > 0)) throw new InvalidOptionError(`operationTimeoutSec must be > 0; got ${operationTimeoutSec}.`);
  const readTimeoutSec = o.readTimeoutSec ?? operationTimeoutSec + READ_TIMEOUT_MARGIN_SEC;
  if (!(readTimeoutSec > operationTimeoutSec)) {
    throw new InvalidOptionError(`readTimeoutSec (${readTimeoutSec}) must be greater than operationTimeoutSec (${operationTimeoutSec}), or the HTTP layer gives up before WinRM answers.`);
  }
  const connectTimeoutSec = o.connectTimeoutSec ?? DEFAULT_CONNECT_TIMEOUT_SEC;
  if (!(connectTimeoutSec > 0)) throw new InvalidOptionError(`connectTimeoutSec must be > 0; got ${connectTimeoutSec}.`);
  const callTimeoutSec = o.callTimeoutSec ?? connectTimeoutSec + readTimeoutSec + CALL_TIMEOUT_MARGIN_SEC;
  if (!(callTimeoutSec > operationTimeoutSec)) {
    throw new InvalidOptionError(`callTimeoutSec (${callTimeoutSec}) must be greater than operationTimeoutSec (${operationTimeoutSec}), or every call is cut off before WinRM answers.`);
  }
  const maxEnvelopeSize = o.maxEnvelopeSize ?? DEFAULT_MAX_ENVELOPE_SIZE;
  if (!Number.isInteger(maxEnvelopeSize) || maxEnvelopeSize < 8192) throw new InvalidOptionError(`maxEnvelopeSize must be an integer >= 8192 (WinRM refuses less); got ${maxEnvelopeSize}.`);
  const maxResponseBytes = o.maxResponseBytes ?? maxEnvelopeSize + REPLY_FRAMING_ALLOWANCE;
  if (!Number.isInteger(maxResponseBytes) || maxResponseBytes < 1024) throw new InvalidOptionError(`maxResponseBytes must be an integer >= 1024; got ${o.maxResponseBytes}.`);
  let certFingerprint: string | undefined;
  if (o.certFingerprint !== undefined) {
    if (scheme !== 'https') throw new InvalidOptionError('certFingerprint (--cert-fingerprint) only applies to https.');
    certFingerprint = displayFingerprint(normaliseFingerprint(o.certFingerprint));
  }
  if (o.caTrustPath !== undefined && o.ca !== undefined) throw new InvalidOptionError('Give either caTrustPath or ca, not both.');
  let ca = o.ca;
  if (o.caTrustPath !== undefined) {
    if (scheme !== 'https') throw new InvalidOptionError('caTrustPath only applies to https.');
    refuseWorldWritable(o.caTrustPath, 'caTrustPath');
    try {
      ca = readFileSync(o.caTrustPath);
    } catch (err) {
      throw new InvalidOptionError(`Cannot read caTrustPath "${o.caTrustPath}": ${(err as Error).message}`);
    }
  }
  const host = o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host;
  const endpoint = `${scheme}://${host}:${port}${path}`;
  if (o.proxy !== undefined && o.proxyFromEnv) throw new InvalidOptionError('Give either proxy or proxyFromEnv, not both.');
  const proxy = o.proxy ?? (o.proxyFromEnv ? proxyFromEnv(new URL(endpoint)) : undefined);
  if (proxy !== undefined) parseProxyUrl(proxy); // validate now, before any I/O
  const maxConnections = o.maxConnections ?? 1;
  if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > 64) throw new InvalidOptionError(`maxConnections must be an integer from 1 to 64; got ${o.maxConnections}.`);
  const kerberosOnly = ['kerberosService', 'kerberosHostnameOverride', 'kerberosDelegation', 'kdc', 'keytab', 'ccache', 'krb5Config'] as const;
  const stray = kerberosOnly.filter((k) => o[k] !== undefined && o[k] !== false);
  if (!usesKerberos && stray.length > 0) throw new InvalidOptionError(`${stray.join(', ')} ${stray.length === 1 ? 'applies' : 'apply'} only to transport kerberos or negotiate; got transport ${transport}.`);
  if (usesKerberos && o.kdc !== undefined && !Array.isArray(o.kdc)) throw new InvalidOptionError('kdc must be a list of host[:port].');
  const kerberos: ResolvedKerberos | undefined = usesKerberos
    ? {
        service: o.kerberosService ?? 'HTTP',
        delegation: o.kerberosDelegation ?? false,
        hostnameOverride: o.kerberosHostnameOverride,
        kdc: o.kdc,
        keytab: o.keytab,
        ccache: o.ccache,
        krb5Config: o.krb5Config,
      }
    : undefined;
  return redactedWhenShown({
    host: o.host,
    kerberos,
    endpoint,
    proxy,
    maxConnections,
    ntlmEmptyAuthenticateBody: o.ntlmEmptyAuthenticateBody ?? false,
    clientCertificate,
    scheme,
    transport,
    user: o.user ?? '',
    password: o.password ?? '',
    encrypt,
    serverCertValidation,
    ca,
    sendCbt: o.sendCbt ?? true,
    operationTimeoutSec,
    readTimeoutMs: readTimeoutSec * 1000,
    connectTimeoutMs: connectTimeoutSec * 1000,
    callTimeoutMs: callTimeoutSec * 1000,
    maxEnvelopeSize,
    maxResponseBytes,
    certFingerprint,
    locale: o.locale ?? 'en-US',
    trace: o.trace,
    notice: o.notice,
  });
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const REDACTED = '<redacted>';

/**
 * `client.options` holds the password and the client key: console.log(client), util.inspect or
 * JSON.stringify (a logger serialising the client, a debugger) show them with secrets redacted. The
 * hooks are non-enumerable, so the options read and spread exactly as before.
 */
function redactedWhenShown(o: ResolvedOptions): ResolvedOptions {
  const shown = (): Record<string, unknown> => ({
    ...o,
    password: o.password === '' ? '' : REDACTED,
    ...(o.clientCertificate !== undefined ? { clientCertificate: { ...o.clientCertificate, keyPem: REDACTED, passphrase: o.clientCertificate.passphrase === undefined ? undefined : REDACTED } } : {}),
  });
  Object.defineProperty(o, 'toJSON', { value: shown, enumerable: false });
  Object.defineProperty(o, INSPECT, { value: (_depth: number, options: object, inspect: (v: unknown, opts: object) => string) => inspect(shown(), options), enumerable: false });
  return o;
}

const CERT_ONLY = ['certPem', 'certKeyPem', 'certKeyPassword', 'clientCertNegotiation'] as const;

function readPem(path: string, name: string): string {
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_PEM_BYTES) throw new Error(`${st.size} bytes, larger than any certificate or key`);
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidOptionError(`Cannot read ${name} "${path}": ${(err as Error).message}`);
  }
}

/** Certificate options are checked and the files read here, before any I/O: a bad file is a usage error, not a TLS failure. */
function resolveClientCertificate(o: ConnectionOptions, transport: AuthTransport, scheme: 'http' | 'https', endpoint: string): ResolvedClientCertificate | undefined {
  if (transport !== 'certificate') {
    const stray = CERT_ONLY.filter((k) => o[k] !== undefined);
    if (stray.length > 0) throw new InvalidOptionError(`${stray.join(', ')} ${stray.length === 1 ? 'applies' : 'apply'} only to transport certificate; got transport ${transport}.`);
    return undefined;
  }
  // MS-WSMV defines the https/mutual security profile only; there is no http variant.
  if (scheme !== 'https') throw new InvalidOptionError('transport certificate needs https: the client certificate is presented in the TLS handshake (use port 5986 or scheme https).');
  if (o.certPem === undefined) throw new InvalidOptionError('transport certificate needs certPem (the client certificate PEM file).');
  if (o.certKeyPem === undefined) throw new InvalidOptionError('transport certificate needs certKeyPem (its private key PEM file).');
  const negotiation = oneOf('clientCertNegotiation', o.clientCertNegotiation, ['renegotiation', 'handshake'] as const, 'renegotiation');
  const keyPem = readPem(o.certKeyPem, 'certKeyPem');
  const certificate = loadClientCertificate({ certPem: readPem(o.certPem, 'certPem'), keyPem, ...(o.certKeyPassword !== undefined ? { passphrase: o.certKeyPassword } : {}) }, endpoint);
  return { certificate, keyPem, passphrase: o.certKeyPassword, maxVersion: negotiation === 'renegotiation' ? 'TLSv1.2' : 'TLSv1.3' };
}
