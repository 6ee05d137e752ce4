import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApiResponse } from '../../app/common/contract/api.ts';
import type { JobProgress, JobState, JobSummary, ReportFormat, StudyRow } from '../../app/common/contract/batch.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { ApiError, call, onEvent } from '../api.ts';
import { Busy, ProgressBar } from '../shell/Busy.tsx';
import { Dialog } from '../shell/Dialog.tsx';
import { ErrorText } from '../shell/ErrorText.tsx';
import { baseName, formatDuration, formatTime, human } from '../shell/format.ts';
import { PathField, pathLines } from '../shell/PathField.tsx';

type About = ApiResponse<'app.about'>;
const PAGE = 50;
const asInfo = (e: unknown): ErrorInfo => (e instanceof ApiError ? e.info : { code: 'INTERNAL', message: String(e) });

const ACTIVE: readonly JobState[] = ['queued', 'importing', 'running'];
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

function StateBadge({ state }: { state: JobState }) {
  return (
    <span className={`badge state-${state}`} data-testid="job-state" data-state={state}>
      {STATE_TEXT[state]}
    </span>
  );
}

/**
 * Batch jobs: score whole folders in the background (resumable after a restart), watch progress,
 * pause / cancel / resume, page through the ranked results, and write a report.
 */
export function JobsScreen({ about, onOpenFile, onClose }: { about: About | undefined; onOpenFile(path: string): void; onClose(): void }) {
  const [jobs, setJobs] = useState<JobSummary[]>([]);
  const [selected, setSelected] = useState<number>();
  const [progress, setProgress] = useState<Map<number, JobProgress>>(new Map());
  const [roots, setRoots] = useState('');
  const [error, setError] = useState<ErrorInfo>();
  const [busy, setBusy] = useState<string>();

  const refreshJobs = useCallback(async () => {
    try {
      const list = await call('jobs.list', {});
      setJobs([...list].sort((a, b) => b.id - a.id));
      setSelected((s) => s ?? list.reduce<number | undefined>((max, j) => Math.max(max ?? 0, j.id), undefined));
    } catch (e) {
      setError(asInfo(e));
    }
  }, []);
  useEffect(() => void refreshJobs(), [refreshJobs]);

  // Progress of every job; a state change also refreshes the list (counts, finished time).
  const lastState = useRef(new Map<number, JobState>());
  useEffect(
    () =>
      onEvent('jobs.progress', (p) => {
        // The closing event of a run carries rate 0: keep showing the rate the run reached.
        setProgress((prev) =>
          new Map(prev).set(p.jobId, p.rate > 0 || p.phase !== 'idle' ? p : { ...p, rate: prev.get(p.jobId)?.rate ?? 0 }),
        );
        if (lastState.current.get(p.jobId) !== p.state) {
          lastState.current.set(p.jobId, p.state);
          void refreshJobs();
        }
      }),
    [refreshJobs],
  );

  const run = async (label: string, work: () => Promise<unknown>): Promise<void> => {
    setBusy(label);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(asInfo(e));
    } finally {
      setBusy(undefined);
      await refreshJobs();
    }
  };

  const start = (): Promise<void> =>
    run('Starting the job', async () => {
      const job = await call('jobs.start', { roots: pathLines(roots) });
      setSelected(job.id);
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
              onChange={setRoots}
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
            <ul className="job-list" role="listbox" aria-label="Jobs" data-testid="job-list">
              {jobs.map((j) => {
                const p = progress.get(j.id);
                const counts = p?.counts ?? j.counts;
                const state = p?.state ?? j.state;
                return (
                  <li key={j.id}>
                    <button
                      type="button"
                      className={`job-item${j.id === selected ? ' selected' : ''}`}
                      role="option"
                      aria-selected={j.id === selected}
                      onClick={() => setSelected(j.id)}
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

function JobDetails({
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
  const active = ACTIVE.includes(state);
  const [offset, setOffset] = useState(0);
  const [rows, setRows] = useState<StudyRow[]>([]);
  const [total, setTotal] = useState(0);
  const [rowsError, setRowsError] = useState<ErrorInfo>();
  const [loading, setLoading] = useState(false);

  const loadRows = useCallback(
    async (from: number) => {
      setLoading(true);
      try {
        const page = await call('jobs.get', { jobId: job.id, offset: from, limit: PAGE });
        setRows(page.rows);
        setTotal(page.totalRows);
        setRowsError(undefined);
      } catch (e) {
        setRowsError(asInfo(e));
      } finally {
        setLoading(false);
      }
    },
    [job.id],
  );

  // Rows follow the job: at most once a second while it runs, and once more on every state change.
  const lastLoad = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    const due = lastLoad.current + 1000 - Date.now();
    clearTimeout(pending.current);
    pending.current = setTimeout(
      () => {
        lastLoad.current = Date.now();
        void loadRows(offset);
      },
      Math.max(0, due),
    );
    return () => clearTimeout(pending.current);
  }, [loadRows, offset, counts.finished, counts.studies, state]);

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
      <div className="table-scroll">
        <table className="data-table" data-testid="job-rows">
          <thead>
            <tr>
              <th>#</th>
              <th>Study</th>
              <th>Patient</th>
              <th className="num">Score</th>
              <th>Flagged</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.studyId} data-testid="job-row" data-status={r.status} data-score={r.rankScore ?? undefined}>
                <td className="num muted">{r.rank}</td>
                <td>
                  <div className="ellipsis" title={r.file}>
                    {baseName(r.file)}
                  </div>
                  <div className="muted small">
                    {[r.format.toUpperCase(), r.modality, r.viewPosition, r.copies > 1 ? `${r.copies} copies` : undefined]
                      .filter(Boolean)
                      .join(' · ')}
                  </div>
                </td>
                <td className="mono small">{r.patientId ?? '—'}</td>
                <td className="num">
                  {r.rankScore === null ? (
                    <span className="muted">—</span>
                  ) : (
                    <span className={`score ${r.rankScore >= 0 ? 'positive' : 'negative'}`}>
                      {r.rankScore >= 0 ? '+' : '−'}
                      {Math.abs(r.rankScore).toFixed(2)}
                    </span>
                  )}
                </td>
                <td>
                  <div className="badges">
                    {r.inputSuspect && (
                      <span className="badge warn" title={r.inputSuspectReason ?? 'Input guard: unusual image'}>
                        ⚠ check input
                      </span>
                    )}
                    {r.flagged.slice(0, 2).map((f) => (
                      <span key={f} className="badge finding-badge">
                        {human(f)}
                      </span>
                    ))}
                    {r.flagged.length > 2 && (
                      <span className="badge" title={r.flagged.slice(2).map(human).join(', ')}>
                        +{r.flagged.length - 2}
                      </span>
                    )}
                  </div>
                </td>
                <td>
                  {r.status === 'error' && r.error ? (
                    <span className="badge error" title={r.error.message}>
                      {r.error.code}
                    </span>
                  ) : r.status === 'pending' ? (
                    <span className="muted">pending</span>
                  ) : (
                    <span className="text-ok">ok</span>
                  )}
                </td>
                <td className="actions-cell">
                  <button
                    type="button"
                    className="link"
                    onClick={() => onOpenFile(r.file)}
                    title={`Open ${r.file} in the viewer`}
                    data-testid="job-row-open"
                  >
                    Open
                  </button>
                </td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  {active ? 'Results appear here as studies are scored.' : 'No studies in this job.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
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

function ReportWriter({ jobId, dataDir, disabled }: { jobId: number; dataDir: string | undefined; disabled: boolean }) {
  const [format, setFormat] = useState<ReportFormat>('html');
  const suggested = dataDir
    ? `${dataDir}${dataDir.includes('\\') ? '\\' : '/'}reports${dataDir.includes('\\') ? '\\' : '/'}job-${jobId}.${format}`
    : '';
  const [out, setOut] = useState<string>();
  const [written, setWritten] = useState<{ path: string; studies: number }>();
  const [error, setError] = useState<ErrorInfo>();
  const [writing, setWriting] = useState(false);
  const path = out ?? suggested;
  const write = async (): Promise<void> => {
    setWriting(true);
    setError(undefined);
    setWritten(undefined);
    try {
      setWritten(await call('jobs.report', { jobId, out: path }));
    } catch (e) {
      setError(asInfo(e));
    } finally {
      setWriting(false);
    }
  };
  return (
    <form
      className="report-writer"
      onSubmit={(e) => {
        e.preventDefault();
        void write();
      }}
    >
      <label className="muted small" htmlFor={`report-${jobId}`}>
        Report
      </label>
      <select
        value={format}
        aria-label="Report format"
        onChange={(e) => {
          const f = e.target.value as ReportFormat;
          setFormat(f);
          if (out) setOut(out.replace(/\.(csv|json|html)$/i, `.${f}`));
        }}
      >
        <option value="html">HTML</option>
        <option value="csv">CSV</option>
        <option value="json">JSON</option>
      </select>
      <input
        id={`report-${jobId}`}
        value={path}
        onChange={(e) => setOut(e.target.value)}
        spellCheck={false}
        data-testid="report-path"
        aria-label="Report file"
      />
      <button
        className="secondary"
        type="submit"
        disabled={disabled || writing || !/\.(csv|json|html)$/i.test(path)}
        data-testid="report-write"
      >
        Write report
      </button>
      <p className="muted small">
        HTML has thumbnails and opens in any browser without a server; CSV and JSON hold one row per study with every probability.
      </p>
      {writing && <Busy>Writing…</Busy>}
      {written && (
        <p className="ok-text small" data-testid="report-written">
          Wrote {written.studies} studies to <span className="mono">{written.path}</span>
        </p>
      )}
      {error && (
        <p className="result-error">
          <ErrorText error={error} />
        </p>
      )}
    </form>
  );
}
