/**
 * A number flag's value as the user should see it in an error: yargs turns `--timeout abc` into NaN,
 * and "got NaN" names neither what was typed nor what is wrong with it.
 */
export function givenNumber(v: number | undefined): string {
  return v !== undefined && Number.isNaN(v) ? 'something that is not a number' : String(v);
}
