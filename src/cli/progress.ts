/**
 * Job progress as the CLI shows it: a redrawn bar on a terminal, one plain line per change otherwise,
 * NDJSON `progress` documents with --json.
 */
import type { HypervJob } from '../hyperv/jobs.js';
import { JOB_STATE, valueLabel } from '../hyperv/value-maps.js';
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

function stateText(job: HypervJob): string {
  return job.jobState === null ? 'unknown state' : valueLabel(JOB_STATE, job.jobState);
}

export function progressSink(io: CliIo, json: boolean): ProgressSink {
  let last: string | undefined;
  let drawn = false;
  const tty = !json && isTty(io);
  return {
    update(job) {
      // Polls that change nothing are not shown.
      const key = `${job.jobState}/${job.percentComplete}`;
      if (key === last) return;
      last = key;
      if (json) writeJson(io, progressToJson(job));
      else if (tty) {
        // \r + erase-line (CSI K) redraws in place.
        io.stdout.write(`\r\x1b[K${renderBar(job.percentComplete)}  ${stateText(job)}${job.elementName ? `  ${job.elementName}` : ''}`);
        drawn = true;
      } else io.stdout.write(`${stateText(job)} ${job.percentComplete ?? '?'}%\n`);
    },
    end() {
      if (drawn) io.stdout.write('\n');
      drawn = false;
    },
  };
}
