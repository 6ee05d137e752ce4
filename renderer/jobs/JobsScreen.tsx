import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { ApiResponse } from '../../app/common/contract/api.ts';
import type { JobState } from '../../app/common/contract/batch.ts';
import { call, onEvent } from '../api.ts';
import { Busy } from '../shell/Busy.tsx';
import { Dialog } from '../shell/Dialog.tsx';
import { ErrorText } from '../shell/ErrorText.tsx';
import { asErrorInfo } from '../shell/errors.ts';
import { baseName } from '../shell/format.ts';
import { PathField, pathLines } from '../shell/PathField.tsx';
import { JobDetails } from './JobDetails.tsx';
import { initialJobsState, jobsReducer } from './jobs-state.ts';
import { StateBadge } from './StateBadge.tsx';

type About = ApiResponse<'app.about'>;

/**
 * Batch jobs: score whole folders in the background (resumable after a restart), watch progress,
 * pause / cancel / resume, page through the ranked results, and write a report.
 */
export function JobsScreen({ about, onOpenFile, onClose }: { about: About | undefined; onOpenFile(path: string): void; onClose(): void }) {
  const [state, dispatch] = useReducer(jobsReducer, initialJobsState);
  const { jobs, selected, progress, roots, error, busy } = state;

  const refreshJobs = useCallback(async () => {
    try {
      dispatch({ type: 'listed', jobs: await call('jobs.list', {}) });
    } catch (e) {
      dispatch({ type: 'failed', error: asErrorInfo(e) });
    }
  }, []);
  useEffect(() => {
    void refreshJobs();
  }, [refreshJobs]);

  // Progress of every job; a state change also refreshes the list (counts, finished time).
  const lastState = useRef(new Map<number, JobState>());
  useEffect(
    () =>
      onEvent('jobs.progress', (p) => {
        dispatch({ type: 'progress', progress: p });
        if (lastState.current.get(p.jobId) !== p.state) {
          lastState.current.set(p.jobId, p.state);
          void refreshJobs();
        }
      }),
    [refreshJobs],
  );

  const run = async (label: string, work: () => Promise<unknown>): Promise<void> => {
    dispatch({ type: 'busy', label });
    try {
      await work();
      dispatch({ type: 'done' });
    } catch (e) {
      dispatch({ type: 'failed', error: asErrorInfo(e) });
    } finally {
      await refreshJobs();
    }
  };

  const start = (): Promise<void> =>
    run('Starting the job', async () => {
      const job = await call('jobs.start', { roots: pathLines(roots) });
      dispatch({ type: 'select', id: job.id });
      lastState.current.set(job.id, job.state);
    });

  const job = jobs.find((j) => j.id === selected);
  const model = about?.activeModel;

  return (
    <Dialog title="Batch jobs" onClose={onClose} full testId="jobs-screen">
      <div className="screen-grid jobs-grid">
        <section className="pane">
          <h3>New job</h3>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              if (pathLines(roots).length > 0) void start();
            }}
          >
            <PathField
              label="Folders to score (one per line)"
              value={roots}
              onChange={(text) => dispatch({ type: 'roots', roots: text })}
              kind="folder"
              multiple
              placeholder="/media/usb/studies"
              testId="job-roots"
              hint="Walked recursively; DICOM, PNG and JPEG by content, other files are skipped and counted."
            />
            <p className="small">
              Model: <strong>{model?.name ?? '…'}</strong> <span className="muted mono">{model?.id}</span>{' '}
              {model?.demo && <span className="badge demo">UNTRAINED DEMO</span>}
            </p>
            {model?.demo && (
              <p className="warning small">
                The active model is the untrained demo: its ranking is random. Fetch or import a real model under Models first.
              </p>
            )}
            <button
              className="primary"
              type="submit"
              disabled={pathLines(roots).length === 0 || busy !== undefined}
              data-testid="job-start"
            >
              Start job
            </button>
          </form>
          <h3>Jobs</h3>
          {jobs.length === 0 ? (
            <p className="muted small">
              No jobs yet. Jobs survive restarts: a job interrupted by a crash or shutdown resumes where it stopped.
            </p>
          ) : (
            <ul className="job-list" aria-label="Jobs" data-testid="job-list">
              {jobs.map((j) => {
                const p = progress.get(j.id);
                const counts = p?.counts ?? j.counts;
                const state = p?.state ?? j.state;
                return (
                  <li key={j.id}>
                    <button
                      type="button"
                      className={`job-item${j.id === selected ? ' selected' : ''}`}
                      aria-pressed={j.id === selected}
                      onClick={() => dispatch({ type: 'select', id: j.id })}
                      data-testid="job-item"
                      data-job={j.id}
                    >
                      <span className="job-item-title">
                        <strong>#{j.id}</strong>{' '}
                        <span className="ellipsis" title={j.roots.join('\n')}>
                          {j.roots.map(baseName).join(', ')}
                        </span>
                      </span>
                      <span className="job-item-meta">
                        <StateBadge state={state} />
                        <span className="muted small">
                          {counts.finished}/{counts.studies} studies
                          {counts.failed > 0 ? ` · ${counts.failed} error${counts.failed === 1 ? '' : 's'}` : ''}
                        </span>
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </section>
        <section className="pane wide-pane">
          {error && (
            <p className="result-error">
              <ErrorText error={error} />
            </p>
          )}
          {busy && <Busy>{busy}…</Busy>}
          {job ? (
            <JobDetails
              key={job.id}
              job={job}
              progress={progress.get(job.id)}
              dataDir={about?.dataDir}
              onOpenFile={onOpenFile}
              onControl={(label, work) => void run(label, work)}
            />
          ) : (
            <div className="empty-state">
              <h1>Score whole folders</h1>
              <p className="muted">
                Point a job at a folder (or a USB disk) of studies, walk away, and come back to a ranked worklist and a report. Everything
                stays on this computer.
              </p>
            </div>
          )}
        </section>
      </div>
    </Dialog>
  );
}
