/**
 * V8 settings for a CLI process that makes one call and exits (issue 10). V8's defaults are tuned for
 * programs that run long: a hot loop (our RC4 over a sealed reply, Node's own URL-to-path conversion
 * while modules load) is handed to the optimising compilers, and the young generation doubles as it
 * fills. In a process that lives a third of a second, neither pays back: the optimising compiler's
 * code pages and working memory were ~4.5 MiB (TurboFan, Node 20/22) to ~3-5 MiB (Maglev, Node 24)
 * of a job-error call's peak RSS, and the grown young generation ~1.5 MiB, with no CPU saved.
 * Bytecode and Sparkplug (V8's baseline compiler) stay on.
 *
 * The flags are set at run time with v8.setFlagsFromString, so the `hyperv-wsman` shebang stays the
 * portable `#!/usr/bin/env node` and NODE_OPTIONS is left to the user. V8 prints "unrecognized flag"
 * on stdout for a flag it does not know, which would corrupt --json output, so the flags are only set
 * on the V8 major versions they were checked against (`node --v8-options`, and a test runs them).
 */

/** Each flag, and why it is set; all exist (same names, same meaning) in V8 11.3, 12.4 and 13.6. */
export const SHORT_LIFE_FLAGS: readonly { readonly flag: string; readonly why: string }[] = [
  { flag: '--no-opt', why: 'no TurboFan (alias of --no-turbofan): the optimising compiler that Node 20 and 22 start on hot code' },
  { flag: '--no-maglev', why: "no Maglev: Node 24's mid-tier optimising compiler (off by default before V8 12)" },
  { flag: '--semi-space-growth-factor=1', why: 'the young generation keeps its initial size instead of doubling' },
];

/** V8 majors whose flag list was checked for SHORT_LIFE_FLAGS: 11 (Node 20), 12 (Node 22), 13 (Node 24). */
export const CHECKED_V8_MAJORS: readonly number[] = [11, 12, 13];

/** The flags to set in a process running this V8 (none where they were not checked). */
export function shortLifeFlags(v8Version: string = process.versions.v8): string[] {
  const major = Number(v8Version.split('.')[0]);
  return CHECKED_V8_MAJORS.includes(major) ? SHORT_LIFE_FLAGS.map((f) => f.flag) : [];
}

/**
 * Tunes this process for a short life. Only for a process that is about to exit: the settings are
 * process-wide and are never undone (a test runner or a library user calling runCli keeps V8's own).
 * node:v8 is imported here, not at the top, so `--version` and `--help` do not load it.
 */
export async function tuneForShortLife(): Promise<void> {
  const flags = shortLifeFlags();
  if (flags.length === 0) return;
  const { setFlagsFromString } = await import('node:v8');
  for (const flag of flags) setFlagsFromString(flag);
}
