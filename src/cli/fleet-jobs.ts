/**
 * `jobs` over several hosts (repeated --host, or --inventory): listFleetJobs with a global and a
 * per-host limit, each host printed as soon as it finishes. A host that fails is reported with its
 * error code and sets the exit code; the others are still listed.
 *
 * Exit code: 0 when every host answered; otherwise the code of the first failed host in the order
 * the hosts were given (--host flags, then the inventory), so it does not depend on which host
 * answered first. Each host's own code is in its stderr line and its JSON line.
 */
import { listFleetJobs, type FleetResult, type FleetTarget } from '../hyperv/fleet.js';
import { jobWithOutcomeToJson } from '../hyperv/job-json.js';
import type { HypervJob, ListJobsOptions } from '../hyperv/jobs.js';
import type { ConnectionOptions } from '../options.js';
import { exitCodeFor, EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { JOB_HEADER, formatJobTable, jobRow } from './job-rows.js';
import { formatTsvRow, isTty, terminalColumns, writeJson } from './output.js';
import { errorCodeOf, messageOf } from './run.js';

export interface FleetJobsOptions {
  readonly hosts: readonly string[];
  readonly connections: readonly ConnectionOptions[];
  readonly list: ListJobsOptions;
  readonly concurrency: number | undefined;
  readonly perHostConcurrency: number | undefined;
  readonly json: boolean;
}

export async function runFleetJobs(o: FleetJobsOptions, io: CliIo): Promise<number> {
  const targets: FleetTarget[] = o.hosts.map((name, i) => ({ name, connection: o.connections[i]! }));
  const order = new Map(o.hosts.map((h, i) => [h, i]));
  const tty = isTty(io);
  const failed: Array<{ host: string; index: number; code: string; exit: number }> = [];
  if (!o.json && !tty) io.stdout.write(formatTsvRow(['HOST', ...JOB_HEADER]));
  const fleetOptions = { ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}), ...(o.perHostConcurrency !== undefined ? { perHostConcurrency: o.perHostConcurrency } : {}) };
  for await (const r of listFleetJobs(targets, o.list, fleetOptions)) {
    if (!r.ok) {
      const exit = exitCodeFor(r.error);
      failed.push({ host: r.host, index: order.get(r.host) ?? 0, code: errorCodeOf(r.error), exit });
      io.stderr.write(`hyperv-wsman: ${r.host}: ${errorCodeOf(r.error)}: ${messageOf(r.error).replace(/\s*\n\s*/g, ' ')}\n`);
    }
    if (o.json) writeJson(io, hostJson(r));
    else if (tty) io.stdout.write(hostBlock(r, terminalColumns(io)));
    else if (r.ok) for (const j of r.value) io.stdout.write(formatTsvRow([r.host, ...jobRow(j)]));
  }
  if (failed.length === 0) return EXIT.OK;
  failed.sort((a, b) => a.index - b.index);
  io.stderr.write(`hyperv-wsman: ${failed.length} of ${o.hosts.length} hosts failed: ${failed.map((f) => `${f.host} (${f.code})`).join(', ')}\n`);
  return failed[0]!.exit;
}

function hostJson(r: FleetResult<HypervJob[]>): unknown {
  const elapsedMs = Math.round(r.elapsedMs);
  if (r.ok) return { host: r.host, ok: true, elapsedMs, jobs: r.value.map((j) => jobWithOutcomeToJson(j)) };
  return { host: r.host, ok: false, elapsedMs, error: { code: errorCodeOf(r.error), message: messageOf(r.error), exitCode: exitCodeFor(r.error) } };
}

/** A terminal block per host: a heading line, then its table fitted to the terminal, as for one host (or what failed). */
function hostBlock(r: FleetResult<HypervJob[]>, columns: number | undefined): string {
  if (!r.ok) return `${r.host}: FAILED ${errorCodeOf(r.error)} (exit ${exitCodeFor(r.error)})\n\n`;
  const n = r.value.length;
  const heading = `${r.host}: ${n} job${n === 1 ? '' : 's'}\n`;
  return n === 0 ? heading + '\n' : heading + formatJobTable(r.value.map(jobRow), columns) + '\n';
}
