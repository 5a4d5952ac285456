/**
 * A deliberately hostile WinRM listener on loopback: raw sockets (so HTTP framing can be broken at
 * will), optional TLS, a real NTLM server context and real message encryption (so the attacks behind
 * authentication reach the client's SOAP, enumeration and size handling). One mode per attack. It
 * records what the client sent, so tests can check that nothing was downgraded: no Basic, no SOAP in
 * clear on HTTP, no AUTHENTICATE after a CHALLENGE that cannot seal.
 */
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { NegotiateFlags, NtlmServerContext, decodeChallenge, encodeChallenge, type NtlmSession } from '../../src/auth/ntlm/index.js';
import { ENCRYPTED_CONTENT_TYPE, decryptMessage, encryptMessage, isEncryptedContentType } from '../../src/auth/message-encryption.js';

export const HOSTILE_USER = 'hostile-admin';
export const HOSTILE_PASSWORD = 'Hostile-S3cret-pw!';

export type HostileMode =
  // TLS
  | 'tls-plain-server'
  | 'tls-untrusted-cert'
  // HTTP framing
  | 'http-garbage'
  | 'http-short-body'
  | 'http-header-flood'
  // NTLM tokens
  | 'ntlm-garbage-challenge'
  | 'ntlm-huge-challenge'
  | 'ntlm-always-401'
  // sealing
  | 'seal-no-flags'
  | 'seal-plaintext-reply'
  | 'seal-bad-signature'
  // SOAP
  | 'soap-namespace-bomb'
  | 'soap-deep'
  | 'soap-entity-bomb'
  | 'soap-foreign-fault'
  // enumeration
  | 'enum-endless'
  // slowness
  | 'slow-silent'
  | 'slow-drip'
  // size
  | 'size-endless';

export interface SeenRequest {
  /** Authorization scheme as sent ('' when none). */
  readonly scheme: string;
  /** NTLM message type inside the Authorization token (1, 3), if any. */
  readonly ntlmType: number | undefined;
  readonly contentType: string;
  /** A SOAP envelope travelled unencrypted in this request's body. */
  readonly plaintextSoap: boolean;
}

export interface HostileServer {
  readonly port: number;
  readonly mode: HostileMode;
  readonly seen: SeenRequest[];
  /** Base64 tokens this server sent in WWW-Authenticate (must never show in the client's output). */
  readonly sentTokens: string[];
  /** Date.now() of each TCP connection accepted, in order: where a client's deadline starts. */
  readonly connections: number[];
  close(): Promise<void>;
}

export interface HostileOptions {
  /** Serve TLS with this certificate (the client is not told to trust it unless the test says so). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

interface Request {
  readonly head: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

interface ConnState {
  ntlm?: NtlmServerContext;
  session?: NtlmSession;
  pulls: number;
}

const HEAD_LIMIT = 64 * 1024;

/** Read HTTP/1.1 requests (Content-Length bodies) off a socket, one at a time. */
function onRequests(socket: net.Socket, handle: (req: Request) => void): void {
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > HEAD_LIMIT) socket.destroy();
        return;
      }
      const head = buf.subarray(0, end).toString('latin1');
      const headers = new Map<string, string>();
      for (const line of head.split('\r\n').slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const length = Number(headers.get('content-length') ?? '0');
      if (buf.length < end + 4 + length) return;
      const body = buf.subarray(end + 4, end + 4 + length);
      buf = buf.subarray(end + 4 + length);
      handle({ head, headers, body });
    }
  });
  socket.on('error', () => undefined);
}

function response(status: number, headers: Record<string, string | number>, body: Buffer | string = ''): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const lines = [`HTTP/1.1 ${status} ${status === 200 ? 'OK' : status === 401 ? 'Unauthorized' : 'Error'}`, 'Server: Microsoft-HTTPAPI/2.0'];
  for (const [k, v] of Object.entries({ ...headers, 'Content-Length': b.length })) lines.push(`${k}: ${v}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), b]);
}

function tokenOf(authorization: string | undefined): { scheme: string; token: Buffer | undefined } {
  if (!authorization) return { scheme: '', token: undefined };
  const [scheme = '', token] = authorization.trim().split(/\s+/, 2);
  return { scheme, token: token ? Buffer.from(token, 'base64') : undefined };
}

function ntlmTypeOf(token: Buffer | undefined): number | undefined {
  return token && token.length >= 12 && token.subarray(0, 8).toString('latin1') === 'NTLMSSP\0' ? token.readUInt32LE(8) : undefined;
}

export function messageIdOf(soap: string): string {
  return /<a:MessageID>([^<]+)<\/a:MessageID>/.exec(soap)?.[1] ?? '';
}

function actionOf(soap: string): string {
  return /<a:Action[^>]*>([^<]+)<\/a:Action>/.exec(soap)?.[1] ?? '';
}

const NS_DECLS =
  'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration"';

function envelope(relatesTo: string, body: string, action = 'urn:hostile'): string {
  return (
    `<s:Envelope ${NS_DECLS}><s:Header><a:Action>${action}</a:Action><a:MessageID>uuid:${crypto.randomUUID()}</a:MessageID>` +
    `<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:RelatesTo>${relatesTo}</a:RelatesTo></s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

const bombs = new Map<HostileMode, string>();

/** The big payloads, built once per process (the server shares the test's event loop). */
function bomb(mode: 'soap-namespace-bomb' | 'soap-deep'): string {
  let xml = bombs.get(mode);
  if (xml === undefined) {
    if (mode === 'soap-namespace-bomb') {
      // 300 levels, each re-declaring 100 prefixes: copied scopes would cost depth x declarations.
      const decls = Array.from({ length: 100 }, (_, i) => `xmlns:p${i}="urn:hostile:${i}"`).join(' ');
      xml = envelope('uuid:bomb', `${`<p1:x ${decls}>`.repeat(300)}${'</p1:x>'.repeat(300)}`);
    } else {
      xml = envelope('uuid:bomb', `${'<a:x>'.repeat(200_000)}${'</a:x>'.repeat(200_000)}`);
    }
    bombs.set(mode, xml);
  }
  return xml;
}

/** The hostile SOAP reply of each SOAP / enumeration mode, for a request (decrypted) from the client. */
function hostileSoap(mode: HostileMode, soap: string, state: ConnState): string {
  const id = messageIdOf(soap);
  switch (mode) {
    case 'soap-namespace-bomb':
    case 'soap-deep':
      // Built once: the parser refuses them before RelatesTo is read.
      return bomb(mode);
    case 'soap-entity-bomb':
      return `<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY a "${'A'.repeat(1000)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${envelope(id, '<x>&c;&c;&c;&c;</x>')}`;
    case 'soap-foreign-fault':
      return envelope(
        'uuid:00000000-0000-4000-8000-00000000f00d',
        '<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text xml:lang="en-US">The job completed successfully.</s:Text></s:Reason></s:Fault>',
        'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault',
      );
    case 'enum-endless': {
      const action = actionOf(soap);
      if (action.endsWith('/Enumerate')) return envelope(id, '<n:EnumerateResponse><n:EnumerationContext>uuid:endless</n:EnumerationContext></n:EnumerateResponse>', 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/EnumerateResponse');
      if (action.endsWith('/Release')) return envelope(id, '<n:ReleaseResponse/>', 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/ReleaseResponse');
      state.pulls++;
      return envelope(id, '<n:PullResponse><n:EnumerationContext>uuid:endless</n:EnumerationContext><n:Items/></n:PullResponse>', 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/PullResponse');
    }
    default:
      return envelope(id, '<x/>');
  }
}

export async function startHostile(mode: HostileMode, options: HostileOptions = {}): Promise<HostileServer> {
  const seen: SeenRequest[] = [];
  const sentTokens: string[] = [];
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const connections: number[] = [];
  const onSocket = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (mode === 'tls-plain-server') {
      // Whatever arrives (a TLS ClientHello), answer in plain HTTP.
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
      socket.on('error', () => undefined);
      return;
    }
    const state: ConnState = { pulls: 0 };
    onRequests(socket, (req) => {
      const { scheme, token } = tokenOf(req.headers.get('authorization'));
      const contentType = req.headers.get('content-type') ?? '';
      const encrypted = isEncryptedContentType(contentType);
      const ntlmType = ntlmTypeOf(token);
      seen.push({ scheme, ntlmType, contentType, plaintextSoap: !encrypted && /<(\w+:)?Envelope[\s>]/.test(req.body.toString('latin1')) });
      const write = (b: Buffer | string): void => void socket.write(b);
      const sendToken = (status: number, sch: string, tok: string, extra: Record<string, string> = {}): void => {
        sentTokens.push(tok);
        write(response(status, { 'WWW-Authenticate': `${sch} ${tok}`, ...extra }));
      };

      // Modes that attack before any authentication.
      switch (mode) {
        case 'http-garbage':
          socket.end(Buffer.concat([Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'), randomBytes(512)]));
          return;
        case 'http-short-body':
          socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml;charset=UTF-8\r\nContent-Length: 100000\r\n\r\n<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Bo');
          return;
        case 'http-header-flood':
          write('HTTP/1.1 401 Unauthorized\r\n' + `X-Flood: ${'a'.repeat(1000)}\r\n`.repeat(4000) + 'Content-Length: 0\r\n\r\n');
          return;
        case 'slow-silent':
          return; // read it, never answer
        case 'slow-drip': {
          // Headers, then one byte of body per 200 ms, forever: every single read is "on time".
          write('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nTransfer-Encoding: chunked\r\n\r\n');
          const t = setInterval(() => socket.write('1\r\n \r\n'), 200);
          timers.add(t);
          socket.on('close', () => clearInterval(t));
          return;
        }
        case 'ntlm-always-401':
          write(response(401, { 'WWW-Authenticate': 'Negotiate' }));
          return;
        default:
          break;
      }

      if (ntlmType === 1 && token) {
        if (mode === 'ntlm-garbage-challenge') {
          // A CHALLENGE whose header claims payloads far past its end.
          const bad = Buffer.concat([Buffer.from('NTLMSSP\0', 'latin1'), Buffer.from([2, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f]), randomBytes(40)]);
          sendToken(401, scheme, bad.toString('base64'));
          return;
        }
        if (mode === 'ntlm-huge-challenge') {
          sendToken(401, scheme, randomBytes(96 * 1024).toString('base64'));
          return;
        }
        state.ntlm = new NtlmServerContext({ lookupPassword: (u) => (u.toLowerCase() === HOSTILE_USER ? HOSTILE_PASSWORD : undefined), computerName: 'HV-HOSTILE', targetName: 'HOSTILE' });
        let challenge = Buffer.from(state.ntlm.createChallenge(new Uint8Array(token)));
        if (mode === 'seal-no-flags') {
          const c = decodeChallenge(challenge);
          challenge = Buffer.from(encodeChallenge({ ...c, flags: (c.flags & ~(NegotiateFlags.SEAL | NegotiateFlags.SIGN | NegotiateFlags.KEY_EXCH)) >>> 0 }));
        }
        sendToken(401, scheme, challenge.toString('base64'));
        return;
      }
      if (ntlmType === 3 && token && state.ntlm) {
        try {
          state.session = state.ntlm.acceptAuthenticate(new Uint8Array(token)).session;
        } catch {
          write(response(401, { 'WWW-Authenticate': 'Negotiate' }));
          return;
        }
      }
      if (!state.session) {
        write(response(401, { 'WWW-Authenticate': 'Negotiate' }));
        return;
      }
      if (req.body.length === 0) {
        write(response(200, {}));
        return;
      }
      const soap = Buffer.from(decryptMessage(state.session, new Uint8Array(req.body), contentType)).toString('utf8');

      // Modes that attack after authentication.
      if (mode === 'size-endless') {
        write(`HTTP/1.1 200 OK\r\nContent-Type: ${ENCRYPTED_CONTENT_TYPE}\r\nTransfer-Encoding: chunked\r\n\r\n`);
        const data = Buffer.alloc(256 * 1024, 0x41);
        const frame = Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);
        const pump = (): void => {
          while (!socket.destroyed && socket.write(frame));
          if (!socket.destroyed) socket.once('drain', pump);
        };
        pump();
        return;
      }
      const reply = Buffer.from(hostileSoap(mode, soap, state), 'utf8');
      if (mode === 'seal-plaintext-reply') {
        write(response(200, { 'Content-Type': 'application/soap+xml;charset=UTF-8' }, reply));
        return;
      }
      const sealed = Buffer.from(encryptMessage(state.session, new Uint8Array(reply)));
      if (mode === 'seal-bad-signature') {
        // The 16-byte signature follows the 4-byte length after the second part's headers.
        const at = sealed.indexOf('application/octet-stream\r\n') + 'application/octet-stream\r\n'.length + 4 + 8;
        sealed[at]! ^= 0x01;
      }
      write(response(200, { 'Content-Type': ENCRYPTED_CONTENT_TYPE }, sealed));
    });
  };

  const server = options.tls ? tls.createServer({ cert: options.tls.cert, key: options.tls.key }, onSocket) : net.createServer(onSocket);
  server.on('tlsClientError', () => undefined);
  // Every TCP connection, TLS or not (a TLS handshake that fails never reaches onSocket).
  server.on('connection', () => void connections.push(Date.now()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    mode,
    seen,
    sentTokens,
    connections,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
