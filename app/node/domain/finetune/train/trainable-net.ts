import * as tf from '@tensorflow/tfjs';
import type { FinetuneMode } from '../../../../common/contract/finetune.ts';
import { DenseNetTf } from '../../model/tfjs/densenet.ts';
import { trainFrom } from '../../model/tfjs/params.ts';
import type { DenseNetSpec } from '../../model/spec.ts';
import type { WeightMap, WeightTensor } from '../../model/tensor.ts';

/** The trained part of the network, fed what the frozen part (if any) produced. */
export interface TrainableNet {
  readonly mode: FinetuneMode;
  /** Trainable parameters by torchvision name. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** [N, ...sampleShape] → logits N×K. Call inside tf.tidy or a gradient function. */
  logits(x: tf.Tensor): tf.Tensor2D;
  /** Current values of the trainable parameters in PyTorch layout (conv filters OIHW), by name. */
  trainedWeights(): WeightMap;
  /** Overwrites the trainable parameters from a map in PyTorch layout (checkpoint restore). */
  load(weights: ReadonlyMap<string, WeightTensor>): void;
  dispose(): void;
}

/** What each mode trains, for the manifest. */
export const TRAINED_SCOPE: Record<FinetuneMode, string> = {
  head: 'classifier (linear probe on pooled relu(norm5) features)',
  'last-block': 'last dense block, norm5 and classifier',
  full: 'all parameters',
};

/** Says, for the manifest, what BatchNorm did during training. */
export function batchNormNote(mode: FinetuneMode): string {
  const frozen = 'Every BatchNorm ran in inference mode on its stored running statistics, which were never updated.';
  return mode === 'head'
    ? `${frozen} No BatchNorm was trained (norm5 frozen).`
    : `${frozen} The BatchNorms in the trained part learned their affine scale γ and shift β only.`;
}

/**
 * `weights` is the full starting network (parent weights with the new head in place). For `head`
 * the net is just the classifier over pooled features; for the others a tfjs DenseNet whose tail
 * (or whole) is trainable, starting at the last dense block (`last-block`) or the image (`full`).
 */
export function createTrainableNet(mode: FinetuneMode, spec: DenseNetSpec, weights: ReadonlyMap<string, WeightTensor>): TrainableNet {
  return mode === 'head' ? new LinearHead(weights) : new DenseNetTail(mode, spec, weights);
}

class LinearHead implements TrainableNet {
  readonly mode = 'head' as const;
  readonly variables: Map<string, tf.Variable>;
  private readonly weight: tf.Variable<tf.Rank.R2>;
  private readonly bias: tf.Variable<tf.Rank.R1>;

  constructor(weights: ReadonlyMap<string, WeightTensor>) {
    const w = weights.get('classifier.weight')!;
    const b = weights.get('classifier.bias')!;
    this.weight = tf.variable(tf.tensor2d(w.data, w.shape as [number, number]), true);
    this.bias = tf.variable(tf.tensor1d(b.data), true);
    this.variables = new Map<string, tf.Variable>([
      ['classifier.weight', this.weight],
      ['classifier.bias', this.bias],
    ]);
  }

  logits(x: tf.Tensor): tf.Tensor2D {
    return tf.add(tf.matMul(x as tf.Tensor2D, this.weight, false, true), this.bias);
  }

  trainedWeights(): WeightMap {
    return hostWeights(this.variables, () => false);
  }

  load(weights: ReadonlyMap<string, WeightTensor>): void {
    assignWeights(this.variables, weights, () => false);
  }

  dispose(): void {
    tf.dispose([this.weight, this.bias]);
  }
}

class DenseNetTail implements TrainableNet {
  readonly variables: ReadonlyMap<string, tf.Variable>;
  private readonly net: DenseNetTf;
  private readonly fromBlock: number;
  private readonly isConv: (name: string) => boolean;

  constructor(
    readonly mode: 'last-block' | 'full',
    spec: DenseNetSpec,
    weights: ReadonlyMap<string, WeightTensor>,
  ) {
    this.fromBlock = mode === 'full' ? 1 : spec.blockConfig.length;
    // trainFrom(spec, 1) would leave out the stem; full fine-tuning trains it too. Running statistics never train.
    const trainable = mode === 'full' ? (name: string) => !name.includes('running_') : trainFrom(spec, this.fromBlock);
    this.net = DenseNetTf.fromWeights(spec, weights, { trainable });
    this.variables = this.net.params.variables();
    this.isConv = (name) => weights.get(name)?.shape.length === 4;
  }

  logits(x: tf.Tensor): tf.Tensor2D {
    return this.net.forward(x as tf.Tensor4D, { fromBlock: this.fromBlock }).logits;
  }

  trainedWeights(): WeightMap {
    return hostWeights(this.variables, this.isConv);
  }

  load(weights: ReadonlyMap<string, WeightTensor>): void {
    assignWeights(this.variables, weights, this.isConv);
  }

  dispose(): void {
    this.net.dispose();
  }
}

/** Variables → PyTorch-layout host tensors; conv filters go HWIO → OIHW. */
function hostWeights(variables: ReadonlyMap<string, tf.Variable>, isConv: (name: string) => boolean): WeightMap {
  const out: WeightMap = new Map();
  for (const [name, v] of variables) {
    const t = isConv(name) ? tf.tidy(() => tf.transpose(v, [3, 2, 0, 1])) : v;
    out.set(name, { shape: [...t.shape], data: Float32Array.from(t.dataSync()) });
    if (t !== v) t.dispose();
  }
  return out;
}

function assignWeights(
  variables: ReadonlyMap<string, tf.Variable>,
  weights: ReadonlyMap<string, WeightTensor>,
  isConv: (name: string) => boolean,
): void {
  tf.tidy(() => {
    for (const [name, v] of variables) {
      const w = weights.get(name);
      if (!w) continue;
      const t = tf.tensor(w.data, w.shape);
      v.assign(isConv(name) ? tf.transpose(t, [2, 3, 1, 0]) : t);
    }
  });
}
