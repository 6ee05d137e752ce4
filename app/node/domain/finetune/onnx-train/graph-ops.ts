import type { OnnxGraphBuilder } from '../../model/onnx/graph-builder.ts';

/** Maps up to this many cells (H·W) take the channels-first single-GEMM gradients (measured: 7×7 and 14×14 gain, 56×56 loses). */
const SMALL_MAP = 256;

/**
 * The forward layers of a DenseNet and the gradient of each, as ONNX nodes (onnxruntime-node has no
 * training API, so backward is spelled out with inference operators):
 * - a frozen-statistics BatchNorm is per-channel affine: dx = dy·γ/σ, dγ = Σ dy·(x − μ)/σ, dβ = Σ dy;
 * - ReLU passes the gradient where its output is positive;
 * - a conv's input gradient is the conv with the filter transposed and flipped (a 1×1 conv: a matmul);
 *   its filter gradient is a matmul of the output gradient with the (im2col'd) input;
 * - average and max pooling send each window's gradient back to its inputs (max: to the argmax).
 * Tensors are NCHW; values are named by the builder, shapes follow from the inputs at run time.
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

  /** [C] → [1, C, 1, 1], to broadcast per channel over NCHW. */
  perChannel(v: string): string {
    return this.g.node('Reshape', [v, this.i64([1, -1, 1, 1])]);
  }

  relu(x: string): string {
    return this.g.node('Relu', [x]);
  }

  /** dy where the ReLU's output `y` is positive, 0 elsewhere. */
  reluBackward(dy: string, y: string): string {
    return this.g.node('Where', [this.g.node('Greater', [y, this.scalar(0)]), dy, this.scalar(0)]);
  }

  /** Eval-mode BatchNorm with trainable γ, β and constant running statistics. */
  batchNorm(x: string, gamma: string, beta: string, mean: string, variance: string): string {
    return this.g.node('BatchNormalization', [x, gamma, beta, mean, variance], [{ name: 'epsilon', f: 1e-5 }]);
  }

  /**
   * Gradients of y = (x − μ)·γ/σ + β for `dy` (already through the ReLU after it); `invStd` = 1/σ is
   * a constant. Returns dx (when asked), dγ and dβ.
   */
  batchNormBackward(
    dy: string,
    x: string,
    gamma: string,
    mean: string,
    invStd: string,
    wantInput: boolean,
  ): { dx?: string; dGamma: string; dBeta: string } {
    const g = this.g;
    const dBeta = this.channelSum(dy);
    const sumXdy = this.channelSum(g.node('Mul', [dy, x]));
    const dGamma = g.node('Mul', [g.node('Sub', [sumXdy, g.node('Mul', [dBeta, mean])]), invStd]);
    if (!wantInput) return { dGamma, dBeta };
    const scale = this.perChannel(g.node('Mul', [gamma, invStd]));
    return { dx: g.node('Mul', [dy, scale]), dGamma, dBeta };
  }

  /** Σ over N, H, W per channel: two reductions over contiguous axes (onnxruntime is slow reducing axes 0, 2, 3 at once). */
  channelSum(x: string): string {
    const g = this.g;
    const perImage = g.node('ReduceSum', [this.flattenSpatial(x), this.i64([2])], [{ name: 'keepdims', i: 0 }]);
    return g.node('ReduceSum', [perImage, this.i64([0])], [{ name: 'keepdims', i: 0 }]);
  }

  conv(x: string, weight: string, kernel: number, pad: number, stride: number, bias?: string): string {
    return this.g.node('Conv', bias ? [x, weight, bias] : [x, weight], [
      { name: 'kernel_shape', ints: [kernel, kernel] },
      { name: 'pads', ints: [pad, pad, pad, pad] },
      { name: 'strides', ints: [stride, stride] },
    ]);
  }

  /** N×C×H×W → N×C×(H·W). */
  flattenSpatial(x: string): string {
    return this.g.node('Reshape', [x, this.i64([0, 0, -1])]);
  }

  /** onnxruntime's MatMul with either operand transposed in the GEMM itself (no copy). */
  matmul(a: string, b: string, transA: boolean, transB: boolean): string {
    const out = this.g.name('fusedmatmul');
    return this.g.nodeIn(
      'com.microsoft',
      'FusedMatMul',
      [a, b],
      [
        { name: 'transA', i: transA ? 1 : 0 },
        { name: 'transB', i: transB ? 1 : 0 },
        { name: 'alpha', f: 1 },
      ],
      [out],
    )[0]!;
  }

  /**
   * 1×1, stride 1: dW[o,i] = Σ_{n,p} dy[n,o,p]·x[n,i,p]. On small maps (`cells` = H·W) one GEMM over
   * all N·H·W after moving channels first beats N thin GEMMs; on large maps the N GEMMs are fine.
   */
  pointwiseFilterGrad(dy: string, x: string, outChannels: number, inChannels: number, cells: number): string {
    const g = this.g;
    if (cells <= SMALL_MAP) {
      const dw = g.node('Gemm', [this.channelsFirst(dy, outChannels), this.channelsFirst(x, inChannels)], [{ name: 'transB', i: 1 }]);
      return g.node('Reshape', [dw, this.i64([outChannels, inChannels, 1, 1])]);
    }
    const perImage = this.matmul(this.flattenSpatial(dy), this.flattenSpatial(x), false, true);
    const summed = g.node('ReduceSum', [perImage, this.i64([0])], [{ name: 'keepdims', i: 0 }]);
    return g.node('Reshape', [summed, this.i64([outChannels, inChannels, 1, 1])]);
  }

  /** 1×1, stride 1: dx[n,i,p] = Σ_o W[o,i]·dy[n,o,p], the conv with the filter transposed. */
  pointwiseInputGrad(dy: string, weight: string): string {
    return this.conv(dy, this.g.node('Transpose', [weight], [{ name: 'perm', ints: [1, 0, 2, 3] }]), 1, 0, 1);
  }

  /** N×C×H×W → C×(N·H·W). */
  private channelsFirst(x: string, channels: number): string {
    return this.g.node('Reshape', [this.g.node('Transpose', [x], [{ name: 'perm', ints: [1, 0, 2, 3] }]), this.i64([channels, -1])]);
  }

  /** k×k, stride 1, 'same' padding: the conv of dy with the filter transposed (in↔out) and flipped in space. */
  spatialInputGrad(dy: string, weight: string, kernel: number, pad: number): string {
    const transposed = this.g.node('Transpose', [weight], [{ name: 'perm', ints: [1, 0, 2, 3] }]);
    const flipped = this.g.node('Slice', [
      transposed,
      this.i64([-1, -1]),
      this.i64([-(2 ** 31), -(2 ** 31)]),
      this.i64([2, 3]),
      this.i64([-1, -1]),
    ]);
    return this.conv(dy, flipped, kernel, kernel - 1 - pad, 1);
  }

  /**
   * k×k filter gradient as a convolution: with the batch axis as channels, the input (C_in×N×H×W) convolved
   * by the output gradient (C_out×N×h×w) at dilation `stride` gives dW transposed (C_in×C_out×k'×k');
   * k' ≥ k when the forward conv dropped a remainder (floor), so the first k×k are kept.
   */
  spatialFilterGrad(dy: string, x: string, kernel: number, pad: number, stride: number): string {
    const g = this.g;
    const xt = g.node('Transpose', [x], [{ name: 'perm', ints: [1, 0, 2, 3] }]);
    const dyt = g.node('Transpose', [dy], [{ name: 'perm', ints: [1, 0, 2, 3] }]);
    const full = g.node(
      'Conv',
      [xt, dyt],
      [
        { name: 'pads', ints: [pad, pad, pad, pad] },
        { name: 'dilations', ints: [stride, stride] },
      ],
    );
    const cropped = g.node('Slice', [full, this.i64([0, 0]), this.i64([kernel, kernel]), this.i64([2, 3])]);
    return g.node('Transpose', [cropped], [{ name: 'perm', ints: [1, 0, 2, 3] }]);
  }

  /**
   * 3×3, stride 1, padding 1 filter gradient by im2col: the nine shifted copies of the padded input side
   * by side, times dy. Small maps: channels first, one GEMM over all N·H·W; large maps: one GEMM per image,
   * summed over N.
   */
  im2colFilterGrad3x3(dy: string, x: string, outChannels: number, inChannels: number, cells: number): string {
    const g = this.g;
    const small = cells <= SMALL_MAP;
    // Spatial axes are 2, 3 in both layouts (N×C×H×W, or C×N×H×W when small).
    const source = small ? g.node('Transpose', [x], [{ name: 'perm', ints: [1, 0, 2, 3] }]) : x;
    const padded = g.node('Pad', [source, this.i64([0, 0, 1, 1, 0, 0, 1, 1])]);
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
    let dw: string;
    if (small) {
      const cols = g.node('Reshape', [g.node('Concat', shifted, [{ name: 'axis', i: 0 }]), this.i64([9 * inChannels, -1])]);
      dw = g.node('Gemm', [this.channelsFirst(dy, outChannels), cols], [{ name: 'transB', i: 1 }]);
    } else {
      const cols = this.flattenSpatial(g.node('Concat', shifted, [{ name: 'axis', i: 1 }]));
      const perImage = this.matmul(this.flattenSpatial(dy), cols, false, true);
      dw = g.node('ReduceSum', [perImage, this.i64([0])], [{ name: 'keepdims', i: 0 }]);
    }
    const hwio = g.node('Reshape', [dw, this.i64([outChannels, 3, 3, inChannels])]);
    return g.node('Transpose', [hwio], [{ name: 'perm', ints: [0, 3, 1, 2] }]);
  }

  /** 2×2/2 average pool (floor mode). */
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

  /** 3×3/2 max pool, padding 1, with the flat argmax of every window (for its gradient). */
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
}
