import type { JobProgress, JobSummary } from '../../app/common/contract/batch.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';

/** The Batch jobs screen's state: the jobs (newest first), the one shown, live progress, the new job's folders, and what is going on. */
export interface JobsState {
  jobs: JobSummary[];
  selected: number | undefined;
  progress: ReadonlyMap<number, JobProgress>;
  roots: string;
  error: ErrorInfo | undefined;
  busy: string | undefined;
}

export const initialJobsState: JobsState = {
  jobs: [],
  selected: undefined,
  progress: new Map(),
  roots: '',
  error: undefined,
  busy: undefined,
};

export type JobsAction =
  | { type: 'listed'; jobs: JobSummary[] }
  | { type: 'select'; id: number }
  | { type: 'progress'; progress: JobProgress }
  | { type: 'roots'; roots: string }
  | { type: 'busy'; label: string }
  | { type: 'done' }
  | { type: 'failed'; error: ErrorInfo };

export function jobsReducer(state: JobsState, action: JobsAction): JobsState {
  switch (action.type) {
    case 'listed': {
      const jobs = [...action.jobs].sort((a, b) => b.id - a.id);
      // Until the reader picks one, the newest job is shown.
      return { ...state, jobs, selected: state.selected ?? jobs[0]?.id };
    }
    case 'select':
      return { ...state, selected: action.id };
    case 'progress': {
      const p = action.progress;
      // The closing event of a run carries rate 0: keep showing the rate the run reached.
      const shown = p.rate > 0 || p.phase !== 'idle' ? p : { ...p, rate: state.progress.get(p.jobId)?.rate ?? 0 };
      return { ...state, progress: new Map(state.progress).set(p.jobId, shown) };
    }
    case 'roots':
      return { ...state, roots: action.roots };
    case 'busy':
      return { ...state, busy: action.label, error: undefined };
    case 'done':
      return { ...state, busy: undefined };
    case 'failed':
      return { ...state, busy: undefined, error: action.error };
  }
}
