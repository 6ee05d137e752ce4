import type { ReactNode } from 'react';
import { SCREENS } from './screens.tsx';

/** Brand, the open commands, the screens, the model bar, help and about. */
export function TopBar({
  canExport,
  onOpen,
  onExport,
  onScreen,
  modelBar,
}: {
  canExport: boolean;
  onOpen(kind: 'files' | 'folder'): void;
  onExport(): void;
  onScreen(id: string): void;
  modelBar: ReactNode;
}) {
  return (
    <header className="top-bar">
      <div className="brand" title="DenseRay">
        <span className="brand-mark" aria-hidden="true" />
        DenseRay
      </div>
      <nav className="actions" aria-label="Main">
        <button type="button" onClick={() => onOpen('files')} data-testid="open-files">
          Open files
        </button>
        <button type="button" onClick={() => onOpen('folder')} data-testid="open-folder">
          Open folder
        </button>
        <button type="button" onClick={onExport} disabled={!canExport} title="The worklist as CSV, with the model that scored it">
          Export
        </button>
        <span className="divider" />
        {SCREENS.filter((s) => s.nav).map((s) => (
          <button type="button" key={s.id} onClick={() => onScreen(s.id)} data-testid={s.nav!.testId}>
            {s.nav!.label}
          </button>
        ))}
      </nav>
      {modelBar}
      <button
        type="button"
        className="icon-button"
        onClick={() => onScreen('help')}
        title="Keyboard shortcuts (?)"
        data-testid="help-button"
      >
        ?
      </button>
      <button type="button" className="icon-button" onClick={() => onScreen('about')} title="About DenseRay" aria-label="About DenseRay">
        i
      </button>
    </header>
  );
}
