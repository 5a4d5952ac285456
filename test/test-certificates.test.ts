/**
 * generateTestCertificates (shipped with the emulator) makes its CA and server certificate in
 * process: no openssl command, no CA private key on disk. Checked with node's X.509 parser and a real
 * TLS handshake with verification on.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, connect, type TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { generateTestCertificates, type TestCertificates } from '../src/emulator/index.js';
import { CertificateGenerationError } from '../src/emulator/tls.js';

describe('generateTestCertificates', () => {
  let certs: TestCertificates;
  before(async () => {
    certs = await generateTestCertificates({ altNames: ['DNS:hv-emu01', 'IP:10.0.0.5', 'IP:fe80::1'], digest: 'sha384' });
  });
  after(() => certs?.cleanup());

  test('the CA is a CA and the server certificate is issued by it, for the loopback names', () => {
    const ca = new X509Certificate(certs.caCert);
    const leaf = new X509Certificate(certs.cert);
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(ca));
    assert.ok(leaf.verify(ca.publicKey));
    assert.equal(leaf.checkHost('localhost'), 'localhost');
    assert.equal(leaf.checkHost('hv-emu01'), 'hv-emu01');
    for (const ip of ['127.0.0.1', '::1', '10.0.0.5', 'fe80::1']) assert.equal(leaf.checkIP(ip), ip);
    assert.equal(leaf.checkHost('hv-other'), undefined);
    assert.match(leaf.keyUsage?.join(',') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.1/, 'extKeyUsage serverAuth');
    assert.ok(new Date(leaf.validTo).getTime() > Date.now() + 86_400_000);
  });

  test('no CA private key is kept: not in the result, not on disk; the server key is private', () => {
    assert.equal('caKey' in certs, false);
    assert.deepEqual(readdirSync(certs.dir).sort(), ['ca.crt', 'server.crt', 'server.key']);
    assert.equal(statSync(certs.dir).mode & 0o077, 0, 'the directory is private');
    assert.equal(statSync(certs.keyPath).mode & 0o077, 0, 'the server key is private');
  });

  test('a TLS client that verifies against the CA completes a handshake', async () => {
    const server = createServer({ cert: certs.cert, key: certs.key }, (s) => s.end('hello'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = (server.address() as { port: number }).port;
      const socket: TLSSocket = connect({ host: '127.0.0.1', port, ca: certs.caCert, servername: 'localhost', rejectUnauthorized: true });
      await once(socket, 'secureConnect');
      assert.equal(socket.authorized, true);
      const [data] = (await once(socket, 'data')) as [Buffer];
      assert.equal(data.toString(), 'hello');
      socket.destroy();
    } finally {
      server.close();
    }
  });

  test('RSA keys on request', async () => {
    const rsa = await generateTestCertificates({ keyType: 'rsa' });
    try {
      const leaf = new X509Certificate(rsa.cert);
      assert.equal(leaf.publicKey.asymmetricKeyType, 'rsa');
      assert.ok(leaf.verify(new X509Certificate(rsa.caCert).publicKey));
    } finally {
      await rsa.cleanup();
    }
  });

  test('bad options are a CertificateGenerationError', async () => {
    await assert.rejects(generateTestCertificates({ days: 0 }), CertificateGenerationError);
    await assert.rejects(generateTestCertificates({ altNames: ['URI:x'] }), CertificateGenerationError);
  });

  test('works with no openssl command on PATH', () => {
    const script = "const m = await import('./src/emulator/tls.ts'); const c = await m.generateTestCertificates(); await c.cleanup(); console.log('made', c.cert.length > 0);";
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url), env: { ...process.env, PATH: '/nonexistent' }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /made true/);
  });
});
