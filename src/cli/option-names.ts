/**
 * The library names its options in camelCase (operationTimeoutSec); the CLI user typed flags
 * (--operation-timeout). Errors crossing into the CLI are re-worded with this table so they name
 * what the user can change. Source: the ConnectionOptions fields (src/options.ts) and the flags of
 * connection.ts.
 */
export const FLAG_FOR_OPTION: Readonly<Record<string, string>> = {
  operationTimeoutSec: '--operation-timeout',
  readTimeoutSec: '--read-timeout',
  connectTimeoutSec: '--connect-timeout',
  messageEncryption: '--message-encryption',
  serverCertValidation: '--server-cert-validation',
  caTrustPath: '--ca-trust-path',
  sendCbt: '--send-cbt',
  ntlmEmptyAuthenticateBody: '--ntlm-empty-authenticate-body',
  allowUnencrypted: '--allow-unencrypted',
  proxyFromEnv: '--proxy-from-env',
  certPem: '--cert-pem',
  certKeyPem: '--cert-key-pem',
  certKeyPassword: '--cert-key-password-file',
  clientCertNegotiation: '--client-cert-negotiation',
  certFingerprint: '--cert-fingerprint',
  kerberosDelegation: '--kerberos-delegation',
  kerberosHostnameOverride: '--kerberos-hostname-override',
  kerberosService: '--kerberos-service',
  krb5Config: '--krb5-config',
  callTimeoutSec: '--call-timeout',
  maxEnvelopeSize: '--max-envelope-size',
  // Not a connection option: the bound on items of one enumeration (EnumerateArgs, ListJobsOptions).
  maxItems: '--max-items',
};

/** Single-word option names, re-worded only where they open a message ("port must be 1-65535"). */
const PLAIN = ['host', 'port', 'scheme', 'path', 'transport', 'user', 'proxy'];

/** `message` with library option names replaced by the CLI flags that set them. */
export function inFlagTerms(message: string): string {
  let out = message.replace(/\b[a-z]+(?:[A-Z][a-z]*)+\b/g, (name) => FLAG_FOR_OPTION[name] ?? name);
  out = out.replace(new RegExp(`^(${PLAIN.join('|')})\\b(?= (?:"[^"]*" )?(?:must|is required|only))`), '--$1');
  // "Use transport ntlm" / "Use messageEncryption auto": a flag followed by its value.
  out = out.replace(/(?<![-\w])transport (ntlm|basic|certificate|kerberos|negotiate)\b/g, '--transport $1');
  // Library messages that already name the flag beside the option ("caTrustPath (--ca-trust-path)") say it once.
  out = out.replace(/(--([a-z][a-z0-9-]*)(?: [^\s()]+)?) \(--\2\)/g, '$1');
  // ... and beside it with a slash ("readTimeoutSec / --read-timeout").
  out = out.replace(/(--([a-z][a-z0-9-]*)) \/ --\2\b/g, '$1');
  return out;
}
