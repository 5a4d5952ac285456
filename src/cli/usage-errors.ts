/**
 * yargs' usage messages in the CLI's words: what was typed, what is accepted, and the closest
 * accepted word ("Did you mean ...?") for a misspelt flag, command or value. yargs' own texts
 * ("Invalid values: Argument: transport, Given: ...", "Not enough arguments following: job-id")
 * name its internals, not what to type.
 */
import { closest } from './suggest.js';

export interface UsageContext {
  /** The command argv names, if any (`config`), and its yargs command string (`config <action>`). */
  readonly command?: { readonly name: string; readonly usage: string };
  /** The first word that is not a flag: the command the user meant, when none matched. */
  readonly firstWord?: string;
  /** The flags of that command, for "did you mean --...". */
  readonly knownFlags: () => readonly string[];
  /** The words typed, to tell a stray positional from a misspelt flag. */
  readonly argv?: readonly string[];
}

/** "Unknown argument: hots" gets "Did you mean --host?" when a known flag is close enough. */
export function withSuggestion(message: string, knownOf: () => readonly string[]): string {
  const m = /^Unknown arguments?: (.+)$/.exec(message);
  if (!m) return message;
  const known = knownOf();
  // yargs lists a kebab-case flag twice (ca-trust-pth, caTrustPth): keep the form the user typed.
  const all = m[1]!.split(', ');
  const unknown = all.filter((u) => !/[A-Z]/.test(u) || !all.includes(u.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)));
  const hints: string[] = [];
  for (const given of unknown) {
    const best = closest(given, known);
    if (best) hints.push(unknown.length > 1 ? `--${given}: did you mean --${best}?` : `Did you mean --${best}?`);
  }
  const head = `Unknown argument${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`;
  return hints.length ? `${head}. ${hints.join(' ')}` : head;
}

const unquote = (s: string): string => s.trim().replace(/^"(.*)"$/, '$1');

/** `Invalid values: Argument: transport, Given: "ntml", Choices: "basic", "ntlm"` -> `--transport "ntml" is not one of: basic, ntlm. Did you mean ntlm?` */
function invalidChoices(message: string, ctx: UsageContext): string | undefined {
  if (!message.startsWith('Invalid values:')) return undefined;
  const parts = [...message.matchAll(/Argument: ([\w-]+), Given: (.+?), Choices: (.+?)(?=\s*Argument: |$)/g)];
  if (parts.length === 0) return undefined;
  return parts
    .map(([, name, given, choices]) => {
      const accepted = choices!.split(/,\s*/).map(unquote);
      const typed = unquote(given!);
      // yargs names positionals (`completion [shell]`) the same way as flags.
      const positional = ctx.command !== undefined && new RegExp(`[<[]${name}[\\]>]`).test(ctx.command.usage);
      const what = positional ? `${ctx.command!.name} <${name}>:` : `--${name}`;
      const best = closest(typed, accepted);
      return `${what} "${typed}" is not one of: ${accepted.join(', ')}.${best ? ` Did you mean ${best}?` : ''}`;
    })
    .join(' ');
}

/** The message a usage error prints, in the CLI's words. */
export function usageMessage(raw: string, ctx: UsageContext): string {
  const message = raw.replace(/\s*\n\s*/g, ' ').trim();
  // recommendCommands: "Did you mean job-error?" alone does not say what was wrong.
  const command = /^Did you mean ([\w-]+)\?$/.exec(message);
  if (command) return `Unknown command${ctx.firstWord ? ` "${ctx.firstWord}"` : ''}. Did you mean ${command[1]}?`;
  const required = /^Missing required arguments?: (.+)$/.exec(message);
  if (required) return `Missing ${required[1]!.split(', ').map((n) => `--${n}`).join(', ')}.`;
  // yargs calls a word too many an "unknown argument", as it does a misspelt flag.
  const stray = /^Unknown arguments?: (.+)$/.exec(message)?.[1]?.split(', ').filter((w) => ctx.argv?.includes(w));
  if (stray && stray.length > 0 && ctx.command) {
    return `Unexpected argument${stray.length > 1 ? 's' : ''} ${stray.map((w) => `"${w}"`).join(', ')}: hyperv-wsman ${ctx.command.usage} takes ${/[<[]/.test(ctx.command.usage) ? 'no more words than that' : 'no words, only flags'} (a value with spaces needs quotes).`;
  }
  const following = /^Not enough arguments following: ([\w-]+)$/.exec(message);
  if (following) return `--${following[1]} needs a value.`;
  if (/^Not enough non-option arguments/.test(message) && ctx.command) {
    return `Missing ${ctx.command.usage.split(' ').filter((w) => w.startsWith('<')).join(' ') || 'argument'}: hyperv-wsman ${ctx.command.usage}.`;
  }
  return invalidChoices(message, ctx) ?? withSuggestion(message, ctx.knownFlags);
}

/** The line after a usage error: the help of the command in question, else the command list. */
export function helpHint(ctx: UsageContext): string {
  return `Run 'hyperv-wsman${ctx.command ? ` ${ctx.command.name}` : ''} --help' for usage.`;
}
