import type { BinaryLabels, Scores } from './ranking.ts';

/** Counts and rates of the calls `score ≥ threshold` against the truth. */
export interface OperatingPoint {
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** TP / (TP + FN); NaN without positives. */
  sensitivity: number;
  /** TN / (TN + FP); NaN without negatives. */
  specificity: number;
  /** TP / (TP + FP); NaN when nothing is called positive. */
  precision: number;
}

export function operatingPoint(scores: Scores, labels: BinaryLabels, threshold: number): OperatingPoint {
  if (scores.length !== labels.length) throw new RangeError(`${scores.length} scores but ${labels.length} labels`);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const called = scores[i]! >= threshold;
    const positive = labels[i]! >= 0.5;
    if (called && positive) tp++;
    else if (called) fp++;
    else if (positive) fn++;
    else tn++;
  }
  return { threshold, tp, fp, tn, fn, sensitivity: tp / (tp + fn), specificity: tn / (tn + fp), precision: tp / (tp + fp) };
}

/** How a per-class decision threshold is chosen on validation data. */
export type ThresholdRule = { kind: 'youden' } | { kind: 'target-sensitivity'; sensitivity: number };

/**
 * Picks a threshold from the distinct scores (each one a candidate "call positive from here up"):
 * - `youden`: maximises J = sensitivity + specificity − 1; ties go to the higher threshold (fewer
 *   false alarms at the same J).
 * - `target-sensitivity`: the highest threshold whose sensitivity is at least the target, i.e. the
 *   best specificity that still finds that share of positives.
 * Without both classes present there is nothing to choose from and 0.5 is returned.
 */
export function selectThreshold(scores: Scores, labels: BinaryLabels, rule: ThresholdRule): OperatingPoint {
  const candidates = [...new Set(Array.from(scores))].sort((a, b) => b - a);
  const points = candidates.map((t) => operatingPoint(scores, labels, t));
  const usable = points.filter((p) => Number.isFinite(p.sensitivity) && Number.isFinite(p.specificity));
  if (usable.length === 0) return operatingPoint(scores, labels, 0.5);
  if (rule.kind === 'youden') {
    let best = usable[0]!;
    for (const p of usable) if (p.sensitivity + p.specificity > best.sensitivity + best.specificity + 1e-12) best = p;
    return best;
  }
  if (!(rule.sensitivity > 0 && rule.sensitivity <= 1))
    throw new RangeError(`target sensitivity must be in (0, 1], got ${rule.sensitivity}`);
  // Thresholds are visited from high to low, so sensitivity only grows: the first hit is the highest.
  return usable.find((p) => p.sensitivity >= rule.sensitivity - 1e-12) ?? usable[usable.length - 1]!;
}
