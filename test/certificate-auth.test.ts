/**
 * Client-certificate authentication end to end over real TLS: our client against the emulated host,
 * which asks for the certificate the way HTTP.sys does (TLS 1.2 renegotiation after the https/mutual
 * header, or in the first handshake), maps issuer thumbprint + UPN to a local user, and refuses
 * otherwise. Local checks (expired, no clientAuth EKU, key mismatch, encrypted keys) happen before
 * any byte is sent, which the host's request log proves.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadClientCertificate } from '../src/auth/certificate/client-certificate.js';
import { hostMappingScript, newClientCertificate } from '../src/auth/certificate/new-certificate.js';
import { FIXTURE_JOB_IDS, generateTestCertificates, startEmulatedHost, type EmulatedHost, type TestCertificates } from '../src/emulator/index.js';
import { AuthenticationError, ErrorCodes, HypervWsmanError, InvalidOptionError } from '../src/errors.js';
import { HypervJobs } from '../src/hyperv/jobs.js';
import type { ConnectionOptions } from '../src/options.js';
import { WsmanClient } from '../src/wsman/client.js';
import { EKU, toPem, writeCertificate } from '../src/x509/writer.js';

const DAY = 86_400_000;
let server: TestCertificates;
let dir: string;
const hosts: EmulatedHost[] = [];

/** A CA that issues client certificates, and a second one the host does not trust. */
const clientCa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherCa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const caPem = (name: string, k: typeof clientCa): string =>
  toPem(writeCertificate({ subject: name, publicKey: k.publicKey, signingKey: k.privateKey, notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 30 * DAY), ca: true }));
const CLIENT_CA = caPem('Client CA', clientCa);
const OTHER_CA = caPem('Other CA', otherCa);
const thumb = (pem: string): string => new X509Certificate(pem).fingerprint.replace(/:/g, '');

interface ClientCertSpec {
  upn?: string | null;
  eku?: readonly string[] | null;
  notBefore?: Date;
  notAfter?: Date;
  ca?: 'client' | 'other';
}

/** Writes a client certificate and key into the temp dir; returns their paths. */
function clientCert(name: string, spec: ClientCertSpec = {}): { certPem: string; certKeyPem: string; keyText: string } {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const [caName, ca] = spec.ca === 'other' ? ['Other CA', otherCa] : ['Client CA', clientCa];
  const der = writeCertificate({
    subject: name,
    issuer: caName,
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    issuerPublicKey: ca.publicKey,
    notBefore: spec.notBefore ?? new Date(Date.now() - DAY),
    notAfter: spec.notAfter ?? new Date(Date.now() + 30 * DAY),
    ca: false,
    altNames: spec.upn === null ? ['DNS:client.test'] : [`UPN:${spec.upn ?? 'svc@localhost'}`],
    keyUsage: [0],
    extKeyUsage: spec.eku === undefined ? [EKU.clientAuth] : spec.eku,
  });
  const keyText = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  writeFileSync(join(dir, `${name}.crt`), toPem(der));
  writeFileSync(join(dir, `${name}.key`), keyText, { mode: 0o600 });
  return { certPem: join(dir, `${name}.crt`), certKeyPem: join(dir, `${name}.key`), keyText };
}

async function host(negotiation: 'renegotiation' | 'handshake' = 'renegotiation'): Promise<EmulatedHost> {
  const h = await startEmulatedHost({
    requestLog: true,
    tls: { cert: server.cert, key: server.key },
    clientCertificates: {
      issuers: [CLIENT_CA],
      mappings: [{ subject: 'svc@localhost', issuerThumbprint: thumb(CLIENT_CA), user: 'Administrator' }],
      negotiation: negotiation === 'renegotiation' ? 'renegotiate' : 'handshake',
    },
  });
  hosts.push(h);
  return h;
}

function options(h: EmulatedHost, files: { certPem: string; certKeyPem: string }, extra: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return { host: h.hostname, port: h.port, scheme: 'https', caTrustPath: server.caCertPath, transport: 'certificate', ...files, ...extra };
}

async function failedJobError(o: ConnectionOptions): Promise<string | undefined> {
  const client = new WsmanClient(o);
  try {
    const r = await new HypervJobs(client).getError(FIXTURE_JOB_IDS.failedConcrete);
    return r.error?.message ?? undefined;
  } finally {
    await client.close();
  }
}

before(async () => {
  server = await generateTestCertificates();
  dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-cert-test-'));
});
after(async () => {
  for (const h of hosts) await h.close();
  await server.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('certificate authentication against the emulated host', () => {
  test('renegotiation (HTTP.sys default): GetError of a failed job over TLS 1.2, no password anywhere', async () => {
    const h = await host('renegotiation');
    const message = await failedJobError(options(h, clientCert('good')));
    assert.match(message ?? '', /failed to modify device/);
    const authed = h.requests.filter((r) => r.authScheme === 'certificate');
    assert.ok(authed.length >= 1 && authed.every((r) => r.user === 'Administrator'));
  });

  test('a host that asks in the first handshake (clientcertnegotiation=enable) works with TLS 1.3 allowed', async () => {
    const h = await host('handshake');
    const message = await failedJobError(options(h, clientCert('good13'), { clientCertNegotiation: 'handshake' }));
    assert.match(message ?? '', /failed to modify device/);
  });

  test('offering TLS 1.3 to a host that asks only after the request: the host resets, and the error says why', async () => {
    const h = await host('renegotiation');
    const err = await failedJobError(options(h, clientCert('tls13'), { clientCertNegotiation: 'handshake' })).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof HypervWsmanError, String(err));
    assert.match(err.message, /TLS 1\.3/);
    assert.match(err.message, /clientCertNegotiation|renegotiation/);
    assert.ok(h.requests.some((r) => /post-handshake/.test(r.authFailure ?? '')));
  });

  test('an unmapped UPN: 401 becomes an AuthenticationError naming the mapping to check', async () => {
    const h = await host();
    const err = await failedJobError(options(h, clientCert('unmapped', { upn: 'other@localhost' }))).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AuthenticationError, String(err));
    assert.equal(err.code, ErrorCodes.AUTH);
    assert.match(err.message, /certificate mapping/);
    assert.match(err.message, /other@localhost/);
  });

  test('a certificate from an issuer the host does not trust: the TLS alert is explained with the issuer named', async () => {
    const h = await host();
    const err = await failedJobError(options(h, clientCert('otherca', { ca: 'other' }))).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof HypervWsmanError, String(err));
    assert.match(err.message, /Other CA/);
  });

  test('local checks refuse before anything is sent: expired, not yet valid, no clientAuth EKU', async () => {
    const h = await host();
    const cases: Array<[ClientCertSpec, RegExp]> = [
      [{ notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) }, /expired on/],
      [{ notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 30 * DAY) }, /not valid yet/],
      [{ eku: [EKU.serverAuth] }, /Client Authentication/],
    ];
    for (const [i, [spec, re]] of cases.entries()) {
      assert.throws(() => new WsmanClient(options(h, clientCert(`local${i}`, spec))), (e: unknown) => e instanceof AuthenticationError && re.test(e.message));
    }
    assert.equal(h.requests.length, 0, 'the host saw nothing');
  });

  test('usage errors before any I/O: http, missing file, key of another certificate', async () => {
    const h = await host();
    const good = clientCert('usage');
    assert.throws(() => new WsmanClient({ ...options(h, good), scheme: 'http', port: 5985 }), (e: unknown) => e instanceof InvalidOptionError && /needs https/.test(e.message));
    assert.throws(() => new WsmanClient(options(h, { ...good, certPem: join(dir, 'missing.crt') })), (e: unknown) => e instanceof InvalidOptionError && /Cannot read certPem/.test(e.message));
    const other = clientCert('usage2');
    assert.throws(() => new WsmanClient(options(h, { certPem: good.certPem, certKeyPem: other.certKeyPem })), (e: unknown) => e instanceof InvalidOptionError && /does not belong/.test(e.message));
    assert.throws(() => new WsmanClient({ ...options(h, good), transport: 'ntlm', user: 'u', password: 'p' }), (e: unknown) => e instanceof InvalidOptionError && /apply only to transport certificate/.test(e.message));
    assert.equal(h.requests.length, 0);
  });

  test('an encrypted key works with its passphrase; without one, or with a wrong one, it is a clear usage error', async () => {
    const h = await host();
    const c = clientCert('enc');
    const encrypted = createPrivateKey(c.keyText).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'k3y pass' }) as string;
    const encPath = join(dir, 'enc-encrypted.key');
    writeFileSync(encPath, encrypted, { mode: 0o600 });
    const files = { certPem: c.certPem, certKeyPem: encPath };
    assert.throws(() => new WsmanClient(options(h, files)), (e: unknown) => e instanceof InvalidOptionError && /encrypted and no passphrase/.test(e.message));
    assert.throws(
      () => new WsmanClient(options(h, files, { certKeyPassword: 'wrong' })),
      (e: unknown) => e instanceof InvalidOptionError && /wrong passphrase/.test(e.message) && !e.message.includes('wrong passphrase (wrong'),
    );
    const message = await failedJobError(options(h, files, { certKeyPassword: 'k3y pass' }));
    assert.match(message ?? '', /failed to modify device/);
  });

  test('a certificate without a UPN loads with a warning (the host maps by UPN)', () => {
    const c = clientCert('noupn', { upn: null });
    const loaded = loadClientCertificate({ certPem: readFileSync(c.certPem, 'utf8'), keyPem: c.keyText });
    assert.equal(loaded.upn, undefined);
    assert.match(loaded.warnings.join('\n'), /no UPN/);
  });
});

describe('newClientCertificate (hyperv-wsman cert new)', () => {
  test('self-signed: clientAuth EKU, UPN SAN, its own thumbprint as the issuer; the host accepts it once mapped', async () => {
    const made = newClientCertificate({ upn: 'svc-hyperv@localhost', days: 30 });
    const x = new X509Certificate(made.certPem);
    assert.deepEqual(x.keyUsage, [EKU.clientAuth]);
    assert.match(x.subjectAltName ?? '', /UPN:svc-hyperv@localhost/);
    assert.equal(made.issuerThumbprint, made.thumbprint);
    const loaded = loadClientCertificate({ certPem: made.certPem, keyPem: made.keyPem });
    assert.equal(loaded.upn, 'svc-hyperv@localhost');
    assert.deepEqual(loaded.warnings, []);
    const script = hostMappingScript(made, 'client.crt', true);
    assert.match(script, new RegExp(`-Subject 'svc-hyperv@localhost' -URI \\* -Issuer ${made.thumbprint}`));
    assert.match(script, /Cert:\\LocalMachine\\Root/);

    const h = await startEmulatedHost({
      tls: { cert: server.cert, key: server.key },
      clientCertificates: { issuers: [made.certPem], mappings: [{ subject: 'svc-hyperv@localhost', issuerThumbprint: made.issuerThumbprint, user: 'Administrator' }] },
    });
    hosts.push(h);
    writeFileSync(join(dir, 'made.crt'), made.certPem);
    writeFileSync(join(dir, 'made.key'), made.keyPem, { mode: 0o600 });
    const message = await failedJobError(options(h, { certPem: join(dir, 'made.crt'), certKeyPem: join(dir, 'made.key') }));
    assert.match(message ?? '', /failed to modify device/);
  });

  test('a bad UPN is refused', () => {
    assert.throws(() => newClientCertificate({ upn: 'no-at-sign' }), InvalidOptionError);
  });
});
