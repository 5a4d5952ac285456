/**
 * What `diagnoseHost` reports: one step per check, each with a stable id, a verdict, what was seen
 * (facts) and, when something is wrong, what to do (fix). Ids and the shape are part of the public
 * API (and of `hyperv-wsman doctor --json`): scripts branch on them.
 */
import type { ErrorCode } from '../errors.js';

/** pass: checked and fine; warn: works but needs attention; fail: broken; skip: not run (the summary says why). */
export type StepStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** Stable step ids, in the order the steps run. */
export const STEP_IDS = [
  'target',
  'dns',
  'tcp',
  'tls',
  'auth-schemes',
  'client-certificate',
  'ntlm-challenge',
  'kerberos-config',
  'kerberos-kdc',
  'kerberos-tgt',
  'kerberos-service-ticket',
  'kerberos-delegation',
  'identify',
  'hyperv-namespace',
] as const;

export type StepId = (typeof STEP_IDS)[number];

export type FactValue = string | number | boolean | readonly string[];

export interface DiagnosticStep {
  readonly id: StepId;
  /** Short human title ("TCP connection"). */
  readonly title: string;
  readonly status: StepStatus;
  /** One line: what was found, or for skip, why the step was not run. */
  readonly summary: string;
  /** What was observed (never a secret): addresses, fingerprint, schemes, names, times. */
  readonly facts: Readonly<Record<string, FactValue>>;
  /** For fail and warn: what a person can do, in CLI flag names. */
  readonly fix?: string;
  /** For fail (and some warns): the library error code of what went wrong (src/errors.ts). */
  readonly code?: ErrorCode;
  /** For skip: the step whose failure stopped this one. */
  readonly blockedBy?: StepId;
}

/** What a step's check returns; the runner adds id, title and the skip logic. */
export interface StepOutcome {
  readonly status: StepStatus;
  readonly summary: string;
  readonly facts?: Readonly<Record<string, FactValue>>;
  readonly fix?: string;
  readonly code?: ErrorCode;
}
