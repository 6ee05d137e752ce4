import { DenseRayError } from '../../../../shared/errors.ts';
import { batchNormAffine, foldBatchNormIntoConv, get } from '../../batchnorm.ts';
import { type DenseNetSpec, stemOf, usesBottleneck } from '../../spec.ts';
import type { WeightMap } from '../../tensor.ts';
import { denseNetOutputs, emitDenseNetHead, ONNX_FEATURES, ONNX_INPUT } from '../densenet-onnx.ts';
import { OnnxGraphBuilder } from '../graph-builder.ts';
import { IntegerOps, type Quantized } from './integer-ops.ts';
import type { Int8Calibration } from './int8-calibration.ts';
import { blockPieceNames, type PieceMap, pieceMapOf, reluMap } from './piece-maps.ts';
import { activationQuant } from './qdq-math.ts';

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
  const reluScale = (name: string): number => {
    const max = calibration.relus[name];
    if (max === undefined) throw new DenseRayError('MODEL_INVALID', `no calibration range for "${name}"; quantise the model again`);
    return max > 0 ? Math.fround(max / 255) : 1;
  };

  /**
   * One conv of the network into `map`: its weights with a zero bias (DenseNet's convs have none),
   * or with the BatchNorm that follows it folded in when `foldedBn` names one.
   */
  const conv = (
    x: Parameters<IntegerOps['conv']>[0],
    convName: string,
    map: PieceMap,
    pad: number,
    stride = 1,
    foldedBn?: string,
  ): string => {
    const { shape } = weights.get(`${convName}.weight`)!;
    const weight = get(weights, `${convName}.weight`);
    if (!foldedBn) return q.conv(x, convName, weight, shape, new Float64Array(shape[0]!), map, pad, stride);
    const folded = foldBatchNormIntoConv(weight, shape[0]!, batchNormAffine(weights, foldedBn));
    return q.conv(x, convName, folded.weight, shape, Float64Array.from(folded.bias), map, pad, stride);
  };

  const inputQuant = activationQuant(calibration.input.min, calibration.input.max);
  const input = q.quantize(ONNX_INPUT, inputQuant.scale, inputQuant.zeroPoint);

  // The affine map from each concatenated channel's float value x to its stored value x' = α·x + β.
  let alpha: number[] = [];
  let beta: number[] = [];
  let block: string;
  if (stemOf(spec) === 'cifar') {
    const map = pieceMapOf(calibration, 'features.conv0');
    block = conv(input, 'features.conv0', map, 1);
    ({ alpha, beta } = map);
  } else {
    // conv0 + norm0 + ReLU + max pool: conv0 maps the pooled channels (a scale only, see pieceMapOf).
    const map = pieceMapOf(calibration, 'features.pool0');
    const conv0 = conv(input, 'features.conv0', map, 3, 2, 'features.norm0');
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
  /** BatchNorm → ReLU on the concatenation so far (read through the current α, β). */
  const bnRelu = (normName: string, reluName: string): Quantized =>
    q.batchNormRelu(block, normName, batchNormAffine(weights, normName), alpha, beta, reluScale(reluName));
  /** β with the block's measured shift folded in: x = (x' − β)/α − δ = (x' − (β + α·δ))/α. */
  const shifted = (name: string): number[] => {
    const d = calibration.shifts[name];
    if (!d) return beta;
    if (d.length !== beta.length)
      throw new DenseRayError('MODEL_INVALID', `shift of "${name}" has ${d.length} values for ${beta.length} channels`);
    return beta.map((v, c) => v + alpha[c]! * d[c]!);
  };

  for (let b = 0; b < spec.blockConfig.length; b++) {
    const pieces = blockPieceNames(spec, b);
    for (let l = 0; l < spec.blockConfig[b]!; l++) {
      const prefix = `features.denseblock${b + 1}.denselayer${l + 1}`;
      const map = pieceMapOf(calibration, pieces[l + 1]!);
      const act1 = bnRelu(`${prefix}.norm1`, `${prefix}.relu1`);
      let piece: string;
      if (usesBottleneck(spec)) {
        const act2Scale = reluScale(`${prefix}.relu2`);
        const bottleneckWidth = weights.get(`${prefix}.conv1.weight`)!.shape[0]!;
        const act2 = conv(act1, `${prefix}.conv1`, reluMap(bottleneckWidth, act2Scale), 0, 1, `${prefix}.norm2`);
        piece = conv({ name: act2, scale: act2Scale }, `${prefix}.conv2`, map, 1);
      } else {
        piece = conv(act1, `${prefix}.conv1`, map, 1);
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
      const act = bnRelu(`${prefix}.norm`, `${prefix}.relu`);
      const pooled = q.averagePool2x2(act);
      const map = pieceMapOf(calibration, `${prefix}.conv`);
      block = conv(pooled, `${prefix}.conv`, map, 0);
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
