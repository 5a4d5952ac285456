/**
 * Job progress as the CLI shows it: a redrawn bar on a terminal (never wider than it, with the time
 * spent waiting), one plain line per change otherwise, NDJSON `progress` documents with --json.
 */
import type { HypervJob } from '../hyperv/jobs.js';
import { JOB_STATE, valueLabel } from '../hyperv/value-maps.js';
import { REDRAW } from './terminal-text.js';
import type { CliIo } from './io.js';
import { isTty, writeJson } from './output.js';

export interface ProgressJson {
  readonly type: 'progress';
  readonly jobClass: string;
  readonly instanceId: string;
  readonly jobState: number | null;
  readonly jobStateName: string | null;
  readonly percentComplete: number | null;
}

export interface ProgressSink {
  update(job: HypervJob): void;
  /** Leave the line the bar was drawn on. */
  end(): void;
}

const BAR_WIDTH = 30;
const MIN_BAR_WIDTH = 10;
/** When the stream does not say how wide the terminal is. */
const DEFAULT_COLUMNS = 80;

/** `[#########---------------------]  30%`; unknown percent draws an empty bar and `?%`. */
export function renderBar(percent: number | null, width = BAR_WIDTH): string {
  const p = percent === null ? 0 : Math.max(0, Math.min(100, percent));
  const filled = Math.round((p / 100) * width);
  const label = percent === null ? '  ?%' : `${String(Math.round(p)).padStart(3)}%`;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${label}`;
}

export function progressToJson(job: HypervJob): ProgressJson {
  return {
    type: 'progress',
    jobClass: job.className,
    instanceId: job.instanceId,
    jobState: job.jobState,
    jobStateName: job.jobStateName,
    percentComplete: job.percentComplete,
  };
}

/** `0:07`, `12:34`, `1:02:03`: time spent waiting. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * One bar line fitting in `columns - 1` characters (writing into the last column wraps on many
 * terminals, which breaks the \r redraw): the bar narrows first, then the text is cut with `…`.
 */
export function progressLine(job: HypervJob, elapsedMs: number, columns: number): string {
  const tail = `  ${stateText(job)}  ${formatElapsed(elapsedMs)}${job.elementName ? `  ${job.elementName}` : ''}`;
  const room = Math.max(1, columns - 1);
  // "[" + bar + "] " + "100%" = bar + 7
  const width = Math.max(MIN_BAR_WIDTH, Math.min(BAR_WIDTH, room - 7 - tail.length));
  const line = renderBar(job.percentComplete, width) + tail;
  return [...line].length <= room ? line : [...line].slice(0, room - 1).join('') + '…';
}

function stateText(job: HypervJob): string {
  return job.jobState === null ? 'unknown state' : valueLabel(JOB_STATE, job.jobState);
}

export function progressSink(io: CliIo, json: boolean, now: () => number = Date.now): ProgressSink {
  let last: string | undefined;
  let drawn = false;
  const tty = !json && isTty(io);
  const started = now();
  const columns = (): number => {
    const c = (io.stdout as { columns?: number }).columns;
    return typeof c === 'number' && c > 0 ? c : DEFAULT_COLUMNS;
  };
  return {
    update(job) {
      if (tty) {
        // Every poll redraws, so the elapsed time moves; \r + erase-line (CSI K) redraws in place.
        io.stdout.write(REDRAW);
        io.stdout.write(progressLine(job, now() - started, columns()));
        drawn = true;
        return;
      }
      // Lines and documents only for a change of state or percentage.
      const key = `${job.jobState}/${job.percentComplete}`;
      if (key === last) return;
      last = key;
      if (json) writeJson(io, progressToJson(job));
      else io.stdout.write(`${stateText(job)} ${job.percentComplete ?? '?'}%\n`);
    },
    end() {
      if (drawn) io.stdout.write('\n');
      drawn = false;
    },
  };
}
