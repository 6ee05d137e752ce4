import { type Dispatch, useCallback, useMemo, useReducer, useRef } from 'react';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { call } from '../api.ts';
import { asErrorInfo } from '../shell/errors.ts';
import type { Operations } from '../shell/use-operations.ts';
import { orderWorklist, type WorklistEntry } from '../worklist/worklist-model.ts';
import { entryById, initialReadingState, type ReadingAction, type ReadingState, readingReducer } from './reading-state.ts';

export interface Notice {
  text: string;
  error?: ErrorInfo;
}

export interface ReadingRoom {
  state: ReadingState;
  dispatch: Dispatch<ReadingAction>;
  /** The worklist as shown: filtered and ordered. */
  ordered: WorklistEntry[];
  open: WorklistEntry | undefined;
  prior: WorklistEntry | undefined;
  /** Opens files and folders into the worklist and scores the new ones; resolves with the ids of every study opened. */
  openPaths(paths: string[]): Promise<string[]>;
  /** Scores studies (reading stored batch results where there are some). */
  classify(ids: string[]): Promise<void>;
  openStudy(id: string): void;
  /** The next (1) or previous (−1) study in worklist order. */
  step(by: 1 | -1): void;
  /** Compare the open study with this prior (undefined: stop comparing). */
  compare(priorId: string | undefined): void;
}

/** The reading room's state and the calls that change it: open, score, read, compare. */
export function useReadingRoom(ops: Operations, notify: (notice: Notice) => void): ReadingRoom {
  const [state, dispatch] = useReducer(readingReducer, initialReadingState);
  const stateRef = useRef(state);
  stateRef.current = state;
  const ordered = useMemo(() => orderWorklist(state.entries, state.query), [state.entries, state.query]);
  const orderedRef = useRef(ordered);
  orderedRef.current = ordered;

  const classify = useCallback(
    async (ids: string[]) => {
      if (ids.length === 0) return;
      const op = ops.start('Scoring studies');
      try {
        const response = await call('studies.classify', { ids, opId: op });
        dispatch({ type: 'scored', results: response.results, model: response.model });
      } catch (e) {
        // The engine failing (or being restarted) fails these studies with its code; the others stay as they are.
        dispatch({ type: 'scoreFailed', ids, error: asErrorInfo(e) });
      } finally {
        ops.finish(op);
      }
    },
    [ops.start, ops.finish],
  );

  const openPaths = useCallback(
    async (paths: string[]): Promise<string[]> => {
      const op = ops.start('Opening files');
      let fresh: string[] = [];
      let opened: string[] = [];
      try {
        const response = await call('studies.open', { paths, opId: op });
        opened = response.studies.map((s) => s.id);
        const known = new Set(stateRef.current.entries.map((e) => e.summary.id));
        fresh = opened.filter((id) => !known.has(id));
        dispatch({ type: 'opened', studies: response.studies, failures: response.failures });
        if (response.studies.length === 0 && response.failures.length === 0)
          notify({ text: 'No DICOM, PNG or JPEG files were found there.' });
      } catch (e) {
        notify({ text: 'Could not open those files.', error: asErrorInfo(e) });
      } finally {
        ops.finish(op);
      }
      await classify(fresh);
      return opened;
    },
    [classify, notify, ops.start, ops.finish],
  );

  const openStudy = useCallback((id: string) => {
    dispatch({ type: 'open', id });
    // The patient's earlier studies, for comparison; those only the store knew join as priors.
    call('studies.priors', { id })
      .then((r) => {
        const fromStore = r.priors.filter((p) => p.source === 'store').map((p) => p.summary);
        if (fromStore.length > 0) dispatch({ type: 'opened', studies: fromStore, failures: [], priorOnly: true });
        dispatch({ type: 'priors', forId: id, list: r.priors });
      })
      .catch(() => dispatch({ type: 'priors', forId: id, list: [] }));
  }, []);

  const step = useCallback(
    (by: 1 | -1) => {
      const list = orderedRef.current;
      const index = list.findIndex((e) => e.summary.id === stateRef.current.openId);
      const next = list[index + by];
      if (next) openStudy(next.summary.id);
    },
    [openStudy],
  );

  const compare = useCallback(
    (priorId: string | undefined) => {
      dispatch({ type: 'compare', priorId });
      const prior = entryById(stateRef.current, priorId);
      if (priorId && prior && !prior.result) void classify([priorId]);
    },
    [classify],
  );

  return {
    state,
    dispatch,
    ordered,
    open: entryById(state, state.openId),
    prior: entryById(state, state.compareWith),
    openPaths,
    classify,
    openStudy,
    step,
    compare,
  };
}
