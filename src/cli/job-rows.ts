/** The columns `jobs` prints for each job, on one host or many. */
import { jobOutcome } from '../hyperv/job-outcome.js';
import type { HypervJob } from '../hyperv/jobs.js';

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
