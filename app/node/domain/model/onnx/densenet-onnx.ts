import { batchNormAffine, foldBatchNormIntoConv, get } from '../batchnorm.ts';
import { blockInputChannels, featureSide, finalFeatureCount, stemOf, usesBottleneck, type DenseNetSpec } from '../spec.ts';
import type { WeightMap } from '../tensor.ts';
import { OnnxGraphBuilder, type ValueSpec } from './graph-builder.ts';

export const ONNX_INPUT = 'input';
export const ONNX_FEATURES = 'features';
export const ONNX_LOGITS = 'logits';
export const ONNX_CAMS = 'cams';
export const ONNX_TRUNK_OUTPUT = 'block_input';

/**
 * Emits a DenseNet's layers into `g`, from the input up to the entry of dense block `untilBlock`
 * (1-based; after the transition before it), or through every block when absent. Returns the
 * name of the last value. Two exact rewrites make it faster than a literal translation:
 * - norm0 follows conv0 directly (ImageNet stem), so it is folded into conv0's weights and bias;
 *   a bottleneck layer's norm2 follows its 1×1 conv1, so it is folded likewise.
 * - a transition's 1×1 conv and 2×2 average pool are both linear and commute, so we pool first and
 *   convolve a quarter of the pixels.
 * The remaining BatchNorms precede a ReLU on a concatenation and cannot be folded.
 */
function emitDenseNetLayers(g: OnnxGraphBuilder, spec: DenseNetSpec, weights: WeightMap, untilBlock?: number, taps?: DenseNetTaps): string {
  const tap = (name: string, tensor: string): string => {
    taps?.set(name, tensor);
    return tensor;
  };
  const batchNorm = (x: string, prefix: string): string =>
    g.node(
      'BatchNormalization',
      [
        x,
        ...['weight', 'bias', 'running_mean', 'running_var'].map((p) =>
          g.constant(`${prefix}.${p}`, [get(weights, `${prefix}.${p}`).length], get(weights, `${prefix}.${p}`)),
        ),
      ],
      [{ name: 'epsilon', f: 1e-5 }],
    );
  const relu = (x: string): string => g.node('Relu', [x]);
  const conv = (
    x: string,
    name: string,
    weight: Float32Array,
    dims: number[],
    bias: Float32Array | undefined,
    pad: number,
    stride = 1,
  ): string => {
    const inputs = [x, g.constant(`${name}.weight`, dims, weight)];
    if (bias) inputs.push(g.constant(`${name}.bias`, [bias.length], bias));
    return g.node('Conv', inputs, [
      { name: 'kernel_shape', ints: [dims[2]!, dims[3]!] },
      { name: 'pads', ints: [pad, pad, pad, pad] },
      { name: 'strides', ints: [stride, stride] },
    ]);
  };
  const convFoldedWithBn = (x: string, convName: string, bnPrefix: string, pad: number, stride = 1): string => {
    const shape = weights.get(`${convName}.weight`)!.shape;
    const folded = foldBatchNormIntoConv(get(weights, `${convName}.weight`), shape[0]!, batchNormAffine(weights, bnPrefix));
    return conv(x, `${convName}+${bnPrefix}`, folded.weight, shape, folded.bias, pad, stride);
  };

  let x: string;
  if (stemOf(spec) === 'cifar') {
    // The paper's CIFAR stem: one 3×3 conv straight into the first dense layer's BN-ReLU.
    const w0 = weights.get('features.conv0.weight')!;
    x = tap('features.conv0', conv(ONNX_INPUT, 'features.conv0', w0.data, w0.shape, undefined, 1));
  } else {
    x = relu(convFoldedWithBn(ONNX_INPUT, 'features.conv0', 'features.norm0', 3, 2));
    x = tap(
      'features.pool0',
      g.node(
        'MaxPool',
        [x],
        [
          { name: 'kernel_shape', ints: [3, 3] },
          { name: 'pads', ints: [1, 1, 1, 1] },
          { name: 'strides', ints: [2, 2] },
        ],
      ),
    );
  }
  const blocks = untilBlock === undefined ? spec.blockConfig.length : untilBlock - 1;
  for (let b = 0; b < blocks; b++) {
    const parts = [x];
    for (let l = 0; l < spec.blockConfig[b]!; l++) {
      const prefix = `features.denseblock${b + 1}.denselayer${l + 1}`;
      const concatenated = parts.length === 1 ? parts[0]! : g.node('Concat', [...parts], [{ name: 'axis', i: 1 }]);
      const activated = tap(`${prefix}.relu1`, relu(batchNorm(concatenated, `${prefix}.norm1`)));
      if (usesBottleneck(spec)) {
        const bottleneck = tap(`${prefix}.relu2`, relu(convFoldedWithBn(activated, `${prefix}.conv1`, `${prefix}.norm2`, 0)));
        const w2 = weights.get(`${prefix}.conv2.weight`)!;
        parts.push(tap(`${prefix}.conv2`, conv(bottleneck, `${prefix}.conv2`, w2.data, w2.shape, undefined, 1)));
      } else {
        const w1 = weights.get(`${prefix}.conv1.weight`)!;
        parts.push(tap(`${prefix}.conv1`, conv(activated, `${prefix}.conv1`, w1.data, w1.shape, undefined, 1)));
      }
    }
    x = tap(`features.denseblock${b + 1}`, g.node('Concat', parts, [{ name: 'axis', i: 1 }]));
    if (b < spec.blockConfig.length - 1) {
      const prefix = `features.transition${b + 1}`;
      const pooled = g.node(
        'AveragePool',
        [tap(`${prefix}.relu`, relu(batchNorm(x, `${prefix}.norm`)))],
        [
          { name: 'kernel_shape', ints: [2, 2] },
          { name: 'strides', ints: [2, 2] },
        ],
      );
      const w = weights.get(`${prefix}.conv.weight`)!;
      x = tap(`${prefix}.conv`, conv(pooled, `${prefix}.conv`, w.data, w.shape, undefined, 0));
    }
  }
  if (untilBlock === undefined) x = g.node('Relu', [batchNorm(x, 'features.norm5')], [], ONNX_FEATURES);
  return x;
}

/**
 * Where calibration reads a DenseNet's activations, by torchvision module name → graph value:
 * `<layer>.relu1`, `<layer>.relu2`, `<transition>.relu` (ReLU outputs that feed a conv), and the
 * tensors a dense block concatenates: `features.pool0` (or `features.conv0` for the CIFAR stem),
 * each `<layer>.conv2` (`.conv1` without bottleneck) and each `<transition>.conv`; and each
 * block's output, `features.denseblock<b>`.
 */
export type DenseNetTaps = Map<string, string>;

/** The classifier head on `features`: pooled logits and (optionally) CAMs, as one run computes them. */
export function emitDenseNetHead(g: OnnxGraphBuilder, spec: DenseNetSpec, weights: WeightMap, withCams: boolean): void {
  const pooled = g.node('Flatten', [g.node('GlobalAveragePool', [ONNX_FEATURES])], [{ name: 'axis', i: 1 }]);
  const classifier = weights.get('classifier.weight')!;
  const classifierWeight = g.constant('classifier.weight', classifier.shape, classifier.data);
  const bias = get(weights, 'classifier.bias');
  g.node(
    'Gemm',
    [pooled, classifierWeight, g.constant('classifier.bias', [spec.numClasses], bias)],
    [{ name: 'transB', i: 1 }],
    ONNX_LOGITS,
  );
  if (withCams) {
    // CAM_k = W_k · F + b_k for every cell: one batched matmul on the features, inside the same run.
    const cells = g.node('Reshape', [ONNX_FEATURES, g.constantInt64('cam.cells_shape', [0, finalFeatureCount(spec), -1])]);
    g.node('Add', [g.node('MatMul', [classifierWeight, cells]), g.constant('cam.bias', [spec.numClasses, 1], bias)], [], ONNX_CAMS);
  }
}

/** The inference graph's outputs: features, logits and (optionally) CAMs. */
export function denseNetOutputs(spec: DenseNetSpec, inputSize: number, withCams: boolean): ValueSpec[] {
  const featureSize = featureSide(spec, inputSize);
  return [
    { name: ONNX_FEATURES, dims: ['batch', finalFeatureCount(spec), featureSize, featureSize] },
    { name: ONNX_LOGITS, dims: ['batch', spec.numClasses] },
    ...(withCams ? [{ name: ONNX_CAMS, dims: ['batch', spec.numClasses, featureSize * featureSize] }] : []),
  ];
}

/**
 * The inference graph of a DenseNet from validated torchvision-named weights. Outputs
 * `features` = relu(norm5(x)), `logits` and (unless disabled) `cams`, N×K×cells. `taps`, when
 * given, is filled with the values calibration reads.
 */
export function buildDenseNetOnnx(
  spec: DenseNetSpec,
  weights: WeightMap,
  inputSize: number,
  options: { cams?: boolean; taps?: DenseNetTaps } = {},
): Uint8Array {
  const withCams = options.cams ?? true;
  const g = new OnnxGraphBuilder();
  emitDenseNetLayers(g, spec, weights, undefined, options.taps);
  emitDenseNetHead(g, spec, weights, withCams);
  return g.encode({
    graphName: 'densenet',
    input: { name: ONNX_INPUT, dims: ['batch', spec.inChannels, inputSize, inputSize] },
    outputs: denseNetOutputs(spec, inputSize, withCams),
    docString: 'DenseNet built by DenseRay from imported weights; BatchNorm folded where exact.',
  });
}

/**
 * The frozen front of a DenseNet, stopping where dense block `untilBlock` begins (fine-tuning's
 * `last-block` cache: after the last transition). Same layers and rewrites as the inference graph.
 */
export function buildDenseNetTrunkOnnx(spec: DenseNetSpec, weights: WeightMap, inputSize: number, untilBlock: number): Uint8Array {
  const g = new OnnxGraphBuilder();
  g.node('Identity', [emitDenseNetLayers(g, spec, weights, untilBlock)], [], ONNX_TRUNK_OUTPUT);
  const side = featureSide(spec, inputSize, untilBlock - 1);
  return g.encode({
    graphName: 'densenet-trunk',
    input: { name: ONNX_INPUT, dims: ['batch', spec.inChannels, inputSize, inputSize] },
    outputs: [{ name: ONNX_TRUNK_OUTPUT, dims: ['batch', blockInputChannels(spec).blockInputs[untilBlock - 1]!, side, side] }],
    docString: `DenseNet front up to dense block ${untilBlock}, built by DenseRay for fine-tuning caches.`,
  });
}
