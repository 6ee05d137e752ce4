/**
 * Ranking metrics for one binary label. Pure functions over plain arrays so the UI can run them too.
 * Conventions: `labels[i]` is 1 (positive) or 0; a score at or above a threshold is a positive call.
 * When a split has no positives or no negatives AUROC and AP are undefined and returned as NaN —
 * callers must show "n/a", never 0.5.
 */

export type Scores = ArrayLike<number>;
export type BinaryLabels = ArrayLike<number>;

function countPositives(labels: BinaryLabels): number {
  let p = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! >= 0.5) p++;
  return p;
}

function checkLengths(scores: Scores, labels: BinaryLabels): void {
  if (scores.length !== labels.length) throw new RangeError(`${scores.length} scores but ${labels.length} labels`);
}

/** Indices sorted by descending score (stable, so equal scores keep input order). */
function byScoreDescending(scores: Scores): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/**
 * Area under the ROC curve as the Mann–Whitney statistic: the probability that a random positive
 * scores above a random negative, ties counting one half (the same value as the trapezoidal ROC area).
 */
export function auroc(scores: Scores, labels: BinaryLabels): number {
  checkLengths(scores, labels);
  const n = scores.length;
  const positives = countPositives(labels);
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  // Average ranks over ties (1-based), then U = Σ rank(positives) − P(P+1)/2.
  let rankSumPositives = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const averageRank = (i + j + 2) / 2;
    for (let t = i; t <= j; t++) if (labels[order[t]!]! >= 0.5) rankSumPositives += averageRank;
    i = j + 1;
  }
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Average precision as scikit-learn defines it: AP = Σ_n (R_n − R_{n−1}) · P_n over the distinct
 * score thresholds, highest first (a step function, no interpolation).
 */
export function averagePrecision(scores: Scores, labels: BinaryLabels): number {
  checkLengths(scores, labels);
  const positives = countPositives(labels);
  if (positives === 0) return Number.NaN;
  const order = byScoreDescending(scores);
  let tp = 0;
  let fp = 0;
  let previousRecall = 0;
  let ap = 0;
  for (let i = 0; i < order.length; i++) {
    if (labels[order[i]!]! >= 0.5) tp++;
    else fp++;
    const lastOfTie = i + 1 === order.length || scores[order[i + 1]!] !== scores[order[i]!];
    if (!lastOfTie) continue;
    const recall = tp / positives;
    ap += (recall - previousRecall) * (tp / (tp + fp));
    previousRecall = recall;
  }
  return ap;
}

/** Mean of the finite values (labels with an undefined AUROC are left out); NaN when none is finite. */
export function finiteMean(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
}
