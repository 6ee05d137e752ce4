import { DenseRayError } from '../../../shared/errors.ts';
import { BN_EPSILON, get } from '../../model/batchnorm.ts';
import { OnnxGraphBuilder } from '../../model/onnx/graph-builder.ts';
import { type DenseNetSpec, expectedWeightShapes, featureSide, finalFeatureCount, stemOf, usesBottleneck } from '../../model/spec.ts';
import type { WeightMap } from '../../model/tensor.ts';
import { GradOps } from './graph-ops.ts';

/** Where the trained part starts: the pooled features (`head`), or dense block `fromBlock`'s input (1: the image). */
export type TrainedPart = { kind: 'head' } | { kind: 'tail'; fromBlock: number };

export interface TrainingGraphOptions {
  spec: DenseNetSpec;
  /** Shapes of every parameter, and the running statistics (constants: BatchNorm runs on them, never updates them). */
  weights: WeightMap;
  part: TrainedPart;
  /** Side of the image the network takes. */
  inputSize: number;
  /** How the 3×3 filter gradients are computed: im2col (the default, faster) or a dilated conv; the tests check both against PyTorch. */
  filterGrad3x3?: 'im2col' | 'conv';
}

export interface TrainingGraphs {
  /** Inputs `x`, `y`, `pos_weight`, `scale` and every trainable parameter; outputs `loss`, `logits` and `grad.<name>`. */
  train: Uint8Array;
  /** Inputs `x` and the parameters; output `logits`. */
  eval: Uint8Array;
  /** Trainable parameters (torchvision names, torchvision order): graph inputs of both graphs. */
  parameters: string[];
  /** One sample of `x`: [C] pooled features, or [h, w, C] (NHWC, the sample sources' layout). */
  sampleShape: number[];
}

export const TRAIN_INPUT = 'x';
export const TRAIN_TARGETS = 'y';
export const TRAIN_POS_WEIGHT = 'pos_weight';
/** 1/(rows of the optimiser step · classes): the loss is a mean over the whole step, micro-batches summed. */
export const TRAIN_SCALE = 'scale';
export const TRAIN_LOSS = 'loss';
export const TRAIN_LOGITS = 'logits';
export const gradName = (parameter: string): string => `grad.${parameter}`;

/**
 * The fine-tuning step of a DenseNet as one onnxruntime graph: forward from the cached features
 * (or the image), weighted BCE, and every trainable parameter's gradient, with the parameters as
 * graph inputs so the optimiser (on the host) can change them between runs. BatchNorm runs in
 * eval mode on its running statistics, as in every DenseRay mode; γ and β train.
 */
export function buildTrainingGraphs(o: TrainingGraphOptions): TrainingGraphs {
  const parameters = trainableParameters(o.spec, o.part);
  const shapes = expectedWeightShapes(o.spec);
  const train = emit(o, parameters, true);
  const evalGraph = emit(o, parameters, false);
  const paramInputs = parameters.map((name) => ({ name, dims: shapes.get(name)! }));
  const sampleShape = sampleShapeOf(o);
  const x = { name: TRAIN_INPUT, dims: ['batch', ...sampleShape] };
  const logits = { name: TRAIN_LOGITS, dims: ['batch', o.spec.numClasses] };
  return {
    train: train.encode({
      graphName: 'densenet-train-step',
      inputs: [
        x,
        { name: TRAIN_TARGETS, dims: ['batch', o.spec.numClasses] },
        { name: TRAIN_POS_WEIGHT, dims: [o.spec.numClasses] },
        { name: TRAIN_SCALE, dims: [] },
        ...paramInputs,
      ],
      outputs: [{ name: TRAIN_LOSS, dims: [] }, logits, ...paramInputs.map((p) => ({ name: gradName(p.name), dims: p.dims }))],
      docString: 'DenseRay fine-tuning step: forward, weighted BCE and the gradient of every trainable parameter.',
      opset: 17,
    }),
    eval: evalGraph.encode({
      graphName: 'densenet-train-eval',
      inputs: [x, ...paramInputs],
      outputs: [logits],
      docString: 'DenseRay fine-tuning: logits of the trained part for the current parameters.',
      opset: 17,
    }),
    parameters,
    sampleShape,
  };
}

/** Torchvision names of what trains: the classifier (head); else dense block `fromBlock` onwards, the stem with block 1, norm5 and the classifier. */
export function trainableParameters(spec: DenseNetSpec, part: TrainedPart): string[] {
  const names = [...expectedWeightShapes(spec).keys()].filter((n) => !n.endsWith('running_mean') && !n.endsWith('running_var'));
  if (part.kind === 'head') return names.filter((n) => n.startsWith('classifier.'));
  checkBlock(spec, part.fromBlock);
  return names.filter((n) => {
    const block = /^features\.(?:denseblock|transition)(\d+)\./.exec(n);
    if (block) return Number(block[1]) >= part.fromBlock;
    return part.fromBlock === 1 || !/^features\.(conv0|norm0)\./.test(n);
  });
}

function sampleShapeOf(o: TrainingGraphOptions): number[] {
  if (o.part.kind === 'head') return [finalFeatureCount(o.spec)];
  if (o.part.fromBlock === 1) return [o.inputSize, o.inputSize, o.spec.inChannels];
  const side = featureSide(o.spec, o.inputSize, o.part.fromBlock - 1);
  const channels = expectedWeightShapes(o.spec).get(`features.denseblock${o.part.fromBlock}.denselayer1.norm1.weight`)![0]!;
  return [side, side, channels];
}

function checkBlock(spec: DenseNetSpec, block: number): void {
  if (!Number.isInteger(block) || block < 1 || block > spec.blockConfig.length) {
    throw new DenseRayError('INVALID_ARGUMENT', `dense block ${block} is outside 1..${spec.blockConfig.length}`);
  }
}

/** Emits the forward pass, and with `withBackward` the loss and gradients, into a fresh builder. */
function emit(o: TrainingGraphOptions, parameters: string[], withBackward: boolean): OnnxGraphBuilder {
  const g = new OnnxGraphBuilder();
  const net = new DenseNetTape(new GradOps(g), o, new Set(parameters));
  const logits = net.forward(TRAIN_INPUT);
  g.node('Identity', [logits.value], [], TRAIN_LOGITS);
  if (withBackward) logits.backward(net.loss(logits.value));
  for (const [name, grad] of net.grads) g.node('Identity', [grad], [], gradName(name));
  if (withBackward && net.grads.size !== parameters.length) {
    throw new DenseRayError('INTERNAL', `training graph has ${net.grads.size} gradients for ${parameters.length} parameters`);
  }
  return g;
}

/** A value and how to send a gradient back through what made it (returning the input's gradient, when one is needed). */
interface Taped {
  value: string;
  backward(grad: string): string | undefined;
}

/** Records the forward pass layer by layer (activations C×N×H×W) and emits the backward pass in reverse. */
class DenseNetTape {
  readonly grads = new Map<string, string>();
  private readonly g: OnnxGraphBuilder;
  private readonly shapes: Map<string, number[]>;

  constructor(
    private readonly ops: GradOps,
    private readonly o: TrainingGraphOptions,
    private readonly trainable: ReadonlySet<string>,
  ) {
    this.g = ops.g;
    this.shapes = expectedWeightShapes(o.spec);
  }

  /** `x` as the sources give it (N×C pooled, or N×H×W×C) → logits N×K. */
  forward(x: string): Taped {
    const { part, spec } = this.o;
    if (part.kind === 'head') return this.classifier(x, false);
    const stages: Taped[] = [];
    let h: string;
    if (part.fromBlock === 1) {
      const stem = this.stem(x);
      stages.push(stem);
      h = stem.value;
    } else h = this.ops.transpose(x, [3, 0, 1, 2]);
    for (let b = part.fromBlock; b <= spec.blockConfig.length; b++) {
      const block = this.block(h, b, stages.length > 0);
      stages.push(block);
      h = block.value;
      if (b < spec.blockConfig.length) {
        const t = this.transition(h, b);
        stages.push(t);
        h = t.value;
      }
    }
    const side = featureSide(spec, this.o.inputSize);
    const features = this.normRelu(h, 'features.norm5', side, true);
    const pooled = this.g.node(
      'ReduceMean',
      [features.value],
      [
        { name: 'axes', ints: [2, 3] },
        { name: 'keepdims', i: 0 },
      ],
    );
    const head = this.classifier(this.ops.transpose(pooled, [1, 0]), true);
    return {
      value: head.value,
      backward: (dz) => {
        const dPooled = this.ops.transpose(head.backward(dz)!, [1, 0]);
        const spread = this.g.node('Mul', [dPooled, this.ops.scalar(1 / (side * side))]);
        const dFeatures = this.g.node('Expand', [
          this.g.node('Unsqueeze', [spread, this.ops.i64([2, 3])]),
          this.g.node('Shape', [features.value]),
        ]);
        let d = features.backward(dFeatures);
        for (let i = stages.length - 1; i >= 0; i--) d = stages[i]!.backward(d!);
        return d;
      },
    };
  }

  /**
   * Mean weighted BCE (BCEWithLogitsLoss with pos_weight w) times `scale`, and its gradient for the logits:
   * with c = 1 + (w − 1)·y, ℓ = (1 − y)·z + c·softplus(−z) (PyTorch's form, stable for large |z|) and
   * dℓ/dz = c·σ(z) − w·y.
   */
  loss(z: string): string {
    const { g, ops } = this;
    const y = TRAIN_TARGETS;
    const wy = g.node('Mul', [TRAIN_POS_WEIGHT, y]);
    const c = g.node('Add', [g.node('Sub', [wy, y]), ops.scalar(1)]);
    const perEntry = g.node('Add', [
      g.node('Mul', [g.node('Sub', [ops.scalar(1), y]), z]),
      g.node('Mul', [c, g.node('Softplus', [g.node('Neg', [z])])]),
    ]);
    g.node('Mul', [g.node('ReduceSum', [perEntry], [{ name: 'keepdims', i: 0 }]), TRAIN_SCALE], [], TRAIN_LOSS);
    return g.node('Mul', [g.node('Sub', [g.node('Mul', [c, g.node('Sigmoid', [z])]), wy]), TRAIN_SCALE]);
  }

  /** pooled N×C → logits N×K. */
  private classifier(pooled: string, wantInput: boolean): Taped {
    const { g } = this;
    const w = this.param('classifier.weight');
    const b = this.param('classifier.bias');
    const value = g.node('Gemm', [pooled, w, b], [{ name: 'transB', i: 1 }]);
    return {
      value,
      backward: (dz) => {
        this.grads.set('classifier.weight', g.node('Gemm', [dz, pooled], [{ name: 'transA', i: 1 }]));
        this.grads.set('classifier.bias', g.node('ReduceSum', [dz, this.ops.i64([0])], [{ name: 'keepdims', i: 0 }]));
        return wantInput ? g.node('MatMul', [dz, w]) : undefined;
      },
    };
  }

  /** ReLU(BatchNorm(x)) with trainable γ, β, on C×N×`side`×`side`. */
  private normRelu(x: string, prefix: string, side: number, wantInput: boolean): Taped {
    const { ops } = this;
    const channels = this.shape(`${prefix}.weight`)[0]!;
    const mean = this.constant(`${prefix}.running_mean`);
    const gamma = this.param(`${prefix}.weight`);
    const value = ops.relu(
      ops.batchNorm(x, channels, side, gamma, this.param(`${prefix}.bias`), mean, this.constant(`${prefix}.running_var`)),
    );
    return {
      value,
      backward: (dy) => {
        const invStd = ops.vector(`${prefix}.inv_std`, inverseStd(get(this.o.weights, `${prefix}.running_var`)));
        const r = ops.batchNormBackward(ops.reluBackward(dy, value), x, channels, gamma, mean, invStd, wantInput);
        this.grads.set(`${prefix}.weight`, r.dGamma);
        this.grads.set(`${prefix}.bias`, r.dBeta);
        return r.dx;
      },
    };
  }

  /**
   * ImageNet: conv0 (7×7/2) → norm0 → ReLU → 3×3/2 max pool; CIFAR: conv0 (3×3) alone. The image (N×H×W×C)
   * needs no gradient; conv0's filter gradient reads it channels first.
   */
  private stem(image: string): Taped {
    const { ops } = this;
    const w0 = this.param('features.conv0.weight');
    const [out, inC] = this.shape('features.conv0.weight');
    const nchw = ops.transpose(image, [0, 3, 1, 2]);
    const channelsFirst = (): string => ops.transpose(image, [3, 0, 1, 2]);
    if (stemOf(this.o.spec) === 'cifar') {
      const value = ops.swapBatchAndChannels(ops.convNchw(nchw, w0, 3, 1, 1));
      return {
        value,
        backward: (dy) => {
          this.grads.set('features.conv0.weight', this.filterGrad3x3(dy, channelsFirst(), out!, inC!));
          return undefined;
        },
      };
    }
    const c0 = ops.swapBatchAndChannels(ops.convNchw(nchw, w0, 7, 3, 2));
    const activated = this.normRelu(c0, 'features.norm0', Math.floor((this.o.inputSize + 6 - 7) / 2) + 1, true);
    const pooled = ops.maxPool3s2(activated.value);
    return {
      value: pooled.y,
      backward: (dy) => {
        const dc0 = activated.backward(ops.maxPoolBackward(dy, pooled.indices, activated.value))!;
        this.grads.set('features.conv0.weight', ops.convFilterGrad(dc0, channelsFirst(), 7, 3, 2));
        return undefined;
      },
    };
  }

  /**
   * Dense block `b`. Every layer reads the concatenation of the block input and all earlier layers'
   * outputs, so a part's gradient is the sum over its readers; going backwards, a layer's output
   * gradient is complete once every later layer has added to it.
   */
  private block(x0: string, b: number, wantInput: boolean): Taped {
    const { g, ops } = this;
    const k = this.o.spec.growthRate;
    const side = featureSide(this.o.spec, this.o.inputSize, b - 1);
    const parts = [x0];
    const layers: Taped[] = [];
    for (let l = 0; l < this.o.spec.blockConfig[b - 1]!; l++) {
      const input = parts.length === 1 ? x0 : g.node('Concat', [...parts], [{ name: 'axis', i: 0 }]);
      const layer = this.denseLayer(input, `features.denseblock${b}.denselayer${l + 1}`, side);
      layers.push(layer);
      parts.push(layer.value);
    }
    const value = g.node('Concat', parts, [{ name: 'axis', i: 0 }]);
    const c0 = this.shape(`features.denseblock${b}.denselayer1.norm1.weight`)[0]!;
    const split = (grad: string, pieces: number): string[] => {
      const sizes = [c0, ...Array<number>(pieces - 1).fill(k)];
      return g.nodeIn(
        '',
        'Split',
        [grad, ops.i64(sizes)],
        [{ name: 'axis', i: 0 }],
        sizes.map(() => g.name('split')),
      );
    };
    return {
      value,
      backward: (dOut) => {
        const acc = split(dOut, parts.length);
        for (let l = layers.length - 1; l >= 0; l--) {
          const dIn = layers[l]!.backward(acc[l + 1]!)!;
          const pieces = l === 0 ? [dIn] : split(dIn, l + 1);
          pieces.forEach((piece, j) => {
            if (j === 0 && !wantInput) return;
            acc[j] = g.node('Add', [acc[j]!, piece]);
          });
        }
        return wantInput ? acc[0] : undefined;
      },
    };
  }

  /** BN-ReLU-1×1 conv (bottleneck) → BN-ReLU-3×3 conv, or BN-ReLU-3×3 conv alone. */
  private denseLayer(input: string, prefix: string, side: number): Taped {
    const { ops } = this;
    const first = this.normRelu(input, `${prefix}.norm1`, side, true);
    const w1 = this.param(`${prefix}.conv1.weight`);
    const [o1, i1] = this.shape(`${prefix}.conv1.weight`);
    if (!usesBottleneck(this.o.spec)) {
      const value = ops.conv3x3(first.value, w1);
      return {
        value,
        backward: (df) => {
          this.grads.set(`${prefix}.conv1.weight`, this.filterGrad3x3(df, first.value, o1!, i1!));
          return first.backward(ops.conv3x3InputGrad(df, w1));
        },
      };
    }
    const narrow = ops.pointwise(first.value, w1, o1!, i1!);
    const second = this.normRelu(narrow, `${prefix}.norm2`, side, true);
    const w2 = this.param(`${prefix}.conv2.weight`);
    const [o2, i2] = this.shape(`${prefix}.conv2.weight`);
    const value = ops.conv3x3(second.value, w2);
    return {
      value,
      backward: (df) => {
        this.grads.set(`${prefix}.conv2.weight`, this.filterGrad3x3(df, second.value, o2!, i2!));
        const dNarrow = second.backward(ops.conv3x3InputGrad(df, w2))!;
        this.grads.set(`${prefix}.conv1.weight`, ops.pointwiseFilterGrad(dNarrow, first.value, o1!, i1!));
        return first.backward(ops.pointwiseInputGrad(dNarrow, w1, o1!, i1!, first.value));
      },
    };
  }

  /** BN-ReLU → 2×2/2 average pool → 1×1 conv: pooling first is exact (both are linear) and convolves a quarter of the pixels. */
  private transition(input: string, b: number): Taped {
    const { ops } = this;
    const prefix = `features.transition${b}`;
    const side = featureSide(this.o.spec, this.o.inputSize, b - 1);
    const activated = this.normRelu(input, `${prefix}.norm`, side, true);
    const pooled = ops.avgPool2(activated.value);
    const w = this.param(`${prefix}.conv.weight`);
    const [out, inC] = this.shape(`${prefix}.conv.weight`);
    const value = ops.pointwise(pooled, w, out!, inC!);
    return {
      value,
      backward: (dy) => {
        this.grads.set(`${prefix}.conv.weight`, ops.pointwiseFilterGrad(dy, pooled, out!, inC!));
        const dPooled = ops.pointwiseInputGrad(dy, w, out!, inC!, pooled);
        return activated.backward(ops.avgPool2Backward(dPooled, side, Math.floor(side / 2)));
      },
    };
  }

  private filterGrad3x3(dy: string, x: string, out: number, inC: number): string {
    return this.o.filterGrad3x3 === 'conv' ? this.ops.convFilterGrad(dy, x, 3, 1, 1) : this.ops.conv3x3FilterGrad(dy, x, out, inC);
  }

  private param(name: string): string {
    if (!this.trainable.has(name)) throw new DenseRayError('INTERNAL', `${name} is not a trainable parameter of this graph`);
    return name;
  }

  private constant(name: string): string {
    return this.ops.vector(name, get(this.o.weights, name));
  }

  private shape(name: string): number[] {
    const shape = this.shapes.get(name);
    if (!shape) throw new DenseRayError('INTERNAL', `no tensor ${name} in this DenseNet`);
    return shape;
  }
}

/** 1/√(var + ε) in float64, rounded once. */
function inverseStd(variance: Float32Array): Float32Array {
  return Float32Array.from(variance, (v) => 1 / Math.sqrt(v + BN_EPSILON));
}
