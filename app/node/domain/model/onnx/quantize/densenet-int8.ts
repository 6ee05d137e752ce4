import onnxProto from 'onnx-proto';
import { DenseRayError } from '../../../../shared/errors.ts';
import { batchNormAffine, foldBatchNormIntoConv, get } from '../../batchnorm.ts';
import { type DenseNetSpec, stemOf, usesBottleneck } from '../../spec.ts';
import type { WeightMap } from '../../tensor.ts';
import { denseNetOutputs, emitDenseNetHead, ONNX_FEATURES, ONNX_INPUT } from '../densenet-onnx.ts';
import { OnnxGraphBuilder } from '../graph-builder.ts';
import { activationQuant, quantizeBias, quantizeWeightsPerChannel } from './qdq-math.ts';

const DataType = onnxProto.onnx.TensorProto.DataType;

/** Observed range of each channel of one tensor over the calibration images. */
export interface ChannelRanges {
  min: number[];
  max: number[];
}

/**
 * What the integer DenseNet is built from, keyed by the tap names of `buildDenseNetOnnx`:
 * - `input`: the range of the preprocessed image;
 * - `pieces`: per channel, the range of every tensor a dense block concatenates;
 * - `relus`: the maximum of every ReLU output that feeds a convolution;
 * - `shifts`: per channel of a dense block's output, the mean error (integer − float32, float
 *   units) measured on the calibration images, subtracted where the next BatchNorm reads it.
 *   Rounding noise through ~100 ReLUs biases activations upward (a convex function of a noisy
 *   input); left alone it reaches the logits as an offset (Nagel et al. 2019, §4.2, on data).
 */
export interface Int8Calibration {
  input: { min: number; max: number };
  pieces: Readonly<Record<string, ChannelRanges>>;
  relus: Readonly<Record<string, number>>;
  shifts: Readonly<Record<string, readonly number[]>>;
}

/** Every range multiplied by `k` (tests build a deliberately broken variant with k = 100). */
export function scaledCalibration(c: Int8Calibration, k: number): Int8Calibration {
  return {
    input: { min: c.input.min * k, max: c.input.max * k },
    pieces: Object.fromEntries(
      Object.entries(c.pieces).map(([name, r]) => [name, { min: r.min.map((v) => v * k), max: r.max.map((v) => v * k) }]),
    ),
    relus: Object.fromEntries(Object.entries(c.relus).map(([name, max]) => [name, max * k])),
    shifts: c.shifts,
  };
}

/** Each piece channel's calibrated range is widened by this fraction of its width on each side. */
export const PIECE_MARGIN = 0.1;

/** A uint8 tensor in the graph: its value name, scale and zero point (the latter always 0 here). */
interface Quantized {
  name: string;
  scale: number;
}

/**
 * The DenseNet as an integer network for onnxruntime (QOperator form: QLinearConv, uint8 Concat,
 * uint8 MaxPool, QLinearAveragePool), so that a dense block never leaves uint8:
 *
 * - Every tensor a dense block concatenates is stored as uint8 at one scale (1, zero point 0),
 *   each channel mapped affinely from its calibrated range onto [0, 255] by the conv that
 *   produces it (its weights and bias scaled and shifted). Every consumer of a concatenated
 *   channel is a BatchNorm — a per-channel affine — so the mapping is undone exactly inside the
 *   consumer's folded parameters: the concatenation is a plain byte copy, yet each channel keeps
 *   its own resolution (per-channel, not per-tensor, activation quantisation).
 * - A BatchNorm → ReLU on a concatenation is a depthwise 1×1 QLinearConv whose uint8 output
 *   (zero point 0) clamps at 0: the ReLU is the saturation.
 * - A conv followed by ReLU likewise outputs at zero point 0; weights are int8 per output channel.
 * - norm5 → ReLU and the classifier head stay float32 on the dequantised 7×7 features, so the
 *   logits, features and CAMs are computed as in the float graph.
 *
 * onnxruntime runs this in NHWC end to end: no transposes inside a block and no float round trips.
 */
export function buildDenseNetInt8(
  spec: DenseNetSpec,
  weights: WeightMap,
  inputSize: number,
  calibration: Int8Calibration,
  options: { cams?: boolean; probes?: boolean } = {},
): Uint8Array {
  const withCams = options.cams ?? true;
  const g = new OnnxGraphBuilder();
  const q = new IntegerOps(g);
  const pieceOf = (name: string): ChannelRanges => {
    const r = calibration.pieces[name];
    if (!r) throw new DenseRayError('MODEL_INVALID', `no calibration range for "${name}"; quantise the model again`);
    return r;
  };
  const reluScale = (name: string): number => {
    const max = calibration.relus[name];
    if (max === undefined) throw new DenseRayError('MODEL_INVALID', `no calibration range for "${name}"; quantise the model again`);
    return max > 0 ? Math.fround(max / 255) : 1;
  };

  const inputQuant = activationQuant(calibration.input.min, calibration.input.max);
  const input = q.quantize(ONNX_INPUT, inputQuant.scale, inputQuant.zeroPoint);

  // The affine map from each concatenated channel's float value x to its stored value x' = α·x + β.
  let alpha: number[] = [];
  let beta: number[] = [];
  let block: string;
  if (stemOf(spec) === 'cifar') {
    const w = weights.get('features.conv0.weight')!;
    const map = pieceMap(pieceOf('features.conv0'), false);
    block = q.conv(input, 'features.conv0', w.data, w.shape, new Float64Array(w.shape[0]!), map, 1);
    ({ alpha, beta } = map);
  } else {
    // conv0 + norm0 + ReLU + max pool: scaling a channel by α > 0 commutes with ReLU and max, so the
    // pooled channel's range is mapped by conv0; no shift, so that 0 stays the ReLU's floor.
    const shape = weights.get('features.conv0.weight')!.shape;
    const folded = foldBatchNormIntoConv(get(weights, 'features.conv0.weight'), shape[0]!, batchNormAffine(weights, 'features.norm0'));
    const map = pieceMap(pieceOf('features.pool0'), true);
    const conv0 = q.conv(input, 'features.conv0', folded.weight, shape, Float64Array.from(folded.bias), map, 3, 2);
    block = g.node(
      'MaxPool',
      [conv0],
      [
        { name: 'kernel_shape', ints: [3, 3] },
        { name: 'pads', ints: [1, 1, 1, 1] },
        { name: 'strides', ints: [2, 2] },
      ],
    );
    ({ alpha, beta } = map);
  }

  /** Calibration reads each block's output, dequantised, as `<block>.dequantized`. */
  const probe = (name: string): void => {
    if (options.probes) g.node('DequantizeLinear', [block, q.scalar(1), q.zeroPointOf(0)], [], `${name}.dequantized`);
  };
  /** β with the block's measured shift folded in: x = (x' − β)/α − δ = (x' − (β + α·δ))/α. */
  const shifted = (name: string): number[] => {
    const d = calibration.shifts[name];
    if (!d) return beta;
    if (d.length !== beta.length)
      throw new DenseRayError('MODEL_INVALID', `shift of "${name}" has ${d.length} values for ${beta.length} channels`);
    return beta.map((v, c) => v + alpha[c]! * d[c]!);
  };

  for (let b = 0; b < spec.blockConfig.length; b++) {
    for (let l = 0; l < spec.blockConfig[b]!; l++) {
      const prefix = `features.denseblock${b + 1}.denselayer${l + 1}`;
      const act1 = q.batchNormRelu(
        block,
        `${prefix}.norm1`,
        batchNormAffine(weights, `${prefix}.norm1`),
        alpha,
        beta,
        reluScale(`${prefix}.relu1`),
      );
      let piece: string;
      let map: PieceMap;
      if (usesBottleneck(spec)) {
        const shape = weights.get(`${prefix}.conv1.weight`)!.shape;
        const folded = foldBatchNormIntoConv(
          get(weights, `${prefix}.conv1.weight`),
          shape[0]!,
          batchNormAffine(weights, `${prefix}.norm2`),
        );
        const act2Scale = reluScale(`${prefix}.relu2`);
        const act2 = q.conv(
          act1,
          `${prefix}.conv1`,
          folded.weight,
          shape,
          Float64Array.from(folded.bias),
          reluMap(shape[0]!, act2Scale),
          0,
        );
        const w2 = weights.get(`${prefix}.conv2.weight`)!;
        map = pieceMap(pieceOf(`${prefix}.conv2`), false);
        piece = q.conv({ name: act2, scale: act2Scale }, `${prefix}.conv2`, w2.data, w2.shape, new Float64Array(w2.shape[0]!), map, 1);
      } else {
        const w1 = weights.get(`${prefix}.conv1.weight`)!;
        map = pieceMap(pieceOf(`${prefix}.conv1`), false);
        piece = q.conv(act1, `${prefix}.conv1`, w1.data, w1.shape, new Float64Array(w1.shape[0]!), map, 1);
      }
      block = g.node('Concat', [block, piece], [{ name: 'axis', i: 1 }]);
      alpha = alpha.concat(map.alpha);
      beta = beta.concat(map.beta);
    }
    const blockName = `features.denseblock${b + 1}`;
    probe(blockName);
    beta = shifted(blockName);
    if (b < spec.blockConfig.length - 1) {
      const prefix = `features.transition${b + 1}`;
      const act = q.batchNormRelu(
        block,
        `${prefix}.norm`,
        batchNormAffine(weights, `${prefix}.norm`),
        alpha,
        beta,
        reluScale(`${prefix}.relu`),
      );
      const pooled = q.averagePool2x2(act);
      const w = weights.get(`${prefix}.conv.weight`)!;
      const map = pieceMap(pieceOf(`${prefix}.conv`), false);
      block = q.conv(pooled, `${prefix}.conv`, w.data, w.shape, new Float64Array(w.shape[0]!), map, 0);
      ({ alpha, beta } = map);
    }
  }

  // norm5 → ReLU in float on the dequantised features, undoing each channel's map: a/α, b − a·β/α.
  const norm5 = batchNormAffine(weights, 'features.norm5');
  const channels = alpha.length;
  const scale5 = Float32Array.from(norm5.scale, (a, c) => a / alpha[c]!);
  const shift5 = Float32Array.from(norm5.shift, (s, c) => s - (norm5.scale[c]! * beta[c]!) / alpha[c]!);
  const dequantized = g.node('DequantizeLinear', [block, q.scalar(1), q.zeroPointOf(0)]);
  const affine = g.node('Add', [
    g.node('Mul', [dequantized, g.constant('features.norm5.int8_scale', [channels, 1, 1], scale5)]),
    g.constant('features.norm5.int8_shift', [channels, 1, 1], shift5),
  ]);
  g.node('Relu', [affine], [], ONNX_FEATURES);
  emitDenseNetHead(g, spec, weights, withCams);
  return g.encode({
    graphName: 'densenet-int8',
    input: { name: ONNX_INPUT, dims: ['batch', spec.inChannels, inputSize, inputSize] },
    outputs: denseNetOutputs(spec, inputSize, withCams),
    extraOpsets: [{ domain: 'com.microsoft', version: 1 }],
    docString:
      'DenseNet built by DenseRay as an integer network: int8 weights per output channel, uint8 activations ' +
      '(concatenated tensors per channel, ReLU outputs per tensor), calibrated on images.',
  });
}

/**
 * Per dense block, how each channel of its output is stored (x' = α·x + β, before any shift):
 * the block's first piece (stem or transition) and then each layer's, in concatenation order.
 */
export function blockChannelMaps(spec: DenseNetSpec, calibration: Int8Calibration): Map<string, { alpha: number[]; beta: number[] }> {
  const maps = new Map<string, { alpha: number[]; beta: number[] }>();
  const range = (name: string): ChannelRanges => {
    const r = calibration.pieces[name];
    if (!r) throw new DenseRayError('MODEL_INVALID', `no calibration range for "${name}"; quantise the model again`);
    return r;
  };
  for (let b = 0; b < spec.blockConfig.length; b++) {
    const first =
      b > 0
        ? pieceMap(range(`features.transition${b}.conv`), false)
        : stemOf(spec) === 'cifar'
          ? pieceMap(range('features.conv0'), false)
          : pieceMap(range('features.pool0'), true);
    const alpha = [...first.alpha];
    const beta = [...first.beta];
    for (let l = 0; l < spec.blockConfig[b]!; l++) {
      const m = pieceMap(range(`features.denseblock${b + 1}.denselayer${l + 1}.${usesBottleneck(spec) ? 'conv2' : 'conv1'}`), false);
      alpha.push(...m.alpha);
      beta.push(...m.beta);
    }
    maps.set(`features.denseblock${b + 1}`, { alpha, beta });
  }
  return maps;
}

/** How a conv's output channels are stored: x' = α·x + β, then uint8 at `scale` (zero point 0). */
interface PieceMap {
  alpha: number[];
  beta: number[];
  scale: number;
}

/** A concatenated piece: each channel's widened range onto [0, 255] at scale 1. */
function pieceMap(range: ChannelRanges, floorAtZero: boolean): PieceMap {
  const alpha: number[] = [];
  const beta: number[] = [];
  for (let c = 0; c < range.min.length; c++) {
    let lo = floorAtZero ? 0 : range.min[c]!;
    let hi = range.max[c]!;
    const width = hi - lo;
    if (!(width > 1e-12)) {
      // A constant channel: store it at mid-range.
      alpha.push(1);
      beta.push(127 - lo);
      continue;
    }
    hi += PIECE_MARGIN * width;
    if (!floorAtZero) lo -= PIECE_MARGIN * width;
    const a = 255 / (hi - lo);
    alpha.push(a);
    beta.push(-lo * a);
  }
  return { alpha, beta, scale: 1 };
}

/** A ReLU output: the identity map at the calibrated scale (the uint8 clamp at 0 is the ReLU). */
function reluMap(channels: number, scale: number): PieceMap {
  return { alpha: new Array<number>(channels).fill(1), beta: new Array<number>(channels).fill(0), scale };
}

/** Emits the integer operators, with their quantisation parameters as initializers. */
class IntegerOps {
  private count = 0;
  constructor(private readonly g: OnnxGraphBuilder) {}

  private fresh(prefix: string): string {
    this.count += 1;
    return `${prefix}.${this.count}`;
  }

  scalar(value: number): string {
    return this.g.constant(this.fresh('q.scale'), [], new Float32Array([value]));
  }

  zeroPointOf(value: number): string {
    return this.g.constantOf(this.fresh('q.zero'), DataType.UINT8, [], new Uint8Array([value]));
  }

  quantize(x: string, scale: number, zeroPoint: number): Quantized & { zeroPoint: number } {
    const name = this.g.node('QuantizeLinear', [x, this.scalar(scale), this.zeroPointOf(zeroPoint)]);
    return { name, scale, zeroPoint };
  }

  /**
   * QLinearConv of `x` (uint8) with float weights quantised per output channel; its float output
   * y (with `bias`) is stored as α·y + β at `map.scale`, zero point 0. Returns the output's name.
   */
  conv(
    x: Quantized & { zeroPoint?: number },
    name: string,
    weight: Float32Array,
    dims: number[],
    bias: Float64Array,
    map: PieceMap,
    pad: number,
    stride = 1,
    group = 1,
  ): string {
    const out = dims[0]!;
    const per = weight.length / out;
    const mapped = new Float32Array(weight.length);
    const mappedBias = new Float32Array(out);
    for (let o = 0; o < out; o++) {
      const a = map.alpha[o]!;
      for (let i = 0; i < per; i++) mapped[o * per + i] = weight[o * per + i]! * a;
      mappedBias[o] = bias[o]! * a + map.beta[o]!;
    }
    const w = quantizeWeightsPerChannel(mapped, out);
    const b = quantizeBias(mappedBias, x.scale, w.scales);
    const g = this.g;
    return g.node(
      'QLinearConv',
      [
        x.name,
        this.scalar(x.scale),
        this.zeroPointOf(x.zeroPoint ?? 0),
        g.constantOf(`${name}.int8_weight`, DataType.INT8, dims, w.values),
        g.constant(`${name}.int8_weight_scale`, [out], w.scales),
        g.constantOf(`${name}.int8_weight_zero`, DataType.INT8, [out], new Int8Array(out)),
        this.scalar(map.scale),
        this.zeroPointOf(0),
        g.constantOf(`${name}.int32_bias`, DataType.INT32, [out], b.values),
      ],
      [
        { name: 'kernel_shape', ints: [dims[2]!, dims[3]!] },
        { name: 'pads', ints: [pad, pad, pad, pad] },
        { name: 'strides', ints: [stride, stride] },
        { name: 'group', i: group },
      ],
    );
  }

  /**
   * BatchNorm → ReLU on a concatenation whose channel c is stored as α_c·x + β_c: a depthwise 1×1
   * QLinearConv with weight a/α and bias b − a·β/α, output at `scale` (zero point 0 = the ReLU).
   */
  batchNormRelu(
    x: string,
    name: string,
    affine: { scale: Float64Array; shift: Float64Array },
    alpha: readonly number[],
    beta: readonly number[],
    scale: number,
  ): Quantized {
    const channels = alpha.length;
    if (affine.scale.length !== channels)
      throw new DenseRayError('INTERNAL', `${name} has ${affine.scale.length} channels for a ${channels}-channel concatenation`);
    const weight = Float32Array.from(affine.scale, (a, c) => a / alpha[c]!);
    const bias = Float64Array.from(affine.shift, (s, c) => s - (affine.scale[c]! * beta[c]!) / alpha[c]!);
    const out = this.conv({ name: x, scale: 1 }, name, weight, [channels, 1, 1, 1], bias, reluMap(channels, scale), 0, 1, channels);
    return { name: out, scale };
  }

  /** 2×2 average pooling on uint8 at the same scale (onnxruntime's QLinearAveragePool). */
  averagePool2x2(x: Quantized): Quantized {
    const [out] = this.g.nodeIn(
      'com.microsoft',
      'QLinearAveragePool',
      [x.name, this.scalar(x.scale), this.zeroPointOf(0), this.scalar(x.scale), this.zeroPointOf(0)],
      [
        { name: 'kernel_shape', ints: [2, 2] },
        { name: 'strides', ints: [2, 2] },
      ],
      [this.fresh('qavgpool')],
    );
    return { name: out!, scale: x.scale };
  }
}
