/**
 * `hyperv-wsman cert new`: a client key and certificate fit for WinRM certificate authentication
 * (clientAuth EKU, UPN subjectAltName), written to a folder, and the PowerShell lines that map it
 * on the host. Peers leave users to hand-made openssl recipes.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { InvalidOptionError } from '../../errors.js';
import { MAX_PEM_BYTES } from '../../auth/certificate/client-certificate.js';
import { hostMappingScript, newClientCertificate } from '../../auth/certificate/new-certificate.js';
import { writeFileAtomically } from '../../auth/kerberos/private-file.js';
import { readSmallTextFile, warnIfShared } from '../file-safety.js';
import { defineCommand } from '../command.js';
import type { CliIo } from '../io.js';
import { reportError } from '../run.js';

export interface CertNewArgs {
  action?: string;
  upn?: string;
  out?: string;
  days?: number;
  'key-type'?: string;
  'issuer-cert'?: string;
  'issuer-key'?: string;
  force?: boolean;
  json?: boolean;
  debug?: boolean;
}

const CERT_FILE = 'client.crt';
const KEY_FILE = 'client.key';
const SCRIPT_FILE = 'map-on-host.ps1';

export const certCommand = defineCommand<CertNewArgs>({
  command: 'cert <action>',
  describe: 'Client certificates for --transport certificate: `cert new` makes one and prints how to map it on the host',
  builder: (y: Argv) =>
    y
      .positional('action', { type: 'string', choices: ['new'], describe: 'new: make a key and certificate' })
      .option('upn', { type: 'string', demandOption: true, describe: 'The UPN the host maps (e.g. svc-hyperv@localhost)' })
      .option('out', { type: 'string', demandOption: true, describe: `Folder for ${CERT_FILE}, ${KEY_FILE} (mode 0600) and ${SCRIPT_FILE}` })
      .option('days', { type: 'number', describe: 'Validity in days (default 365)' })
      .option('key-type', { type: 'string', choices: ['rsa', 'ec'], describe: 'Key type (default rsa, 2048 bits)' })
      .option('issuer-cert', { type: 'string', describe: 'Issue from this CA certificate (PEM) instead of self-signing' })
      .option('issuer-key', { type: 'string', describe: 'The CA private key (PEM), with --issuer-cert' })
      .option('force', { type: 'boolean', describe: 'Overwrite files already in --out' })
      .option('json', { type: 'boolean', describe: 'Print the result as JSON' })
      .example('$0 cert new --upn svc-hyperv@localhost --out ./winrm-cert', 'Self-signed client certificate and the host-side PowerShell') as unknown as Argv<CertNewArgs>,
  run: (args, io) => certNew(args, io),
});

async function certNew(args: CertNewArgs, io: CliIo): Promise<number> {
  try {
    if ((args['issuer-cert'] === undefined) !== (args['issuer-key'] === undefined)) throw new InvalidOptionError('Give --issuer-cert and --issuer-key together.');
    const out = resolve(args.out!);
    const paths = { cert: join(out, CERT_FILE), key: join(out, KEY_FILE), script: join(out, SCRIPT_FILE) };
    if (!args.force) {
      const existing = Object.values(paths).filter((p) => existsSync(p));
      if (existing.length > 0) throw new InvalidOptionError(`--out already holds ${existing.join(', ')}; use --force to replace them.`);
    }
    if (args['issuer-key'] !== undefined) warnIfShared(args['issuer-key'], 'CA private key file', io);
    const issuer = args['issuer-cert'] !== undefined ? { certPem: readSmallTextFile(args['issuer-cert'], MAX_PEM_BYTES, '--issuer-cert'), keyPem: readSmallTextFile(args['issuer-key']!, MAX_PEM_BYTES, '--issuer-key') } : undefined;
    const made = newClientCertificate({
      upn: args.upn!,
      ...(args.days !== undefined ? { days: args.days } : {}),
      ...(args['key-type'] !== undefined ? { keyType: args['key-type'] as 'rsa' | 'ec' } : {}),
      ...(issuer ? { issuer } : {}),
    });
    mkdirSync(out, { recursive: true, mode: 0o700 });
    const script = hostMappingScript(made, CERT_FILE, issuer === undefined);
    // New files, never through a symlink planted in --out nor keeping the mode of a file replaced with --force.
    writeFileAtomically(paths.cert, made.certPem, 0o644);
    writeFileAtomically(paths.key, made.keyPem, 0o600);
    writeFileAtomically(paths.script, script, 0o644);
    if (args.json) {
      io.stdout.write(JSON.stringify({ certPem: paths.cert, certKeyPem: paths.key, script: paths.script, upn: made.upn, thumbprint: made.thumbprint, issuerThumbprint: made.issuerThumbprint, notAfter: made.notAfter.toISOString() }) + '\n');
    } else {
      io.stdout.write(
        [
          `Certificate: ${paths.cert} (UPN ${made.upn}, thumbprint ${made.thumbprint}, valid until ${made.notAfter.toISOString().slice(0, 10)})`,
          `Private key: ${paths.key} (mode 0600, unencrypted: keep it safe)`,
          '',
          script.trimEnd(),
          '',
          `Then: hyperv-wsman identify --host HOST --transport certificate --cert-pem ${paths.cert} --cert-key-pem ${paths.key}`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  } catch (err) {
    return reportError(err, args as Parameters<typeof reportError>[1], io);
  }
}
