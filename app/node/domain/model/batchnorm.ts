import type { WeightMap } from './tensor.ts';

/** PyTorch's BatchNorm2d default. */
export const BN_EPSILON = 1e-5;

/** Eval-mode BatchNorm as y = x·scale + shift per channel, in float64 so a fold rounds only once. */
export function batchNormAffine(weights: WeightMap, prefix: string): { scale: Float64Array; shift: Float64Array } {
  const gamma = get(weights, `${prefix}.weight`);
  const beta = get(weights, `${prefix}.bias`);
  const mean = get(weights, `${prefix}.running_mean`);
  const variance = get(weights, `${prefix}.running_var`);
  const scale = new Float64Array(gamma.length);
  const shift = new Float64Array(gamma.length);
  for (let c = 0; c < gamma.length; c++) {
    const s = gamma[c]! / Math.sqrt(variance[c]! + BN_EPSILON);
    scale[c] = s;
    shift[c] = beta[c]! - mean[c]! * s;
  }
  return { scale, shift };
}

/** Folds a BatchNorm that directly follows a bias-free conv into that conv's weights and a new bias. */
export function foldBatchNormIntoConv(
  convWeight: Float32Array,
  outChannels: number,
  affine: { scale: Float64Array; shift: Float64Array },
): { weight: Float32Array; bias: Float32Array } {
  const perOut = convWeight.length / outChannels;
  const weight = new Float32Array(convWeight.length);
  for (let o = 0; o < outChannels; o++) {
    const s = affine.scale[o]!;
    for (let i = 0; i < perOut; i++) weight[o * perOut + i] = convWeight[o * perOut + i]! * s;
  }
  return { weight, bias: Float32Array.from(affine.shift) };
}

export function get(weights: WeightMap, name: string): Float32Array {
  const t = weights.get(name);
  if (!t) throw new Error(`internal: weight ${name} missing after validation`);
  return t.data;
}
