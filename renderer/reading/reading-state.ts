import type { ModelInfo } from '../../app/common/contract/classify.ts';
import type { OpenFailure, PriorStudy, StudyResult, StudySummary } from '../../app/common/contract/studies.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { DEFAULT_SORT, type SortKey, type WorklistEntry, type WorklistQuery } from '../worklist/worklist-model.ts';

/**
 * The reading room's state, one reducer: the studies (worklist and priors opened for comparison),
 * files that failed to open, where the cursor is, which study is open, the worklist's sort and
 * filter, and the comparison with a prior.
 */
export interface ReadingState {
  /** Every study opened, in arrival order (the worklist rule's tie-break). */
  entries: WorklistEntry[];
  failures: OpenFailure[];
  /** The failures box was closed; new failures open it again. */
  failuresDismissed: boolean;
  cursor: string | undefined;
  openId: string | undefined;
  query: WorklistQuery;
  /** Earlier studies of the open study's patient, most recent first (undefined until asked). */
  priors: { forId: string; list: PriorStudy[] } | undefined;
  /** The prior shown beside the open study, if comparing. */
  compareWith: string | undefined;
  /** Counts opens (the same study again included): each one gives the viewer the keyboard. */
  opens: number;
}

export const initialReadingState: ReadingState = {
  entries: [],
  failures: [],
  failuresDismissed: false,
  cursor: undefined,
  openId: undefined,
  query: { filter: '', flaggedOnly: false, unreadOnly: false, sort: DEFAULT_SORT },
  priors: undefined,
  compareWith: undefined,
  opens: 0,
};

export type ReadingAction =
  | { type: 'opened'; studies: StudySummary[]; failures: OpenFailure[]; priorOnly?: boolean }
  | { type: 'scored'; results: StudyResult[]; model: ModelInfo }
  /** A study that arrived already scored (the DICOM node received or pulled it). */
  | { type: 'arrived'; study: StudySummary; result: StudyResult; model: ModelInfo }
  | { type: 'scoreFailed'; ids: string[]; error: ErrorInfo }
  | { type: 'cursor'; id: string }
  | { type: 'open'; id: string }
  | { type: 'close' }
  | { type: 'markUnread'; id: string }
  | { type: 'filter'; filter: string }
  | { type: 'flaggedOnly'; on: boolean }
  | { type: 'unreadOnly'; on: boolean }
  | { type: 'sort'; key: SortKey }
  | { type: 'dismissFailures' }
  | { type: 'priors'; forId: string; list: PriorStudy[] }
  | { type: 'compare'; priorId: string | undefined };

export function readingReducer(state: ReadingState, action: ReadingAction): ReadingState {
  switch (action.type) {
    case 'opened': {
      const known = new Map(state.entries.map((e) => [e.summary.id, e]));
      // A study opened again keeps its place and score; a prior the reader now opens joins the worklist.
      const entries = state.entries.map((e) =>
        e.priorOnly && !action.priorOnly && action.studies.some((s) => s.id === e.summary.id) ? { ...e, priorOnly: false } : e,
      );
      for (const summary of action.studies)
        if (!known.has(summary.id)) entries.push({ summary, read: false, ...(action.priorOnly ? { priorOnly: true } : {}) });
      const failures = [...state.failures, ...action.failures];
      return { ...state, entries, failures, failuresDismissed: action.failures.length > 0 ? false : state.failuresDismissed };
    }
    case 'scored': {
      const byId = new Map(action.results.map((r) => [r.id, r]));
      return {
        ...state,
        entries: state.entries.map((e) => (byId.has(e.summary.id) ? { ...e, result: byId.get(e.summary.id), model: action.model } : e)),
      };
    }
    case 'arrived': {
      const known = state.entries.some((e) => e.summary.id === action.study.id);
      const entry: WorklistEntry = { summary: action.study, result: action.result, model: action.model, read: false };
      return {
        ...state,
        entries: known
          ? state.entries.map((e) => (e.summary.id === action.study.id ? { ...e, result: action.result, model: action.model } : e))
          : [...state.entries, entry],
      };
    }
    case 'scoreFailed': {
      const ids = new Set(action.ids);
      return {
        ...state,
        entries: state.entries.map((e) =>
          ids.has(e.summary.id) ? { ...e, result: { id: e.summary.id, ok: false, error: action.error } } : e,
        ),
      };
    }
    case 'cursor':
      return { ...state, cursor: action.id };
    case 'open':
      return {
        ...state,
        openId: action.id,
        cursor: action.id,
        entries: state.entries.map((e) => (e.summary.id === action.id ? { ...e, read: true } : e)),
        priors: state.priors?.forId === action.id ? state.priors : undefined,
        compareWith: action.id === state.openId ? state.compareWith : undefined,
        opens: state.opens + 1,
      };
    case 'close':
      return { ...state, openId: undefined, priors: undefined, compareWith: undefined };
    case 'markUnread':
      return { ...state, entries: state.entries.map((e) => (e.summary.id === action.id ? { ...e, read: false } : e)) };
    case 'filter':
      return { ...state, query: { ...state.query, filter: action.filter } };
    case 'flaggedOnly':
      return { ...state, query: { ...state.query, flaggedOnly: action.on } };
    case 'unreadOnly':
      return { ...state, query: { ...state.query, unreadOnly: action.on } };
    case 'sort': {
      const current = state.query.sort;
      // The same column again flips the direction; a new column starts where a reader expects it.
      const sort =
        current.key === action.key
          ? { key: action.key, descending: !current.descending }
          : { key: action.key, descending: action.key === 'triage' || action.key === 'date' };
      return { ...state, query: { ...state.query, sort } };
    }
    case 'dismissFailures':
      return { ...state, failuresDismissed: true };
    case 'priors':
      return action.forId === state.openId ? { ...state, priors: { forId: action.forId, list: action.list } } : state;
    case 'compare':
      return { ...state, compareWith: action.priorId };
  }
}

export const entryById = (state: ReadingState, id: string | undefined): WorklistEntry | undefined =>
  id === undefined ? undefined : state.entries.find((e) => e.summary.id === id);
