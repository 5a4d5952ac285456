/**
 * The emulated host accepts Kerberos: our KDC client gets tickets from the host's in-memory KDC,
 * our initiator authenticates a keep-alive connection with `Kerberos` or `Negotiate` (SPNEGO),
 * verifies the AP-REP from WWW-Authenticate, then exchanges sealed bodies both ways (HTTP) or
 * plain SOAP with channel binding checked per CbtHardeningLevel (HTTPS). Real sockets, real TLS.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { KdcClient } from '../src/auth/kerberos/kdc-client.js';
import { KerberosInitiator } from '../src/auth/kerberos/gss-context.js';
import { SpnegoInitiator } from '../src/auth/kerberos/spnego-context.js';
import { parseUserPrincipal, servicePrincipal } from '../src/auth/kerberos/principal-name.js';
import { KERBEROS_ENCRYPTED_PROTOCOL, SPNEGO_ENCRYPTED_PROTOCOL, decryptMessage, encryptMessage, encryptedContentType } from '../src/auth/message-encryption.js';
import { kerberosMessageSecurity, type KerberosHttpScheme } from '../src/auth/kerberos-security-context.js';
import { channelBindingApplicationData } from '../src/auth/ntlm/channel-binding.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, generateTestCertificates, startEmulatedHost, type EmulatedHost, type TestCertificates } from '../src/emulator/index.js';
import { buildIdentifyRequest } from '../src/wsman/requests.js';
import type { KerberosCredential } from '../src/auth/kerberos/types.js';

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

function post(url: string, body: Uint8Array, headers: Record<string, string>, agent: http.Agent): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = (u.protocol === 'https:' ? https : http).request(
      { hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'Content-Length': String(body.length), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(Buffer.from(body));
  });
}

const IDENTIFY = Buffer.from(buildIdentifyRequest().xml);
const SOAP = 'application/soap+xml;charset=UTF-8';

async function serviceTicket(host: EmulatedHost, spnHost = 'localhost'): Promise<KerberosCredential> {
  const k = host.kerberos!;
  const client = new KdcClient({ kdcs: [k.kdc!] });
  const tgt = await client.getInitialTicket(parseUserPrincipal(DEFAULT_USER, { defaultRealm: k.realm }), { password: DEFAULT_PASSWORD });
  return client.getServiceTicket(tgt, servicePrincipal({ host: spnHost, realm: k.realm }));
}

function tokenOf(reply: Reply, scheme: KerberosHttpScheme): Buffer {
  const m = new RegExp(`^${scheme} ([A-Za-z0-9+/=]+)$`).exec(String(reply.headers['www-authenticate'] ?? ''));
  assert.ok(m, `WWW-Authenticate carries the ${scheme} reply token: ${String(reply.headers['www-authenticate'])}`);
  return Buffer.from(m[1]!, 'base64');
}

/** Start a context: the initial token for `scheme`, and how to finish it with the reply token. */
function initiate(credential: KerberosCredential, scheme: KerberosHttpScheme, channelBindings?: Uint8Array) {
  const krb = new KerberosInitiator({ credential, ...(channelBindings ? { channelBindings } : {}) });
  const spnego = new SpnegoInitiator(krb);
  const token = scheme === 'Kerberos' ? krb.initialToken() : spnego.initialToken();
  return {
    authorization: `${scheme} ${token.toString('base64')}`,
    finish: (reply: Uint8Array) => (scheme === 'Kerberos' ? krb.acceptReply(reply) : spnego.acceptReply(reply)),
    security: kerberosMessageSecurity(krb, scheme),
  };
}

describe('Emulated host: Kerberos over HTTP with message encryption', () => {
  let host: EmulatedHost;
  before(async () => {
    host = await startEmulatedHost({ hostname: '127.0.0.1', kerberos: { kdc: true }, requestLog: true });
  });
  after(() => host.close());

  it('exposes its realm, KDC and a krb5.conf, and offers Negotiate and Kerberos', async () => {
    const k = host.kerberos!;
    assert.equal(k.realm, 'EMULATOR.TEST');
    assert.ok(k.servicePrincipals.includes('HTTP/localhost@EMULATOR.TEST'));
    assert.ok(k.servicePrincipals.includes('WSMAN/hv-emu01@EMULATOR.TEST'));
    assert.match(k.krb5Conf!, new RegExp(`kdc = 127\\.0\\.0\\.1:${k.kdc!.port}`));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const r = await post(host.url, IDENTIFY, { 'Content-Type': SOAP }, agent);
      assert.equal(r.status, 401);
      assert.deepEqual(r.headers['www-authenticate'], 'Negotiate, Kerberos');
    } finally {
      agent.destroy();
    }
  });

  for (const scheme of ['Kerberos', 'Negotiate'] as const) {
    it(`${scheme}: empty-body handshake, AP-REP verified, then sealed requests and replies on the connection`, async () => {
      const ctx = initiate(await serviceTicket(host), scheme);
      const protocol = scheme === 'Kerberos' ? KERBEROS_ENCRYPTED_PROTOCOL : SPNEGO_ENCRYPTED_PROTOCOL;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const handshake = await post(host.url, new Uint8Array(0), { Authorization: ctx.authorization, 'Content-Type': encryptedContentType(protocol) }, agent);
        assert.equal(handshake.status, 200);
        ctx.finish(tokenOf(handshake, scheme));
        for (let i = 0; i < 2; i++) {
          const r = await post(host.url, encryptMessage(ctx.security, IDENTIFY), { 'Content-Type': encryptedContentType(protocol) }, agent);
          assert.equal(r.status, 200);
          assert.equal(r.headers['content-type'], encryptedContentType(protocol));
          assert.ok(!r.body.includes('IdentifyResponse'), 'the reply is sealed');
          assert.match(Buffer.from(decryptMessage(ctx.security, r.body, String(r.headers['content-type']))).toString(), /IdentifyResponse/);
        }
      } finally {
        agent.destroy();
      }
      const last = host.requests.at(-1)!;
      assert.equal(last.authScheme, 'kerberos');
      assert.equal(last.user, 'Administrator@EMULATOR.TEST');
      assert.equal(last.encrypted, true);
    });
  }

  it('refuses unencrypted SOAP over HTTP, a replayed AP-REQ and a ticket for a host it has no key for', async () => {
    const credential = await serviceTicket(host);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ctx = initiate(credential, 'Kerberos');
      const plain = await post(host.url, IDENTIFY, { Authorization: ctx.authorization, 'Content-Type': SOAP }, agent);
      assert.equal(plain.status, 500, 'AllowUnencrypted=false');
      const replay = await post(host.url, new Uint8Array(0), { Authorization: ctx.authorization, 'Content-Type': SOAP }, agent);
      assert.equal(replay.status, 401);
      assert.match(host.requests.at(-1)!.authFailure ?? '', /replayed/);
    } finally {
      agent.destroy();
    }
    const other = await startEmulatedHost({ kerberos: { kdc: true } });
    const agent2 = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // A ticket from another KDC (other keys) for the same name: the acceptor cannot decrypt it.
      const foreign = initiate(await serviceTicket(other), 'Kerberos');
      const r = await post(host.url, new Uint8Array(0), { Authorization: foreign.authorization, 'Content-Type': SOAP }, agent2);
      assert.equal(r.status, 401);
    } finally {
      agent2.destroy();
      await other.close();
    }
  });
});

describe('Emulated host: Kerberos over HTTPS with channel binding', () => {
  let certs: TestCertificates;
  const hosts: EmulatedHost[] = [];
  before(async () => {
    certs = await generateTestCertificates();
  });
  after(async () => {
    await Promise.all(hosts.map((h) => h.close()));
    await certs.cleanup();
  });
  const start = async (cbtHardeningLevel: 'none' | 'relaxed' | 'strict'): Promise<EmulatedHost> => {
    const h = await startEmulatedHost({ tls: { cert: certs.cert, key: certs.key }, cbtHardeningLevel, kerberos: { kdc: true } });
    hosts.push(h);
    return h;
  };

  async function status(h: EmulatedHost, scheme: KerberosHttpScheme, bindings: Uint8Array | undefined): Promise<number> {
    const ctx = initiate(await serviceTicket(h), scheme, bindings);
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: certs.caCert });
    try {
      // The AP-REQ goes with the real request: no extra round trip over HTTPS.
      const r = await post(h.url, IDENTIFY, { Authorization: ctx.authorization, 'Content-Type': SOAP }, agent);
      if (r.status === 200) {
        ctx.finish(tokenOf(r, scheme));
        assert.match(r.body.toString(), /IdentifyResponse/);
      }
      return r.status;
    } finally {
      agent.destroy();
    }
  }

  it('relaxed: right binding or none accepted, wrong refused; strict needs it; none ignores it', async () => {
    const right = channelBindingApplicationData(new Uint8Array(new X509Certificate(certs.cert).raw));
    const wrong = channelBindingApplicationData(new Uint8Array(new X509Certificate(certs.caCert).raw));
    const relaxed = await start('relaxed');
    assert.equal(await status(relaxed, 'Kerberos', right), 200);
    assert.equal(await status(relaxed, 'Negotiate', right), 200);
    assert.equal(await status(relaxed, 'Negotiate', undefined), 200);
    assert.equal(await status(relaxed, 'Kerberos', wrong), 401);
    const strict = await start('strict');
    assert.equal(await status(strict, 'Negotiate', undefined), 401);
    assert.equal(await status(strict, 'Negotiate', right), 200);
    const none = await start('none');
    assert.equal(await status(none, 'Kerberos', wrong), 200);
  });
});
