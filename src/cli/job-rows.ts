/** The columns `jobs` prints for each job, on one host or many. */
import { jobOutcome } from '../hyperv/job-outcome.js';
import type { HypervJob } from '../hyperv/jobs.js';
import { formatTable } from './output.js';

// OUTCOME last, so the tab-separated columns scripts already cut stay where they were.
export const JOB_HEADER = ['CLASS', 'INSTANCE ID', 'STATE', '%', 'ERROR', 'NAME', 'OUTCOME'] as const;

export function jobRow(j: HypervJob): string[] {
  return [
    j.className,
    j.instanceId,
    j.jobStateName ?? String(j.jobState ?? '-'),
    j.percentComplete === null ? '-' : String(j.percentComplete),
    j.errorCode === null ? '-' : String(j.errorCode),
    j.elementName ?? '',
    jobOutcome(j).status,
  ];
}

/** JOB_HEADER positions, for the two-line layout. */
const CLASS = 0;
const ID = 1;
const NAME = 5;
/** First line: what a reader scans for (which job, did it fail); second line, indented: class and name. */
const FIRST_LINE = [ID, 6, 2, 3, 4] as const;
const INDENT = '    ';

/** Cut to `width` characters (code points), with `…` when cut. */
function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

/**
 * The jobs table for a terminal `columns` wide. One line per job when it fits; else (a 36-character
 * InstanceID and seven columns make ~130) two lines per job: ID, outcome, state, percent and error
 * code (about 75 characters), then, indented, the class and the name, cut to the width.
 */
export function formatJobTable(rows: readonly (readonly string[])[], columns: number | undefined): string {
  const wide = formatTable(JOB_HEADER, rows);
  if (columns === undefined || Math.max(...wide.split('\n').map((l) => [...l].length)) <= columns) return wide;
  const firsts = [JOB_HEADER, ...rows].map((r) => FIRST_LINE.map((i) => r[i] ?? ''));
  const widths = FIRST_LINE.map((_, k) => Math.max(...firsts.map((f) => f[k]!.length)));
  const first = (cells: readonly string[]): string => cells.map((c, k) => (k === cells.length - 1 ? c : c.padEnd(widths[k]!))).join('  ').trimEnd();
  const classWidth = Math.max(...[JOB_HEADER, ...rows].map((r) => (r[CLASS] ?? '').length));
  const second = (r: readonly string[]): string => fit(`${INDENT}${(r[CLASS] ?? '').padEnd(classWidth)}  ${r[NAME]}`.trimEnd(), columns);
  const lines = [first(firsts[0]!), second(JOB_HEADER)];
  rows.forEach((r, i) => lines.push(first(firsts[i + 1]!), second(r)));
  return lines.join('\n') + '\n';
}
