import { useEffect, useMemo, useState } from 'react';
import type { StudyTag } from '../../app/common/contract/studies.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { ApiError, call } from '../api.ts';
import { ErrorText } from '../shell/ErrorText.tsx';

/** Every header element of the open study, filterable by tag, name or value. */
export function TagBrowser({ studyId, onClose }: { studyId: string; onClose(): void }) {
  const [tags, setTags] = useState<StudyTag[] | undefined>();
  const [error, setError] = useState<ErrorInfo | undefined>();
  const [filter, setFilter] = useState('');
  useEffect(() => {
    let live = true;
    call('studies.tags', { id: studyId })
      .then((r) => live && setTags(r.tags))
      .catch((e: unknown) => live && setError(e instanceof ApiError ? e.info : { code: 'INTERNAL', message: String(e) }));
    return () => {
      live = false;
    };
  }, [studyId]);
  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return (tags ?? []).filter((t) => !q || `${t.tag} ${t.name ?? ''} ${t.value}`.toLowerCase().includes(q));
  }, [tags, filter]);
  return (
    <aside className="tag-browser" data-testid="tag-browser" aria-label="DICOM tags">
      <header>
        <h2>DICOM tags</h2>
        <input placeholder="Filter tags…" value={filter} onChange={(e) => setFilter(e.target.value)} autoFocus />
        <button type="button" className="icon-button" onClick={onClose} title="Close (T)">
          ×
        </button>
      </header>
      {error && <ErrorText error={error} />}
      {tags && tags.length === 0 && <p className="muted">This image is not DICOM: it has no header tags.</p>}
      <div className="tag-table">
        <table>
          <tbody>
            {shown.map((t, i) => (
              <tr key={`${t.tag}-${i}`}>
                <td className="tag-id" style={{ paddingLeft: `${0.5 + t.depth}rem` }}>
                  {t.tag}
                </td>
                <td className="tag-vr">{t.vr}</td>
                <td className="tag-name">{t.name ?? ''}</td>
                <td className="tag-value">{t.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </aside>
  );
}
