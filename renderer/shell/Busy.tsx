import { useEffect, useState, type ReactNode } from 'react';
import { PROGRESS_DELAY_MS } from './use-operations.ts';

/** A spinner with a label, shown only once the work has taken longer than 300 ms (shorter would flicker). */
export function Busy({ children, testId }: { children: ReactNode; testId?: string }) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setShown(true), PROGRESS_DELAY_MS);
    return () => clearTimeout(timer);
  }, []);
  if (!shown) return null;
  return (
    <p className="muted busy" role="status" data-testid={testId}>
      <span className="spinner" aria-hidden="true" /> {children}
    </p>
  );
}

/** A labelled horizontal progress bar; `total` null or 0 shows an indeterminate stripe. */
export function ProgressBar({ done, total, label, testId }: { done: number; total: number | null; label: string; testId?: string }) {
  const known = total !== null && total > 0;
  const fraction = known ? Math.min(1, done / total) : 0;
  return (
    <div
      className={`bar-progress${known ? '' : ' indeterminate'}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={known ? total : undefined}
      aria-valuenow={known ? done : undefined}
      data-testid={testId}
    >
      <span className="bar-progress-fill" style={{ width: known ? `${(fraction * 100).toFixed(1)}%` : undefined }} />
    </div>
  );
}
