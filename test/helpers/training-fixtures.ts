import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WeightMap } from '../../app/node/domain/model/tensor.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { hashNoise, hashTargets } from './hash-noise.ts';
import { projectRoot, shared } from './shared.ts';

/** test/fixtures/training (make_training.py): PyTorch's losses, logits, gradients and Adam loss curves for small DenseNets. */

export const trainingDir = join(projectRoot, 'test', 'fixtures', 'training');

export type Part = 'head' | 'last-block' | 'full';

export interface GradCase {
  part: Part;
  inputShape: number[];
  seed: number;
  posWeight: number[];
  loss: number;
  logits: number[];
  parameters: string[];
}

export interface CurveCase {
  part: Part;
  inputShape: number[];
  seed: number;
  posWeight: number[];
  learningRate: number;
  weightDecay: number;
  losses: number[];
}

export interface TrainingJson {
  cases: Record<string, GradCase>;
  curves: Record<string, CurveCase>;
  'densenet121-last-block': GradCase & { tensors: Record<string, { norm: number; probe: number }> };
}

export const training = JSON.parse(readFileSync(join(trainingDir, 'training.json'), 'utf8')) as TrainingJson;

/** The weights a case name refers to: the shared tiny net, DenseNet-121's synthetic weights, or a densenet-family variant. */
export function caseWeights(name: string): WeightMap {
  const file = name.startsWith('tiny')
    ? shared('reference', 'tiny-densenet.safetensors')
    : name.startsWith('densenet121')
      ? shared('reference', 'densenet121-synthetic14.safetensors')
      : join(projectRoot, 'test', 'fixtures', 'densenet-family', `${name.replace(/-full$/, '')}.safetensors`);
  return readSafetensors(readFileSync(file), file).tensors;
}

export function caseGrads(name: string): WeightMap {
  return readSafetensors(readFileSync(join(trainingDir, `${name}.grads.safetensors`))).tensors;
}

/** The case's input (hash stream `seed`, NCHW as PyTorch took it) in the sample sources' layout (NHWC), and its targets. */
export function caseBatch(
  c: { inputShape: number[]; seed: number },
  classes: number,
  seedOffset = 0,
): { x: Float32Array; y: Float32Array; rows: number } {
  const nchw = hashNoise(
    c.inputShape.reduce((a, b) => a * b, 1),
    c.seed + seedOffset,
  );
  const rows = c.inputShape[0]!;
  const y = hashTargets(rows * classes, c.seed + seedOffset + 1);
  if (c.inputShape.length !== 4) return { x: nchw, y, rows };
  const [, ch, h, w] = c.inputShape as [number, number, number, number];
  const x = new Float32Array(nchw.length);
  for (let n = 0; n < rows; n++)
    for (let k = 0; k < ch; k++) for (let p = 0; p < h * w; p++) x[(n * h * w + p) * ch + k] = nchw[(n * ch + k) * h * w + p]!;
  return { x, y, rows };
}

/** ‖a − b‖ / ‖b‖ over a whole tensor. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += b[i]! ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
}
