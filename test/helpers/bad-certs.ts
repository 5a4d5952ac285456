/**
 * Certificates that are wrong in one way each, made in process with the emulator's X.509 writer
 * (no openssl command): another host's name, expired, not yet valid, self-signed, issued by an
 * unknown CA, issued by a leaf used as a CA, and an Ed25519 leaf. Each is parsed by Node's own
 * X.509 reader before a test gets it.
 */
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { toPem, writeCertificate, type CertificateSpec } from '../../src/x509/writer.js';

export interface Pair {
  readonly cert: string;
  readonly key: string;
}

export interface BadCerts {
  /** The CA clients are told to trust. */
  readonly caCert: string;
  readonly good: Pair;
  readonly otherName: Pair;
  readonly expired: Pair;
  readonly notYetValid: Pair;
  readonly selfSigned: Pair;
  readonly unknownCa: Pair;
  /** Server certificate issued by another server certificate (CA:FALSE); `cert` holds the chain (leaf + issuing leaf). */
  readonly leafAsCa: Pair;
  /** Self-signed with Ed25519: trust it as its own CA. */
  readonly ed25519: Pair;
  cleanup(): void;
}

interface Keys {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

const LOOPBACK = ['DNS:localhost', 'IP:127.0.0.1'];
const DAY = 86_400_000;

function pem(spec: CertificateSpec): string {
  const der = writeCertificate(spec);
  new X509Certificate(der); // parsed by OpenSSL inside Node: a test never runs on a malformed one
  return toPem(der);
}

const keyPem = (k: Keys): string => k.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

export function makeBadCerts(): BadCerts {
  const rsa = (): Keys => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ca = rsa();
  const ca2 = rsa();
  const leafKey = rsa();
  const now = Date.now();
  const caSpec = (subject: string, k: Keys): CertificateSpec => ({ subject, publicKey: k.publicKey, signingKey: k.privateKey, notBefore: new Date(now - DAY), notAfter: new Date(now + 2 * DAY), ca: true });
  const caCert = pem(caSpec('bad-certs test CA', ca));
  const issue = (subject: string, o: { issuer?: [string, Keys]; altNames?: readonly string[]; notBefore?: Date; notAfter?: Date; keyUsage?: readonly number[] | null; extKeyUsage?: readonly string[] | null } = {}): Pair => {
    const [issuerName, issuerKeys] = o.issuer ?? ['bad-certs test CA', ca];
    const cert = pem({
      subject,
      issuer: issuerName,
      publicKey: leafKey.publicKey,
      signingKey: issuerKeys.privateKey,
      issuerPublicKey: issuerKeys.publicKey,
      notBefore: o.notBefore ?? new Date(Date.UTC(2020, 0, 1)),
      notAfter: o.notAfter ?? new Date(Date.UTC(2099, 11, 31)),
      ca: false,
      altNames: o.altNames ?? LOOPBACK,
      ...(o.keyUsage !== undefined ? { keyUsage: o.keyUsage } : {}),
      ...(o.extKeyUsage !== undefined ? { extKeyUsage: o.extKeyUsage } : {}),
    });
    return { cert, key: keyPem(leafKey) };
  };
  const good = issue('good');
  const otherName = issue('other', { altNames: ['DNS:other.example'] });
  const expired = issue('expired', { notBefore: new Date(Date.UTC(2020, 0, 1)), notAfter: new Date(Date.UTC(2020, 1, 1)) });
  const notYetValid = issue('future', { notBefore: new Date(Date.UTC(2098, 0, 1)), notAfter: new Date(Date.UTC(2099, 0, 1)) });
  caSpec('unknown test CA', ca2);
  const unknownCa = issue('unknown', { issuer: ['unknown test CA', ca2] });
  // A plain server certificate (CA:FALSE, no key-usage limits) that then signs another.
  const plainLeaf = issue('plainleaf', { keyUsage: null, extKeyUsage: null });
  const fromLeaf = issue('fromleaf', { issuer: ['plainleaf', leafKey] });
  const self = rsa();
  const selfSigned = { cert: pem({ subject: 'localhost', publicKey: self.publicKey, signingKey: self.privateKey, notBefore: new Date(now - DAY), notAfter: new Date(now + 2 * DAY), ca: false, altNames: LOOPBACK }), key: keyPem(self) };
  // Signed with Ed25519 itself (the signature algorithm is what RFC 5929 looks at, not the key).
  const ed = generateKeyPairSync('ed25519');
  const ed25519 = { cert: pem({ subject: 'localhost', publicKey: ed.publicKey, signingKey: ed.privateKey, notBefore: new Date(now - DAY), notAfter: new Date(now + 2 * DAY), ca: false, altNames: LOOPBACK }), key: keyPem(ed) };
  return {
    caCert,
    good,
    otherName,
    expired,
    notYetValid,
    selfSigned,
    unknownCa,
    leafAsCa: { cert: fromLeaf.cert + plainLeaf.cert, key: fromLeaf.key },
    ed25519,
    cleanup: () => undefined,
  };
}
