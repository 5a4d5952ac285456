/**
 * HTTP CONNECT tunnels for proxies. The tunnel is one TCP connection dedicated to one transport,
 * so an NTLM context (which authenticates the connection) survives the proxy; TLS to the host
 * runs inside the tunnel, end to end, and is verified as usual.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { ConnectionError, InvalidOptionError, TimeoutError } from '../errors.js';

/**
 * A URL as it may be shown: anything between `//` and the last `@` (user, password) becomes `***`.
 * Greedy on purpose: a password may hold raw `@` or `/`, and hiding too much is the safe side.
 */
export function maskUrlCredentials(url: string): string {
  return url.replace(/\/\/[^]*@/, '//***@');
}

export interface ProxySpec {
  readonly host: string;
  readonly port: number;
  /** Proxy-Authorization: Basic, from credentials in the proxy URL. */
  readonly authorization?: string;
  /** For messages: the proxy URL without credentials. */
  readonly display: string;
}

export function parseProxyUrl(url: string): ProxySpec {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidOptionError(`Invalid proxy URL "${maskUrlCredentials(url)}"; expected http://host:port.`);
  }
  if (u.protocol !== 'http:') throw new InvalidOptionError(`Only http:// proxies (HTTP CONNECT) are supported; got ${u.protocol}`);
  let authorization: string | undefined;
  try {
    authorization = u.username ? 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64') : undefined;
  } catch {
    throw new InvalidOptionError('The proxy URL has a malformed %-escape in its credentials.');
  }
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80), ...(authorization ? { authorization } : {}), display: `http://${u.host}` };
}

/** Proxy from HTTPS_PROXY / HTTP_PROXY (by target scheme) unless NO_PROXY matches the host. Only when the caller asks for it. */
export function proxyFromEnv(target: URL, env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const noProxy = env.NO_PROXY ?? env.no_proxy ?? '';
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase().replace(/:\d+$/, '');
    if (!entry) continue;
    if (entry === '*' || host === entry.replace(/^\./, '') || host.endsWith(entry.startsWith('.') ? entry : '.' + entry)) return undefined;
  }
  const v = target.protocol === 'https:' ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  return v && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * Open a CONNECT tunnel to host:port through the proxy. The caller layers TLS on top (and verifies
 * it) exactly as on a direct connection. The proxy sees only the CONNECT line and, when the proxy URL
 * carried them, its own credentials; never the host's. Aborting `signal` destroys the socket at once.
 */
export function connectThroughProxy(proxy: ProxySpec, target: { host: string; port: number }, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let done = false;
    const authority = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
    const socket = netConnect({ host: proxy.host, port: proxy.port, noDelay: true });
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('data', onData);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve(socket);
    };
    const onAbort = (): void => finish(signal?.reason instanceof Error ? signal.reason : new ConnectionError('Connecting through the proxy was cancelled.'));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(new TimeoutError(`Timed out opening a tunnel through proxy ${proxy.display}.`, { kind: 'connect' })), timeoutMs);
    const onError = (err: Error): void => finish(new ConnectionError(`Proxy ${proxy.display} unreachable: ${err.message}`, { cause: err }));
    // Closing before answering CONNECT is a refusal, not a reason to wait for the timeout.
    const onClose = (): void => finish(new ConnectionError(`Proxy ${proxy.display} closed the connection before answering CONNECT to ${authority}.`));
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once('connect', () => {
      socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${proxy.authorization ? `Proxy-Authorization: ${proxy.authorization}\r\n` : ''}\r\n`);
    });
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16384) finish(new ConnectionError(`Proxy ${proxy.display} sent an oversize CONNECT reply.`));
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'));
      // Any 2xx establishes the tunnel (RFC 9110 9.3.6); anything else, redirects included, is a refusal we do not follow.
      if (!status || !status[1]!.startsWith('2')) {
        finish(new ConnectionError(`Proxy ${proxy.display} refused CONNECT to ${authority} (${status ? `HTTP ${status[1]}` : 'no HTTP status'}).`));
        return;
      }
      const rest = head.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      socket.off('close', onClose);
      socket.off('error', onError);
      // From here the owner of the TLS socket on top (or of this one) handles failures; an error on
      // the tunnel underneath must never be an uncaught exception.
      socket.on('error', noop);
      finish(null);
    };
    socket.on('data', onData);
  });
}

const noop = (): void => undefined;
