import { useEffect, useRef } from 'react';
import { ErrorText } from '../shell/ErrorText.tsx';
import { formatDate } from '../viewer/Viewer.tsx';
import { Thumbnail } from './Thumbnail.tsx';
import type { Worklist as WorklistData, WorklistEntry } from './worklist-model.ts';

interface Props {
  worklist: WorklistData;
  ordered: WorklistEntry[];
  cursor: string | undefined;
  openId: string | undefined;
  filter: string;
  flaggedOnly: boolean;
  onFilter(filter: string): void;
  onFlaggedOnly(on: boolean): void;
  onCursor(id: string): void;
  onOpen(id: string): void;
}

const human = (label: string): string => label.replaceAll('_', ' ');

function ScoreCell({ entry }: { entry: WorklistEntry }) {
  const r = entry.result;
  if (!r) return <span className="score pending">…</span>;
  if (!r.ok) return <span className="score error-badge">{r.error.code === 'MODALITY_NOT_SUPPORTED' ? 'not scored' : 'error'}</span>;
  const s = r.prediction.triageScore;
  return (
    <span
      className={`score ${s >= 0 ? 'positive' : 'negative'}`}
      data-testid="triage-score"
      title="Triage score: how far the most suspicious finding lies beyond its threshold (−1 … 1; ≥ 0 = something flagged)"
    >
      {s >= 0 ? '+' : '−'}
      {Math.abs(s).toFixed(2)}
    </span>
  );
}

/** Every loaded study, most suspicious first; ↑/↓ move, Enter opens. */
export function Worklist(p: Props) {
  const listRef = useRef<HTMLUListElement>(null);
  useEffect(() => {
    listRef.current?.querySelector(`[data-id="${p.cursor}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [p.cursor]);

  const onKey = (event: React.KeyboardEvent): void => {
    const index = p.ordered.findIndex((e) => e.summary.id === p.cursor);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      event.stopPropagation();
      const next = p.ordered[Math.max(0, Math.min(p.ordered.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))];
      if (next) p.onCursor(next.summary.id);
    } else if (event.key === 'Enter' && p.cursor) {
      event.preventDefault();
      p.onOpen(p.cursor);
    }
  };

  const unread = p.worklist.entries.filter((e) => !e.read).length;
  return (
    <section className="worklist" aria-label="Worklist">
      <header className="panel-header">
        <h2>Worklist</h2>
        <span className="muted">
          {p.worklist.entries.length} studies · {unread} unread
        </span>
      </header>
      <div className="worklist-filters">
        <input
          type="search"
          placeholder="Filter: name, patient, finding…"
          value={p.filter}
          onChange={(e) => p.onFilter(e.target.value)}
          data-testid="worklist-filter"
        />
        <label className="check">
          <input type="checkbox" checked={p.flaggedOnly} onChange={(e) => p.onFlaggedOnly(e.target.checked)} /> Flagged only
        </label>
      </div>
      <ul
        className="worklist-rows"
        role="listbox"
        tabIndex={0}
        ref={listRef}
        onKeyDown={onKey}
        data-keyscope="worklist"
        data-testid="worklist"
        aria-label="Studies by triage score"
      >
        {p.ordered.map((entry) => {
          const s = entry.summary;
          const flagged = entry.result?.ok ? entry.result.prediction.flagged : [];
          const suspect = entry.result?.ok && entry.result.prediction.guard.suspect;
          return (
            <li
              key={s.id}
              data-id={s.id}
              data-testid="worklist-row"
              data-score={entry.result?.ok ? entry.result.prediction.triageScore : undefined}
              role="option"
              aria-selected={p.cursor === s.id}
              className={`row${p.cursor === s.id ? ' cursor' : ''}${p.openId === s.id ? ' open' : ''}${entry.read ? ' read' : ' unread'}`}
              onClick={() => p.onCursor(s.id)}
              onDoubleClick={() => p.onOpen(s.id)}
            >
              <span className="unread-dot" title={entry.read ? 'Read' : 'Unread'} />
              <Thumbnail thumbnail={s.thumbnail} />
              <div className="row-main">
                <div className="row-title">{s.patientName ?? s.name}</div>
                <div className="row-sub">
                  {[s.patientName ? s.name : undefined, s.modality, s.viewPosition, formatDate(s.studyDate)].filter(Boolean).join(' · ') ||
                    s.format.toUpperCase()}
                </div>
                <div className="badges">
                  {(suspect || s.warnings.length > 0) && (
                    <span className="badge warn" title={s.warnings.join('; ') || 'Input guard: unusual image'}>
                      ⚠ check input
                    </span>
                  )}
                  {flagged.slice(0, 2).map((f) => (
                    <span key={f} className="badge finding-badge">
                      {human(f)}
                    </span>
                  ))}
                  {flagged.length > 2 && (
                    <span className="badge" title={flagged.slice(2).map(human).join(', ')}>
                      +{flagged.length - 2}
                    </span>
                  )}
                  {entry.result && !entry.result.ok && <span className="badge error">{entry.result.error.code}</span>}
                </div>
              </div>
              <ScoreCell entry={entry} />
              <button
                type="button"
                className="open-button"
                onClick={(e) => {
                  e.stopPropagation();
                  p.onOpen(s.id);
                }}
                title="Open (Enter)"
                data-testid="open-study"
              >
                Open
              </button>
            </li>
          );
        })}
        {p.ordered.length === 0 && p.worklist.entries.length > 0 && <li className="empty muted">No study matches the filter.</li>}
      </ul>
      {p.worklist.failures.length > 0 && (
        <section className="failures" data-testid="open-failures" aria-label="Files that could not be opened">
          <h3>Could not open ({p.worklist.failures.length})</h3>
          <ul>
            {p.worklist.failures.map((f, i) => (
              <li key={`${f.name}-${i}`} data-testid="open-failure" data-code={f.error.code}>
                <span className="failure-name">{f.name}</span>
                <ErrorText error={f.error} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
