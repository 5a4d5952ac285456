/** Client behaviour against a server that misbehaves in each way a real one can. Real sockets. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  AuthenticationError,
  ConnectionError,
  HttpStatusError,
  MismatchedReplyError,
  ProtocolError,
  ResponseTooLargeError,
  TimeoutError,
  UnexpectedReplyError,
  XmlForbiddenError,
  XmlParseError,
} from '../src/errors.js';
import { MAX_EMPTY_PULL_PAGES, WsmanClient } from '../src/wsman/client.js';
import { elements, textOf } from '../src/xml/tree.js';
import { WsmanFaultError } from '../src/wsman/fault.js';
import { messageIdOf, soapReply, startScripted, type Handler, type Scripted } from './helpers/scripted-server.js';

const RESOURCE = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2/Msvm_ConcreteJob';
const INSTANCE = `<p:Msvm_ConcreteJob xmlns:p="${RESOURCE}"><p:InstanceID>X</p:InstanceID></p:Msvm_ConcreteJob>`;
const servers: Scripted[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

async function clientFor(handler: Handler, extra: Record<string, unknown> = {}): Promise<{ client: WsmanClient; server: Scripted }> {
  const server = await startScripted(handler);
  servers.push(server);
  const client = new WsmanClient({ host: '127.0.0.1', port: server.port, scheme: 'http', transport: 'basic', user: 'u', password: 'S3cret-pw', allowUnencrypted: true, ...extra });
  return { client, server };
}

const xml = (res: import('node:http').ServerResponse, status: number, body: string): void => {
  res.writeHead(status, { 'content-type': 'application/soap+xml;charset=UTF-8' });
  res.end(body);
};

test('a reply whose RelatesTo is not our MessageID is refused', async () => {
  const { client } = await clientFor((_q, _b, res) => xml(res, 200, soapReply('uuid:11111111-2222-3333-4444-555555555555', INSTANCE)));
  await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => e instanceof ProtocolError && /relates to/.test(e.message));
  await client.close();
});

test('a reply without RelatesTo is refused', async () => {
  const { client } = await clientFor((_q, _b, res) => xml(res, 200, soapReply('', INSTANCE)));
  await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), ProtocolError);
  await client.close();
});

const FAULT_BODY =
  '<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>w:InvalidSelectors</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">The selectors are not valid.</s:Text></s:Reason></s:Fault>';

test('a fault whose RelatesTo names another message is refused (MismatchedReplyError), not taken as the answer', async () => {
  const other = 'uuid:11111111-2222-3333-4444-555555555555';
  const { client } = await clientFor((_q, _b, res) => xml(res, 500, soapReply(other, FAULT_BODY)));
  await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => e instanceof MismatchedReplyError && e.received === other && /fault/.test(e.message) && !(e instanceof WsmanFaultError));
  await client.close();
});

test('a fault relating to our MessageID, or carrying no RelatesTo, is the WsmanFaultError it describes', async () => {
  for (const relate of [true, false]) {
    const { client } = await clientFor((_q, body, res) => xml(res, 500, soapReply(relate ? messageIdOf(body) : '', FAULT_BODY)));
    await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => e instanceof WsmanFaultError && /selectors are not valid/.test(e.message));
    await client.close();
  }
});

test('a reply with no SOAP Body is a ProtocolError', async () => {
  const { client } = await clientFor((_q, body, res) =>
    xml(res, 200, `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"><s:Header><a:RelatesTo>${messageIdOf(body)}</a:RelatesTo></s:Header></s:Envelope>`),
  );
  await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => e instanceof ProtocolError && /no SOAP Body/.test(e.message));
  await client.close();
});

test('HTTP 500 with an HTML page is an HttpStatusError carrying an excerpt', async () => {
  const { client } = await clientFor((_q, _b, res) => {
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end('<html><body><h1>Internal Server Error</h1></body></html>');
  });
  await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => e instanceof HttpStatusError && e.statusCode === 500 && /Internal Server Error/.test(e.bodyExcerpt));
  await client.close();
});

test('HTTP 500 with a SOAP fault is a WsmanFaultError with the HTTP status', async () => {
  const fault =
    '<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>w:InvalidSelectors</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">bad selectors</s:Text></s:Reason>' +
    '<s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858843" Machine="hv"><f:Message>The selectors are wrong.</f:Message></f:WSManFault></s:Detail></s:Fault>';
  const { client } = await clientFor((_q, body, res) => xml(res, 500, soapReply(messageIdOf(body), fault)));
  await assert.rejects(client.get(RESOURCE, { Bogus: 'X' }), (e: unknown) => e instanceof WsmanFaultError && e.httpStatus === 500 && e.subcodeName === 'wsman:InvalidSelectors' && e.wsmanCode === 2150858843);
  await client.close();
});

test('a truncated reply is an XmlParseError', async () => {
  const { client } = await clientFor((_q, body, res) => xml(res, 200, soapReply(messageIdOf(body), INSTANCE).slice(0, -40)));
  await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), XmlParseError);
  await client.close();
});

test('a reply with a DOCTYPE is refused', async () => {
  const { client } = await clientFor((_q, body, res) => xml(res, 200, '<!DOCTYPE x [<!ENTITY e "e">]>' + soapReply(messageIdOf(body), INSTANCE)));
  await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), XmlForbiddenError);
  await client.close();
});

test('an oversize reply is refused while streaming', async () => {
  const { client } = await clientFor((_q, _b, res) => {
    res.writeHead(200, { 'content-type': 'application/soap+xml' });
    res.end('<a>' + 'x'.repeat(200_000) + '</a>');
  }, { maxResponseBytes: 50_000 });
  await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), ResponseTooLargeError);
  await client.close();
});

test('401 says what was tried and offered, and never echoes the password', async () => {
  const { client } = await clientFor((_q, _b, res) => {
    res.writeHead(401, { 'www-authenticate': ['Negotiate', 'Kerberos'] });
    res.end();
  });
  await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => {
    assert.ok(e instanceof AuthenticationError);
    assert.deepEqual(e.details.offered, ['Negotiate', 'Kerberos']);
    assert.equal(e.details.attempted, 'basic');
    assert.match(e.message, /does not offer Basic/);
    assert.doesNotMatch(e.message + JSON.stringify(e.details), /S3cret-pw/);
    return true;
  });
  await client.close();
});

test('401 is not retried (account lockout)', async () => {
  const { client, server } = await clientFor((_q, _b, res) => {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="WSMAN"' });
    res.end();
  });
  await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), AuthenticationError);
  assert.equal(server.requests.length, 1);
  await client.close();
});

test('connection refused is a ConnectionError', async () => {
  const s = await startScripted(() => undefined);
  const port = s.port;
  await s.close();
  const client = new WsmanClient({ host: '127.0.0.1', port, scheme: 'http', transport: 'basic', user: 'u', password: 'p', allowUnencrypted: true });
  await assert.rejects(client.identify(), ConnectionError);
  await client.close();
});

test('a server that never answers hits the read timeout', async () => {
  const { client } = await clientFor(() => undefined, { operationTimeoutSec: 0.2, readTimeoutSec: 0.5 });
  await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), TimeoutError);
  await client.close();
});

test('a dropped keep-alive connection is retried once for an idempotent Get', async () => {
  const { client, server } = await clientFor((req, body, res, i) => {
    if (i === 1) {
      req.socket.destroy();
      return;
    }
    xml(res, 200, soapReply(messageIdOf(body), INSTANCE));
  });
  await client.get(RESOURCE, { InstanceID: 'X' });
  const el = await client.get(RESOURCE, { InstanceID: 'X' });
  assert.equal(el.local, 'Msvm_ConcreteJob');
  assert.equal(server.requests.length, 3);
  await client.close();
});

test('a non-idempotent Invoke is never re-sent after a dropped connection', async () => {
  const { client, server } = await clientFor((req) => req.socket.destroy());
  await assert.rejects(client.invoke(RESOURCE, 'RequestStateChange', { selectors: { InstanceID: 'X' }, params: { RequestedState: 4 } }), ConnectionError);
  assert.equal(server.requests.length, 1);
  await client.close();
});

test('enumeration pulls until EndOfSequence and streams items', async () => {
  const item = (n: number): string => `<p:Msvm_ConcreteJob xmlns:p="${RESOURCE}"><p:InstanceID>J${n}</p:InstanceID></p:Msvm_ConcreteJob>`;
  const { client, server } = await clientFor((_q, body, res, i) => {
    const id = messageIdOf(body);
    if (i === 0) return xml(res, 200, soapReply(id, `<n:EnumerateResponse><n:EnumerationContext>uuid:ctx</n:EnumerationContext><w:Items>${item(1)}${item(2)}</w:Items></n:EnumerateResponse>`));
    if (i === 1) return xml(res, 200, soapReply(id, `<n:PullResponse><n:EnumerationContext>uuid:ctx</n:EnumerationContext><n:Items>${item(3)}</n:Items></n:PullResponse>`));
    return xml(res, 200, soapReply(id, `<n:PullResponse><n:Items>${item(4)}</n:Items><n:EndOfSequence/></n:PullResponse>`));
  });
  const ids: string[] = [];
  for await (const el of client.enumerate(RESOURCE.replace(/Msvm_ConcreteJob$/, '*'), { wql: 'SELECT * FROM Msvm_ConcreteJob', maxElements: 2 })) ids.push(textOf(elements(el)[0]!));
  assert.deepEqual(ids, ['J1', 'J2', 'J3', 'J4']);
  assert.equal(server.requests.length, 3);
  assert.match(server.requests[1]!, /<n:Pull /);
  assert.match(server.requests[1]!, /<n:EnumerationContext>uuid:ctx<\/n:EnumerationContext>/);
  await client.close();
});

test(`Pull replies with no items and no EndOfSequence: ${MAX_EMPTY_PULL_PAGES} in a row are waited out, one more stops with a ProtocolError (and Release)`, async () => {
  const item = `<p:X xmlns:p="${RESOURCE}"><p:InstanceID>J</p:InstanceID></p:X>`;
  const empty = '<n:PullResponse><n:EnumerationContext>uuid:ctx3</n:EnumerationContext></n:PullResponse>';
  for (const [emptyRuns, ends] of [[MAX_EMPTY_PULL_PAGES, true], [MAX_EMPTY_PULL_PAGES + 1, false]] as const) {
    const { client, server } = await clientFor((_q, body, res, i) => {
      const id = messageIdOf(body);
      if (i === 0) return xml(res, 200, soapReply(id, '<n:EnumerateResponse><n:EnumerationContext>uuid:ctx3</n:EnumerationContext></n:EnumerateResponse>'));
      if (/enumeration\/Release/.test(body)) return xml(res, 200, soapReply(id, '<n:ReleaseResponse/>'));
      // An item halfway resets the count; then `emptyRuns` empty pages; then the end.
      if (i === 3) return xml(res, 200, soapReply(id, `<n:PullResponse><n:EnumerationContext>uuid:ctx3</n:EnumerationContext><n:Items>${item}</n:Items></n:PullResponse>`));
      if (i === 4 + emptyRuns) return xml(res, 200, soapReply(id, '<n:PullResponse><n:EndOfSequence/></n:PullResponse>'));
      return xml(res, 200, soapReply(id, empty));
    });
    const run = async (): Promise<number> => {
      let n = 0;
      for await (const _ of client.enumerate(RESOURCE, {})) n++;
      return n;
    };
    if (ends) assert.equal(await run(), 1);
    else {
      await assert.rejects(run(), (e: unknown) => e instanceof ProtocolError && /no items and no EndOfSequence/.test(e.message));
      assert.match(server.requests.at(-1)!, /enumeration\/Release/, 'the context is released');
    }
    await client.close();
  }
});

test('breaking out of an enumeration early sends Release', async () => {
  const item = `<p:X xmlns:p="${RESOURCE}"><p:InstanceID>J</p:InstanceID></p:X>`;
  const { client, server } = await clientFor((_q, body, res, i) => {
    const id = messageIdOf(body);
    if (i === 0 || i === 2) return xml(res, 200, soapReply(id, `<n:EnumerateResponse><n:EnumerationContext>uuid:ctx2</n:EnumerationContext><w:Items>${item}</w:Items></n:EnumerateResponse>`));
    return xml(res, 200, soapReply(id, '<n:ReleaseResponse/>'));
  });
  for await (const _ of client.enumerate(RESOURCE, {})) break;
  assert.equal(server.requests.length, 2);
  assert.match(server.requests[1]!, /enumeration\/Release/);
  // The same through enumerateInstances, which reads the pages itself.
  for await (const inst of client.enumerateInstances(RESOURCE, {})) {
    assert.equal(inst.properties.InstanceID, 'J');
    break;
  }
  assert.equal(server.requests.length, 4);
  assert.match(server.requests[3]!, /enumeration\/Release/);
  await client.close();
});

test('an enumerated item in the DMTF namespace of a WMI resource URI stops the enumeration after the items before it, with Release', async () => {
  const good = `<p:X xmlns:p="${RESOURCE}"><p:InstanceID>A</p:InstanceID></p:X>`;
  const dmtf = '<p:X xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/X"><p:InstanceID>B</p:InstanceID></p:X>';
  for (const instances of [false, true]) {
    const { client, server } = await clientFor((_q, body, res, i) => {
      const id = messageIdOf(body);
      if (i === 0) return xml(res, 200, soapReply(id, `<n:EnumerateResponse><n:EnumerationContext>uuid:ctx4</n:EnumerationContext><w:Items>${good}${good}${dmtf}</w:Items></n:EnumerateResponse>`));
      return xml(res, 200, soapReply(id, '<n:ReleaseResponse/>'));
    });
    let seen = 0;
    const run = async (): Promise<void> => {
      for await (const _ of instances ? client.enumerateInstances(RESOURCE, {}) : client.enumerate(RESOURCE, {})) seen++;
    };
    await assert.rejects(run(), (e: unknown) => e instanceof UnexpectedReplyError && /cim dialect/.test(e.message));
    assert.equal(seen, 2, 'the items before it were delivered');
    assert.match(server.requests.at(-1)!, /enumeration\/Release/, 'the context is released');
    await client.close();
  }
});

test('an error status with a valid envelope but no fault is not success', async () => {
  const { client } = await clientFor((_q, body, res) => xml(res, 500, soapReply(messageIdOf(body), INSTANCE)));
  await assert.rejects(client.get(RESOURCE, { InstanceID: 'X' }), (e: unknown) => e instanceof HttpStatusError && e.statusCode === 500);
  await client.close();
});
