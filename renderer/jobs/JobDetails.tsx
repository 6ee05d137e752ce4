import { useMemo } from 'react';
import type { JobProgress, JobSummary } from '../../app/common/contract/batch.ts';
import { call } from '../api.ts';
import { ProgressBar } from '../shell/Busy.tsx';
import { ErrorText } from '../shell/ErrorText.tsx';
import { formatDuration, formatTime } from '../shell/format.ts';
import { JobRowsTable } from './JobRowsTable.tsx';
import { ReportWriter } from './ReportWriter.tsx';
import { ACTIVE_STATES, StateBadge } from './StateBadge.tsx';
import { JOB_PAGE as PAGE, useJobRows } from './use-job-rows.ts';

/** One job: its model, controls, progress and counts, the report writer, and its ranked studies page by page. */
export function JobDetails({
  job,
  progress,
  dataDir,
  onOpenFile,
  onControl,
}: {
  job: JobSummary;
  progress: JobProgress | undefined;
  dataDir: string | undefined;
  onOpenFile(path: string): void;
  onControl(label: string, work: () => Promise<unknown>): void;
}) {
  const counts = progress?.counts ?? job.counts;
  const state = progress?.state ?? job.state;
  const active = ACTIVE_STATES.includes(state);
  const { rows, total, offset, setOffset, loading, error: rowsError } = useJobRows(job.id, [counts.finished, counts.studies, state]);
  const percent = counts.studies > 0 ? Math.round((100 * counts.finished) / counts.studies) : 0;
  const labels = useMemo(() => {
    const seen = new Set<string>();
    for (const r of rows) for (const l of r.flagged) seen.add(l);
    return seen;
  }, [rows]);

  return (
    <div className="stack" data-testid="job-details" data-state={state}>
      <header className="job-header">
        <div>
          <h3 className="no-margin">
            Job #{job.id} <StateBadge state={state} />
          </h3>
          <div className="muted small mono ellipsis" title={job.roots.join('\n')}>
            {job.roots.join(' · ')}
          </div>
          <div className="muted small">
            model {job.model.id} v{job.model.version}{' '}
            <span className="mono" title={job.model.sha256}>
              {job.model.sha256.slice(0, 8)}
            </span>
            {job.model.demo && (
              <>
                {' '}
                <span className="badge demo">UNTRAINED DEMO</span>
              </>
            )}{' '}
            · started {formatTime(job.createdAt)}
            {job.finishedAt ? ` · finished ${formatTime(job.finishedAt)}` : ''}
          </div>
        </div>
        <div className="button-row">
          {active && (
            <button
              type="button"
              className="secondary"
              onClick={() => onControl('Pausing', () => call('jobs.pause', { jobId: job.id }))}
              data-testid="job-pause"
            >
              Pause
            </button>
          )}
          {(state === 'paused' || state === 'interrupted' || state === 'failed') && (
            <button
              type="button"
              className="primary"
              onClick={() => onControl('Resuming', () => call('jobs.resume', { jobId: job.id }))}
              data-testid="job-resume"
            >
              Resume
            </button>
          )}
          {state !== 'done' && state !== 'cancelled' && (
            <button
              type="button"
              className="danger"
              onClick={() =>
                window.confirm(`Cancel job #${job.id}? Results so far are kept; a cancelled job cannot be resumed.`) &&
                onControl('Cancelling', () => call('jobs.cancel', { jobId: job.id }))
              }
              data-testid="job-cancel"
            >
              Cancel
            </button>
          )}
        </div>
      </header>

      <div className="job-progress" data-testid="job-progress">
        <ProgressBar done={counts.finished} total={counts.studies || (active ? null : 0)} label={`Job ${job.id}`} />
        <dl className="stats">
          <div>
            <dt>Studies</dt>
            <dd data-testid="job-count">
              {counts.finished} / {counts.studies}
              {counts.studies > 0 ? ` (${percent}%)` : ''}
            </dd>
          </div>
          <div>
            <dt>Rate</dt>
            <dd>{progress && progress.rate > 0 ? `${progress.rate.toFixed(1)} /s` : '—'}</dd>
          </div>
          <div>
            <dt>ETA</dt>
            <dd>{active ? formatDuration(progress?.etaSeconds) : '—'}</dd>
          </div>
          <div>
            <dt>Errors</dt>
            <dd className={counts.failed > 0 ? 'text-danger' : ''} data-testid="job-errors">
              {counts.failed}
            </dd>
          </div>
          <div>
            <dt>Files seen</dt>
            <dd>{counts.filesSeen}</dd>
          </div>
          <div>
            <dt>Skipped</dt>
            <dd
              title={Object.entries(job.skipReasons)
                .map(([k, v]) => `${k}: ${v}`)
                .join('\n')}
            >
              {counts.filesSkipped}
            </dd>
          </div>
          <div>
            <dt>Duplicates</dt>
            <dd>{counts.duplicates}</dd>
          </div>
        </dl>
        {progress && active && (
          <p className="muted small">
            {progress.phase === 'import'
              ? 'Walking folders and identifying files…'
              : progress.phase === 'classify'
                ? 'Scoring studies…'
                : 'Waiting…'}
          </p>
        )}
        {Object.keys(job.skipReasons).length > 0 && (
          <p className="muted small">
            Skipped:{' '}
            {Object.entries(job.skipReasons)
              .map(([k, v]) => `${v} × ${k}`)
              .join(' · ')}
          </p>
        )}
        {job.error && (
          <p className="result-error">
            <ErrorText error={job.error} />
          </p>
        )}
      </div>

      <ReportWriter jobId={job.id} dataDir={dataDir} disabled={counts.finished === 0} />

      <div className="table-header">
        <h3 className="no-margin">Ranked studies</h3>
        <span className="muted small">
          most suspicious first · {total} studies{loading ? ' · updating…' : ''}
        </span>
      </div>
      {rowsError && (
        <p className="result-error">
          <ErrorText error={rowsError} />
        </p>
      )}
      <JobRowsTable rows={rows} active={active} onOpenFile={onOpenFile} />
      {total > PAGE && (
        <div className="pager">
          <button type="button" className="secondary" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            ‹ Previous
          </button>
          <span className="muted">
            {offset + 1}–{Math.min(total, offset + PAGE)} of {total}
          </span>
          <button type="button" className="secondary" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
            Next ›
          </button>
        </div>
      )}
      {labels.size > 0 && job.model.demo && <p className="muted small">Flags from the untrained demo model are random.</p>}
    </div>
  );
}
