/**
 * Test certificates for the emulated host: a throw-away CA and a server certificate for localhost /
 * 127.0.0.1 / ::1 signed by it, made with the `openssl` CLI in a temporary directory. Clients can then
 * keep TLS verification on by trusting the CA, which is the point.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorCodes, HypervWsmanError } from '../errors.js';

const run = promisify(execFile);

/** openssl is missing or failed. */
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
  /** Path of the openssl binary; default 'openssl' from PATH. */
  readonly openssl?: string;
}

export interface TestCertificates {
  /** PEM of the CA certificate: give it to the client as its trust anchor. */
  readonly caCert: string;
  readonly caKey: string;
  /** PEM of the server certificate and its key: give them to startEmulatedHost({ tls }). */
  readonly cert: string;
  readonly key: string;
  readonly dir: string;
  readonly caCertPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Delete the temporary directory. */
  cleanup(): Promise<void>;
}

async function openssl(binary: string, args: readonly string[], cwd: string): Promise<void> {
  try {
    await run(binary, args, { cwd });
  } catch (cause) {
    const err = cause as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new CertificateGenerationError(`The openssl command was not found (${binary}); install OpenSSL or pass options.openssl.`, { cause });
    throw new CertificateGenerationError(`openssl ${args[0]} failed: ${(err.stderr ?? err.message).trim()}`, { cause });
  }
}

/** Generate a CA and a server certificate for the loopback addresses. */
export async function generateTestCertificates(options: TestCertificateOptions = {}): Promise<TestCertificates> {
  const binary = options.openssl ?? 'openssl';
  const days = String(options.days ?? 2);
  const digest = options.digest ?? 'sha256';
  const cn = options.commonName ?? 'localhost';
  const dir = await mkdtemp(join(tmpdir(), 'hyperv-wsman-tls-'));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    await openssl(
      binary,
      [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', days,
        '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=hyperv-wsman emulator test CA',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    await openssl(binary, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${cn}`], dir);
    const altNames = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1', ...(cn === 'localhost' ? [] : [`DNS:${cn}`]), ...(options.altNames ?? [])];
    await writeFile(
      join(dir, 'server.ext'),
      `subjectAltName=${altNames.join(',')}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
    );
    await openssl(
      binary,
      ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', days, `-${digest}`, '-extfile', 'server.ext'],
      dir,
    );
    const [caCert, caKey, cert, key] = await Promise.all(['ca.crt', 'ca.key', 'server.crt', 'server.key'].map((f) => readFile(join(dir, f), 'utf8')));
    return {
      caCert: caCert!,
      caKey: caKey!,
      cert: cert!,
      key: key!,
      dir,
      caCertPath: join(dir, 'ca.crt'),
      certPath: join(dir, 'server.crt'),
      keyPath: join(dir, 'server.key'),
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
