/**
 * Module loader hooks for bench/guard.ts: every module URL the process loads is appended to the
 * file named by HYPERV_WSMAN_MODULE_LOG (registered with module.register, so it runs in the loader
 * thread and costs the measured process nothing but the append).
 */
import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  if (process.env.HYPERV_WSMAN_MODULE_LOG) appendFileSync(process.env.HYPERV_WSMAN_MODULE_LOG, `${url}\n`);
  return next(url, context);
}
