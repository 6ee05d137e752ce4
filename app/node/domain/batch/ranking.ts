import type { RankRule, StudyRow } from '../../../common/contract/batch.ts';
import { orderByWorklist, worklistGroup } from '../../../common/worklist-order.ts';
import { DenseRayError } from '../../shared/errors.ts';

/**
 * The score the scored group is sorted by. Default `triage`: the triage score of
 * app/common/triage.ts — the most suspicious finding's distance beyond its own threshold, in
 * [-1, 1] — so a finding with a low threshold can outrank a higher raw probability of a finding
 * with a high one. `max-probability` ranks by the highest raw probability; `finding:<label>` by one
 * finding's probability (e.g. a pneumothorax worklist). The groups around it (inputs the guard
 * found suspect, errors, pending) come from app/common/worklist-order.ts, the rule the app's
 * worklist uses too.
 */
export function rankScoreOf(row: Pick<StudyRow, 'status' | 'triageScore' | 'probabilities'>, rule: RankRule): number | null {
  if (row.status !== 'ok' || !row.probabilities) return null;
  if (rule === 'triage') return row.triageScore;
  const values = Object.values(row.probabilities);
  if (rule === 'max-probability') return values.length > 0 ? Math.max(...values) : null;
  const label = rule.slice('finding:'.length);
  const p = row.probabilities[label];
  if (p === undefined)
    throw new DenseRayError(
      'INVALID_ARGUMENT',
      `ranking by "${label}": the model has no such finding (it has ${Object.keys(row.probabilities).join(', ')})`,
    );
  return p;
}

type Rankable = Omit<StudyRow, 'rank' | 'rankScore' | 'group'>;

/** Sorts rows (given in walk order) into worklist order and numbers them from 1. */
export function rankRows<T extends Rankable>(rows: T[], rule: RankRule): (T & Pick<StudyRow, 'rank' | 'rankScore' | 'group'>)[] {
  const scored = rows.map((row) => {
    const standing = { status: row.status, suspect: row.inputSuspect, score: rankScoreOf(row, rule) };
    return { row, standing };
  });
  return orderByWorklist(scored, (s) => s.standing).map(({ row, standing }, i) => ({
    ...row,
    rank: i + 1,
    rankScore: standing.score,
    group: worklistGroup(standing),
  }));
}
