/**
 * Which connection settings mean something for which --transport, as one table, and what happens
 * to a setting given for a transport it does not apply to. Source: what the library reads for each
 * transport (options.ts resolveOptions, session/create-session.ts): the client certificate only in
 * the TLS handshake of `certificate`; Kerberos settings only where Kerberos runs (`kerberos`, and
 * `negotiate`, which may use it); channel binding only in an NTLM AUTHENTICATE or a Kerberos
 * authenticator (Basic and certificate carry none); the empty-AUTHENTICATE quirk only where NTLM runs.
 *
 * Given on the command line or in a HYPERV_WSMAN_* variable, such a setting is a usage error naming
 * it and the transport: it was typed for this call, so the call is probably not what was meant.
 * From the config file (defaults or a profile) it is a warning and the setting is left out: a config
 * file shares settings between hosts and transports (a profile's keytab stays useful when one call
 * says --transport ntlm), so refusing would make the override useless.
 */
import { InvalidOptionError } from '../errors.js';
import type { ConfigKey, ConfigValues } from './config-file.js';
import type { CliIo } from './io.js';

type Transport = 'basic' | 'ntlm' | 'kerberos' | 'negotiate' | 'certificate';

const KERBEROS: readonly Transport[] = ['kerberos', 'negotiate'];

export const TRANSPORTS_OF: Readonly<Partial<Record<ConfigKey, readonly Transport[]>>> = {
  'cert-pem': ['certificate'],
  'cert-key-pem': ['certificate'],
  'cert-key-password-file': ['certificate'],
  'client-cert-negotiation': ['certificate'],
  'kerberos-service': KERBEROS,
  'kerberos-hostname-override': KERBEROS,
  'kerberos-delegation': KERBEROS,
  kdc: KERBEROS,
  keytab: KERBEROS,
  'krb5-config': KERBEROS,
  'send-cbt': ['ntlm', 'kerberos', 'negotiate'],
  'ntlm-empty-authenticate-body': ['ntlm', 'negotiate'],
};

/** "--transport certificate", "--transport kerberos or negotiate", ... */
function transportsText(ts: readonly Transport[]): string {
  return `--transport ${ts.join(ts.length === 2 ? ' or ' : ', ')}`.replace(/, (\w+)$/, ', or $1');
}

const fromConfig = (source: string): boolean => source === 'config defaults' || source.startsWith('profile ');

/**
 * The settings with those of other transports checked: a usage error for one given by flag or
 * variable, a warning (once, when `warn`) and the setting dropped for one from the config file.
 * `sourceOf(key)` is where the value came from as resolveSettings says: 'flag', '$VAR', 'config
 * defaults', 'profile "lab"'.
 */
export function checkTransportSettings(s: ConfigValues, sourceOf: (key: ConfigKey) => string | undefined, io: CliIo, warn: boolean): ConfigValues {
  const transport = (s.transport ?? 'ntlm') as Transport;
  const transportSource = sourceOf('transport');
  const transportText = `--transport ${transport}${transportSource === undefined ? ' (the default)' : transportSource === 'flag' ? '' : ` (from ${transportSource})`}`;
  const out: ConfigValues = { ...s };
  // Refused settings, grouped by the transports they apply to, so one message names them all.
  const refused = new Map<string, string[]>();
  for (const [key, transports] of Object.entries(TRANSPORTS_OF) as Array<[ConfigKey, readonly Transport[]]>) {
    if (s[key] === undefined || transports.includes(transport)) continue;
    const source = sourceOf(key) ?? 'flag';
    if (fromConfig(source)) {
      if (warn) io.stderr.write(`hyperv-wsman: warning: "${key}" (${source}) applies only with ${transportsText(transports)}, not with ${transportText}; left out.\n`);
      delete out[key];
    } else {
      const group = transportsText(transports);
      refused.set(group, [...(refused.get(group) ?? []), source === 'flag' ? `--${key}` : source]);
    }
  }
  const [first] = refused;
  if (first) {
    const [group, names] = first;
    throw new InvalidOptionError(`${names.join(', ')} ${names.length === 1 ? 'applies' : 'apply'} only with ${group}, not with ${transportText}.`);
  }
  return out;
}
