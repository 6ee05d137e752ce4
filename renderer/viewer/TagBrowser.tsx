import { useEffect, useMemo, useRef, useState } from 'react';
import type { StudyTag } from '../../app/common/contract/studies.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { call } from '../api.ts';
import { ErrorText } from '../shell/ErrorText.tsx';
import { asErrorInfo } from '../shell/errors.ts';

/** Odd groups are private (PS3.5 7.8): no dictionary names them. */
const isPrivate = (tag: string): boolean => Number.parseInt(tag.slice(1, 5), 16) % 2 === 1;

/**
 * Every header element of the open study, named from the DICOM dictionary, filterable by tag, name
 * or value. A drawer over the findings column, so the image stays in view; Esc (or T outside the
 * filter) closes it and gives the keyboard back to the viewer.
 */
/** `top`: where the drawer starts (below the viewer toolbar, which it must not cover). */
export function TagBrowser({ studyId, top, onClose }: { studyId: string; top: number; onClose(): void }) {
  const [tags, setTags] = useState<StudyTag[] | undefined>();
  const [error, setError] = useState<ErrorInfo | undefined>();
  const [filter, setFilter] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    let live = true;
    call('studies.tags', { id: studyId })
      .then((r) => live && setTags(r.tags))
      .catch((e: unknown) => live && setError(asErrorInfo(e)));
    return () => {
      live = false;
    };
  }, [studyId]);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopPropagation();
      onClose();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose]);
  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return (tags ?? []).filter((t) => !q || `${t.tag} ${t.name ?? ''} ${t.value}`.toLowerCase().includes(q));
  }, [tags, filter]);
  return (
    <aside className="tag-browser" data-testid="tag-browser" aria-label="DICOM tags" style={{ top }}>
      <header>
        <h2>DICOM tags</h2>
        <input
          ref={input}
          placeholder="Filter: tag, name or value…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter tags"
          data-testid="tag-filter"
        />
        <button type="button" className="icon-button" onClick={onClose} title="Close (Esc)" aria-label="Close the tag browser">
          ×
        </button>
      </header>
      {error && <ErrorText error={error} />}
      {tags && tags.length === 0 && <p className="muted padded">This image is not DICOM: it has no header tags.</p>}
      <div className="tag-table">
        <table>
          <tbody>
            {shown.map((t, i) => (
              // A tag can repeat inside sequence items: its position keeps the key unique.
              // biome-ignore lint/suspicious/noArrayIndexKey: rows never reorder; the list is replaced as a whole
              <tr key={`${t.tag}-${t.depth}-${i}`} data-testid="tag-row" data-tag={t.tag}>
                <td className="tag-id" style={{ paddingLeft: `${0.5 + t.depth}rem` }}>
                  {t.tag}
                </td>
                <td className="tag-vr">{t.vr}</td>
                <td className="tag-name">{t.name ?? (isPrivate(t.tag) ? <span className="muted">private</span> : '')}</td>
                <td className="tag-value">{t.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </aside>
  );
}
