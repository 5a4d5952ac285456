/** A bare keep-alive HTTP/1.1 server in its own process for the transport benchmark: every POST gets the same ~2 KB SOAP-sized reply. Prints the port. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const reply = Buffer.from('<s:Envelope>' + 'x'.repeat(2000) + '</s:Envelope>');
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/soap+xml;charset=UTF-8', 'content-length': reply.length }).end(reply));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n'));
process.on('SIGTERM', () => process.exit(0));
