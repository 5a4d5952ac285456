/** Output primitives: one JSON document per line, and plain-text tables. */
import type { CliIo } from './io.js';

/** One JSON document on one line (NDJSON when called repeatedly). */
export function writeJson(io: CliIo, doc: unknown): void {
  io.stdout.write(JSON.stringify(doc) + '\n');
}

export function isTty(io: CliIo): boolean {
  return io.stdout.isTTY === true;
}

/** The terminal's width, when stdout says (a TTY does; a pipe does not). */
export function terminalColumns(io: CliIo): number | undefined {
  const c = (io.stdout as { columns?: number }).columns;
  return typeof c === 'number' && c > 0 ? c : undefined;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** Tab-separated cells, tabs and newlines inside a cell turned into spaces so columns stay intact. */
export function formatTsvRow(cells: readonly string[]): string {
  return cells.map((c) => c.replace(/[\t\r\n]+/g, ' ')).join('\t') + '\n';
}
