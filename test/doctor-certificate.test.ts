/**
 * diagnoseHost with --transport certificate (issue 14) against the emulated host in certificate
 * mode: the local checks of the library (key matches, clientAuth EKU, UPN, validity) as the
 * client-certificate step, the TLS step at the TLS 1.2 cap the session uses, and identify proving
 * the host's mapping; an expired certificate, an unmapped UPN and http are each explained.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { diagnoseHost, type DiagnosticStep, type StepId } from '../src/index.js';
import { startEmulatedHost, type EmulatedHost } from '../src/emulator/index.js';
import type { ConnectionOptions } from '../src/options.js';
import { EKU, toPem, writeCertificate } from '../src/x509/writer.js';
import { makeBadCerts, type BadCerts } from './helpers/bad-certs.js';

const DAY = 86_400_000;
const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const CA_PEM = toPem(writeCertificate({ subject: 'Doctor Client CA', publicKey: ca.publicKey, signingKey: ca.privateKey, notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 400 * DAY), ca: true }));
let dir: string;
let server: BadCerts;
let host: EmulatedHost;

function clientCert(name: string, o: { upn?: string; notAfter?: Date; withChain?: boolean } = {}): { certPem: string; certKeyPem: string } {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = writeCertificate({
    subject: name,
    issuer: 'Doctor Client CA',
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    issuerPublicKey: ca.publicKey,
    notBefore: new Date(Date.now() - 2 * DAY),
    notAfter: o.notAfter ?? new Date(Date.now() + 365 * DAY),
    ca: false,
    altNames: [`UPN:${o.upn ?? 'svc@localhost'}`],
    keyUsage: [0],
    extKeyUsage: [EKU.clientAuth],
  });
  writeFileSync(join(dir, `${name}.crt`), toPem(der) + (o.withChain ? CA_PEM : ''));
  writeFileSync(join(dir, `${name}.key`), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
  return { certPem: join(dir, `${name}.crt`), certKeyPem: join(dir, `${name}.key`) };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-doctor-cert-'));
  server = makeBadCerts();
  host = await startEmulatedHost({
    tls: { cert: server.good.cert, key: server.good.key },
    clientCertificates: {
      issuers: [CA_PEM],
      mappings: [{ subject: 'svc@localhost', issuerThumbprint: new X509Certificate(CA_PEM).fingerprint.replace(/:/g, ''), user: 'Administrator' }],
      negotiation: 'renegotiate',
    },
  });
});
after(async () => {
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

const options = (files: { certPem: string; certKeyPem: string }, extra: Partial<ConnectionOptions> = {}): ConnectionOptions => ({
  host: '127.0.0.1',
  port: host.port,
  scheme: 'https',
  ca: server.caCert,
  transport: 'certificate',
  ...files,
  ...extra,
});
const byId = (steps: readonly DiagnosticStep[]): Map<StepId, DiagnosticStep> => new Map(steps.map((s) => [s.id, s]));
const statuses = (steps: readonly DiagnosticStep[]): string => steps.map((s) => `${s.id}=${s.status}`).join(' ');

describe('doctor: certificate authentication', () => {
  test('a mapped certificate: local checks, TLS 1.2, identify through the mapping', async () => {
    const steps = await diagnoseHost(options(clientCert('good', { withChain: true })));
    assert.deepEqual(steps.map((s) => s.id), ['target', 'dns', 'tcp', 'tls', 'auth-schemes', 'client-certificate', 'identify', 'hyperv-namespace']);
    for (const s of steps) assert.equal(s.status, 'pass', `${s.id}: ${s.summary} ${statuses(steps)}`);
    const m = byId(steps);
    assert.equal(m.get('tls')?.facts.protocol, 'TLSv1.2', 'the handshake the session makes: capped at TLS 1.2 for renegotiation');
    const cert = m.get('client-certificate')!;
    assert.equal(cert.facts.upn, 'svc@localhost');
    assert.equal(cert.facts.keyMatches, true);
    assert.match(String(cert.facts.hostMapping), /New-Item WSMan:\\localhost\\ClientCertificate -Subject 'svc@localhost'/);
    assert.match(String(cert.facts.hostMapping), new RegExp(new X509Certificate(CA_PEM).fingerprint.replace(/:/g, '')));
  });

  test('an expired certificate: client-certificate fails with the date (auth error); identify is skipped, the network steps still run', async () => {
    const steps = await diagnoseHost(options(clientCert('expired', { notAfter: new Date(Date.now() - DAY) })));
    const m = byId(steps);
    assert.equal(m.get('tls')?.status, 'pass');
    const cert = m.get('client-certificate')!;
    assert.equal(cert.status, 'fail');
    assert.equal(cert.code, 'ERR_AUTH');
    assert.match(cert.summary, /expired on \d{4}-/);
    assert.equal(m.get('identify')?.blockedBy, 'client-certificate', JSON.stringify(m.get('auth-schemes')));
  });

  test('an unmapped UPN: the local checks pass, identify fails naming the mapping to create', async () => {
    const m = byId(await diagnoseHost(options(clientCert('unmapped', { upn: 'nobody@localhost' }))));
    assert.equal(m.get('client-certificate')?.status, 'pass');
    assert.match(String(m.get('client-certificate')?.facts.hostMapping), /-Issuer <thumbprint of the issuing CA>/, 'no chain in the file: the issuer thumbprint is not known');
    const id = m.get('identify')!;
    assert.equal(id.status, 'fail');
    assert.equal(id.code, 'ERR_AUTH');
    assert.match(id.summary, /certificate mapping/);
    assert.match(id.summary, /nobody@localhost/);
  });

  test('over http: the certificate step says it needs https', async () => {
    const m = byId(await diagnoseHost(options(clientCert('http'), { scheme: 'http', port: host.port, ca: undefined })));
    const cert = m.get('client-certificate')!;
    assert.equal(cert.status, 'fail');
    assert.match(cert.summary, /https/);
  });
});
