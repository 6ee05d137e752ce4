import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { DenseRayError } from '../../../shared/errors.ts';
import { blockInputChannels, type DenseNetSpec, featureSide, stemOf, stemSide, usesBottleneck } from '../../model/spec.ts';
import type { TrainedPart } from './training-graph.ts';

/**
 * Memory of one training step on onnxruntime, estimated before anything runs, so a batch that does not
 * fit is split into micro-batches (gradients summed) or refused with the numbers, never a crash.
 * Per sample: every activation the backward pass reads (concatenations, BatchNorm-ReLU outputs,
 * bottlenecks, pooling indices) held from forward to backward, plus the widest transient of the
 * backward pass; fixed: parameters, their gradients, Adam's two moments and the accumulation buffer.
 * `ACTIVATION_OVERHEAD` covers what the count leaves out (arena rounding, copies between layouts);
 * measured on DenseNet-121 (bench/finetune prints estimate beside peak RSS).
 */
const ACTIVATION_OVERHEAD = 1.6;
const BYTES = 4;
/** Node, onnxruntime and the sample source before any step. */
const BASELINE_BYTES = 400 * 2 ** 20;

export interface StepMemory {
  perSampleBytes: number;
  fixedBytes: number;
}

export function estimateStepMemory(spec: DenseNetSpec, part: TrainedPart, inputSize: number, parameterCount: number): StepMemory {
  const fixedBytes = BASELINE_BYTES + 6 * parameterCount * BYTES;
  if (part.kind === 'head') return { perSampleBytes: 8 * blockInputChannels(spec).finalFeatures * BYTES, fixedBytes };
  let held = 0;
  let transient = 0;
  if (part.fromBlock === 1) {
    held += 2 * spec.inChannels * inputSize ** 2; // the NHWC input and its NCHW copy
    if (stemOf(spec) === 'cifar') held += spec.numInitFeatures * inputSize ** 2;
    else {
      const conv = Math.floor((inputSize + 6 - 7) / 2) + 1;
      const pooled = stemSide(spec, inputSize) ** 2;
      held += 2 * spec.numInitFeatures * conv ** 2 + 3 * spec.numInitFeatures * pooled; // conv0, its ReLU; pooled and int64 argmax
    }
  }
  const { blockInputs } = blockInputChannels(spec);
  const k = spec.growthRate;
  const width = usesBottleneck(spec) ? spec.bnSize * k : 0;
  for (let b = part.fromBlock; b <= spec.blockConfig.length; b++) {
    const cells = featureSide(spec, inputSize, b - 1) ** 2;
    let channels = blockInputs[b - 1]!;
    const first = channels;
    for (let l = 0; l < spec.blockConfig[b - 1]!; l++) {
      // Concatenated input and its BN-ReLU; with a bottleneck its output and BN-ReLU; the new channels.
      held += (2 * channels + 2 * width + k) * cells;
      // Backward: gradients of the input three times over (through ReLU, BN, split) and the 3×3 im2col.
      transient = Math.max(transient, (3 * channels + 2 * 9 * (width || channels)) * cells);
      channels += k;
    }
    held += channels * cells; // the block's output
    transient = Math.max(transient, (channels + first) * cells); // gradient accumulators of the block's parts
    if (b < spec.blockConfig.length)
      held += (channels + channels / 4 + channels / 4) * cells; // BN-ReLU, pooled, conv out
    else held += 2 * channels * cells; // norm5 and its ReLU
  }
  return { perSampleBytes: Math.ceil((held + transient) * BYTES * ACTIVATION_OVERHEAD), fixedBytes };
}

/** What the kernel says can be allocated without swapping (MemAvailable), else free memory. */
export function availableMemoryBytes(): number {
  try {
    const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return freemem();
}

/**
 * The largest micro-batch (≤ the batch, ≤ `requested`) whose estimate fits in 80% of what is available.
 * Throws INVALID_ARGUMENT with the numbers when not even one sample fits.
 */
export function planMicroBatch(o: {
  batchSize: number;
  requested?: number | undefined;
  memory: StepMemory;
  availableBytes: number;
  what: string;
}): { microBatch: number; estimatedBytes: number } {
  const budget = 0.8 * o.availableBytes - o.memory.fixedBytes;
  const fits = Math.floor(budget / o.memory.perSampleBytes);
  if (fits < 1) {
    const gb = (x: number): string => (x / 2 ** 30).toFixed(1);
    throw new DenseRayError(
      'INVALID_ARGUMENT',
      `${o.what} needs about ${gb(o.memory.fixedBytes + o.memory.perSampleBytes)} GB for a single image and only ${gb(o.availableBytes)} GB is available; close other programs, use a smaller input or train fewer layers (last-block or head)`,
      { details: { perSampleBytes: o.memory.perSampleBytes, fixedBytes: o.memory.fixedBytes, availableBytes: o.availableBytes } },
    );
  }
  const microBatch = Math.max(1, Math.min(o.batchSize, o.requested ?? o.batchSize, fits));
  return { microBatch, estimatedBytes: o.memory.fixedBytes + microBatch * o.memory.perSampleBytes };
}
