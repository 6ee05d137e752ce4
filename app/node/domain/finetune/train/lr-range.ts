import type { LrRangeResult } from '../../../../common/contract/finetune.ts';
import { SeededRandom } from '../../model/seeded-random.ts';
import { shuffle } from '../dataset/patient-split.ts';
import { yieldToEventLoop } from './predict.ts';
import type { TrainingPath } from './training-path.ts';
import { gatherRows, type TrainingData } from './trainer.ts';

export interface LrRangeOptions {
  batchSize: number;
  seed: number;
  weightDecay: number;
  minLearningRate?: number;
  maxLearningRate?: number;
  steps?: number;
  signal?: AbortSignal | undefined;
}

/**
 * Learning-rate range test (Smith 2015): train with a rate growing geometrically from min to max,
 * record the loss smoothed with a bias-corrected moving average, and stop once it blows past four
 * times its best. The suggestion is the rate where the smoothed loss fell fastest per decade — a
 * sane starting point, not an oracle. The caller passes a throw-away path: its weights are changed.
 */
export async function lrRangeTest(path: TrainingPath, data: TrainingData, o: LrRangeOptions): Promise<LrRangeResult> {
  const min = o.minLearningRate ?? 1e-6;
  const max = o.maxLearningRate ?? 1;
  const steps = o.steps ?? 60;
  const points: { learningRate: number; loss: number }[] = [];
  const random = new SeededRandom(o.seed ^ 0x1f);
  let order: number[] = [];
  let smoothed = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < steps && !o.signal?.aborted; i++) {
    if (order.length < o.batchSize) order = [...order, ...shuffle([...data.train], random)];
    const batch = order.splice(0, Math.min(o.batchSize, data.train.length));
    const lr = min * (max / min) ** (i / Math.max(1, steps - 1));
    const x = data.source.batch(batch, i);
    const y = gatherRows(data.targets, batch, data.classes);
    const loss = await path.step(x, y, batch.length, data.positiveWeight, lr, o.weightDecay);
    if (!Number.isFinite(loss)) break;
    smoothed = 0.9 * smoothed + 0.1 * loss;
    const value = smoothed / (1 - 0.9 ** (i + 1));
    points.push({ learningRate: lr, loss: value });
    best = Math.min(best, value);
    if (value > 4 * best && i > 5) break;
    await yieldToEventLoop();
  }
  return { points, suggested: steepestDescent(points) };
}

/** The rate at the most negative slope of loss against log10(rate), ignoring the noisy first few points. */
export function steepestDescent(points: readonly { learningRate: number; loss: number }[]): number | null {
  let bestSlope = 0;
  let at: number | null = null;
  // Only the descent before the lowest loss counts: a dip after the loss has begun to climb is noise, not a good rate.
  let lowest = 0;
  points.forEach((p, i) => {
    if (p.loss < points[lowest]!.loss) lowest = i;
  });
  for (let i = Math.min(3, points.length); i + 1 <= lowest; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    const slope = (b.loss - a.loss) / (Math.log10(b.learningRate) - Math.log10(a.learningRate));
    if (slope < bestSlope) {
      bestSlope = slope;
      at = a.learningRate;
    }
  }
  return at;
}
