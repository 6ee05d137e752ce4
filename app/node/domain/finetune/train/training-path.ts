import type { TrainingPlan } from '../../../../common/contract/finetune.ts';
import type { WeightMap, WeightTensor } from '../../model/tensor.ts';

/**
 * What trains the network: the onnxruntime path (DenseRay's backward graph; the default) or the
 * TensorFlow.js fallback. The trainer, the LR range test and evaluation see only this.
 * Samples come in the sample sources' layout ([C] pooled, or NHWC).
 */
export interface TrainingPath {
  readonly plan: TrainingPlan;
  /** Trainable parameters (running statistics excluded). */
  readonly parameterCount: number;
  /**
   * One optimiser step on `rows` samples (`targets` row-major N×K): the mean weighted BCE of all rows,
   * its gradient (accumulated over micro-batches when the plan splits the batch), one Adam update.
   * Returns the loss.
   */
  step(
    x: Float32Array,
    targets: Float32Array,
    rows: number,
    positiveWeight: Float32Array,
    learningRate: number,
    weightDecay: number,
  ): Promise<number>;
  /** Logits (row-major N×K) of `rows` samples; no gradient. */
  logits(x: Float32Array, rows: number): Promise<Float32Array>;
  /** Current values of the trainable parameters in PyTorch layout, by torchvision name. */
  trainedWeights(): WeightMap;
  /** Overwrites trainable parameters from PyTorch-layout tensors (checkpoint restore). */
  load(weights: ReadonlyMap<string, WeightTensor>): void;
  optimizerState(): { step: number; first: WeightMap; second: WeightMap };
  restoreOptimizer(step: number, first: ReadonlyMap<string, Float32Array>, second: ReadonlyMap<string, Float32Array>): void;
  dispose(): Promise<void>;
}

/** Row ranges of at most `size` rows covering 0..rows. */
export function microBatches(rows: number, size: number): { start: number; count: number }[] {
  const out: { start: number; count: number }[] = [];
  for (let start = 0; start < rows; start += size) out.push({ start, count: Math.min(size, rows - start) });
  return out;
}
