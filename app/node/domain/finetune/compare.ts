import type { ModelComparison } from '../../../common/contract/finetune.ts';
import { DenseRayError } from '../../shared/errors.ts';
import type { ModelStore } from '../store/model-store.ts';

/** A fine-tuned model's metrics beside its parent's on the same images (from the manifest; nothing is re-run). */
export function compareWithParent(store: ModelStore, modelId: string): ModelComparison {
  const m = store.get(modelId).manifest;
  if (!m.metrics)
    throw new DenseRayError('INVALID_ARGUMENT', `model "${modelId}" was not fine-tuned by DenseRay: it has no metrics to compare`);
  const split = m.metrics.test ? 'test' : 'val';
  const mine = m.metrics[split]!;
  const theirs = m.metrics.parent?.[split] ?? null;
  const cell = (l: (typeof mine.perLabel)[number]): ModelComparison['rows'][number]['model'] => ({
    auroc: l.auroc,
    averagePrecision: l.averagePrecision,
    sensitivity: l.sensitivity,
    specificity: l.specificity,
    threshold: l.threshold,
  });
  return {
    modelId,
    parentId: m.parent ?? null,
    split,
    images: mine.images,
    meanAuroc: { model: mine.meanAuroc, parent: theirs?.meanAuroc ?? null },
    rows: mine.perLabel.map((l) => {
      const p = theirs?.perLabel.find((x) => x.label === l.label);
      return { label: l.label, model: cell(l), parent: p ? cell(p) : null };
    }),
  };
}
