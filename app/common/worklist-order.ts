/**
 * The worklist order every door uses (the app's worklist, batch CSV/JSON/HTML reports, `denseray
 * report` and `jobs`): a study the input guard marked suspect never outranks one it did not,
 * whatever its score, because its score describes an image the model cannot judge.
 *
 *   1. scored      — classified, input looks like a frontal chest film: by score, highest first
 *   2. check input — classified, but the guard says suspect: its own group, in arrival order
 *   3. error       — could not be classified
 *   4. pending     — not classified yet
 *
 * Ties keep arrival (walk) order, so equal inputs give the same list everywhere.
 */
export type WorklistGroup = 'scored' | 'check-input' | 'error' | 'pending';

export const WORKLIST_GROUPS = ['scored', 'check-input', 'error', 'pending'] as const satisfies readonly WorklistGroup[];

export interface WorklistStanding {
  status: 'ok' | 'error' | 'pending';
  /** The input guard's verdict (only meaningful when status is ok). */
  suspect: boolean;
  /** The ranking score (triage score by default); null when there is none to rank by. */
  score: number | null;
}

export function worklistGroup(s: WorklistStanding): WorklistGroup {
  if (s.status === 'pending') return 'pending';
  if (s.status === 'error' || s.score === null) return 'error';
  return s.suspect ? 'check-input' : 'scored';
}

/** Sorts items (given in arrival order) into worklist order; stable. */
export function orderByWorklist<T>(items: readonly T[], standing: (item: T) => WorklistStanding): T[] {
  const keyed = items.map((item, index) => {
    const s = standing(item);
    const group: number = WORKLIST_GROUPS.indexOf(worklistGroup(s));
    return { item, index, group, score: s.score ?? 0 };
  });
  keyed.sort((a, b) => a.group - b.group || (a.group === 0 ? b.score - a.score : 0) || a.index - b.index);
  return keyed.map((k) => k.item);
}
