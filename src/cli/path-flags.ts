/**
 * The flags (and config keys of the same name) that name a file or folder, across every command.
 * An empty value is refused where it is given: read as a path it would quietly mean the current
 * folder (or, in the config file, the config file's folder), and `--ca-trust-path ""` is more likely a
 * shell variable that was not set than a wish for "none".
 */
export const PATH_FLAGS: ReadonlySet<string> = new Set([
  // Connection settings (config-file.ts expands `~/` and relative paths of these).
  'password-file',
  'ca-trust-path',
  'cert-pem',
  'cert-key-pem',
  'cert-key-password-file',
  'keytab',
  'krb5-config',
  // Command-line only.
  'config',
  'inventory',
  // cert new
  'out',
  'issuer-cert',
  'issuer-key',
  // emulator
  'cert',
  'key',
  'fixtures',
]);

/** The message for an empty path; `where` is the flag (`--ca-trust-path`) or the config key as written. */
export function emptyPathMessage(where: string): string {
  return `${where} is empty; give a path, or leave the setting out.`;
}

/** The first path flag given an empty value in parsed argv, as a usage message, or undefined. */
export function emptyPathFlag(args: Readonly<Record<string, unknown>>): string | undefined {
  for (const name of PATH_FLAGS) {
    const v = args[name];
    if (v === '' || (Array.isArray(v) && v.includes(''))) return emptyPathMessage(`--${name}`);
  }
  return undefined;
}
