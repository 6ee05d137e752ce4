import type { BinaryLabels, Scores } from './ranking.ts';

/** One bin of a reliability curve: how often predictions of about this probability were right. */
export interface ReliabilityBin {
  /** Bin edges [lower, upper); the last bin includes 1. */
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability in the bin (NaN when empty). */
  meanPredicted: number;
  /** Observed fraction of positives in the bin (NaN when empty). */
  fractionPositive: number;
}

/** Equal-width reliability curve over [0, 1]: the diagonal is perfect calibration. */
export function reliabilityCurve(probabilities: Scores, labels: BinaryLabels, bins = 10): ReliabilityBin[] {
  if (probabilities.length !== labels.length) throw new RangeError(`${probabilities.length} probabilities but ${labels.length} labels`);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  const sums = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, positives: 0 }));
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    const s = sums[b]!;
    s.count++;
    s.predicted += p;
    s.positives += labels[i]! >= 0.5 ? 1 : 0;
  }
  return sums.map((s, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: s.count,
    meanPredicted: s.count === 0 ? Number.NaN : s.predicted / s.count,
    fractionPositive: s.count === 0 ? Number.NaN : s.positives / s.count,
  }));
}

/** ECE = Σ_b (n_b / N) · |fraction positive_b − mean predicted_b| over non-empty bins. */
export function expectedCalibrationError(curve: readonly ReliabilityBin[]): number {
  const total = curve.reduce((n, b) => n + b.count, 0);
  if (total === 0) return Number.NaN;
  return curve.reduce((e, b) => (b.count === 0 ? e : e + (b.count / total) * Math.abs(b.fractionPositive - b.meanPredicted)), 0);
}
