/**
 * Runs an example's main function and turns its outcome into an exit code: the number main returns,
 * or 1 with "CODE: message" on stderr when it throws (the library's errors carry a stable `code`).
 */
import { HypervWsmanError } from '../../src/index.js';

export function runExample(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const code = err instanceof HypervWsmanError ? err.code : 'ERR_UNEXPECTED';
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`error: ${code}: ${message}\n`);
      if (!(err instanceof HypervWsmanError) && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
      process.exitCode = 1;
    },
  );
}
