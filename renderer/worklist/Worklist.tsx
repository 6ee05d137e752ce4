import { useRef } from 'react';
import type { ReadingRoom } from '../reading/use-reading-room.ts';
import { FailuresBox } from './FailuresBox.tsx';
import { WorklistTable } from './WorklistTable.tsx';

/** The worklist panel: counts, filters, the table, and the files that could not be opened. */
export function Worklist({ room, onHide }: { room: ReadingRoom; onHide(): void }) {
  const { state, dispatch } = room;
  const filterRef = useRef<HTMLInputElement>(null);
  const listed = state.entries.filter((e) => !e.priorOnly);
  const unread = listed.filter((e) => !e.read).length;
  return (
    <section className="worklist" aria-label="Worklist" data-keyscope="worklist">
      <header className="panel-header">
        <h2>Worklist</h2>
        <span className="muted" data-testid="worklist-counts">
          {listed.length} {listed.length === 1 ? 'study' : 'studies'} · {unread} unread
        </span>
        <button
          type="button"
          className="icon-button subtle"
          onClick={onHide}
          title="Hide the worklist (more room for the image)"
          aria-label="Hide the worklist"
        >
          «
        </button>
      </header>
      <div className="worklist-filters">
        <input
          ref={filterRef}
          type="search"
          placeholder="Filter…"
          title="Patient name or ID, accession, date, modality, view or finding"
          value={state.query.filter}
          onChange={(e) => dispatch({ type: 'filter', filter: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'Enter') {
              e.preventDefault();
              document.querySelector<HTMLButtonElement>('[data-testid="worklist"] button.row-open[tabindex="0"]')?.focus();
            }
          }}
          aria-label="Filter the worklist"
          data-testid="worklist-filter"
        />
        <label className="check">
          <input
            type="checkbox"
            checked={state.query.flaggedOnly}
            onChange={(e) => dispatch({ type: 'flaggedOnly', on: e.target.checked })}
          />{' '}
          Flagged
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={state.query.unreadOnly}
            onChange={(e) => dispatch({ type: 'unreadOnly', on: e.target.checked })}
          />{' '}
          Unread
        </label>
      </div>
      <div className="worklist-scroll">
        <WorklistTable
          rows={room.ordered}
          sort={state.query.sort}
          cursor={state.cursor}
          openId={state.openId}
          onSort={(key) => dispatch({ type: 'sort', key })}
          onCursor={(id) => dispatch({ type: 'cursor', id })}
          onOpen={room.openStudy}
          onFilterKey={() => filterRef.current?.focus()}
        />
        {room.ordered.length === 0 && listed.length > 0 && <p className="empty muted">No study matches the filter.</p>}
      </div>
      {state.failures.length > 0 && !state.failuresDismissed && (
        <FailuresBox failures={state.failures} onDismiss={() => dispatch({ type: 'dismissFailures' })} />
      )}
    </section>
  );
}
