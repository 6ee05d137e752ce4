import type { RankRule, StudyRow } from '../../../common/contract/batch.ts';
import { DenseRayError } from '../../shared/errors.ts';

/**
 * The worklist order. Default `triage`: the triage score of app/common/triage.ts — the most
 * suspicious finding's distance beyond its own threshold, in [-1, 1] — so a finding with a low
 * threshold can outrank a higher raw probability of a finding with a high one. `max-probability`
 * ranks by the highest raw probability; `finding:<label>` by one finding's probability (e.g. a
 * pneumothorax worklist). Ties keep walk order. After the scored studies come, in walk order,
 * those the input guard found unlike a chest radiograph (their scores are not trusted, so a hand
 * film never heads the list), then errors, then studies not classified yet.
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

type Rankable = Omit<StudyRow, 'rank' | 'rankScore'>;

/** 0 scored, 1 input suspect, 2 error, 3 pending. */
function group(row: Rankable, score: number | null): number {
  if (row.status === 'ok') return score === null ? 2 : row.inputSuspect ? 1 : 0;
  return row.status === 'error' ? 2 : 3;
}

/** Sorts rows (given in walk order) into worklist order and numbers them from 1. */
export function rankRows<T extends Rankable>(rows: T[], rule: RankRule): (T & { rank: number; rankScore: number | null })[] {
  const scored = rows.map((row, walkIndex) => {
    const score = rankScoreOf(row, rule);
    return { row, walkIndex, score, group: group(row, score) };
  });
  scored.sort((a, b) => a.group - b.group || (a.group === 0 ? b.score! - a.score! : 0) || a.walkIndex - b.walkIndex);
  return scored.map(({ row, score }, i) => ({ ...row, rank: i + 1, rankScore: score }));
}
