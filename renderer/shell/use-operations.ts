import { useCallback, useEffect, useState } from 'react';
import { newOpId, onEvent } from '../api.ts';

export interface Operation {
  id: string;
  label: string;
  done: number;
  total: number;
  started: number;
}

/** Anything taking longer than this shows progress; shorter work would only flicker. */
export const PROGRESS_DELAY_MS = 300;

export interface Operations {
  /** Operations older than PROGRESS_DELAY_MS, oldest first: what the status bar and the header's engine state both show. */
  visible: Operation[];
  start(label: string): string;
  finish(id: string): void;
}

/** Long operations with their progress (from back-end events); visible once older than 300 ms. */
export function useOperations(): Operations {
  const [ops, setOps] = useState<Map<string, Operation>>(new Map());
  const [, tick] = useState(0);

  useEffect(
    () =>
      onEvent('studies.progress', (p) =>
        setOps((prev) => {
          const op = prev.get(p.opId);
          if (!op) return prev;
          const next = new Map(prev);
          next.set(p.opId, { ...op, done: p.done, total: p.total, label: p.phase === 'open' ? 'Opening files' : 'Scoring studies' });
          return next;
        }),
      ),
    [],
  );

  const start = useCallback((label: string) => {
    const id = newOpId('op');
    setOps((prev) => new Map(prev).set(id, { id, label, done: 0, total: 0, started: Date.now() }));
    setTimeout(() => tick((n) => n + 1), PROGRESS_DELAY_MS + 10);
    return id;
  }, []);

  const finish = useCallback((id: string) => {
    setOps((prev) => {
      const next = new Map(prev);
      next.delete(id);
      return next;
    });
  }, []);

  const now = Date.now();
  return { visible: [...ops.values()].filter((op) => now - op.started >= PROGRESS_DELAY_MS), start, finish };
}
