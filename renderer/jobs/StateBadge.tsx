import type { JobState } from '../../app/common/contract/batch.ts';

export const ACTIVE_STATES: readonly JobState[] = ['queued', 'importing', 'running'];
const STATE_TEXT: Record<JobState, string> = {
  queued: 'queued',
  importing: 'importing files',
  running: 'running',
  paused: 'paused',
  cancelled: 'cancelled',
  done: 'done',
  failed: 'failed',
  interrupted: 'interrupted',
};

/** A job's state as a coloured badge. */
export function StateBadge({ state }: { state: JobState }) {
  return (
    <span className={`badge state-${state}`} data-testid="job-state" data-state={state}>
      {STATE_TEXT[state]}
    </span>
  );
}
