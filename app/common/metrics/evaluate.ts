import { expectedCalibrationError, reliabilityCurve, type ReliabilityBin } from './calibration.ts';
import { auroc, averagePrecision, finiteMean } from './ranking.ts';
import { operatingPoint, selectThreshold, type ThresholdRule } from './threshold.ts';

/** A metric that can be undefined on a split (one class absent) is `null`, which survives JSON; NaN does not. */
export type MaybeNumber = number | null;

export interface LabelMetrics {
  label: string;
  positives: number;
  negatives: number;
  auroc: MaybeNumber;
  averagePrecision: MaybeNumber;
  threshold: number;
  sensitivity: MaybeNumber;
  specificity: MaybeNumber;
  ece: MaybeNumber;
  reliability: { lower: number; upper: number; count: number; meanPredicted: MaybeNumber; fractionPositive: MaybeNumber }[];
}

export interface SplitMetrics {
  images: number;
  meanAuroc: MaybeNumber;
  perLabel: LabelMetrics[];
}

const orNull = (x: number): MaybeNumber => (Number.isFinite(x) ? x : null);

/** Column k of a row-major N×K matrix. */
export function column(matrix: ArrayLike<number>, k: number, width: number): Float64Array {
  const rows = Math.floor(matrix.length / width);
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = matrix[i * width + k]!;
  return out;
}

/**
 * Every reported metric of one split. `probabilities` and `truth` are row-major N×K; `thresholds`
 * holds each label's decision threshold (chosen beforehand on validation data, see `chooseThresholds`).
 */
export function evaluateSplit(
  probabilities: ArrayLike<number>,
  truth: ArrayLike<number>,
  labels: readonly string[],
  thresholds: readonly number[],
  bins = 10,
): SplitMetrics {
  const k = labels.length;
  const perLabel = labels.map((label, j): LabelMetrics => {
    const p = column(probabilities, j, k);
    const y = column(truth, j, k);
    const positives = y.reduce((n, v) => n + (v >= 0.5 ? 1 : 0), 0);
    const point = operatingPoint(p, y, thresholds[j]!);
    const curve = reliabilityCurve(p, y, bins);
    return {
      label,
      positives,
      negatives: y.length - positives,
      auroc: orNull(auroc(p, y)),
      averagePrecision: orNull(averagePrecision(p, y)),
      threshold: thresholds[j]!,
      sensitivity: orNull(point.sensitivity),
      specificity: orNull(point.specificity),
      ece: orNull(expectedCalibrationError(curve)),
      reliability: curve.map((b: ReliabilityBin) => ({
        ...b,
        meanPredicted: orNull(b.meanPredicted),
        fractionPositive: orNull(b.fractionPositive),
      })),
    };
  });
  const mean = finiteMean(perLabel.map((m) => m.auroc ?? Number.NaN));
  return { images: Math.floor(truth.length / Math.max(1, k)), meanAuroc: orNull(mean), perLabel };
}

/** Mean AUROC over labels (those with both classes present): the early-stopping criterion. */
export function meanAuroc(probabilities: ArrayLike<number>, truth: ArrayLike<number>, k: number): number {
  return finiteMean(Array.from({ length: k }, (_, j) => auroc(column(probabilities, j, k), column(truth, j, k))));
}

/** One threshold per label from validation predictions. */
export function chooseThresholds(probabilities: ArrayLike<number>, truth: ArrayLike<number>, k: number, rule: ThresholdRule): number[] {
  return Array.from({ length: k }, (_, j) => selectThreshold(column(probabilities, j, k), column(truth, j, k), rule).threshold);
}
