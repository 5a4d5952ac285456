/**
 * Runs the steps in order and keeps the rule "a step whose prerequisite failed is skipped, saying
 * which one": each step names the steps it needs; a failed step, and every step skipped because of
 * it, blocks what needs them. A check that throws becomes a failed step carrying the error's code.
 */
import { ErrorCodes, HypervWsmanError } from '../errors.js';
import type { DiagnosticStep, StepId, StepOutcome } from './types.js';

export type StepListener = (step: DiagnosticStep) => void;

export class StepRunner {
  readonly steps: DiagnosticStep[] = [];
  /** Step -> the failed step at the root of its failure or skip. */
  readonly #broken = new Map<StepId, StepId>();
  readonly #titles = new Map<StepId, string>();
  readonly #onStep: StepListener | undefined;

  constructor(onStep?: StepListener) {
    this.#onStep = onStep;
  }

  /** Whether the step ran and did not fail (pass or warn). */
  ok(id: StepId): boolean {
    const s = this.steps.find((x) => x.id === id);
    return s !== undefined && (s.status === 'pass' || s.status === 'warn');
  }

  /** Runs `check` unless a step in `needs` failed or was skipped for a failure; returns the recorded step. */
  async run(id: StepId, title: string, needs: readonly StepId[], check: () => StepOutcome | Promise<StepOutcome>): Promise<DiagnosticStep> {
    this.#titles.set(id, title);
    const blocker = needs.find((n) => this.#broken.has(n));
    if (blocker !== undefined) {
      const root = this.#broken.get(blocker)!;
      this.#broken.set(id, root);
      return this.#record({ id, title, status: 'skip', summary: `skipped: ${this.#titles.get(root) ?? root} (${root}) failed`, facts: {}, blockedBy: root });
    }
    let outcome: StepOutcome;
    try {
      outcome = await check();
    } catch (err) {
      outcome = failureOf(err);
    }
    if (outcome.status === 'fail') this.#broken.set(id, id);
    return this.#record({
      id,
      title,
      status: outcome.status,
      summary: outcome.summary,
      facts: outcome.facts ?? {},
      ...(outcome.fix !== undefined ? { fix: outcome.fix } : {}),
      ...(outcome.code !== undefined ? { code: outcome.code } : {}),
    });
  }

  #record(step: DiagnosticStep): DiagnosticStep {
    this.steps.push(step);
    this.#onStep?.(step);
    return step;
  }
}

/** A failed outcome from an error: its message (which already says what to do) and its code. */
export function failureOf(err: unknown, facts: StepOutcome['facts'] = {}, fix?: string): StepOutcome {
  const code = err instanceof HypervWsmanError ? err.code : ErrorCodes.INTERNAL;
  const message = err instanceof Error ? err.message : String(err);
  return { status: 'fail', summary: message, facts, code, ...(fix !== undefined ? { fix } : {}) };
}
