/**
 * HTTP CONNECT tunnels for proxies. The tunnel is one TCP connection dedicated to one transport,
 * so an NTLM context (which authenticates the connection) survives the proxy; TLS to the host
 * runs inside the tunnel, end to end, and is verified as usual.
 */
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { ConnectionError, InvalidOptionError, TimeoutError } from '../errors.js';

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
    throw new InvalidOptionError(`Invalid proxy URL "${url.replace(/\/\/[^@/]*@/, '//***@')}"; expected http://host:port.`);
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

/** Open a CONNECT tunnel to host:port through the proxy; TLS on top when tls options are given. */
export function connectThroughProxy(
  proxy: ProxySpec,
  target: { host: string; port: number },
  tls: TlsConnectionOptions | undefined,
  timeoutMs: number,
  cb: (err: Error | null, socket: Socket | null) => void,
): void {
  let done = false;
  const finish = (err: Error | null, s: Socket | null): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    cb(err, s);
  };
  const authority = (): string => (target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`);
  const socket = netConnect({ host: proxy.host, port: proxy.port });
  const timer = setTimeout(() => {
    socket.destroy();
    finish(new TimeoutError(`Timed out opening a tunnel through proxy ${proxy.display}.`), null);
  }, timeoutMs);
  socket.once('error', (err) => finish(new ConnectionError(`Proxy ${proxy.display} unreachable: ${err.message}`, { cause: err }), null));
  // Closing before answering CONNECT is a refusal, not a reason to wait for the timeout.
  socket.once('close', () => finish(new ConnectionError(`Proxy ${proxy.display} closed the connection before answering CONNECT to ${authority()}.`), null));
  socket.once('connect', () => {
    socket.write(`CONNECT ${authority()} HTTP/1.1\r\nHost: ${authority()}\r\n${proxy.authorization ? `Proxy-Authorization: ${proxy.authorization}\r\n` : ''}\r\n`);
  });
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > 16384) {
        socket.destroy();
        finish(new ConnectionError(`Proxy ${proxy.display} sent an oversize CONNECT reply.`), null);
      }
      return;
    }
    socket.off('data', onData);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'));
    // Any 2xx establishes the tunnel (RFC 9110 9.3.6).
    if (!status || !status[1]!.startsWith('2')) {
      socket.destroy();
      finish(new ConnectionError(`Proxy ${proxy.display} refused CONNECT to ${authority()} (${status ? `HTTP ${status[1]}` : 'no HTTP status'}).`), null);
      return;
    }
    const rest = head.subarray(end + 4);
    if (rest.length) socket.unshift(rest);
    if (!tls) return finish(null, socket);
    // host drives certificate identity checks when no servername (IP addresses) is given.
    const secure = tlsConnect({ host: target.host, ...tls, socket });
    secure.once('secureConnect', () => finish(null, secure));
    secure.once('error', (err) => finish(err, null));
  };
  socket.on('data', onData);
}

/** An undici connector that tunnels through `proxy` (TLS to the target on top for https). */
export function proxyConnector(
  proxy: ProxySpec,
  url: URL,
  tls: { readonly rejectUnauthorized: boolean; readonly ca?: string | Buffer | Array<string | Buffer>; readonly servername?: string },
  timeoutMs: number,
): (opts: { hostname: string; port: string }, cb: (...args: [null, Socket] | [Error, null]) => void) => void {
  const bare = (h: string): string => h.replace(/^\[|\]$/g, '');
  return (opts, cb) => {
    const tlsOpts =
      url.protocol === 'https:' ? { ...tls, servername: tls.servername ?? (isIP(bare(url.hostname)) ? undefined : url.hostname) } : undefined;
    connectThroughProxy(proxy, { host: bare(opts.hostname), port: Number(opts.port || (url.protocol === 'https:' ? 443 : 80)) }, tlsOpts, timeoutMs, (err, socket) =>
      err ? cb(err, null) : cb(null, socket!),
    );
  };
}
