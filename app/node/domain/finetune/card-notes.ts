import type { ModelMetrics, TrainingRecord } from '../../../common/contract/finetune.ts';
import type { ModelManifest } from '../../../common/manifest.ts';

const fmt = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined ? 'n/a' : x.toFixed(digits));

/**
 * The fine-tuning section of the model card (rendered under "Notes" by the shared card renderer):
 * data, split, what was trained, BatchNorm behaviour, and the metrics next to the parent's.
 */
export function finetuneCardNotes(parent: ModelManifest, training: TrainingRecord, metrics: ModelMetrics): string {
  const d = training.dataset;
  const hp = training.hyperParameters;
  const splitRow = (name: string, s: TrainingRecord['dataset']['split']['train']): string =>
    `| ${name} | ${s.images} | ${s.patients} | ${Object.entries(s.positives)
      .map(([l, n]) => `${l} ${n}`)
      .join(', ')} |`;
  const lines = [
    `Fine-tuned by DenseRay from \`${parent.id}\` (${parent.name}) in \`${training.mode}\` mode: trained ${training.trainedParameters.scope} (${training.trainedParameters.count.toLocaleString('en')} parameters).`,
    '',
    `BatchNorm: ${training.batchNorm}`,
    '',
    `Data: ${d.source} (${d.format}, ${d.images} images, fingerprint \`${d.fingerprint.slice(0, 16)}…\`), split ${d.split.method === 'file' ? 'as given by the data' : `by patient, stratified, seed ${hp.seed}`}:`,
    '',
    '| split | images | patients | positives |',
    '|---|---|---|---|',
    splitRow('train', d.split.train),
    splitRow('val', d.split.val),
    splitRow('test', d.split.test),
    '',
    `Trained on ${trainedOn(training)}.`,
    '',
    `Training: Adam, lr ${hp.learningRate}, batch ${hp.batchSize}, weight decay ${hp.weightDecay}, up to ${hp.epochs} epochs, early stopping after ${hp.patience} epochs without a better validation mean AUROC; stopped by ${training.stoppedBy}, best epoch ${training.bestEpoch}. Augmentation: ${hp.augmentation ? `rotation ±${hp.augmentation.rotationDegrees}°, scale ±${hp.augmentation.scale}, shift ±${hp.augmentation.translate}, brightness ±${hp.augmentation.brightness}, contrast ±${hp.augmentation.contrast}, left-right flip ${hp.augmentation.horizontalFlip ? 'on' : 'off'}` : 'none'}. Thresholds: ${hp.thresholdRule.kind === 'youden' ? "Youden's J" : `sensitivity ≥ ${hp.thresholdRule.sensitivity}`} on validation.`,
    '',
  ];
  const table = (title: string, m: ModelMetrics['val'] | null, parentM: ModelMetrics['val'] | null | undefined): void => {
    if (!m) return;
    lines.push(
      `### ${title} (${m.images} images): mean AUROC ${fmt(m.meanAuroc)}${parentM ? ` (parent ${fmt(parentM.meanAuroc)})` : ''}`,
      '',
    );
    lines.push('| label | AUROC | AP | threshold | sensitivity | specificity | ECE | parent AUROC |', '|---|---|---|---|---|---|---|---|');
    for (const l of m.perLabel) {
      const p = parentM?.perLabel.find((x) => x.label === l.label);
      lines.push(
        `| ${l.label} | ${fmt(l.auroc)} | ${fmt(l.averagePrecision)} | ${fmt(l.threshold)} | ${fmt(l.sensitivity)} | ${fmt(l.specificity)} | ${fmt(l.ece)} | ${p ? fmt(p.auroc) : 'new label'} |`,
      );
    }
    lines.push('');
  };
  table('Validation', metrics.val, metrics.parent?.val);
  table('Test', metrics.test, metrics.parent?.test);
  lines.push('Validation metrics are optimistic: the same split chose the best epoch and the thresholds. Trust the test split.');
  if (parent.demo && training.mode === 'full') {
    lines.push(
      '',
      '**Trained from scratch**: the parent was an untrained, randomly initialised network, so everything this model knows it learned from the data above. Judge it by the test metrics alone.',
    );
  } else if (parent.demo) {
    lines.push(
      '',
      '**The parent is the untrained demo network**: its frozen features are random projections of the image, so these numbers show the fine-tuning pipeline at work, not a useful classifier. Fine-tune from imported pretrained weights for real use.',
    );
  }
  return lines.join('\n');
}

/** The engine that trained the model, as the card and the Fine-tune screen say it. */
export function trainedOn(training: TrainingRecord): string {
  const p = training.trainingPlan;
  if (!p) return `TensorFlow.js (tfjs-${training.tfjsBackend ?? 'unknown'})`;
  const engine = p.engine === 'onnxruntime' ? 'onnxruntime' : 'TensorFlow.js';
  const split = p.microBatch < p.batchSize ? `, micro-batches of ${p.microBatch} with gradients summed to batch ${p.batchSize}` : '';
  return `${engine} (${p.detail}${split})`;
}
