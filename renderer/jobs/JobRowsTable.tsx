import type { StudyRow } from '../../app/common/contract/batch.ts';
import { baseName, human } from '../shell/format.ts';

/** A page of a job's studies in worklist order, each with an Open into the viewer. */
export function JobRowsTable({ rows, active, onOpenFile }: { rows: StudyRow[]; active: boolean; onOpenFile(path: string): void }) {
  return (
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
  );
}
