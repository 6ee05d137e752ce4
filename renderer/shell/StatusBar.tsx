import type { Operation } from './use-operations.ts';

/** Bottom bar: progress of long work, and the plain statement of what DenseRay is not. */
export function StatusBar({ operations, onCancel, notice }: { operations: Operation[]; onCancel(id: string): void; notice: string }) {
  const op = operations[0];
  return (
    <footer className="status-bar">
      {op ? (
        <div
          className="progress"
          role="progressbar"
          aria-label={op.label}
          aria-valuemin={0}
          aria-valuemax={op.total || undefined}
          aria-valuenow={op.done}
          data-testid="progress"
        >
          <span className="spinner" aria-hidden="true" />
          <span>
            {op.label}
            {op.total > 0 ? ` ${op.done} / ${op.total}` : '…'}
          </span>
          {op.total > 0 && (
            <span className="progress-track">
              <span className="progress-fill" style={{ width: `${(100 * op.done) / op.total}%` }} />
            </span>
          )}
          <button type="button" className="link" onClick={() => onCancel(op.id)}>
            Cancel
          </button>
        </div>
      ) : (
        <span className="muted">Ready</span>
      )}
      <span className="notice" data-testid="not-a-medical-device" title={notice}>
        {notice}
      </span>
    </footer>
  );
}
