import type { ModelInfo } from '../../app/common/contract/classify.ts';
import type { StudyResult } from '../../app/common/contract/studies.ts';
import { thresholdOf } from '../../app/common/defaults.ts';

export interface FindingRow {
  label: string;
  p: number;
  t: number;
  /** At or above threshold on an input the guard trusts. */
  flagged: boolean;
  /** The prior study's probability for the same finding (same model), when comparing. */
  prior: number | undefined;
}

/** The open study's findings by probability, each against its threshold, with the prior's value beside it. */
export function findingRows(
  result: StudyResult | undefined,
  model: ModelInfo | undefined,
  prior: { result: StudyResult | undefined; model: ModelInfo | undefined } | undefined,
): FindingRow[] {
  if (!result?.ok || !model) return [];
  const p = result.prediction;
  // A prior scored by another model has other labels and thresholds: its numbers are not shown beside these.
  const priorProbabilities =
    prior?.result?.ok && prior.model && prior.model.id === model.id && prior.model.sha256 === model.sha256
      ? prior.result.prediction.probabilities
      : undefined;
  return model.labels
    .map((label) => {
      const probability = p.probabilities[label] ?? 0;
      const t = thresholdOf(model.thresholds, label);
      return { label, p: probability, t, flagged: probability >= t && !p.guard.suspect, prior: priorProbabilities?.[label] };
    })
    .sort((a, b) => b.p - a.p);
}
