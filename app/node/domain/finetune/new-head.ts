import { SeededRandom } from '../model/seeded-random.ts';
import type { WeightMap } from '../model/tensor.ts';

/**
 * The starting weights of the fine-tuned network: the parent's, with a classifier for the dataset's
 * labels. A row whose label the parent already predicts is copied (the fine-tune starts from what the
 * parent knew, and the untrained model's metrics are the parent's); other rows start like PyTorch's
 * `nn.Linear` (uniform ±1/√C, seeded) with zero bias.
 */
export function startingWeights(
  parent: WeightMap,
  parentLabels: readonly string[],
  labels: readonly string[],
  seed: number,
): { weights: WeightMap; fromParent: string[] } {
  const pw = parent.get('classifier.weight')!;
  const pb = parent.get('classifier.bias')!;
  const channels = pw.shape[1]!;
  const random = new SeededRandom((seed ^ 0x4ead) >>> 0);
  const bound = 1 / Math.sqrt(channels);
  const weight = new Float32Array(labels.length * channels);
  const bias = new Float32Array(labels.length);
  const fromParent: string[] = [];
  labels.forEach((label, k) => {
    const p = parentLabels.indexOf(label);
    if (p >= 0) {
      weight.set(pw.data.subarray(p * channels, (p + 1) * channels), k * channels);
      bias[k] = pb.data[p]!;
      fromParent.push(label);
    } else {
      for (let c = 0; c < channels; c++) weight[k * channels + c] = (random.uniform() * 2 - 1) * bound;
    }
  });
  const weights: WeightMap = new Map(parent);
  weights.set('classifier.weight', { shape: [labels.length, channels], data: weight });
  weights.set('classifier.bias', { shape: [labels.length], data: bias });
  return { weights, fromParent };
}
