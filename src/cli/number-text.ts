/** A number flag's value as the user should see it in an error (yargs turns `--timeout abc` into NaN). */
export { describeNumber as givenNumber } from '../positive-integer.js';
