import * as tf from '@tensorflow/tfjs';
import type { FinetuneMode, TrainingPlan } from '../../../../common/contract/finetune.ts';
import { initTfjsBackend } from '../../model/tfjs/backend.ts';
import type { DenseNetSpec } from '../../model/spec.ts';
import type { WeightMap, WeightTensor } from '../../model/tensor.ts';
import { Adam } from './adam.ts';
import { weightedBceWithLogits } from './loss.ts';
import { createTrainableNet, type TrainableNet } from './trainable-net.ts';
import { microBatches, type TrainingPath } from './training-path.ts';
import { registerWasmConvFilterGradient } from './wasm-conv-filter-grad.ts';

/**
 * The TensorFlow.js path (the fallback): tfjs-node when installed, else wasm with DenseRay's conv
 * filter-gradient kernel. Micro-batches, when asked for, sum their gradients before one Adam step.
 */
export async function createTfjsTrainingPath(o: {
  mode: FinetuneMode;
  spec: DenseNetSpec;
  weights: WeightMap;
  /** One sample in the source's layout: [C] pooled features or [h, w, C]. */
  sampleShape: number[];
  batchSize: number;
  microBatch?: number | undefined;
}): Promise<TrainingPath> {
  if (o.mode !== 'head') registerWasmConvFilterGradient();
  const backend = await initTfjsBackend('tensorflow');
  const net = createTrainableNet(o.mode, o.spec, o.weights);
  const plan: TrainingPlan = {
    engine: 'tfjs',
    detail: `tfjs-${backend}`,
    batchSize: o.batchSize,
    microBatch: Math.min(o.batchSize, o.microBatch ?? o.batchSize),
    estimatedBytes: null,
    availableBytes: null,
  };
  return new TfjsTrainingPath(net, plan, o.sampleShape);
}

class TfjsTrainingPath implements TrainingPath {
  private readonly adam: Adam;
  readonly parameterCount: number;

  constructor(
    private readonly net: TrainableNet,
    readonly plan: TrainingPlan,
    private readonly sampleShape: number[],
  ) {
    this.adam = new Adam(net.variables);
    this.parameterCount = [...net.variables.values()].reduce((n, v) => n + v.size, 0);
  }

  private input(x: Float32Array, rows: number): tf.Tensor {
    return tf.tensor(x, [rows, ...this.sampleShape]);
  }

  async step(
    x: Float32Array,
    targets: Float32Array,
    rows: number,
    positiveWeight: Float32Array,
    learningRate: number,
    weightDecay: number,
  ) {
    const k = targets.length / rows;
    const pw = tf.tensor1d(positiveWeight);
    const names = [...this.net.variables.keys()];
    const variables = [...this.net.variables.values()];
    const sample = x.length / rows;
    let summed: Record<string, tf.Tensor> | undefined;
    let loss = 0;
    try {
      for (const { start, count } of microBatches(rows, this.plan.microBatch)) {
        const xs = this.input(x.subarray(start * sample, (start + count) * sample), count);
        const ys = tf.tensor2d(targets.subarray(start * k, (start + count) * k), [count, k]);
        // The micro-batch mean weighted by its share of the rows: the sum over micro-batches is the batch mean.
        const share = count / rows;
        const { value, grads } = tf.variableGrads(() => tf.mul(weightedBceWithLogits(this.net.logits(xs), ys, pw), share), variables);
        loss += value.dataSync()[0]!;
        const byName: Record<string, tf.Tensor> = {};
        variables.forEach((v, i) => {
          const g = grads[v.name];
          if (g) byName[names[i]!] = g;
        });
        if (summed === undefined) summed = byName;
        else {
          for (const name of Object.keys(byName)) {
            const next = tf.add(summed[name]!, byName[name]!);
            tf.dispose([summed[name]!, byName[name]!]);
            summed[name] = next;
          }
        }
        tf.dispose([value, xs, ys]);
      }
      this.adam.apply(summed ?? {}, learningRate, weightDecay);
    } finally {
      tf.dispose([pw, ...Object.values(summed ?? {})]);
    }
    return loss;
  }

  async logits(x: Float32Array, rows: number): Promise<Float32Array> {
    const logits = tf.tidy(() => this.net.logits(this.input(x, rows)));
    try {
      return (await logits.data()) as Float32Array;
    } finally {
      logits.dispose();
    }
  }

  trainedWeights(): WeightMap {
    return this.net.trainedWeights();
  }

  load(weights: ReadonlyMap<string, WeightTensor>): void {
    this.net.load(weights);
  }

  optimizerState() {
    return this.adam.state();
  }

  restoreOptimizer(step: number, first: ReadonlyMap<string, Float32Array>, second: ReadonlyMap<string, Float32Array>): void {
    this.adam.restore(step, first, second);
  }

  async dispose(): Promise<void> {
    this.adam.dispose();
    this.net.dispose();
  }
}
