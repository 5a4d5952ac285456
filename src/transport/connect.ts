/**
 * Opens the one socket a transport talks over: TCP (directly or through a CONNECT tunnel), then TLS
 * for https. The server certificate is checked (tls-verify.ts) before the socket is handed back, so
 * no request byte, and no credential, is ever written to an unverified peer. Every path is bounded
 * by the connect timeout and cancellable through `signal` (the call's deadline or the caller's abort),
 * and every failure destroys what was opened.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { ConnectionError, HypervWsmanError, TimeoutError, TlsError } from '../errors.js';
import { connectThroughProxy, type ProxySpec } from './proxy-tunnel.js';
import { checkPeer } from './tls-verify.js';
import type { ClientCertificateTls } from './http-transport.js';

export interface ConnectTarget {
  readonly url: URL;
  /** PEM CA bundle(s) to trust instead of Node's default store. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** false only when the caller opted out by name ('ignore'). */
  readonly verify: boolean;
  /** Name to verify and send as SNI, when it differs from the URL host. */
  readonly servername?: string;
  /** Normalised SHA-256 fingerprint the leaf must have. */
  readonly fingerprint?: string;
  readonly proxy?: ProxySpec;
  readonly connectTimeoutMs: number;
  /** Presented when the server asks (first handshake or a TLS 1.2 renegotiation). */
  readonly clientCertificate?: ClientCertificateTls;
}

/** Error codes that mean "nobody answered / the path is broken", as opposed to TLS or protocol trouble. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ETIMEDOUT', 'EADDRNOTAVAIL']);

const bare = (h: string): string => h.replace(/^\[|\]$/g, '');

export interface OpenedSocket {
  readonly socket: Socket;
  /**
   * DER of the server certificate, read during the handshake (Node 20 may not hand it out twice), for
   * channel binding.
   */
  readonly peerCertificate: Buffer | undefined;
}

export function openSocket(t: ConnectTarget, signal: AbortSignal): Promise<OpenedSocket> {
  const host = bare(t.url.hostname);
  const https = t.url.protocol === 'https:';
  const port = Number(t.url.port || (https ? 443 : 80));
  const where = t.url.origin;
  return new Promise<OpenedSocket>((resolve, reject) => {
    let settled = false;
    let current: Socket | undefined;
    const finish = (err: Error | null, socket?: Socket, peerCertificate?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (err) {
        current?.destroy();
        reject(err);
      } else resolve({ socket: socket!, peerCertificate });
    };
    const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new ConnectionError(`Connecting to ${where} was cancelled.`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => finish(new TimeoutError(`Timed out connecting to ${where} after ${t.connectTimeoutMs / 1000} s (connectTimeoutSec / --connect-timeout). Check the host, the port and firewalls.`, { kind: 'connect' })),
      t.connectTimeoutMs,
    );
    const networkError = (err: NodeJS.ErrnoException): HypervWsmanError => {
      if (err instanceof HypervWsmanError) return err;
      const code = err.code ?? '';
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new ConnectionError(`Connection to ${where} failed (${code}): the host name does not resolve${code === 'EAI_AGAIN' ? ' (DNS did not answer)' : ''}. Check its spelling, DNS or /etc/hosts, or give its address.`, { cause: err });
      if (NETWORK_CODES.has(code)) return new ConnectionError(`Connection to ${where} failed (${code}). Check that WinRM listens there (winrm enumerate winrm/config/listener).`, { cause: err });
      if (https && (/^ERR_SSL|^ERR_TLS|EPROTO/.test(code) || /ssl|tls/i.test(err.message))) {
        return new TlsError(`TLS handshake with ${where} failed (${code || err.message}). Is the port serving HTTPS?${code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? ' It answered in plain text: for an http listener (WinRM\'s is 5985) use scheme http (--scheme http, or an http:// URL).' : ''}`, { cause: err, reason: 'handshake' });
      }
      return new ConnectionError(`Connection to ${where} failed: ${err.message}`, { cause: err });
    };
    const secure = (raw: Socket | undefined): void => {
      const servername = t.servername ?? (isIP(host) ? undefined : host);
      // rejectUnauthorized is off so that every verdict gets its own message (checkPeer); nothing is
      // written before checkPeer passes. No session cache: channel binding needs each connection's certificate.
      const s: TLSSocket = tlsConnect({
        ...(raw ? { socket: raw } : { host, port }),
        ...(servername !== undefined ? { servername } : {}),
        ...(t.ca !== undefined ? { ca: t.ca as string | Buffer | Array<string | Buffer> } : {}),
        ...(t.clientCertificate !== undefined
          ? {
              cert: t.clientCertificate.cert,
              key: t.clientCertificate.key,
              ...(t.clientCertificate.passphrase !== undefined ? { passphrase: t.clientCertificate.passphrase } : {}),
              maxVersion: t.clientCertificate.maxVersion,
            }
          : {}),
        rejectUnauthorized: false,
      } as ConnectionOptions);
      current = s;
      s.setNoDelay(true);
      const onError = (err: Error): void => finish(networkError(err));
      const onClose = (): void => finish(new TlsError(`${where} closed the connection during the TLS handshake. Is the port serving HTTPS?`, { reason: 'handshake' }));
      s.once('error', onError);
      s.once('close', onClose);
      s.once('secureConnect', () => {
        const cert = s.getPeerCertificate(true); // once: on Node 20 a second read can come back empty
        const bad = checkPeer(s, cert, { host: t.servername ?? host, verify: t.verify, where, ...(t.fingerprint !== undefined ? { fingerprint: t.fingerprint } : {}) });
        if (bad) return finish(bad);
        s.off('close', onClose);
        s.off('error', onError);
        finish(null, s, cert.raw);
      });
    };
    if (t.proxy) {
      connectThroughProxy(t.proxy, { host, port }, t.connectTimeoutMs, signal).then(
        (tunnel) => {
          current = tunnel;
          if (settled) return void tunnel.destroy();
          if (https) secure(tunnel);
          else finish(null, tunnel);
        },
        (err: Error) => finish(err),
      );
      return;
    }
    if (https) return secure(undefined);
    const s = netConnect({ host, port, noDelay: true });
    current = s;
    const onError = (err: Error): void => finish(networkError(err));
    const onClose = (): void => finish(new ConnectionError(`${where} closed the connection while connecting.`));
    s.once('error', onError);
    s.once('close', onClose);
    s.once('connect', () => {
      s.off('close', onClose);
      s.off('error', onError);
      finish(null, s);
    });
  });
}
