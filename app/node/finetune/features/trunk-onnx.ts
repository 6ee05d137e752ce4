import { DenseRayError } from '../../errors.ts';
import { batchNormAffine, foldBatchNormIntoConv, get } from '../../model/batchnorm.ts';
import { ONNX_INPUT } from '../../model/onnx/densenet-onnx.ts';
import { OnnxGraphBuilder } from '../../model/onnx/graph-builder.ts';
import { blockInputChannels, type DenseNetSpec } from '../../model/spec.ts';
import type { WeightMap } from '../../model/tensor.ts';

export const ONNX_TRUNK_OUTPUT = 'block_input';

/**
 * The frozen front of a DenseNet as an ONNX graph that stops where dense block `untilBlock` begins
 * (for `last-block` mode: after the last transition). The same exact rewrites as densenet-onnx.ts
 * (norm0 and each norm2 folded into the conv before them; a transition's pool moved before its
 * 1×1 conv), so the cached activations equal the tfjs `trunk(x, untilBlock)` up to float rounding.
 * Output: N×C×h×w, NCHW.
 */
export function buildDenseNetTrunkOnnx(spec: DenseNetSpec, weights: WeightMap, inputSize: number, untilBlock: number): Uint8Array {
  if (!Number.isInteger(untilBlock) || untilBlock < 2 || untilBlock > spec.blockConfig.length) {
    throw new DenseRayError('INVALID_ARGUMENT', `a trunk must end before dense block 2..${spec.blockConfig.length}, not ${untilBlock}`);
  }
  const g = new OnnxGraphBuilder();
  const batchNorm = (x: string, prefix: string): string =>
    g.node(
      'BatchNormalization',
      [x, ...['weight', 'bias', 'running_mean', 'running_var'].map((p) => g.constant(`${prefix}.${p}`, [get(weights, `${prefix}.${p}`).length], get(weights, `${prefix}.${p}`)))],
      [{ name: 'epsilon', f: 1e-5 }],
    );
  const relu = (x: string): string => g.node('Relu', [x]);
  const conv = (x: string, name: string, weight: Float32Array, dims: number[], bias: Float32Array | undefined, pad: number, stride = 1, output?: string): string => {
    const inputs = [x, g.constant(`${name}.weight`, dims, weight)];
    if (bias) inputs.push(g.constant(`${name}.bias`, [bias.length], bias));
    const attributes = [
      { name: 'kernel_shape', ints: [dims[2]!, dims[3]!] },
      { name: 'pads', ints: [pad, pad, pad, pad] },
      { name: 'strides', ints: [stride, stride] },
    ];
    return g.node('Conv', inputs, attributes, output);
  };
  const convFolded = (x: string, convName: string, bnPrefix: string, pad: number, stride = 1): string => {
    const shape = weights.get(`${convName}.weight`)!.shape;
    const folded = foldBatchNormIntoConv(get(weights, `${convName}.weight`), shape[0]!, batchNormAffine(weights, bnPrefix));
    return conv(x, `${convName}+${bnPrefix}`, folded.weight, shape, folded.bias, pad, stride);
  };

  let x = relu(convFolded(ONNX_INPUT, 'features.conv0', 'features.norm0', 3, 2));
  x = g.node('MaxPool', [x], [
    { name: 'kernel_shape', ints: [3, 3] },
    { name: 'pads', ints: [1, 1, 1, 1] },
    { name: 'strides', ints: [2, 2] },
  ]);
  for (let b = 0; b < untilBlock - 1; b++) {
    const parts = [x];
    for (let l = 0; l < spec.blockConfig[b]!; l++) {
      const prefix = `features.denseblock${b + 1}.denselayer${l + 1}`;
      const joined = parts.length === 1 ? parts[0]! : g.node('Concat', [...parts], [{ name: 'axis', i: 1 }]);
      const bottleneck = relu(convFolded(relu(batchNorm(joined, `${prefix}.norm1`)), `${prefix}.conv1`, `${prefix}.norm2`, 0));
      const w2 = weights.get(`${prefix}.conv2.weight`)!;
      parts.push(conv(bottleneck, `${prefix}.conv2`, w2.data, w2.shape, undefined, 1));
    }
    const prefix = `features.transition${b + 1}`;
    const pooled = g.node('AveragePool', [relu(batchNorm(g.node('Concat', parts, [{ name: 'axis', i: 1 }]), `${prefix}.norm`))], [
      { name: 'kernel_shape', ints: [2, 2] },
      { name: 'strides', ints: [2, 2] },
    ]);
    const w = weights.get(`${prefix}.conv.weight`)!;
    x = conv(pooled, `${prefix}.conv`, w.data, w.shape, undefined, 0, 1, b === untilBlock - 2 ? ONNX_TRUNK_OUTPUT : undefined);
  }
  const side = trunkSide(inputSize, untilBlock - 1);
  return g.encode({
    graphName: 'densenet-trunk',
    input: { name: ONNX_INPUT, dims: ['batch', spec.inChannels, inputSize, inputSize] },
    outputs: [{ name: ONNX_TRUNK_OUTPUT, dims: ['batch', blockInputChannels(spec).blockInputs[untilBlock - 1]!, side, side] }],
    docString: `DenseNet front up to dense block ${untilBlock}, built by DenseRay for fine-tuning caches.`,
  });
}

/** Spatial side after the stem and `transitions` transitions (floor at every halving). */
export function trunkSide(inputSize: number, transitions: number): number {
  let s = Math.floor((inputSize + 2 * 3 - 7) / 2) + 1;
  s = Math.floor((s + 2 - 3) / 2) + 1;
  for (let t = 0; t < transitions; t++) s = Math.floor(s / 2);
  return s;
}
