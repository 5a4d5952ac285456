/**
 * The emulated Hyper-V host's HTTP(S) listener: POST /wsman only, Windows-like HTTP behaviour (401
 * with WWW-Authenticate, 500 for every SOAP fault, 413 for oversize requests [MS-WSMV] 3.1.4.1.20,
 * `Server: Microsoft-HTTPAPI/2.0`), per-connection NTLM state and message encryption, and the
 * request log tests read.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { constants as cryptoConstants, X509Certificate } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { InvalidOptionError, MessageEncryptionError, NtlmSignatureError } from '../errors.js';
import { SPNEGO_ENCRYPTED_PROTOCOL, decryptMessageDetailed, encryptMessage, encryptedContentType, isEncryptedContentType } from '../auth/message-encryption.js';
import { KerberosError, KerberosIntegrityError } from '../auth/kerberos/errors.js';
import { startEmulatorKerberos, type EmulatedHostKerberos, type EmulatorKerberosOptions } from './kerberos-setup.js';
import type { TLSSocket } from 'node:tls';
import { authenticateCertificate, issuerList, MUTUAL_PROFILE, type ClientCertificateConfig } from './certificate-auth.js';
import { authenticate, offeredSchemes, type AuthConfig, type AuthScheme, type CbtHardeningLevel, type ConnectionAuth } from './auth.js';
import { EnumerationStore, DEFAULT_ENUMERATION_TIMEOUT_MS } from './enumerations.js';
import { EMULATOR_DIALECTS, OMI_SILENT_CLOSE_MS, REPLY_FRAMING, hasIndentedPartHeader, type EmulatorDialect } from './dialect.js';
import { EmulatorFault } from './faults.js';
import { DEFAULT_JOBS, DEFAULT_VMS } from './fixtures.js';
import { JobModel, type JobFixture, type VmFixture } from './model.js';
import { hostServices, type ServiceInstance } from './services.js';
import { handleOperation, isIdentify, operationOf, type OperationName } from './operations.js';
import { SECURITY_PROFILES, parseSoapRequest, writeFault, writeIdentifyResponse, type SoapRequest } from './soap.js';

export const DEFAULT_USER = 'Administrator';
export const DEFAULT_PASSWORD = 'Hyper-V-Emulator!1';
export const DEFAULT_COMPUTER_NAME = 'HV-EMU01';
/** MaxEnvelopeSizekb 500 × 1024, Windows' default ([MS-WSMV] 3.1.4.1.7 note <8>). */
export const DEFAULT_MAX_ENVELOPE_SIZE = 512000;

export interface EmulatedHostOptions {
  /** 0 (default) = a free port. */
  readonly port?: number;
  /** Default '127.0.0.1'. */
  readonly hostname?: string;
  /** HTTPS when given. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** user -> password; default { Administrator: 'Hyper-V-Emulator!1' }. */
  readonly users?: Readonly<Record<string, string>>;
  /** Schemes offered in WWW-Authenticate; default like Windows: basic false, negotiate true (NTLM inside), ntlm false. */
  readonly auth?: { readonly basic?: boolean; readonly ntlm?: boolean; readonly negotiate?: boolean };
  /**
   * Client-certificate authentication (https only): WinRM's https/mutual profile with certificate
   * mappings (issuer thumbprint + UPN -> local user), asked for by TLS 1.2 renegotiation like HTTP.sys.
   */
  readonly clientCertificates?: ClientCertificateConfig;
  /** Highest TLS version the listener speaks; default TLSv1.3. 'TLSv1.2' is a Windows Server 2019 or older host. */
  readonly tlsMaxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** WinRM AllowUnencrypted; default false: plain-HTTP SOAP without message encryption is refused. */
  readonly allowUnencrypted?: boolean;
  /** WinRM CbtHardeningLevel for NTLM over HTTPS; default 'relaxed'. */
  readonly cbtHardeningLevel?: CbtHardeningLevel;
  /** Default DEFAULT_JOBS. */
  readonly jobs?: readonly JobFixture[];
  /**
   * root/virtualization/v2 answers every class with no instance (no jobs, no
   * Msvm_VirtualSystemManagementService), as it does for a user the Hyper-V provider shows nothing;
   * default false. Jobs and VMs added to `model` later do show.
   */
  readonly emptyHypervNamespace?: boolean;
  /** Virtual machines (Msvm_ComputerSystem); default DEFAULT_VMS. */
  readonly vms?: readonly VmFixture[];
  /** Default 'HV-EMU01'. */
  readonly computerName?: string;
  /** Server cap on envelopes, default 512000. */
  readonly maxEnvelopeSize?: number;
  /** Enumeration contexts expire after this long unused; default 60000 (EnumerationTimeoutms). */
  readonly enumerationTimeoutMs?: number;
  /** Keep a log of requests (EmulatedHost.requests). */
  readonly requestLog?: boolean;
  /** Accept Kerberos (`Kerberos` and inside `Negotiate`); `{ kdc: true }` also runs an in-memory KDC beside the host. */
  readonly kerberos?: EmulatorKerberosOptions;
  /** Behave as Windows WinRM (default) or as Microsoft's OMI server does on the wire (dialect.ts). */
  readonly dialect?: EmulatorDialect;
  /**
   * Answer the DMTF association filter (default true). false refuses its dialect with
   * wsen:FilterDialectRequestedUnavailable, as a WS-Man service without it does (WinRM before 2.0).
   */
  readonly associationFilter?: boolean;
}

export interface EmulatorRequestRecord {
  /** 0 when no HTTP reply was sent (the emulated OMI closes the connection instead). */
  readonly httpStatus: number;
  readonly operation: OperationName | 'Handshake' | 'Rejected';
  readonly action: string | undefined;
  readonly resourceUri: string | undefined;
  /** Selector name -> value, as sent. */
  readonly selectors: Readonly<Record<string, string>>;
  readonly method?: string;
  readonly user?: string;
  readonly authScheme?: AuthScheme;
  readonly encrypted: boolean;
  /** Subcode local name (or SOAP code) of a fault reply. */
  readonly fault?: string;
  /** Why authentication failed, for 401 replies. */
  readonly authFailure?: string;
}

export interface EmulatedHost {
  /** e.g. 'https://127.0.0.1:54321/wsman'. */
  readonly url: string;
  readonly port: number;
  readonly hostname: string;
  readonly scheme: 'http' | 'https';
  /** Add or change jobs while the host runs. */
  readonly model: JobModel;
  /** Requests seen so far (empty unless requestLog is on). */
  readonly requests: readonly EmulatorRequestRecord[];
  /** Realm, service principals and (with `kerberos.kdc`) the KDC's address and a krb5.conf for it. */
  readonly kerberos?: EmulatedHostKerberos;
  close(): Promise<void>;
}

const SERVER_HEADER = 'Microsoft-HTTPAPI/2.0';
const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';
/** Room for the multipart framing around an encrypted envelope. */
const ENCRYPTION_OVERHEAD = 1024;

interface HostState {
  readonly auth: AuthConfig;
  readonly model: JobModel;
  readonly services: readonly ServiceInstance[];
  readonly enumerations: EnumerationStore;
  readonly computerName: string;
  readonly maxEnvelopeSize: number;
  readonly log: EmulatorRequestRecord[] | undefined;
  readonly connections: WeakMap<Socket, ConnectionAuth>;
  readonly certificates: { readonly config: ClientCertificateConfig; readonly issuers: ReturnType<typeof issuerList> } | undefined;
  readonly dialect: EmulatorDialect;
  readonly associationFilter: boolean;
}

function validateOptions(o: EmulatedHostOptions): void {
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) throw new InvalidOptionError(`port must be 0-65535, got ${o.port}.`);
  if (o.maxEnvelopeSize !== undefined && (!Number.isInteger(o.maxEnvelopeSize) || o.maxEnvelopeSize < 8192)) {
    throw new InvalidOptionError(`maxEnvelopeSize must be an integer of at least 8192, got ${o.maxEnvelopeSize}.`);
  }
  const auth = o.auth ?? {};
  if (auth.basic === false && auth.negotiate === false && auth.ntlm === false) throw new InvalidOptionError('auth enables no scheme; enable basic, negotiate or ntlm.');
  if (o.emptyHypervNamespace === true && ((o.jobs?.length ?? 0) > 0 || (o.vms?.length ?? 0) > 0)) throw new InvalidOptionError('emptyHypervNamespace shows no instance: give no jobs or VMs with it.');
  if (o.clientCertificates && !o.tls) throw new InvalidOptionError('clientCertificates needs tls: certificate authentication exists only over https.');
  if (o.dialect !== undefined && !EMULATOR_DIALECTS.includes(o.dialect)) throw new InvalidOptionError(`dialect must be ${EMULATOR_DIALECTS.join(' or ')}, got ${String(o.dialect)}.`);
  if (o.cbtHardeningLevel !== undefined && !['none', 'relaxed', 'strict'].includes(o.cbtHardeningLevel)) {
    throw new InvalidOptionError(`cbtHardeningLevel must be none, relaxed or strict, got ${String(o.cbtHardeningLevel)}.`);
  }
}

function certificateDer(cert: string | Buffer): Uint8Array {
  return new Uint8Array(new X509Certificate(cert).raw);
}

/** Start the emulated host; resolves once it listens. */
export async function startEmulatedHost(options: EmulatedHostOptions = {}): Promise<EmulatedHost> {
  validateOptions(options);
  const hostname = options.hostname ?? '127.0.0.1';
  const computerName = options.computerName ?? DEFAULT_COMPUTER_NAME;
  const secure = options.tls !== undefined;
  const users = options.users ?? { [DEFAULT_USER]: DEFAULT_PASSWORD };
  const kerberos = options.kerberos ? await startEmulatorKerberos(options.kerberos, { users, hostname, computerName }) : undefined;
  const state: HostState = {
    auth: {
      users,
      basic: options.auth?.basic ?? false,
      negotiate: options.auth?.negotiate ?? true,
      ntlm: options.auth?.ntlm ?? false,
      allowUnencrypted: options.allowUnencrypted ?? false,
      secure,
      cbtHardeningLevel: options.cbtHardeningLevel ?? 'relaxed',
      computerName,
      certificateDer: options.tls ? certificateDer(options.tls.cert) : undefined,
      ...(kerberos ? { kerberos: kerberos.acceptor } : {}),
    },
    model: new JobModel(options.emptyHypervNamespace === true ? [] : (options.jobs ?? DEFAULT_JOBS), options.emptyHypervNamespace === true ? [] : (options.vms ?? DEFAULT_VMS)),
    services: options.emptyHypervNamespace === true ? [] : hostServices(computerName),
    enumerations: new EnumerationStore(options.enumerationTimeoutMs ?? DEFAULT_ENUMERATION_TIMEOUT_MS),
    computerName,
    maxEnvelopeSize: options.maxEnvelopeSize ?? DEFAULT_MAX_ENVELOPE_SIZE,
    log: options.requestLog ? [] : undefined,
    connections: new WeakMap(),
    certificates: options.clientCertificates ? { config: options.clientCertificates, issuers: issuerList(options.clientCertificates) } : undefined,
    dialect: options.dialect ?? 'wmi',
    associationFilter: options.associationFilter ?? true,
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handleHttp(req, res, state).catch((err: unknown) => {
      // A bug in the emulator: answer 500 rather than hanging the client.
      if (!res.headersSent) res.writeHead(500, { Server: SERVER_HEADER, 'Content-Length': '0' });
      res.end();
      process.emitWarning(`hyperv-wsman emulator: ${(err as Error).stack ?? String(err)}`);
    });
  };
  const certAuth = options.clientCertificates;
  const tlsOptions = {
    cert: options.tls?.cert,
    key: options.tls?.key,
    ...(options.tlsMaxVersion !== undefined ? { maxVersion: options.tlsMaxVersion } : {}),
    // Certificate mode: the issuers the host trusts; asked for in the first handshake only with clientcertnegotiation=enable.
    ...(certAuth
      ? {
          ca: state.certificates!.issuers.map((c) => c.toString()),
          requestCert: certAuth.negotiation === 'handshake',
          rejectUnauthorized: false,
          // A renegotiation must be a full handshake with a CertificateRequest, not a resumed session.
          secureOptions: cryptoConstants.SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION | cryptoConstants.SSL_OP_NO_TICKET,
        }
      : {}),
  };
  const server: Server = secure ? createHttpsServer(tlsOptions, listener) : createHttpServer(listener);
  // WinRM keeps authenticated connections open; NTLM depends on it.
  server.keepAliveTimeout = 120_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, hostname, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await kerberos?.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const scheme = secure ? 'https' : 'http';
  const urlHost = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    url: `${scheme}://${urlHost}:${port}/wsman`,
    port,
    hostname,
    scheme,
    model: state.model,
    get requests(): readonly EmulatorRequestRecord[] {
      return state.log ? [...state.log] : [];
    },
    ...(kerberos ? { kerberos: kerberos.info } : {}),
    close: async () => {
      await Promise.all([
        new Promise<void>((resolve, reject) => {
          server.close((err) => (err ? reject(err) : resolve()));
          server.closeAllConnections();
        }),
        kerberos?.close(),
      ]);
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** As OMI: the request stays unanswered until the client gives up or OMI's idle timer closes the connection. */
function holdSilently(req: IncomingMessage): void {
  const timer = setTimeout(() => req.socket.destroy(), OMI_SILENT_CLOSE_MS);
  timer.unref();
  req.socket.once('close', () => clearTimeout(timer));
}

class BodyTooLarge extends Error {}

/** Reads the body; past `cap` bytes the rest is drained (so the client can read the 413) and the promise rejects. */
function readBody(req: IncomingMessage, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= cap) chunks.push(chunk);
    });
    req.on('end', () => (size > cap ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function charsetOf(contentType: string | undefined): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1];
}

function isSoapContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/soap+xml';
}

/** The host name the client addressed (Host header), which Windows echoes in WSManFault/@Machine. */
function clientFacingHost(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  if (!host) return fallback;
  const m = /^\[([^\]]+)\]/.exec(host);
  return m ? m[1]! : host.replace(/:\d+$/, '');
}

function selectorRecord(req: SoapRequest | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of req?.selectors ?? []) out[s.name] = s.value;
  return out;
}

function send(res: ServerResponse, status: number, headers: Record<string, string | string[]>, body?: Uint8Array): void {
  res.writeHead(status, { Server: SERVER_HEADER, 'Content-Length': String(body?.length ?? 0), ...headers });
  res.end(body === undefined ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}

function record(state: HostState, r: EmulatorRequestRecord): void {
  state.log?.push(r);
}

async function handleHttp(req: IncomingMessage, res: ServerResponse, state: HostState): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!.toLowerCase();
  if (path !== '/wsman') return send(res, 404, {});
  if (req.method !== 'POST') return send(res, 405, { Allow: 'POST' });

  const contentType = req.headers['content-type'];
  const encrypted = isEncryptedContentType(contentType);
  let body: Buffer;
  try {
    body = await readBody(req, state.maxEnvelopeSize + (encrypted ? ENCRYPTION_OVERHEAD : 0));
  } catch (err) {
    if (err instanceof BodyTooLarge) return send(res, 413, { Connection: 'close' });
    throw err;
  }

  // [MS-WSMV] 3.1.4.1.23: Identify without authentication only with this header, and then without SecurityProfiles.
  if (state.dialect === 'wmi' && !encrypted && String(req.headers['wsmanidentify'] ?? '').toLowerCase() === 'unauthenticated' && body.length > 0) {
    const identify = tryParse(body, contentType, state);
    if (identify && isIdentify(identify)) {
      record(state, { httpStatus: 200, operation: 'Identify', action: undefined, resourceUri: undefined, selectors: {}, encrypted: false });
      return send(res, 200, { 'Content-Type': SOAP_CONTENT_TYPE }, Buffer.from(writeIdentifyResponse(undefined), 'utf8'));
    }
  }

  const conn = connectionAuth(req.socket, state);
  // OMI sends nothing back to a request without credentials on an unauthenticated connection (http.c
  // _ReadData): no challenge, no status; it closes the connection only when its idle timer expires.
  if (state.dialect === 'omi' && !conn.ntlm && (req.headers.authorization ?? '').trim() === '') {
    record(state, { httpStatus: 0, operation: 'Rejected', action: undefined, resourceUri: undefined, selectors: {}, encrypted, authFailure: 'no credentials (OMI: no reply)' });
    holdSilently(req);
    return;
  }
  if (state.certificates && String(req.headers.authorization ?? '').trim().toLowerCase() === MUTUAL_PROFILE) {
    const cert = await authenticateCertificate(req.socket as TLSSocket, state.certificates.config, state.certificates.issuers);
    if (cert.kind === 'reset') {
      record(state, { httpStatus: 0, operation: 'Rejected', action: undefined, resourceUri: undefined, selectors: {}, encrypted: false, authFailure: cert.reason });
      return;
    }
    if (cert.kind === 'reject') {
      record(state, { httpStatus: 401, operation: 'Rejected', action: undefined, resourceUri: undefined, selectors: {}, encrypted: false, authFailure: cert.reason });
      return send(res, 401, { 'WWW-Authenticate': offeredSchemes(state.auth) });
    }
    conn.certificate = { user: cert.user };
  }
  const decision = authenticate(req.headers.authorization, conn, state.auth);
  if (decision.kind !== 'authenticated') {
    const wwwAuthenticate = decision.kind === 'continue' ? [decision.wwwAuthenticate] : offeredSchemes(state.auth);
    record(state, {
      httpStatus: 401,
      operation: decision.kind === 'continue' ? 'Handshake' : 'Rejected',
      action: undefined,
      resourceUri: undefined,
      selectors: {},
      encrypted,
      ...(decision.kind === 'reject' ? { authFailure: decision.reason } : {}),
    });
    return send(res, 401, { 'WWW-Authenticate': wwwAuthenticate });
  }
  const who = { user: decision.user, authScheme: decision.scheme };
  // The AP-REP / NegTokenResp goes back on whatever this request is answered with (RFC 4559 5).
  const final: Record<string, string> = decision.wwwAuthenticate !== undefined ? { 'WWW-Authenticate': decision.wwwAuthenticate } : {};

  // pywinrm/WinRb send an empty body to complete the NTLM handshake before encrypting.
  if (body.length === 0) {
    record(state, { httpStatus: 200, operation: 'Handshake', action: undefined, resourceUri: undefined, selectors: {}, encrypted: false, ...who });
    return send(res, 200, final);
  }

  let soap: Uint8Array = body;
  let charset = charsetOf(contentType);
  if (encrypted) {
    if (!decision.session) return rejectBody(res, state, who, 400, 'encrypted body without an NTLM or Kerberos session on this connection');
    if (state.dialect === 'omi' && hasIndentedPartHeader(body)) {
      // OMI finds no part header it knows and fails the request by closing the connection.
      record(state, { httpStatus: 0, operation: 'Rejected', action: undefined, resourceUri: undefined, selectors: {}, encrypted, authFailure: 'indented MIME part headers (OMI: connection dropped)', ...who });
      req.socket.destroy();
      return;
    }
    try {
      const plain = decryptMessageDetailed(decision.session, body, contentType!);
      soap = plain.plaintext;
      charset = plain.charset;
    } catch (err) {
      if (err instanceof MessageEncryptionError || err instanceof NtlmSignatureError || err instanceof KerberosError || err instanceof KerberosIntegrityError) {
        return rejectBody(res, state, who, 400, err.message);
      }
      throw err;
    }
  } else {
    if (!isSoapContentType(contentType)) return rejectBody(res, state, who, 415, `unsupported Content-Type ${String(contentType)}`);
    // [MS-WSMV] 3.1.4.1.29.1: no unencrypted SOAP over HTTP unless AllowUnencrypted; Windows answers 500 (pywinrm #129).
    if (!state.auth.secure && !state.auth.allowUnencrypted) return rejectBody(res, state, who, 500, 'unencrypted SOAP over HTTP (AllowUnencrypted=false)');
  }

  const { status, xml, entry } = processSoap(soap, charset, req, state);
  record(state, { httpStatus: status, encrypted, ...who, ...entry });
  const reply = Buffer.from(xml, 'utf8');
  if (encrypted) {
    const protocol = decision.session!.protocol ?? SPNEGO_ENCRYPTED_PROTOCOL;
    return send(res, status, { ...final, 'Content-Type': encryptedContentType(protocol) }, encryptMessage(decision.session!, reply, 'UTF-8', REPLY_FRAMING[state.dialect]));
  }
  return send(res, status, { ...final, 'Content-Type': SOAP_CONTENT_TYPE }, reply);
}

function rejectBody(res: ServerResponse, state: HostState, who: { user: string; authScheme: AuthScheme }, status: number, reason: string): void {
  record(state, { httpStatus: status, operation: 'Rejected', action: undefined, resourceUri: undefined, selectors: {}, encrypted: false, authFailure: reason, ...who });
  send(res, status, {});
}

function connectionAuth(socket: Socket, state: HostState): ConnectionAuth {
  let c = state.connections.get(socket);
  if (!c) {
    c = {};
    state.connections.set(socket, c);
  }
  return c;
}

function tryParse(body: Uint8Array, contentType: string | undefined, state: HostState): SoapRequest | undefined {
  try {
    return parseSoapRequest(body, charsetOf(contentType), state.maxEnvelopeSize);
  } catch {
    return undefined;
  }
}

type LogEntry = Omit<EmulatorRequestRecord, 'httpStatus' | 'encrypted' | 'user' | 'authScheme'>;

function processSoap(soap: Uint8Array, charset: string | undefined, req: IncomingMessage, state: HostState): { status: number; xml: string; entry: LogEntry } {
  let parsed: SoapRequest | undefined;
  try {
    parsed = parseSoapRequest(soap, charset, state.maxEnvelopeSize);
    const result = handleOperation(parsed, {
      model: state.model,
      services: state.services,
      enumerations: state.enumerations,
      computerName: state.computerName,
      maxEnvelopeSize: state.maxEnvelopeSize,
      securityProfiles: securityProfiles(state.auth),
      now: () => new Date(),
      dialect: state.dialect,
      associationFilter: state.associationFilter,
    });
    return {
      status: 200,
      xml: result.xml,
      entry: { operation: result.operation, action: parsed.action, resourceUri: parsed.resourceUri, selectors: selectorRecord(parsed), ...(result.method ? { method: result.method } : {}) },
    };
  } catch (err) {
    if (!(err instanceof EmulatorFault)) throw err;
    const xml = writeFault(err, { relatesTo: parsed?.messageId, machine: clientFacingHost(req, state.computerName), computerName: state.computerName, dialect: state.dialect });
    return {
      status: 500,
      xml,
      entry: { operation: parsed ? operationOf(parsed) : 'Rejected', action: parsed?.action, resourceUri: parsed?.resourceUri, selectors: selectorRecord(parsed), fault: err.kind.subcode?.[1] ?? err.kind.code },
    };
  }
}

function securityProfiles(auth: AuthConfig): string[] {
  return [...(auth.basic ? SECURITY_PROFILES.basic : []), ...(auth.negotiate || auth.ntlm ? SECURITY_PROFILES.spnego : [])];
}
