/**
 * Sending one request to a KDC and reading its one reply (RFC 4120 7.2): TCP with a 4-byte
 * big-endian length prefix, or one UDP datagram. Per KDC, small requests try UDP first (MIT's
 * udp_preference_limit, 1465 bytes) and switch to TCP on KRB_ERR_RESPONSE_TOO_BIG or no answer;
 * a KDC that fails moves us to the next one in the list.
 */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { Socket, isIP } from 'node:net';
import { AbortedError, ConnectionError, TimeoutError } from '../../errors.js';
import { applicationTag, decodeDerPrefix, readInteger, sequenceFields } from './der.js';
import { KerberosError } from './errors.js';
import { KrbErrorCode } from './kdc-errors.js';
import { MessageType } from './messages.js';
import type { KdcAddress } from './types.js';

export interface KdcTransportOptions {
  readonly kdcs: readonly KdcAddress[];
  /** Per attempt (one transport to one KDC). Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Requests larger than this go over TCP first; 1 = always TCP. Default 1465 (MIT). */
  readonly udpPreferenceLimit?: number;
  /** Largest reply accepted over TCP. Default 1 MiB (a ticket with a big PAC stays far below). */
  readonly maxReplyBytes?: number;
  readonly signal?: AbortSignal;
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
  const failures: string[] = [];
  for (const kdc of options.kdcs) {
    const order: ('tcp' | 'udp')[] = kdc.transport !== undefined ? [kdc.transport] : request.length <= limit ? ['udp', 'tcp'] : ['tcp'];
    for (const transport of order) {
      if (options.signal?.aborted) throw new AbortedError();
      try {
        const reply = transport === 'tcp' ? await sendTcp(kdc, request, options) : await sendUdp(kdc, request, options);
        if (transport === 'udp' && isResponseTooBig(reply)) {
          failures.push(`${kdc.host}:${kdc.port}/udp: reply too big, retrying over TCP`);
          if (!order.includes('tcp')) order.push('tcp');
          continue;
        }
        return reply;
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        failures.push(`${kdc.host}:${kdc.port}/${transport}: ${(err as Error).message}`);
      }
    }
  }
  throw new ConnectionError(`No KDC answered (${failures.join('; ')}). Check the KDC addresses and that port 88 is reachable.`);
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
    const onAbort = (): void => finish(new AbortedError());
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => finish(new TimeoutError(`no reply from ${what} within ${timeoutMs} ms`)), timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    cleanup = run(finish);
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

async function sendUdp(kdc: KdcAddress, request: Buffer, options: KdcTransportOptions): Promise<Buffer> {
  const address = isIP(kdc.host) !== 0 ? kdc.host : (await lookup(kdc.host)).address;
  const family = isIP(address) === 6 ? 'udp6' : 'udp4';
  return withTimeout<Buffer>(options, `${kdc.host}:${kdc.port}`, (done) => {
    const socket = createSocket(family);
    socket.on('error', (err) => done(err));
    socket.on('message', (msg, rinfo) => {
      // Ignore datagrams that are not from the KDC we asked.
      if (rinfo.address !== address || rinfo.port !== kdc.port) return;
      done(null, msg);
    });
    if (request.length > UDP_MAX_DATAGRAM) {
      done(new KerberosError('request too large for UDP'));
      return () => socket.close();
    }
    socket.send(request, kdc.port, address, (err) => {
      if (err) done(err);
    });
    return () => {
      try {
        socket.close();
      } catch {
        // already closed
      }
    };
  });
}
