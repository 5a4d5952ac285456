// `node --import tsx --import ./test/helpers/record-imports.mjs ...`: appends the URL of every module
// loaded to the file named by $RECORD_IMPORTS, so a test can see what a command pulled in.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (process.env.RECORD_IMPORTS) appendFileSync(process.env.RECORD_IMPORTS, url + '\\n');
  return next(url, context);
}`;
register('data:text/javascript,' + encodeURIComponent(hooks));
