/**
 * The words a boolean setting takes where it arrives as text: `--send-cbt=WORD` on the command line
 * and HYPERV_WSMAN_SEND_CBT=WORD in the environment. One table, so the two agree; anything else is a
 * usage error, never a quiet `false` (yargs alone reads every word but "true" as false). The config
 * file is JSON and takes JSON's own true/false.
 */
const WORDS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['1', true],
  ['yes', true],
  ['on', true],
  ['false', false],
  ['0', false],
  ['no', false],
  ['off', false],
]);

/** How error messages list the accepted words. */
export const BOOLEAN_WORDS_TEXT = 'true or false (also 1/0, yes/no, on/off)';

/** The value of a boolean word (any case), or undefined when it is not one. */
export function booleanWord(raw: string): boolean | undefined {
  return WORDS.get(raw.toLowerCase());
}

/**
 * `--flag=WORD` and `--flag WORD` (WORD from the table: yargs itself takes a following true/false so)
 * for the boolean flags named, rewritten to `--flag` / `--no-flag` so yargs sees no value to misread;
 * `--no-flag=WORD` is refused (a double negative). Returns the new argv, or the usage error for the
 * first bad value. Nothing after `--` is touched.
 */
export function normalizeBooleanValues(argv: readonly string[], booleanFlags: ReadonlySet<string>): { argv: string[] } | { error: string } {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') return { argv: [...out, ...argv.slice(i)] };
    const m = /^--(no-)?([^=]+)(?:=(.*))?$/s.exec(token);
    if (!m || !booleanFlags.has(m[2]!)) {
      out.push(token);
      continue;
    }
    const [, negated, name] = m as unknown as [string, string | undefined, string];
    let raw = m[3];
    if (raw === undefined && i + 1 < argv.length && booleanWord(argv[i + 1]!) !== undefined) raw = argv[++i]!;
    if (raw === undefined) {
      out.push(token);
      continue;
    }
    if (negated) return { error: `--no-${name} takes no value; use --${name}=false or --no-${name} alone.` };
    const value = booleanWord(raw);
    if (value === undefined) return { error: `--${name} must be ${BOOLEAN_WORDS_TEXT}, got "${raw}".` };
    out.push(value ? `--${name}` : `--no-${name}`);
  }
  return { argv: out };
}

/** Whether argv may hold a value for a boolean flag (`--flag=WORD`, or a table word after a flag): only then is it checked. */
export function mayHoldBooleanValues(argv: readonly string[]): boolean {
  return argv.some((a, i) => /^--[^=]+=/.test(a) || (i > 0 && booleanWord(a) !== undefined && /^--[^=]+$/.test(argv[i - 1]!)));
}
