import onnxProto from 'onnx-proto';
import { DenseRayError } from '../../../../shared/errors.ts';
import type { OnnxGraphBuilder } from '../graph-builder.ts';
import { type PieceMap, reluMap } from './piece-maps.ts';
import { quantizeBias, quantizeWeightsPerChannel } from './qdq-math.ts';

const DataType = onnxProto.onnx.TensorProto.DataType;

/** A uint8 tensor in the graph: its value name, scale and zero point (the latter always 0 here). */
export interface Quantized {
  name: string;
  scale: number;
}

/** Emits the integer operators, with their quantisation parameters as initializers. */
export class IntegerOps {
  constructor(private readonly g: OnnxGraphBuilder) {}

  scalar(value: number): string {
    return this.g.constant(this.g.name('q_scale'), [], new Float32Array([value]));
  }

  zeroPointOf(value: number): string {
    return this.g.constantOf(this.g.name('q_zero'), DataType.UINT8, [], new Uint8Array([value]));
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
    if (map.alpha.length !== out || bias.length !== out)
      throw new DenseRayError(
        'MODEL_INVALID',
        `${name} makes ${out} channels, but its calibration has ${map.alpha.length}; quantise the model again`,
      );
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
      [this.g.name('qavgpool')],
    );
    return { name: out!, scale: x.scale };
  }
}
