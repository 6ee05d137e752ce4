import { isDesktop } from '../api.ts';

/** What the reading room shows with no study open: how to begin, or how to pick a study. */
export function EmptyState({ hasStudies, onOpen }: { hasStudies: boolean; onOpen(kind: 'files' | 'folder'): void }) {
  if (hasStudies)
    return (
      <section className="viewer-area">
        <div className="empty-state" data-testid="pick-a-study">
          <h1>Pick a study from the worklist</h1>
          <p className="muted">
            Click it, or move with <kbd>J</kbd> / <kbd>K</kbd> and press <kbd>Enter</kbd>. <kbd>?</kbd> lists every key.
          </p>
        </div>
      </section>
    );
  return (
    <section className="viewer-area">
      <div className="empty-state" data-testid="empty-state">
        <h1>Open chest X-rays to begin</h1>
        <p className="muted">DICOM, PNG or JPEG — files or whole folders. Everything stays on this computer.</p>
        <div className="empty-actions">
          <button type="button" className="primary" onClick={() => onOpen('folder')}>
            Open folder
          </button>
          <button type="button" className="secondary" onClick={() => onOpen('files')}>
            Open files
          </button>
        </div>
        <p className="muted small">
          {isDesktop() ? 'Or drop files and folders onto this window.' : 'Browser mode: type the path of a folder on this machine.'} Press{' '}
          <kbd>?</kbd> for shortcuts.
        </p>
      </div>
    </section>
  );
}
