import * as tf from '@tensorflow/tfjs';
import { DenseRayError } from '../../../shared/errors.ts';
import { expectedWeightShapes, type DenseNetSpec } from '../spec.ts';
import type { WeightTensor } from '../tensor.ts';
import type { ChannelAffine } from './ops.ts';

/** PyTorch's BatchNorm2d default, which torchvision's DenseNet keeps. */
export const BATCH_NORM_EPS = 1e-5;

/** Picks, by torchvision name (`….weight`, `….bias`), the parameters that become trainable `tf.Variable`s. */
export type TrainableSelector = (name: string) => boolean;

/**
 * A BatchNorm that is not trained is folded once, in float64, into a per-channel affine map. A trained
 * one keeps gamma/beta as variables and folds inside the graph so gradients reach them; its running
 * statistics stay constants (fine-tuning runs BatchNorm in eval mode).
 */
type NormParams =
  | { kind: 'frozen'; affine: ChannelAffine }
  | { kind: 'trainable'; gamma: tf.Variable<tf.Rank.R1>; beta: tf.Variable<tf.Rank.R1>; mean: tf.Tensor1D; variance: tf.Tensor1D };

/**
 * Selects everything from dense block `block` (1-based) on: that block's layers, the transitions after it,
 * norm5 and the classifier. `trainFrom(spec, spec.blockConfig.length)` is "last dense block + head".
 */
export function trainFrom(spec: DenseNetSpec, block: number): TrainableSelector {
  const blocks = spec.blockConfig.length;
  const tail: string[] = ['features.norm5.', 'classifier.'];
  for (let b = block; b <= blocks; b++) {
    tail.push(`features.denseblock${b}.`);
    if (b < blocks) tail.push(`features.transition${b}.`);
  }
  return (name) => tail.some((prefix) => name.startsWith(prefix));
}

/** A DenseNet's weights as tfjs tensors, conv filters already in HWIO, addressed by torchvision prefix. */
export class DenseNetParams {
  private readonly convs = new Map<string, tf.Tensor4D>();
  private readonly norms = new Map<string, NormParams>();
  private readonly dense = new Map<string, { weight: tf.Tensor2D; bias: tf.Tensor1D }>();
  private readonly trainable = new Map<string, tf.Variable>();

  private constructor() {}

  /** Checks every tensor the spec needs against `weights` first, so a mismatch never leaves tensors behind. */
  static fromWeights(
    spec: DenseNetSpec,
    weights: ReadonlyMap<string, WeightTensor>,
    trainable: TrainableSelector = () => false,
  ): DenseNetParams {
    const expected = expectedWeightShapes(spec);
    checkWeights(expected, weights);
    const params = new DenseNetParams();
    const get = (name: string): WeightTensor => weights.get(name)!;
    try {
      for (const name of expected.keys()) {
        if (name.endsWith('.running_mean') || name.endsWith('.running_var') || name.endsWith('.bias')) continue;
        const prefix = name.slice(0, -'.weight'.length);
        if (name.startsWith('classifier.')) params.loadLinear(prefix, get(`${prefix}.weight`), get(`${prefix}.bias`), trainable);
        else if (get(name).shape.length === 4) params.loadConv(prefix, get(name), trainable);
        else params.loadNorm(prefix, (p) => get(`${prefix}.${p}`), trainable);
      }
    } catch (error) {
      params.dispose();
      throw error;
    }
    return params;
  }

  /** HWIO filter of the `nn.Conv2d` at `prefix` (e.g. `features.conv0`). */
  conv(prefix: string): tf.Tensor4D {
    return required(this.convs, prefix);
  }

  /** The eval-mode affine map of the BatchNorm at `prefix`; for trained norms this creates tensors, so call it inside `tf.tidy`. */
  norm(prefix: string): ChannelAffine {
    const p = required(this.norms, prefix);
    if (p.kind === 'frozen') return p.affine;
    const scale: tf.Tensor1D = tf.mul(p.gamma, tf.rsqrt(tf.add(p.variance, BATCH_NORM_EPS)));
    return { scale, shift: tf.sub(p.beta, tf.mul(p.mean, scale)) };
  }

  linear(prefix: string): { weight: tf.Tensor2D; bias: tf.Tensor1D } {
    return required(this.dense, prefix);
  }

  /** The trainable variables by torchvision name (`….weight`, `….bias`), for an optimizer's var list. */
  variables(): ReadonlyMap<string, tf.Variable> {
    return this.trainable;
  }

  dispose(): void {
    for (const t of this.convs.values()) t.dispose();
    for (const p of this.norms.values()) {
      if (p.kind === 'frozen') tf.dispose([p.affine.scale, p.affine.shift]);
      else tf.dispose([p.gamma, p.beta, p.mean, p.variance]);
    }
    for (const { weight, bias } of this.dense.values()) tf.dispose([weight, bias]);
    this.convs.clear();
    this.norms.clear();
    this.dense.clear();
    this.trainable.clear();
  }

  private loadConv(prefix: string, weight: WeightTensor, trainable: TrainableSelector): void {
    // OIHW → HWIO once here, so no forward pass ever transposes a filter.
    const hwio = tf.tidy(() => tf.transpose(tf.tensor4d(weight.data, weight.shape as [number, number, number, number]), [2, 3, 1, 0]));
    this.convs.set(prefix, this.maybeVariable(`${prefix}.weight`, hwio, trainable));
  }

  private loadNorm(prefix: string, get: (param: string) => WeightTensor, trainable: TrainableSelector): void {
    const gamma = get('weight').data;
    const beta = get('bias').data;
    const mean = get('running_mean').data;
    const variance = get('running_var').data;
    if (!trainable(`${prefix}.weight`) && !trainable(`${prefix}.bias`)) {
      const scale = new Float32Array(gamma.length);
      const shift = new Float32Array(gamma.length);
      for (let c = 0; c < gamma.length; c++) {
        const s = gamma[c]! / Math.sqrt(variance[c]! + BATCH_NORM_EPS);
        scale[c] = s;
        shift[c] = beta[c]! - mean[c]! * s;
      }
      this.norms.set(prefix, { kind: 'frozen', affine: { scale: tf.tensor1d(scale), shift: tf.tensor1d(shift) } });
      return;
    }
    this.norms.set(prefix, {
      kind: 'trainable',
      gamma: this.variable(`${prefix}.weight`, tf.tensor1d(gamma), trainable),
      beta: this.variable(`${prefix}.bias`, tf.tensor1d(beta), trainable),
      mean: tf.tensor1d(mean),
      variance: tf.tensor1d(variance),
    });
  }

  private loadLinear(prefix: string, weight: WeightTensor, bias: WeightTensor, trainable: TrainableSelector): void {
    this.dense.set(prefix, {
      weight: this.maybeVariable(`${prefix}.weight`, tf.tensor2d(weight.data, weight.shape as [number, number]), trainable),
      bias: this.maybeVariable(`${prefix}.bias`, tf.tensor1d(bias.data), trainable),
    });
  }

  private maybeVariable<T extends tf.Tensor>(name: string, value: T, trainable: TrainableSelector): T {
    return trainable(name) ? (this.variable(name, value, trainable) as unknown as T) : value;
  }

  /** Wraps `value` in a variable (trainable iff selected) and releases `value`, whose data the variable now owns. */
  private variable<R extends tf.Rank>(name: string, value: tf.Tensor<R>, trainable: TrainableSelector): tf.Variable<R> {
    // No variable name: tfjs names must be unique per process, and two models may be loaded at once.
    const v = tf.variable(value, trainable(name));
    value.dispose();
    if (trainable(name)) this.trainable.set(name, v);
    return v;
  }
}

function checkWeights(expected: Map<string, number[]>, weights: ReadonlyMap<string, WeightTensor>): void {
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const w = weights.get(name);
    if (w === undefined) problems.push(`${name} missing`);
    else if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
      problems.push(`${name} is ${JSON.stringify(w.shape)}, expected ${JSON.stringify(shape)}`);
    } else if (w.data.length !== shape.reduce((a, b) => a * b, 1))
      problems.push(`${name} has ${w.data.length} values for ${JSON.stringify(shape)}`);
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ');
    throw new DenseRayError(
      'WEIGHTS_MISMATCH',
      `weights do not fit the DenseNet spec: ${shown}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`,
      {
        details: { problems: problems.length },
      },
    );
  }
}

function required<T>(map: ReadonlyMap<string, T>, prefix: string): T {
  const value = map.get(prefix);
  if (value === undefined) throw new DenseRayError('MODEL_INVALID', `tfjs DenseNet has no parameters for ${prefix}`);
  return value;
}
