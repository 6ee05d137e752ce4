import { useCallback, useEffect, useRef, useState } from 'react';
import type { StudyRow } from '../../app/common/contract/batch.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { call } from '../api.ts';
import { asErrorInfo } from '../shell/errors.ts';

export const JOB_PAGE = 50;

/**
 * A page of a job's ranked studies that follows the job: reloaded at most once a second while it
 * runs, and once more whenever one of `changes` (counts, state) moves.
 */
export function useJobRows(jobId: number, changes: readonly unknown[]) {
  const [offset, setOffset] = useState(0);
  const [rows, setRows] = useState<StudyRow[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<ErrorInfo>();
  const [loading, setLoading] = useState(false);

  const loadRows = useCallback(
    async (from: number) => {
      setLoading(true);
      try {
        const page = await call('jobs.get', { jobId, offset: from, limit: JOB_PAGE });
        setRows(page.rows);
        setTotal(page.totalRows);
        setError(undefined);
      } catch (e) {
        setError(asErrorInfo(e));
      } finally {
        setLoading(false);
      }
    },
    [jobId],
  );

  const lastLoad = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  const trigger = JSON.stringify(changes);
  useEffect(() => {
    void trigger; // a change of counts or state is the reason to load again
    const due = lastLoad.current + 1000 - Date.now();
    clearTimeout(pending.current);
    pending.current = setTimeout(
      () => {
        lastLoad.current = Date.now();
        void loadRows(offset);
      },
      Math.max(0, due),
    );
    return () => clearTimeout(pending.current);
  }, [loadRows, offset, trigger]);

  return { rows, total, offset, setOffset, loading, error };
}
