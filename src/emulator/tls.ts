/**
 * Test certificates for the emulated host: a throw-away CA and a server certificate for localhost /
 * 127.0.0.1 / ::1 signed by it, made in process (node:crypto keys, ./x509.ts). Clients can then keep
 * TLS verification on by trusting the CA, which is the point. The CA's private key only ever lives
 * in memory: it signs the server certificate and is dropped, so nothing can sign with it later.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, HypervWsmanError } from '../errors.js';
import { toPem, writeCertificate } from '../x509/writer.js';

/** The certificates could not be made (an option out of range, or the files not written). */
export class CertificateGenerationError extends HypervWsmanError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.TLS, message, options);
  }
}

export interface TestCertificateOptions {
  /** Server certificate subject CN; default 'localhost'. */
  readonly commonName?: string;
  /** Extra subjectAltName entries such as 'DNS:hv-emu01' or 'IP:10.0.0.5'. */
  readonly altNames?: readonly string[];
  /** Signature digest of the server certificate (decides the tls-server-end-point hash, RFC 5929 4.1); default sha256. */
  readonly digest?: 'sha256' | 'sha384' | 'sha512';
  /** Validity in days; default 2. */
  readonly days?: number;
  /** Key type of both certificates: 'ec' (P-256, fast to make; the default) or 'rsa' (2048 bits, as Windows hosts use). */
  readonly keyType?: 'ec' | 'rsa';
}

export interface TestCertificates {
  /** PEM of the CA certificate: give it to the client as its trust anchor. */
  readonly caCert: string;
  /** PEM of the server certificate and its key: give them to startEmulatedHost({ tls }). */
  readonly cert: string;
  readonly key: string;
  /** A private temporary directory (mode 0700) holding ca.crt, server.crt and server.key (no CA key). */
  readonly dir: string;
  readonly caCertPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Delete the temporary directory. */
  cleanup(): Promise<void>;
}

function keyPair(type: 'ec' | 'rsa'): { publicKey: KeyObject; privateKey: KeyObject } {
  return type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** Generate a CA and a server certificate for the loopback addresses. */
export async function generateTestCertificates(options: TestCertificateOptions = {}): Promise<TestCertificates> {
  const days = options.days ?? 2;
  if (!(Number.isFinite(days) && days > 0)) throw new CertificateGenerationError(`days must be a positive number, got ${String(days)}.`);
  const cn = options.commonName ?? 'localhost';
  const keyType = options.keyType ?? 'ec';
  const notBefore = new Date(Date.now() - 60 * 60 * 1000); // an hour of slack for clocks that differ
  const notAfter = new Date(Date.now() + days * 24 * 60 * 60 * 1000);
  const altNames = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1', ...(cn === 'localhost' ? [] : [`DNS:${cn}`]), ...(options.altNames ?? [])];

  let caCert: string;
  let cert: string;
  let key: string;
  try {
    const ca = keyPair(keyType);
    const caName = 'hyperv-wsman emulator test CA';
    caCert = toPem(writeCertificate({ subject: caName, publicKey: ca.publicKey, signingKey: ca.privateKey, notBefore, notAfter, ca: true }));
    const server = keyPair(keyType);
    cert = toPem(
      writeCertificate({
        subject: cn,
        issuer: caName,
        publicKey: server.publicKey,
        issuerPublicKey: ca.publicKey,
        signingKey: ca.privateKey,
        hash: options.digest ?? 'sha256',
        notBefore,
        notAfter,
        ca: false,
        altNames,
      }),
    );
    key = server.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  } catch (cause) {
    throw new CertificateGenerationError(`Cannot make the test certificates: ${(cause as Error).message}`, { cause });
  }

  const dir = await mkdtemp(join(tmpdir(), 'hyperv-wsman-tls-'));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  const paths = { caCertPath: join(dir, 'ca.crt'), certPath: join(dir, 'server.crt'), keyPath: join(dir, 'server.key') };
  try {
    await writeFile(paths.caCertPath, caCert, { mode: 0o644 });
    await writeFile(paths.certPath, cert, { mode: 0o644 });
    await writeFile(paths.keyPath, key, { mode: 0o600 });
  } catch (cause) {
    await cleanup();
    throw new CertificateGenerationError(`Cannot write the test certificates to ${dir}: ${(cause as Error).message}`, { cause });
  }
  return { caCert, cert, key, dir, ...paths, cleanup };
}
