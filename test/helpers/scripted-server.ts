/**
 * A deliberately misbehaving WS-Man server for client error-path tests: each test scripts the raw
 * HTTP reply (status, headers, body) or socket behaviour. Real sockets, no mocks of our own code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Scripted {
  readonly port: number;
  readonly requests: string[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, body: string, res: ServerResponse, index: number) => void;

export function messageIdOf(body: string): string {
  return /<a:MessageID>([^<]+)<\/a:MessageID>/.exec(body)?.[1] ?? '';
}

export function soapReply(relatesTo: string, bodyXml: string, extraHeader = ''): string {
  return (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration">' +
    `<s:Header><a:Action>urn:reply</a:Action><a:MessageID>uuid:00000000-0000-0000-0000-000000000001</a:MessageID><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>${relatesTo ? `<a:RelatesTo>${relatesTo}</a:RelatesTo>` : ''}${extraHeader}</s:Header>` +
    `<s:Body>${bodyXml}</s:Body></s:Envelope>`
  );
}

export async function startScripted(handler: Handler): Promise<Scripted> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push(body);
      handler(req, body, res, requests.length - 1);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
