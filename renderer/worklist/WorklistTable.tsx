import { useEffect, useRef } from 'react';
import type { WorklistGroup } from '../../app/common/worklist-order.ts';
import { readableError } from '../shell/error-messages.ts';
import { human } from '../shell/format.ts';
import { flaggedOf, formatAge, formatDate, groupOf, type SortKey, type WorklistEntry, type WorklistSort } from './worklist-model.ts';

interface Props {
  rows: WorklistEntry[];
  sort: WorklistSort;
  cursor: string | undefined;
  openId: string | undefined;
  onSort(key: SortKey): void;
  onCursor(id: string): void;
  onOpen(id: string): void;
  /** `/` in the list: to the filter. */
  onFilterKey(): void;
}

/** What each group below the scored studies means, shown as its heading (app/common/worklist-order.ts). */
const GROUP_HEADING: Readonly<Record<WorklistGroup, string>> = {
  scored: 'Scored — most suspicious first',
  'check-input': 'Check input — the input guard says this is not a frontal chest film; its score is not trusted',
  error: 'Not scored — see the error',
  pending: 'Waiting to be scored',
};

/** A file name may break after `_` and before `.` (00000284_<wbr>000<wbr>.png), not in the middle of a word. */
function Breakable({ text }: { text: string }) {
  const parts = text.split(/(?<=_)|(?=\.)/);
  return (
    <>
      {parts.map((part, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string, never reordered
        <span key={i}>
          {i > 0 && <wbr />}
          {part}
        </span>
      ))}
    </>
  );
}

function ScoreCell({ entry }: { entry: WorklistEntry }) {
  const r = entry.result;
  if (!r) return <span className="score pending">…</span>;
  if (!r.ok) return <span className="score error-badge">{r.error.code === 'MODALITY_NOT_SUPPORTED' ? 'not scored' : 'error'}</span>;
  const s = r.prediction.triageScore;
  const suspect = r.prediction.guard.suspect;
  return (
    <span
      className={`score ${suspect ? 'suspect' : s >= 0 ? 'positive' : 'negative'}`}
      data-testid="triage-score"
      title={
        suspect ? 'Input guard: check the input; this score is not trusted' : 'Triage score: > 0 means a finding at or above its threshold'
      }
    >
      {s.toFixed(2)}
    </span>
  );
}

function SortHeader({
  label,
  sortKey,
  sort,
  onSort,
  title,
}: {
  label: string;
  sortKey: SortKey;
  sort: WorklistSort;
  onSort(k: SortKey): void;
  title: string;
}) {
  const active = sort.key === sortKey;
  return (
    <button
      type="button"
      className={`sort${active ? ' active' : ''}`}
      onClick={() => onSort(sortKey)}
      title={`Sort by ${title}`}
      aria-label={`Sort by ${title}${active ? (sort.descending ? ', descending' : ', ascending') : ''}`}
      data-testid={`sort-${sortKey}`}
    >
      {label}
      {active ? (sort.descending ? ' ▾' : ' ▴') : ''}
    </button>
  );
}

/**
 * The worklist as a table a reader scans: patient, age/sex, date and accession, modality and view,
 * score, read state. Sortable by every column (the triage rule by default, with its groups headed),
 * driven by J/K or the arrows and Enter, and a single click opens a study.
 */
export function WorklistTable(p: Props) {
  const body = useRef<HTMLTableSectionElement>(null);
  useEffect(() => {
    body.current?.querySelector(`[data-id="${p.cursor}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [p.cursor]);

  const move = (index: number): void => {
    const next = p.rows[Math.max(0, Math.min(p.rows.length - 1, index))];
    if (!next) return;
    p.onCursor(next.summary.id);
    body.current?.querySelector<HTMLButtonElement>(`[data-id="${next.summary.id}"] button.row-open`)?.focus();
  };
  const onKey = (event: React.KeyboardEvent, index: number): void => {
    const key = event.key;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const to = { j: index + 1, ArrowDown: index + 1, k: index - 1, ArrowUp: index - 1, Home: 0, End: p.rows.length - 1 }[key];
    if (to !== undefined) {
      event.preventDefault();
      move(to);
    } else if (key === '/') {
      event.preventDefault();
      p.onFilterKey();
    }
  };

  const grouped = p.sort.key === 'triage';
  const groupsShown = new Set(p.rows.map(groupOf));
  let lastGroup: WorklistGroup | undefined;
  const cursorIndex = Math.max(
    0,
    p.rows.findIndex((e) => e.summary.id === p.cursor),
  );
  return (
    <table className="worklist-table" data-testid="worklist" aria-label="Studies">
      <colgroup>
        <col className="col-read" />
        <col className="col-patient" />
        <col className="col-age" />
        <col className="col-date" />
        <col className="col-mod" />
        <col className="col-score" />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">
            <SortHeader label="●" sortKey="read" sort={p.sort} onSort={p.onSort} title="read state" />
          </th>
          <th scope="col">
            <SortHeader label="Patient" sortKey="patient" sort={p.sort} onSort={p.onSort} title="patient name" />
          </th>
          <th scope="col">
            <SortHeader label="Age/Sex" sortKey="age" sort={p.sort} onSort={p.onSort} title="age" />
          </th>
          <th scope="col">
            <SortHeader label="Date" sortKey="date" sort={p.sort} onSort={p.onSort} title="study date" />
            <SortHeader label="Acc." sortKey="accession" sort={p.sort} onSort={p.onSort} title="accession number" />
          </th>
          <th scope="col">
            <SortHeader label="Mod" sortKey="modality" sort={p.sort} onSort={p.onSort} title="modality and view" />
          </th>
          <th scope="col" className="num">
            <SortHeader label="Score" sortKey="triage" sort={p.sort} onSort={p.onSort} title="triage (the worklist rule)" />
          </th>
        </tr>
      </thead>
      <tbody ref={body}>
        {p.rows.flatMap((entry, index) => {
          const s = entry.summary;
          const group = groupOf(entry);
          const heading =
            grouped && group !== lastGroup && (group !== 'scored' || groupsShown.size > 1) ? (
              <tr key={`group-${group}`} className={`group-row ${group}`} data-testid="worklist-group" data-group={group}>
                <th colSpan={6} scope="colgroup">
                  {GROUP_HEADING[group]}
                </th>
              </tr>
            ) : null;
          lastGroup = group;
          const flagged = flaggedOf(entry);
          const suspect = entry.result?.ok && entry.result.prediction.guard.suspect;
          const row = (
            <tr
              key={s.id}
              data-id={s.id}
              data-testid="worklist-row"
              data-group={group}
              data-score={entry.result?.ok ? entry.result.prediction.triageScore : undefined}
              aria-selected={p.cursor === s.id}
              className={`row${p.cursor === s.id ? ' cursor' : ''}${p.openId === s.id ? ' open' : ''}${entry.read ? ' read' : ' unread'}`}
            >
              <td className="read-cell">
                <span className="unread-dot" title={entry.read ? 'Read' : 'Unread'} />
              </td>
              <td className="patient-cell">
                <button
                  type="button"
                  className="row-open"
                  tabIndex={index === cursorIndex ? 0 : -1}
                  onClick={() => p.onOpen(s.id)}
                  onFocus={() => p.onCursor(s.id)}
                  onKeyDown={(event) => onKey(event, index)}
                  title={`${s.patientName ?? s.name} — ${s.name} (Enter or click opens)`}
                  data-testid="open-study"
                >
                  <span className="row-title">
                    <Breakable text={s.patientName ?? s.name} />
                  </span>
                </button>
                <div className="row-sub">{s.patientId ?? s.format.toUpperCase()}</div>
                {(suspect || s.warnings.length > 0 || flagged.length > 0 || (entry.result && !entry.result.ok)) && (
                  <div className="badges">
                    {(suspect || s.warnings.length > 0) && (
                      <span className="badge warn" title={s.warnings.join('; ') || 'Input guard: unusual image'}>
                        ⚠ check input
                      </span>
                    )}
                    {flagged.slice(0, 1).map((f) => (
                      <span key={f} className="badge finding-badge" title={human(f)}>
                        {human(f)}
                      </span>
                    ))}
                    {flagged.length > 1 && (
                      <span className="badge count" title={flagged.slice(1).map(human).join(', ')}>
                        +{flagged.length - 1}
                      </span>
                    )}
                    {entry.result && !entry.result.ok && (
                      <span className="badge error" title={readableError(entry.result.error)}>
                        {entry.result.error.code === 'MODALITY_NOT_SUPPORTED'
                          ? `${s.modality ?? 'not CR/DX'}: not scored`
                          : entry.result.error.code}
                      </span>
                    )}
                  </div>
                )}
              </td>
              <td>{[formatAge(s.patientAge), s.patientSex].filter(Boolean).join(' ') || '—'}</td>
              <td>
                <div>{formatDate(s.studyDate) ?? '—'}</div>
                <div className="row-sub">{s.accessionNumber ?? ''}</div>
              </td>
              <td>
                <div>{s.modality ?? s.format.toUpperCase()}</div>
                <div className="row-sub">{s.viewPosition ?? ''}</div>
              </td>
              <td className="num">
                <ScoreCell entry={entry} />
              </td>
            </tr>
          );
          return heading ? [heading, row] : [row];
        })}
      </tbody>
    </table>
  );
}
