import type { FinetuneMode, TrainingPlan } from '../../../../common/contract/finetune.ts';
import { DenseRayError } from '../../../shared/errors.ts';
import type { DenseNetSpec } from '../../model/spec.ts';
import type { WeightMap, WeightTensor } from '../../model/tensor.ts';
import { HostAdam } from '../train/host-adam.ts';
import { microBatches, type TrainingPath } from '../train/training-path.ts';
import { availableMemoryBytes, estimateStepMemory, planMicroBatch } from './memory-plan.ts';
import { OnnxTrainingNet } from './onnx-training-net.ts';
import { type TrainedPart, trainableParameters } from './training-graph.ts';

export interface OnnxPathOptions {
  mode: FinetuneMode;
  spec: DenseNetSpec;
  /** The whole starting network, torchvision names. */
  weights: WeightMap;
  inputSize: number;
  /** The source's sample layout, checked against the graph's. */
  sampleShape?: number[];
  batchSize: number;
  /** Rows per pass; default: the batch, or fewer when memory says so. */
  microBatch?: number | undefined;
  threads?: number | undefined;
  /** Bytes the plan may assume free (default: what the OS reports now). */
  availableBytes?: number;
}

export function partOf(mode: FinetuneMode, spec: DenseNetSpec): TrainedPart {
  return mode === 'head' ? { kind: 'head' } : { kind: 'tail', fromBlock: mode === 'full' ? 1 : spec.blockConfig.length };
}

/** The onnxruntime training path: memory plan first (refuses what cannot fit), then graphs, parameters and Adam on the host. */
export async function createOnnxTrainingPath(o: OnnxPathOptions): Promise<TrainingPath> {
  const part = partOf(o.mode, o.spec);
  const shapes = trainableParameters(o.spec, part).map((n) => o.weights.get(n)?.data.length ?? 0);
  const parameterCount = shapes.reduce((a, b) => a + b, 0);
  const availableBytes = o.availableBytes ?? availableMemoryBytes();
  const { microBatch, estimatedBytes } = planMicroBatch({
    batchSize: o.batchSize,
    requested: o.microBatch,
    memory: estimateStepMemory(o.spec, part, o.inputSize, parameterCount),
    availableBytes,
    what: `${o.mode} fine-tuning at ${o.inputSize}×${o.inputSize}`,
  });
  const net = await OnnxTrainingNet.create({ spec: o.spec, weights: o.weights, part, inputSize: o.inputSize, threads: o.threads });
  if (o.sampleShape && JSON.stringify(o.sampleShape) !== JSON.stringify(net.sampleShape)) {
    await net.dispose();
    throw new DenseRayError(
      'INTERNAL',
      `samples are ${JSON.stringify(o.sampleShape)} but the training graph takes ${JSON.stringify(net.sampleShape)}`,
    );
  }
  const plan: TrainingPlan = {
    engine: 'onnxruntime',
    detail: net.detail,
    batchSize: o.batchSize,
    microBatch,
    estimatedBytes,
    availableBytes,
  };
  return new OnnxTrainingPath(net, plan, parameterCount);
}

class OnnxTrainingPath implements TrainingPath {
  private readonly adam: HostAdam;
  private readonly accumulated = new Map<string, Float32Array>();

  constructor(
    private readonly net: OnnxTrainingNet,
    readonly plan: TrainingPlan,
    readonly parameterCount: number,
  ) {
    this.adam = new HostAdam(net.parameters);
  }

  async step(
    x: Float32Array,
    targets: Float32Array,
    rows: number,
    positiveWeight: Float32Array,
    learningRate: number,
    weightDecay: number,
  ) {
    const sample = this.net.sampleShape.reduce((a, b) => a * b, 1);
    const k = this.net.classes;
    // Every micro-batch's loss and gradient carry 1/(rows·K): their sums are the whole batch's means.
    const scale = 1 / (rows * k);
    const parts = microBatches(rows, this.plan.microBatch);
    let loss = 0;
    for (const [i, { start, count }] of parts.entries()) {
      const r = await this.net.gradients(
        x.subarray(start * sample, (start + count) * sample),
        targets.subarray(start * k, (start + count) * k),
        count,
        positiveWeight,
        scale,
      );
      loss += r.loss;
      if (parts.length === 1) {
        this.adam.apply(r.grads, learningRate, weightDecay);
        return loss;
      }
      for (const [name, g] of r.grads) {
        let sum = this.accumulated.get(name);
        if (!sum) this.accumulated.set(name, (sum = new Float32Array(g.length)));
        if (i === 0) sum.set(g);
        else for (let j = 0; j < g.length; j++) sum[j] = sum[j]! + g[j]!;
      }
    }
    this.adam.apply(this.accumulated, learningRate, weightDecay);
    return loss;
  }

  async logits(x: Float32Array, rows: number): Promise<Float32Array> {
    const sample = this.net.sampleShape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(rows * this.net.classes);
    for (const { start, count } of microBatches(rows, this.plan.microBatch)) {
      out.set(await this.net.logits(x.subarray(start * sample, (start + count) * sample), count), start * this.net.classes);
    }
    return out;
  }

  trainedWeights(): WeightMap {
    return new Map([...this.net.parameters].map(([name, p]) => [name, { shape: [...p.shape], data: p.data.slice() }]));
  }

  load(weights: ReadonlyMap<string, WeightTensor>): void {
    for (const [name, p] of this.net.parameters) {
      const w = weights.get(name);
      if (!w) continue;
      if (w.data.length !== p.data.length)
        throw new DenseRayError('WEIGHTS_MISMATCH', `checkpoint ${name} has ${w.data.length} values, expected ${p.data.length}`);
      p.data.set(w.data);
    }
  }

  optimizerState() {
    return this.adam.state();
  }

  restoreOptimizer(step: number, first: ReadonlyMap<string, Float32Array>, second: ReadonlyMap<string, Float32Array>): void {
    this.adam.restore(step, first, second);
  }

  dispose(): Promise<void> {
    return this.net.dispose();
  }
}
