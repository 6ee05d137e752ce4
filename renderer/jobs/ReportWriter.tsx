import { useState } from 'react';
import type { ReportFormat } from '../../app/common/contract/batch.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { call } from '../api.ts';
import { Busy } from '../shell/Busy.tsx';
import { ErrorText } from '../shell/ErrorText.tsx';
import { asErrorInfo } from '../shell/errors.ts';

/** Writes the job's report (HTML, CSV or JSON) to a path, from the store, without the model. */
export function ReportWriter({ jobId, dataDir, disabled }: { jobId: number; dataDir: string | undefined; disabled: boolean }) {
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
      setError(asErrorInfo(e));
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
