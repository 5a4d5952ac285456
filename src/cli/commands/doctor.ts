/**
 * `hyperv-wsman doctor`: walks one host step by step (src/diagnostics) and shows each step as it
 * finishes: pass / warn / FAIL / skip, what was seen, and the fix. This module only renders; the
 * checks are the library's diagnoseHost. Exit code: 0 when no step failed (warnings allowed), else
 * the exit code of the first failure's error class (connection 5, auth 4, ...).
 */
import { diagnoseHost, STEP_TITLES, type DiagnosticStep } from '../../diagnostics/index.js';
import { failureOf } from '../../diagnostics/step-runner.js';
import { defineCommand } from '../command.js';
import { connectionOptions, withConnectionOptions, type ConnectionArgs } from '../connection.js';
import { EXIT, exitCodeForErrorCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { inFlagTerms } from '../option-names.js';
import { writeJson } from '../output.js';

export interface DoctorJson {
  /** true when no step failed (warnings allowed). */
  readonly ok: boolean;
  readonly exitCode: number;
  readonly steps: readonly DiagnosticStep[];
}

export const doctorCommand = defineCommand<ConnectionArgs>({
  command: 'doctor',
  describe: 'Diagnose one host step by step (DNS, TCP, TLS, auth schemes, NTLM/Kerberos/certificate, Identify, Hyper-V namespace), with the fix for each failure',
  builder: (y) =>
    withConnectionOptions(y)
      .example("HYPERV_WSMAN_PASSWORD=... $0 doctor --host hv01 --user 'LAB\\admin'", 'Check everything between this machine and a Hyper-V host')
      .example("$0 doctor --host hv01 --user 'LAB\\admin' --json", 'The same as one JSON document (stable step ids), for scripts'),
  run: (args, io) => runDoctor(args, io),
});

export async function runDoctor(args: ConnectionArgs, io: CliIo): Promise<number> {
  const live = args.json !== true;
  const show = (s: DiagnosticStep): void => {
    if (live) io.stdout.write(renderStep(s));
  };
  let steps: readonly DiagnosticStep[];
  try {
    const options = await connectionOptions(args, io);
    if (live) io.stdout.write(`hyperv-wsman doctor: ${options.host} (transport ${options.transport ?? 'ntlm'})\n`);
    steps = await diagnoseHost(options, show, { env: io.env });
  } catch (err) {
    // The settings themselves are unusable (no --host, no password source, contradicting flags).
    const o = failureOf(err);
    const step: DiagnosticStep = { id: 'target', title: STEP_TITLES.target, status: 'fail', summary: o.summary, facts: {}, ...(o.code !== undefined ? { code: o.code } : {}) };
    show(step);
    steps = [step];
  }
  const steps2 = steps.map(inCliTerms);
  const exitCode = exitCodeOf(steps2);
  if (live) io.stdout.write(renderVerdict(steps2, exitCode));
  else writeJson(io, { ok: exitCode === EXIT.OK, exitCode, steps: steps2 } satisfies DoctorJson);
  return exitCode;
}

/** 0 when no step failed; else the exit code of the first failure's error code. */
export function exitCodeOf(steps: readonly DiagnosticStep[]): number {
  const first = steps.find((s) => s.status === 'fail');
  if (first === undefined) return EXIT.OK;
  const code = first.code !== undefined ? exitCodeForErrorCode(first.code) : EXIT.INTERNAL;
  // A failed step is never an exit 0, whatever its code maps to.
  return code === EXIT.OK ? EXIT.INTERNAL : code;
}

function inCliTerms(s: DiagnosticStep): DiagnosticStep {
  return { ...s, summary: inFlagTerms(s.summary), ...(s.fix !== undefined ? { fix: inFlagTerms(s.fix) } : {}) };
}

const MARK: Readonly<Record<DiagnosticStep['status'], string>> = { pass: 'pass', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export function renderStep(raw: DiagnosticStep): string {
  const s = inCliTerms(raw);
  let out = `[${MARK[s.status]}] ${s.title.padEnd(23)} ${s.summary.replace(/\s*\n\s*/g, ' ')}\n`;
  for (const [k, v] of Object.entries(s.facts)) {
    if (s.status === 'pass' && !SHOWN_ON_PASS.has(k)) continue;
    out += `       ${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}\n`;
  }
  if (s.fix !== undefined) out += `       fix: ${s.fix}\n`;
  return out;
}

/** Facts worth a line even when the step passed (the rest are in --json). */
const SHOWN_ON_PASS: ReadonlySet<string> = new Set(['fingerprint', 'offered', 'netbiosDomain', 'netbiosComputer', 'dnsComputer', 'spn', 'productVersion', 'protocolVersion', 'hostMapping']);

function renderVerdict(steps: readonly DiagnosticStep[], exitCode: number): string {
  const count = (st: DiagnosticStep['status']): number => steps.filter((s) => s.status === st).length;
  const warns = count('warn');
  const tally = `${count('pass')} passed, ${warns} warning${warns === 1 ? '' : 's'}, ${count('fail')} failed, ${count('skip')} skipped`;
  const first = steps.find((s) => s.status === 'fail');
  return first === undefined ? `\nEvery step ran without failure (${tally}).\n` : `\nFAILED at ${first.id} (${tally}); exit code ${exitCode}.\n`;
}
