import { DEFAULT_THRESHOLD } from './defaults.ts';

/**
 * Triage score of a study: how far its most suspicious finding lies beyond that finding's threshold,
 * on a [-1, 1] scale. For each label, p ≥ t maps to (p − t)/(1 − t) ∈ [0, 1] and p < t maps to
 * (p − t)/t ∈ [-1, 0); the score is the maximum over labels. 0 = exactly at a threshold,
 * > 0 = at least one finding flagged. Sorting by it puts the most suspicious films first.
 */
export function triageScore(probabilities: readonly number[], thresholds: readonly number[]): number {
  let best = -1;
  probabilities.forEach((p, k) => {
    const t = thresholds[k] ?? DEFAULT_THRESHOLD;
    const relative = p >= t ? (t >= 1 ? 0 : (p - t) / (1 - t)) : (p - t) / t;
    if (relative > best) best = relative;
  });
  return best;
}

/** Labels at or above their threshold, most probable first. */
export function flaggedFindings(labels: readonly string[], probabilities: readonly number[], thresholds: readonly number[]): string[] {
  return labels
    .map((label, k) => ({ label, p: probabilities[k]!, t: thresholds[k] ?? DEFAULT_THRESHOLD }))
    .filter((f) => f.p >= f.t)
    .sort((a, b) => b.p - a.p)
    .map((f) => f.label);
}
