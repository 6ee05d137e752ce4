import type { OnnxGraphBuilder } from '../../model/onnx/graph-builder.ts';

/**
 * The forward layers of a DenseNet and the gradient of each, as ONNX nodes (onnxruntime-node has no
 * training API, so backward is spelled out with inference operators):
 * - a frozen-statistics BatchNorm is per-channel affine: dx = dy·γ/σ, dγ = Σ dy·(x − μ)/σ, dβ = Σ dy;
 * - ReLU passes the gradient where its output is positive;
 * - a 1×1 conv is a matrix product, its two gradients the two other products;
 * - a 3×3 conv's input gradient is the conv with the filter transposed and flipped, its filter gradient
 *   the product of the output gradient with the input's nine shifted copies (im2col);
 * - average and max pooling send each window's gradient back to its inputs (max: to the argmax).
 *
 * Activations are channels first, C×N×H×W: every 1×1 conv and every filter gradient is then one GEMM
 * over all N·H·W columns, a BatchNorm's sums run over contiguous memory and concatenation is along the
 * outermost axis. Only onnxruntime's Conv wants N×C×H×W: the 3×3 convs transpose their (narrow) input
 * and output around it.
 */
export class GradOps {
  private readonly ints = new Map<string, string>();
  private readonly floats = new Map<string, string>();

  constructor(readonly g: OnnxGraphBuilder) {}

  /** An int64 constant, shared by every node that uses the same values. */
  i64(values: number[]): string {
    const key = values.join(',');
    let name = this.ints.get(key);
    if (!name) {
      name = this.g.constantInt64(this.g.name('i64'), values);
      this.ints.set(key, name);
    }
    return name;
  }

  /** A float scalar constant (shape [] broadcasts everywhere). */
  scalar(value: number): string {
    const key = String(value);
    let name = this.floats.get(key);
    if (!name) {
      name = this.g.constant(this.g.name('f32'), [], Float32Array.of(value));
      this.floats.set(key, name);
    }
    return name;
  }

  vector(name: string, values: Float32Array): string {
    return this.g.constant(name, [values.length], values);
  }

  transpose(x: string, perm: number[]): string {
    return this.g.node('Transpose', [x], [{ name: 'perm', ints: perm }]);
  }

  /** C×N×H×W ↔ N×C×H×W (the same permutation both ways). */
  swapBatchAndChannels(x: string): string {
    return this.transpose(x, [1, 0, 2, 3]);
  }

  relu(x: string): string {
    return this.g.node('Relu', [x]);
  }

  /** dy where the ReLU's output `y` is positive, 0 elsewhere. */
  reluBackward(dy: string, y: string): string {
    return this.g.node('Where', [this.g.node('Greater', [y, this.scalar(0)]), dy, this.scalar(0)]);
  }

  /**
   * Eval-mode BatchNorm with trainable γ, β on a C×N×H×W tensor: viewed (no copy) as 1×C×(N·H)×W, where
   * onnxruntime's BatchNormalization finds the channels on axis 1.
   */
  batchNorm(x: string, channels: number, width: number, gamma: string, beta: string, mean: string, variance: string): string {
    const g = this.g;
    const view = g.node('Reshape', [x, this.i64([1, channels, -1, width])]);
    const normed = g.node('BatchNormalization', [view, gamma, beta, mean, variance], [{ name: 'epsilon', f: 1e-5 }]);
    return g.node('Reshape', [normed, g.node('Shape', [x])]);
  }

  /**
   * Gradients of y = (x − μ)·γ/σ + β for `dy` (already through the ReLU after it), C×N×H×W;
   * `invStd` = 1/σ is a constant. dγ sums dy·(x − μ) directly: Σ dy·x − μ·Σ dy would cancel.
   */
  batchNormBackward(
    dy: string,
    x: string,
    channels: number,
    gamma: string,
    mean: string,
    invStd: string,
    wantInput: boolean,
  ): { dx?: string; dGamma: string; dBeta: string } {
    const g = this.g;
    const dBeta = this.channelSum(dy, channels);
    const centred = g.node('Sub', [x, this.perChannel(mean)]);
    const dGamma = g.node('Mul', [this.channelSum(g.node('Mul', [dy, centred]), channels), invStd]);
    if (!wantInput) return { dGamma, dBeta };
    return { dx: g.node('Mul', [dy, this.perChannel(g.node('Mul', [gamma, invStd]))]), dGamma, dBeta };
  }

  /** [C] → [C, 1, 1, 1], to broadcast per channel over C×N×H×W. */
  perChannel(v: string): string {
    return this.g.node('Reshape', [v, this.i64([-1, 1, 1, 1])]);
  }

  /** Σ over N, H, W per channel of a C×N×H×W tensor: one reduction over contiguous memory. */
  channelSum(x: string, channels: number): string {
    return this.g.node('ReduceSum', [this.columns(x, channels), this.i64([1])], [{ name: 'keepdims', i: 0 }]);
  }

  /** C×N×H×W → C×(N·H·W). */
  columns(x: string, channels: number): string {
    return this.g.node('Reshape', [x, this.i64([channels, -1])]);
  }

  /** 1×1 conv: W (O×I×1×1) times x (I×N×H×W) → O×N×H×W. */
  pointwise(x: string, weight: string, outChannels: number, inChannels: number): string {
    const g = this.g;
    const w = g.node('Reshape', [weight, this.i64([outChannels, inChannels])]);
    const y = g.node('MatMul', [w, this.columns(x, inChannels)]);
    return g.node('Reshape', [y, this.outputShape(x, outChannels)]);
  }

  /** 1×1: dW = dy·xᵀ over all N·H·W columns. */
  pointwiseFilterGrad(dy: string, x: string, outChannels: number, inChannels: number): string {
    const dw = this.g.node('Gemm', [this.columns(dy, outChannels), this.columns(x, inChannels)], [{ name: 'transB', i: 1 }]);
    return this.g.node('Reshape', [dw, this.i64([outChannels, inChannels, 1, 1])]);
  }

  /** 1×1: dx = Wᵀ·dy, shaped like the conv's input `x`. */
  pointwiseInputGrad(dy: string, weight: string, outChannels: number, inChannels: number, x: string): string {
    const g = this.g;
    const w = g.node('Reshape', [weight, this.i64([outChannels, inChannels])]);
    const dx = g.node('Gemm', [w, this.columns(dy, outChannels)], [{ name: 'transA', i: 1 }]);
    return g.node('Reshape', [dx, g.node('Shape', [x])]);
  }

  /** onnxruntime's Conv on an N×C×H×W tensor (the stem's input, or a transposed activation). */
  convNchw(x: string, weight: string, kernel: number, pad: number, stride: number): string {
    return this.g.node(
      'Conv',
      [x, weight],
      [
        { name: 'kernel_shape', ints: [kernel, kernel] },
        { name: 'pads', ints: [pad, pad, pad, pad] },
        { name: 'strides', ints: [stride, stride] },
      ],
    );
  }

  /** 3×3, stride 1, padding 1 conv of a C×N×H×W tensor. */
  conv3x3(x: string, weight: string): string {
    return this.swapBatchAndChannels(this.convNchw(this.swapBatchAndChannels(x), weight, 3, 1, 1));
  }

  /** 3×3, padding 1: the conv of dy with the filter transposed (in↔out) and flipped in space. */
  conv3x3InputGrad(dy: string, weight: string): string {
    const transposed = this.transpose(weight, [1, 0, 2, 3]);
    const flipped = this.g.node('Slice', [
      transposed,
      this.i64([-1, -1]),
      this.i64([-(2 ** 31), -(2 ** 31)]),
      this.i64([2, 3]),
      this.i64([-1, -1]),
    ]);
    return this.conv3x3(dy, flipped);
  }

  /**
   * 3×3, stride 1, padding 1 filter gradient by im2col: the nine shifted copies of the padded input
   * stacked as 9·C_in rows of N·H·W columns, one GEMM with dy's C_out rows.
   */
  conv3x3FilterGrad(dy: string, x: string, outChannels: number, inChannels: number): string {
    const g = this.g;
    const padded = g.node('Pad', [x, this.i64([0, 0, 1, 1, 0, 0, 1, 1])]);
    const shape = g.node('Shape', [x]);
    const h = g.node('Slice', [shape, this.i64([2]), this.i64([3])]);
    const w = g.node('Slice', [shape, this.i64([3]), this.i64([4])]);
    const shifted: string[] = [];
    for (let kh = 0; kh < 3; kh++) {
      for (let kw = 0; kw < 3; kw++) {
        const ends = g.node('Concat', [g.node('Add', [h, this.i64([kh])]), g.node('Add', [w, this.i64([kw])])], [{ name: 'axis', i: 0 }]);
        shifted.push(g.node('Slice', [padded, this.i64([kh, kw]), ends, this.i64([2, 3])]));
      }
    }
    const cols = this.columns(g.node('Concat', shifted, [{ name: 'axis', i: 0 }]), 9 * inChannels);
    const dw = g.node('Gemm', [this.columns(dy, outChannels), cols], [{ name: 'transB', i: 1 }]);
    return this.transpose(g.node('Reshape', [dw, this.i64([outChannels, 3, 3, inChannels])]), [0, 3, 1, 2]);
  }

  /**
   * k×k filter gradient as a convolution, for the 7×7/2 stem conv (and as a cross-check of im2col): with
   * the channel-first input (C_in×N×H×W) as a batch of C_in images of N channels, convolved by the output
   * gradient (C_out×N×h×w) at dilation `stride`, the result is dW transposed (C_in×C_out×k'×k'); k' ≥ k
   * when the forward conv dropped a remainder (floor), so the first k×k are kept.
   */
  convFilterGrad(dy: string, x: string, kernel: number, pad: number, stride: number): string {
    const g = this.g;
    const full = g.node(
      'Conv',
      [x, dy],
      [
        { name: 'pads', ints: [pad, pad, pad, pad] },
        { name: 'dilations', ints: [stride, stride] },
      ],
    );
    const cropped = g.node('Slice', [full, this.i64([0, 0]), this.i64([kernel, kernel]), this.i64([2, 3])]);
    return this.transpose(cropped, [1, 0, 2, 3]);
  }

  /** 2×2/2 average pool (floor mode) over the last two axes, in either layout. */
  avgPool2(x: string): string {
    return this.g.node(
      'AveragePool',
      [x],
      [
        { name: 'kernel_shape', ints: [2, 2] },
        { name: 'strides', ints: [2, 2] },
      ],
    );
  }

  /** Each pooled gradient spread over its 2×2 window (÷4); a row or column the floor dropped gets 0. */
  avgPool2Backward(dy: string, side: number, pooledSide: number): string {
    const g = this.g;
    const up = g.node('Reshape', [
      g.node('Expand', [g.node('Unsqueeze', [g.node('Mul', [dy, this.scalar(0.25)]), this.i64([3, 5])]), this.i64([1, 1, 1, 2, 1, 2])]),
      this.i64([0, 0, 2 * pooledSide, 2 * pooledSide]),
    ]);
    const extra = side - 2 * pooledSide;
    return extra === 0 ? up : g.node('Pad', [up, this.i64([0, 0, 0, 0, 0, 0, extra, extra])]);
  }

  /** 3×3/2 max pool, padding 1, over the last two axes, with the flat argmax of every window (for its gradient). */
  maxPool3s2(x: string): { y: string; indices: string } {
    const y = this.g.name('maxpool');
    const indices = this.g.name('argmax');
    this.g.nodeIn(
      '',
      'MaxPool',
      [x],
      [
        { name: 'kernel_shape', ints: [3, 3] },
        { name: 'pads', ints: [1, 1, 1, 1] },
        { name: 'strides', ints: [2, 2] },
      ],
      [y, indices],
    );
    return { y, indices };
  }

  /** Each window's gradient added at its argmax (windows overlap, so several may land on one input). */
  maxPoolBackward(dy: string, indices: string, x: string): string {
    const g = this.g;
    const zeros = g.node('ConstantOfShape', [g.node('Reshape', [g.node('Size', [x]), this.i64([1])])]);
    const flat = g.node(
      'ScatterElements',
      [zeros, g.node('Reshape', [indices, this.i64([-1])]), g.node('Reshape', [dy, this.i64([-1])])],
      [
        { name: 'axis', i: 0 },
        { name: 'reduction', s: 'add' },
      ],
    );
    return g.node('Reshape', [flat, g.node('Shape', [x])]);
  }

  /** The shape of C×N×H×W `x` with `channels` in place of C. */
  private outputShape(x: string, channels: number): string {
    const g = this.g;
    return g.node(
      'Concat',
      [this.i64([channels]), g.node('Slice', [g.node('Shape', [x]), this.i64([1]), this.i64([4])])],
      [{ name: 'axis', i: 0 }],
    );
  }
}
