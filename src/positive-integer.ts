/** The one check of a count a caller passes (maxElements, maxItems, concurrency): an integer in [1, max]. */
import { InvalidOptionError } from './errors.js';

/**
 * A number as the user should see it in an error: a CLI parser turns `--timeout abc` into NaN, and
 * "got NaN" names neither what was typed nor what is wrong with it.
 */
export function describeNumber(v: number | undefined): string {
  return v !== undefined && Number.isNaN(v) ? 'something that is not a number' : String(v);
}

/** `v` when it is an integer from 1 to `max` (a safe integer when no bound is given); InvalidOptionError naming `name` otherwise. */
export function requirePositiveInteger(name: string, v: number, max?: number): number {
  if (Number.isSafeInteger(v) && v >= 1 && (max === undefined || v <= max)) return v;
  throw new InvalidOptionError(`${name} must be ${max === undefined ? 'a positive integer' : `an integer from 1 to ${max}`}, got ${describeNumber(v)}.`);
}
