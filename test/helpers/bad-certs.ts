/**
 * Certificates that are wrong in one way each, made with the openssl CLI (as the emulator's test
 * certificates are): another host's name, expired, not yet valid, self-signed, issued by an unknown
 * CA, issued by a leaf used as a CA, and an Ed25519 leaf. `openssl ca` sets exact validity dates.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

const LOOPBACK = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n';

export function makeBadCerts(): BadCerts {
  const dir = mkdtempSync(join(tmpdir(), 'hyperv-wsman-badcerts-'));
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  const caExt = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=bad-certs test CA', ...caExt);
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-keyout', 'ca2.key', '-out', 'ca2.crt', '-subj', '/CN=unknown test CA', ...caExt);
  writeFileSync(join(dir, 'ca.cnf'), '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n');
  const issue = (name: string, opts: { ext?: string; issuer?: string; keyType?: string; start?: string; end?: string }): Pair => {
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), Date.now().toString(16).padStart(16, '0') + '\n');
    writeFileSync(join(dir, `${name}.ext`), opts.ext ?? LOOPBACK);
    run('req', '-newkey', opts.keyType ?? 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    const issuer = opts.issuer ?? 'ca';
    run(
      'ca', '-config', 'ca.cnf', '-batch', '-notext', '-cert', `${issuer}.crt`, '-keyfile', `${issuer}.key`, '-in', `${name}.csr`, '-out', `${name}.crt`,
      '-extfile', `${name}.ext`, '-startdate', opts.start ?? '20200101000000Z', '-enddate', opts.end ?? '20991231000000Z',
    );
    return { cert: read(`${name}.crt`), key: read(`${name}.key`) };
  };
  const good = issue('good', {});
  const otherName = issue('other', { ext: 'subjectAltName=DNS:other.example\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' });
  const expired = issue('expired', { start: '20200101000000Z', end: '20200201000000Z' });
  const notYetValid = issue('future', { start: '20980101000000Z', end: '20990101000000Z' });
  const unknownCa = issue('unknown', { issuer: 'ca2' });
  // A plain server certificate (CA:FALSE, no key-usage limits) that then signs another.
  const plainLeaf = issue('plainleaf', { ext: 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' });
  const fromLeaf = issue('fromleaf', { issuer: 'plainleaf' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-keyout', 'self.key', '-out', 'self.crt', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  // Signed with Ed25519 itself (the signature algorithm is what RFC 5929 looks at, not the key).
  run('req', '-x509', '-newkey', 'ed25519', '-nodes', '-days', '2', '-keyout', 'ed.key', '-out', 'ed.crt', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  return {
    caCert: read('ca.crt'),
    good,
    otherName,
    expired,
    notYetValid,
    selfSigned: { cert: read('self.crt'), key: read('self.key') },
    unknownCa,
    leafAsCa: { cert: fromLeaf.cert + plainLeaf.cert, key: fromLeaf.key },
    ed25519: { cert: read('ed.crt'), key: read('ed.key') },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
