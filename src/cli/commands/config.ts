/**
 * `hyperv-wsman config show`: the settings a command would use here and now (flags, HYPERV_WSMAN_*
 * variables, config profile, config defaults), each with where it came from. Secrets are never
 * printed: the password only by its source, and a proxy URL without its credentials. No password is
 * read and no connection is made.
 */
import type { Argv } from 'yargs';
import { defineCommand } from '../command.js';
import { CONFIG_KEYS, type ConfigKey } from '../config-file.js';
import { PASSWORD_ENV, resolveSettings, withConnectionOptions, type ConnectionArgs } from '../connection.js';
import type { CliIo } from '../io.js';
import { formatTable, writeJson } from '../output.js';
import { reportError } from '../run.js';
import { maskUrlCredentials } from '../../transport/proxy-tunnel.js';

interface ConfigArgs extends ConnectionArgs {
  action?: string;
}

/** Settings whose value may carry a secret, and how to show it. */
const REDACT: Readonly<Partial<Record<ConfigKey, (v: string) => string>>> = {
  proxy: (v) => maskUrlCredentials(v),
};

/** Where the password would come from, in resolvePassword's order; never the password itself. */
function passwordSource(args: ConnectionArgs, io: CliIo, passwordFile: string | undefined, fileSource: string | undefined): string | null {
  if (args['password-stdin']) return '--password-stdin';
  if (args['password-file'] !== undefined) return '--password-file';
  if (io.env[PASSWORD_ENV] !== undefined) return `$${PASSWORD_ENV}`;
  if (passwordFile !== undefined) return `password-file (${fileSource ?? 'config'})`;
  return null;
}

function show(args: ConfigArgs, io: CliIo): number {
  const { values, sources, config } = resolveSettings(args, io);
  const settings: Record<string, { value: string | number | boolean; source: string }> = {};
  for (const key of Object.keys(CONFIG_KEYS) as ConfigKey[]) {
    const v = values[key];
    if (v === undefined) continue;
    const redact = REDACT[key];
    settings[key] = { value: redact && typeof v === 'string' ? redact(v) : v, source: sources[key] ?? 'unknown' };
  }
  const password = passwordSource(args, io, values['password-file'], sources['password-file']);
  if (args.json) {
    writeJson(io, { configFile: config.path ?? null, profile: config.profile ?? null, profiles: config.profiles, settings, password: { source: password } });
    return 0;
  }
  const out: string[] = [];
  out.push(`config file: ${config.path ?? '(none)'}${config.profile !== undefined ? `, profile "${config.profile}"` : ''}`);
  if (config.profiles.length) out.push(`profiles: ${config.profiles.join(', ')}`);
  const rows: Array<[string, string, string]> = Object.entries(settings).map(([k, s]) => [k, String(s.value), s.source]);
  // An empty variable is still the source used, and an empty password is what gets sent: say so rather than "(hidden)".
  const emptyFromEnv = password === `$${PASSWORD_ENV}` && io.env[PASSWORD_ENV] === '';
  rows.push(['password', password === null ? '(none)' : emptyFromEnv ? '(empty)' : '(hidden)', password ?? `set $${PASSWORD_ENV}, or use --password-stdin / --password-file`]);
  out.push(formatTable(['SETTING', 'VALUE', 'FROM'], rows).trimEnd());
  if (settings.host === undefined) out.push('(no host: give --host, $HYPERV_WSMAN_HOST or "host" in a profile)');
  io.stdout.write(out.join('\n') + '\n');
  return 0;
}

export const configCommand = defineCommand<ConfigArgs>({
  command: 'config <action>',
  describe: 'Show the effective settings and where each comes from (flag, environment, profile); secrets redacted',
  builder: (y) =>
    withConnectionOptions(y)
      .positional('action', { type: 'string', choices: ['show'], describe: 'show: print the settings a command would use' })
      .example('$0 config show --profile lab', 'What `--profile lab` resolves to')
      .example('HYPERV_WSMAN_HOST=hv01 $0 config show --json', 'The same as JSON') as Argv<ConfigArgs>,
  run: (args, io) => {
    try {
      return Promise.resolve(show(args, io));
    } catch (err) {
      return Promise.resolve(reportError(err, args, io));
    }
  },
});
