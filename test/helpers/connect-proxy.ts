/** An HTTP CONNECT proxy on loopback for tests: records each tunnel's target and Proxy-Authorization. */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface Proxy {
  port: number;
  url: string;
  /** Cut every tunnel, as a NAT timeout or a restarted proxy would. */
  dropAll(): void;
  connects: string[];
  auth: (string | undefined)[];
  close(): Promise<void>;
}

export async function startProxy(refuse = false): Promise<Proxy> {
  const connects: string[] = [];
  const auth: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_q, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    auth.push(req.headers['proxy-authorization']);
    sockets.add(client);
    if (refuse) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    dropAll: () => {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    connects,
    auth,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

