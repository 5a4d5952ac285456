/**
 * Sending one request to a KDC and reading its one reply (RFC 4120 7.2): TCP with a 4-byte
 * big-endian length prefix, or one UDP datagram. Per KDC, small requests try UDP first (MIT's
 * udp_preference_limit, 1465 bytes) and switch to TCP on KRB_ERR_RESPONSE_TOO_BIG or no answer;
 * a KDC that fails moves us to the next one in the list. Every attempt is bounded by the per-attempt
 * timeout and by the caller's whole-call deadline and AbortSignal: a silent KDC cannot hold a WinRM
 * call past its --call-timeout. UDP goes over a connected socket (as MIT's sendto_kdc.c does): the
 * kernel then only hands us the KDC's own datagrams, and an ICMP port unreachable comes back as
 * ECONNREFUSED at once instead of a silent wait for the timeout.
 */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { Socket, isIP } from 'node:net';
import { AbortedError, ConnectionError, KdcTimeoutError, KdcUnreachableError, TimeoutError } from '../../errors.js';
import { applicationTag, decodeDerPrefix, readInteger, sequenceFields } from './der.js';
import { KerberosError } from './errors.js';
import { KrbErrorCode } from './kdc-errors.js';
import { MessageType } from './messages.js';
import type { KdcAddress } from './types.js';

/** The bounds of one caller's call: the KDC exchange shares the WinRM call's deadline and signal. */
export interface KdcCallOptions {
  /** Absolute time (ms since the epoch) by which the whole call must be done; no attempt outlives it. */
  readonly deadline?: number;
  readonly signal?: AbortSignal;
}

export interface KdcTransportOptions extends KdcCallOptions {
  readonly kdcs: readonly KdcAddress[];
  /** Realm the KDCs serve, for error messages. */
  readonly realm?: string;
  /** Per attempt (one transport to one KDC), further cut by `deadline`. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Requests larger than this go over TCP first; 1 = always TCP. Default 1465 (MIT). */
  readonly udpPreferenceLimit?: number;
  /** Largest reply accepted over TCP. Default 1 MiB (a ticket with a big PAC stays far below). */
  readonly maxReplyBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_UDP_LIMIT = 1465;
const DEFAULT_MAX_REPLY = 1 << 20;
const UDP_MAX_DATAGRAM = 65_507;

/** Is this reply a KRB-ERROR carrying KRB_ERR_RESPONSE_TOO_BIG? (cheap peek, no full decode). */
function isResponseTooBig(reply: Buffer): boolean {
  try {
    const { node } = decodeDerPrefix(reply);
    if (node.tag !== applicationTag(MessageType.KRB_ERROR) || node.children.length !== 1) return false;
    const code = sequenceFields(node.children[0]!, 'KRB-ERROR').get(6);
    return code !== undefined && readInteger(code, 'error-code') === KrbErrorCode.KRB_ERR_RESPONSE_TOO_BIG;
  } catch {
    return false;
  }
}

export async function sendToKdc(request: Buffer, options: KdcTransportOptions): Promise<Buffer> {
  if (options.kdcs.length === 0) throw new KerberosError('No KDC address to send to; configure the realm\'s KDCs.');
  const limit = options.udpPreferenceLimit ?? DEFAULT_UDP_LIMIT;
  const realm = options.realm ?? 'the realm';
  const failures: string[] = [];
  const tried: string[] = [];
  const started = Date.now();
  for (const kdc of options.kdcs) {
    const order: ('tcp' | 'udp')[] = kdc.transport !== undefined ? [kdc.transport] : request.length <= limit ? ['udp', 'tcp'] : ['tcp'];
    for (const transport of order) {
      if (options.signal?.aborted) throw new AbortedError(undefined, { cause: options.signal.reason });
      const where = `${kdc.host}:${kdc.port}/${transport}`;
      if (options.deadline !== undefined && Date.now() >= options.deadline) throw deadlineError(realm, started, options.deadline, tried, failures);
      tried.push(where);
      try {
        const reply = transport === 'tcp' ? await sendTcp(kdc, request, options) : await sendUdp(kdc, request, options);
        if (transport === 'udp' && isResponseTooBig(reply)) {
          failures.push(`${where}: reply too big, retrying over TCP`);
          if (!order.includes('tcp')) order.push('tcp');
          continue;
        }
        return reply;
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        if (err instanceof DeadlineReached) throw deadlineError(realm, started, options.deadline!, tried, failures);
        failures.push(`${where}: ${describeFailure(err, transport)}`);
      }
    }
  }
  throw new KdcUnreachableError(
    realm,
    tried,
    `No KDC of ${realm} answered (${failures.join('; ')}). Check the KDC addresses (krb5.conf [realms] kdc, DNS SRV or --kdc) and that a KDC listens at ${triedList(tried)} and the firewall lets it through.`,
  );
}

/** What a failed attempt met, in words, by the socket error's code; other errors keep their message. */
const SOCKET_FAILURES: Readonly<Record<string, Readonly<Record<'tcp' | 'udp', string>>>> = {
  ECONNREFUSED: { tcp: 'connection refused, nothing listens there', udp: 'port unreachable (ICMP), nothing listens there' },
  ECONNRESET: { tcp: 'connection reset by the KDC', udp: 'port unreachable (ICMP)' },
  EHOSTUNREACH: { tcp: 'host unreachable', udp: 'host unreachable' },
  ENETUNREACH: { tcp: 'network unreachable', udp: 'network unreachable' },
  ENOTFOUND: { tcp: 'the name does not resolve', udp: 'the name does not resolve' },
  EAI_AGAIN: { tcp: 'the name could not be resolved now (DNS)', udp: 'the name could not be resolved now (DNS)' },
};

function describeFailure(err: unknown, transport: 'tcp' | 'udp'): string {
  const code = (err as NodeJS.ErrnoException).code;
  const words = code === undefined ? undefined : SOCKET_FAILURES[code]?.[transport];
  return words !== undefined ? `${words} (${code})` : (err as Error).message;
}

/** The attempts as a reader checks them: "h:p over UDP and TCP" per address, in order. */
function triedList(tried: readonly string[]): string {
  const byAddress = new Map<string, string[]>();
  for (const t of tried) {
    const slash = t.lastIndexOf('/');
    const address = t.slice(0, slash);
    const transport = t.slice(slash + 1).toUpperCase();
    const list = byAddress.get(address) ?? [];
    if (!list.includes(transport)) list.push(transport);
    byAddress.set(address, list);
  }
  return [...byAddress].map(([address, transports]) => `${address} (${transports.join(', ')})`).join(', ');
}

/** Internal: an attempt ran into the caller's deadline rather than its own timeout. */
class DeadlineReached extends Error {}

function deadlineError(realm: string, started: number, deadline: number, tried: readonly string[], failures: readonly string[]): KdcTimeoutError {
  const seconds = (Math.max(0, deadline - started) / 1000).toFixed(1);
  const before = failures.length > 0 ? `; before that: ${failures.join('; ')}` : '';
  return new KdcTimeoutError(
    realm,
    tried,
    `No KDC of ${realm} answered within the ${seconds} s left of the call's deadline, callTimeoutSec (--call-timeout); tried ${tried.join(', ') || 'none'}${before}. ` +
      `Check that the KDCs (krb5.conf [realms] kdc, DNS SRV or --kdc) are reachable${tried.length > 0 ? ` at ${triedList(tried)}` : ''}, or allow the call more time.`,
  );
}

function withTimeout<T>(options: KdcTransportOptions, what: string, run: (done: (err: Error | null, value?: T) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cleanup: () => void = () => undefined;
    let settled = false;
    const finish = (err: Error | null, value?: T): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      cleanup();
      if (err !== null) reject(err);
      else resolve(value as T);
    };
    const onAbort = (): void => finish(new AbortedError(undefined, { cause: options.signal?.reason }));
    const attemptMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const leftMs = options.deadline === undefined ? Infinity : options.deadline - Date.now();
    const timer =
      leftMs < attemptMs
        ? setTimeout(() => finish(new DeadlineReached()), Math.max(0, leftMs))
        : setTimeout(() => finish(new TimeoutError(`no reply from ${what} within ${attemptMs} ms`)), attemptMs);
    if (options.signal?.aborted) {
      finish(new AbortedError(undefined, { cause: options.signal.reason }));
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    cleanup = run(finish);
    if (settled) cleanup(); // run() failed synchronously: finish() ran before cleanup was known
  });
}

function sendTcp(kdc: KdcAddress, request: Buffer, options: KdcTransportOptions): Promise<Buffer> {
  const maxReply = options.maxReplyBytes ?? DEFAULT_MAX_REPLY;
  return withTimeout<Buffer>(options, `${kdc.host}:${kdc.port}`, (done) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    let received = 0;
    let expected = -1;
    socket.on('error', (err) => done(err));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (expected < 0 && received >= 4) {
        const head = Buffer.concat(chunks);
        const len = head.readUInt32BE(0);
        // The high bit is reserved for extensions a KDC only uses if we asked (RFC 4120 7.2.2).
        if (len & 0x80000000) return done(new KerberosError('KDC sent a TCP reply with the reserved high bit set.'));
        if (len > maxReply) return done(new KerberosError(`KDC reply of ${len} bytes exceeds the ${maxReply}-byte limit.`));
        expected = len;
      }
      if (expected >= 0 && received >= expected + 4) done(null, Buffer.concat(chunks).subarray(4, 4 + expected));
    });
    socket.on('end', () => done(new ConnectionError('connection closed before a complete reply')));
    socket.connect(kdc.port, kdc.host, () => {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(request.length, 0);
      socket.write(Buffer.concat([prefix, request]));
    });
    return () => socket.destroy();
  });
}

function sendUdp(kdc: KdcAddress, request: Buffer, options: KdcTransportOptions): Promise<Buffer> {
  return withTimeout<Buffer>(options, `${kdc.host}:${kdc.port}`, (done) => {
    if (request.length > UDP_MAX_DATAGRAM) {
      done(new KerberosError('request too large for UDP'));
      return () => undefined;
    }
    let socket: ReturnType<typeof createSocket> | undefined;
    let closed = false;
    // The name lookup is part of the attempt, so the deadline bounds it too.
    const resolved = isIP(kdc.host) !== 0 ? Promise.resolve(kdc.host) : lookup(kdc.host).then((a) => a.address);
    resolved.then(
      (address) => {
        if (closed) return;
        const s = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
        socket = s;
        // Connected: only the KDC's datagrams arrive, and its ICMP port unreachable is an 'error' (ECONNREFUSED).
        s.on('error', (err) => done(err));
        s.on('message', (msg) => done(null, msg));
        s.connect(kdc.port, address, () => {
          if (closed) return;
          s.send(request, (err) => {
            if (err) done(err);
          });
        });
      },
      (err: Error) => done(err),
    );
    return () => {
      closed = true;
      try {
        socket?.close();
      } catch {
        // already closed
      }
    };
  });
}
