/**
 * The client's Kerberos and Negotiate transports against the emulated host and its in-memory KDC,
 * over real sockets: password, keytab and credential cache; HTTP with message encryption and
 * HTTPS with channel binding; Negotiate falling back to NTLM when no ticket can be had; typed
 * errors for a wrong password, an unknown SPN and clock skew.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WsmanClient } from '../src/index.js';
import { DEFAULT_PASSWORD, DEFAULT_USER, generateTestCertificates, startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import { KdcError } from '../src/auth/kerberos/kdc-errors.js';
import { KerberosServiceUnknownError } from '../src/auth/kerberos-tickets.js';
import { InvalidOptionError } from '../src/errors.js';
import { kerberosFiles, type KerberosFiles } from './helpers/kerberos-env.js';

describe('transport kerberos / negotiate over HTTP (message encryption)', () => {
  let host: EmulatedHost;
  let files: KerberosFiles;
  before(async () => {
    host = await startEmulatedHost({ kerberos: { kdc: true }, requestLog: true });
    files = await kerberosFiles(host, DEFAULT_USER, DEFAULT_PASSWORD);
  });
  after(async () => {
    files.remove();
    await host.close();
  });
  const client = (o: Partial<ConstructorParameters<typeof WsmanClient>[0]>): WsmanClient =>
    new WsmanClient({ host: '127.0.0.1', port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, transport: 'kerberos', krb5Config: files.krb5Config, ...o });

  const lastScheme = (): string | undefined => host.requests.at(-1)?.authScheme;

  for (const [what, o] of [
    ['password', {}],
    ['keytab', { password: '', keytab: 'KEYTAB' }],
    ['credential cache', { password: '', user: '', ccache: 'CCACHE' }],
  ] as const) {
    for (const transport of ['kerberos', 'negotiate'] as const) {
      it(`${transport} with a ${what}: two sealed calls on one context`, async () => {
        const extra = { ...o, ...('keytab' in o ? { keytab: files.keytab } : {}), ...('ccache' in o ? { ccache: files.ccache } : {}) };
        const c = client({ transport, ...extra });
        try {
          await c.identify();
          await c.identify();
        } finally {
          await c.close();
        }
        const last = host.requests.at(-1)!;
        assert.equal(last.authScheme, 'kerberos');
        assert.equal(last.encrypted, true);
        assert.equal(last.user, 'Administrator@EMULATOR.TEST');
      });
    }
  }

  it('a wrong password is a KdcError (pre-authentication failed), not an NTLM fallback', async () => {
    for (const transport of ['kerberos', 'negotiate'] as const) {
      const c = client({ transport, password: 'wrong' });
      await assert.rejects(c.identify(), (e: unknown) => e instanceof KdcError && e.krbErrorCode === 24 && e.code === 'ERR_KERBEROS_KDC');
      await c.close();
    }
  });

  it('an SPN the KDC does not know is named with the override hint; negotiate falls back to NTLM', async () => {
    const c = client({ kerberosHostnameOverride: 'nosuch.example' });
    await assert.rejects(c.identify(), (e: unknown) => e instanceof KerberosServiceUnknownError && /HTTP\/nosuch\.example@EMULATOR\.TEST/.test(e.message) && /--kerberos-hostname-override/.test(e.message));
    await c.close();
    const n = client({ transport: 'negotiate', kerberosHostnameOverride: 'nosuch.example' });
    try {
      await n.identify();
      assert.equal(lastScheme(), 'ntlm');
    } finally {
      await n.close();
    }
  });

  it('the WSMAN service class works too; Kerberos-only options are refused with other transports', async () => {
    const c = client({ kerberosService: 'WSMAN' });
    try {
      await c.identify();
      assert.equal(lastScheme(), 'kerberos');
    } finally {
      await c.close();
    }
    assert.throws(() => new WsmanClient({ host: '127.0.0.1', port: host.port, scheme: 'http', user: DEFAULT_USER, password: DEFAULT_PASSWORD, kdc: ['127.0.0.1'] }), InvalidOptionError);
  });
});

describe('transport kerberos: clock skew and HTTPS channel binding', () => {
  it('a KDC whose clock is 20 minutes ahead gives a skew error saying so', async () => {
    const host = await startEmulatedHost({ kerberos: { kdc: { clockOffsetSeconds: 1200 } } });
    const kdc = host.kerberos!.kdc!;
    const c = new WsmanClient({ host: '127.0.0.1', port: host.port, scheme: 'http', user: `${DEFAULT_USER}@EMULATOR.TEST`, password: DEFAULT_PASSWORD, transport: 'kerberos', kdc: [`${kdc.host}:${kdc.port}`] });
    try {
      await assert.rejects(c.identify(), (e: unknown) => e instanceof KdcError && e.krbErrorCode === 37 && /1200 s ahead/.test(e.message));
    } finally {
      await c.close();
      await host.close();
    }
  });

  it('HTTPS with CbtHardeningLevel strict: the AP-REQ carries the binding of the certificate', async () => {
    const certs = await generateTestCertificates();
    const host = await startEmulatedHost({ tls: { cert: certs.cert, key: certs.key }, cbtHardeningLevel: 'strict', kerberos: { kdc: true }, requestLog: true });
    const files = await kerberosFiles(host, DEFAULT_USER, DEFAULT_PASSWORD);
    try {
      for (const transport of ['kerberos', 'negotiate'] as const) {
        const c = new WsmanClient({ host: '127.0.0.1', port: host.port, scheme: 'https', ca: certs.caCert, user: DEFAULT_USER, password: DEFAULT_PASSWORD, transport, krb5Config: files.krb5Config });
        try {
          await c.identify();
          await c.identify();
        } finally {
          await c.close();
        }
        const last = host.requests.at(-1)!;
        assert.equal(last.authScheme, 'kerberos');
        assert.equal(last.encrypted, false);
      }
      const noCbt = new WsmanClient({ host: '127.0.0.1', port: host.port, scheme: 'https', ca: certs.caCert, user: DEFAULT_USER, password: DEFAULT_PASSWORD, transport: 'kerberos', krb5Config: files.krb5Config, sendCbt: false });
      await assert.rejects(noCbt.identify(), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'ERR_AUTH' && /channel binding not sent/.test(e.message));
      await noCbt.close();
    } finally {
      files.remove();
      await host.close();
      await certs.cleanup();
    }
  });
});
