/**
 * The process exit codes, documented in the README and docs/cli-json.md; scripts branch on these.
 * Apart from exit-codes.ts (which maps errors to them) so the entry point can use them without
 * loading the error classes (start-up cost, issue 10).
 */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  JOB_FAILED: 3,
  AUTH: 4,
  CONNECTION: 5,
  WSMAN_FAULT: 6,
  NOT_FOUND: 7,
  JOB_TIMEOUT: 8,
  /** invoke: the method answered with a ReturnValue other than 0 (success) or 4096 (job started). */
  METHOD_FAILED: 9,
} as const;
