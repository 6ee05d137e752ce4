import * as tf from '@tensorflow/tfjs';
import { DenseRayError } from '../../../shared/errors.ts';
import { stemOf, usesBottleneck, type DenseNetSpec } from '../spec.ts';
import type { WeightTensor } from '../tensor.ts';
import { avgPool, conv, globalAvgPool, linear, maxPool, nchwToNhwc, nhwcToNchw, normRelu } from './ops.ts';
import { DenseNetParams, type TrainableSelector } from './params.ts';

/** One batch's results on the host, in PyTorch layout. */
export interface DenseNetOutput {
  /** N×K. */
  logits: Float32Array;
  /** relu(norm5), N×C×h×w (NCHW): the class-activation-map features. */
  features: Float32Array;
  featureShape: [channels: number, height: number, width: number];
}

export interface DenseNetLoadOptions {
  /** Parameters (by torchvision name) to hold as trainable variables; see `trainFrom`. Default: none. */
  trainable?: TrainableSelector;
}

/**
 * A torchvision DenseNet (eval mode) as a tfjs graph over NHWC tensors.
 *
 * The forward pass is split at dense-block boundaries so fine-tuning can run the frozen front once
 * (`trunk(x, 4)`: the activations leaving transition3) and train only the tail on those
 * (`forward(h, { fromBlock: 4 })`). Tensor methods leave disposal to the caller's `tf.tidy`;
 * `run` is the host-array entry point and cleans up after itself.
 */
export class DenseNetTf {
  readonly spec: DenseNetSpec;
  readonly params: DenseNetParams;

  private constructor(spec: DenseNetSpec, params: DenseNetParams) {
    this.spec = spec;
    this.params = params;
  }

  static fromWeights(spec: DenseNetSpec, weights: ReadonlyMap<string, WeightTensor>, options: DenseNetLoadOptions = {}): DenseNetTf {
    return new DenseNetTf(spec, DenseNetParams.fromWeights(spec, weights, options.trainable));
  }

  get blockCount(): number {
    return this.spec.blockConfig.length;
  }

  /** Image (N×H×W×inChannels) → relu(norm5) features and logits, optionally starting at dense block `fromBlock`'s input. */
  forward(x: tf.Tensor4D, options: { fromBlock?: number } = {}): { features: tf.Tensor4D; logits: tf.Tensor2D } {
    const features = this.features(x, options.fromBlock ?? 1);
    return { features, logits: this.classify(features) };
  }

  /** Image → activations entering dense block `untilBlock` (1-based): after the stem for 1, after transition b−1 for b. */
  trunk(x: tf.Tensor4D, untilBlock: number): tf.Tensor4D {
    this.checkBlock(untilBlock);
    let h = this.stem(x);
    for (let b = 1; b < untilBlock; b++) h = this.stage(h, b, true);
    return h;
  }

  /** Activations entering dense block `fromBlock` (the image itself when 1) → relu(norm5), N×h×w×C. */
  features(h: tf.Tensor4D, fromBlock = 1): tf.Tensor4D {
    this.checkBlock(fromBlock);
    let out = fromBlock === 1 ? this.stem(h) : h;
    for (let b = fromBlock; b <= this.blockCount; b++) out = this.stage(out, b, out !== h);
    // The CAM features are taken after the final ReLU, exactly as torchvision's forward applies it.
    return this.step(out, out !== h, (t) => normRelu(t, this.params.norm('features.norm5')));
  }

  /** Global average pool + classifier: features N×h×w×C → logits N×K. */
  classify(features: tf.Tensor4D): tf.Tensor2D {
    const { weight, bias } = this.params.linear('classifier');
    return linear(globalAvgPool(features), weight, bias);
  }

  /** Host entry point: `input` is N×C×H×W float32 (PyTorch layout); all tensors are released before it resolves. */
  async run(input: Float32Array, shape: [batch: number, channels: number, height: number, width: number]): Promise<DenseNetOutput> {
    const [n, c, h, w] = shape;
    if (c !== this.spec.inChannels || input.length !== n * c * h * w || n < 1) {
      throw new DenseRayError(
        'INVALID_ARGUMENT',
        `input of ${input.length} values does not match ${JSON.stringify(shape)} with ${this.spec.inChannels} channels`,
      );
    }
    const [logits, features] = tf.tidy(() => {
      const out = this.forward(nchwToNhwc(tf.tensor4d(input, shape)));
      return [out.logits, nhwcToNchw(out.features)] as const;
    });
    try {
      const [logitValues, featureValues] = await Promise.all([logits.data<'float32'>(), features.data<'float32'>()]);
      const [, channels, height, width] = features.shape;
      return { logits: logitValues, features: featureValues, featureShape: [channels, height, width] };
    } finally {
      tf.dispose([logits, features]);
    }
  }

  dispose(): void {
    this.params.dispose();
  }

  /** ImageNet stem: conv0 (7×7/2) → norm0 → relu → 3×3/2 max pool; CIFAR stem: conv0 (3×3/1) alone. */
  private stem(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const p = this.params;
      if (stemOf(this.spec) === 'cifar') return conv(x, p.conv('features.conv0'), 1, 1);
      const c0 = conv(x, p.conv('features.conv0'), 2, 3);
      return maxPool(normRelu(c0, p.norm('features.norm0')), 3, 2, 1);
    });
  }

  /** Dense block `b`, then its transition unless it is the last block; frees `x` if `ownsInput`. */
  private stage(x: tf.Tensor4D, b: number, ownsInput: boolean): tf.Tensor4D {
    let h = x;
    let owned = ownsInput;
    for (let l = 1; l <= this.spec.blockConfig[b - 1]!; l++) {
      h = this.step(h, owned, (t) => this.denseLayer(t, `features.denseblock${b}.denselayer${l}`));
      owned = true;
    }
    if (b < this.blockCount) h = this.step(h, owned, (t) => this.transition(t, `features.transition${b}`));
    return h;
  }

  /** BN-ReLU-1×1 conv (bottleneck) → BN-ReLU-3×3 conv, or BN-ReLU-3×3 conv alone; its growthRate new channels appended to the input. */
  private denseLayer(x: tf.Tensor4D, prefix: string): tf.Tensor4D {
    const p = this.params;
    const activated = normRelu(x, p.norm(`${prefix}.norm1`));
    const fresh = usesBottleneck(this.spec)
      ? conv(normRelu(conv(activated, p.conv(`${prefix}.conv1`), 1, 0), p.norm(`${prefix}.norm2`)), p.conv(`${prefix}.conv2`), 1, 1)
      : conv(activated, p.conv(`${prefix}.conv1`), 1, 1);
    return tf.concat([x, fresh], 3);
  }

  /** BN-ReLU-1×1 conv (⌊θ·m⌋ channels) → 2×2/2 average pool. */
  private transition(x: tf.Tensor4D, prefix: string): tf.Tensor4D {
    const p = this.params;
    return avgPool(conv(normRelu(x, p.norm(`${prefix}.norm`)), p.conv(`${prefix}.conv`), 1, 0), 2, 2);
  }

  /**
   * Runs one step in its own tidy and frees the step's input when this pass made it, so a 121-layer
   * pass holds about two activations at a time instead of every intermediate until the caller's tidy
   * ends. Safe under a gradient tape too: tfjs keeps its own copies of what backprop needs.
   */
  private step(input: tf.Tensor4D, ownsInput: boolean, fn: (input: tf.Tensor4D) => tf.Tensor4D): tf.Tensor4D {
    const next = tf.tidy(() => fn(input));
    if (ownsInput) input.dispose();
    return next;
  }

  private checkBlock(block: number): void {
    if (!Number.isInteger(block) || block < 1 || block > this.blockCount) {
      throw new DenseRayError('INVALID_ARGUMENT', `dense block ${block} is outside 1..${this.blockCount}`);
    }
  }
}
