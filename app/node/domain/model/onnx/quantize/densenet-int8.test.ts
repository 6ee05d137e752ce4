import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../../../../../test/helpers/npy.ts';
import { shared } from '../../../../../../test/helpers/shared.ts';
import { thrown } from '../../../../../../test/helpers/thrown.ts';
import { seededDenseNetWeights } from '../../demo-weights.ts';
import { type DenseNetSpec, inferSpec } from '../../spec.ts';
import { readSafetensors } from '../../weights/safetensors.ts';
import { buildDenseNetOnnx } from '../densenet-onnx.ts';
import { createOnnxBackend } from '../onnx-backend.ts';
import { buildDenseNetInt8 } from './densenet-int8.ts';
import { scaledCalibration } from './int8-calibration.ts';
import { calibrateDenseNetInt8 } from './densenet-int8-calibrate.ts';

const { tensors } = readSafetensors(readFileSync(shared('reference', 'tiny-densenet.safetensors')));
const tinySpec = inferSpec(tensors)!;
const ref = (item: string) => readNpy(shared('reference', 'refs', `tiny.${item}.npy`));

/** The operators onnxruntime actually runs, after its graph optimisations. */
async function optimizedOps(graph: Uint8Array): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'denseray-int8-graph-'));
  try {
    const optimized = join(dir, 'optimized.onnx');
    const session = await ort.InferenceSession.create(graph, { graphOptimizationLevel: 'all', optimizedModelFilePath: optimized });
    await session.release();
    return onnxProto.onnx.ModelProto.decode(readFileSync(optimized)).graph!.node!.map((n) => n.opType!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function logitsOf(graph: Uint8Array, spec: DenseNetSpec, size: number, input: Float32Array): Promise<Float32Array> {
  const backend = await createOnnxBackend(graph, [spec.inChannels, size, size], { threads: 1 });
  try {
    return (await backend.run(input, 1)).logits;
  } finally {
    await backend.dispose();
  }
}

const worstDelta = (a: Float32Array, b: Float32Array): number => Math.max(...Array.from(a, (v, k) => Math.abs(v - b[k]!)));
const spread = (a: Float32Array): number => Math.max(...a) - Math.min(...a);

describe('the integer DenseNet (tiny reference weights, 64²)', () => {
  const calibrationInputs = [ref('00000284_000.input').data, ref('random1.input').data, ref('random0.input').data];

  it('onnxruntime runs every convolution as QLinearConv in NHWC: no float conv or BatchNorm, no transposes inside the network', async () => {
    const { calibration } = await calibrateDenseNetInt8(tinySpec, tensors, 64, calibrationInputs);
    const ops = await optimizedOps(buildDenseNetInt8(tinySpec, tensors, 64, calibration));
    const layers = tinySpec.blockConfig.reduce((a, b) => a + b, 0);
    const transitions = tinySpec.blockConfig.length - 1;
    // stem; per dense layer: BN-ReLU (depthwise), conv1, conv2; per transition: BN-ReLU, conv
    expect(ops.filter((op) => op === 'QLinearConv')).toHaveLength(1 + 3 * layers + 2 * transitions);
    expect(ops).not.toContain('Conv');
    expect(ops).not.toContain('BatchNormalization');
    // One transpose into NHWC after quantising the input, one out before the float head.
    expect(ops.filter((op) => op === 'Transpose').length).toBeLessThanOrEqual(2);
  });

  it('stays near PyTorch float32 logits, by quantisation-sized amounts', async () => {
    const { calibration } = await calibrateDenseNetInt8(tinySpec, tensors, 64, calibrationInputs);
    const out = await logitsOf(buildDenseNetInt8(tinySpec, tensors, 64, calibration), tinySpec, 64, ref('random0.input').data);
    const logits = ref('random0.logits').data;
    const worst = worstDelta(logits, out);
    expect(worst).toBeLessThan(0.05 * spread(logits));
    expect(worst).toBeGreaterThan(0); // and it really is the integer graph
    // The same graph with every range 100× too wide is far off: the ranges are what it runs on.
    const broken = await logitsOf(
      buildDenseNetInt8(tinySpec, tensors, 64, scaledCalibration(calibration, 100)),
      tinySpec,
      64,
      ref('random0.input').data,
    );
    expect(worstDelta(logits, broken)).toBeGreaterThan(5 * worst);
  });

  it('a tap without a calibration range, or with the wrong number of channels, is refused with MODEL_INVALID', async () => {
    const { calibration } = await calibrateDenseNetInt8(tinySpec, tensors, 64, calibrationInputs);
    const { 'features.denseblock2.denselayer1.conv2': _dropped, ...pieces } = calibration.pieces;
    expect(thrown(() => buildDenseNetInt8(tinySpec, tensors, 64, { ...calibration, pieces })).code).toBe('MODEL_INVALID');
    const short = { min: calibration.pieces['features.pool0']!.min.slice(1), max: calibration.pieces['features.pool0']!.max.slice(1) };
    expect(
      thrown(() => buildDenseNetInt8(tinySpec, tensors, 64, { ...calibration, pieces: { ...calibration.pieces, 'features.pool0': short } }))
        .code,
    ).toBe('MODEL_INVALID');
    const { 'features.transition1.relu': _gone, ...relus } = calibration.relus;
    expect(thrown(() => buildDenseNetInt8(tinySpec, tensors, 64, { ...calibration, relus })).code).toBe('MODEL_INVALID');
  });
});

describe('the integer network across the DenseNet family', () => {
  // Deterministic pseudo-random inputs: the check is the graph's arithmetic, so it calibrates on them.
  const inputs = (spec: DenseNetSpec, size: number, n: number): Float32Array[] =>
    Array.from({ length: n }, (_, k) =>
      Float32Array.from({ length: spec.inChannels * size * size }, (_, i) => Math.sin(i * 0.37 + k) * 1.5),
    );

  for (const [title, spec, size] of [
    [
      'DenseNet (no bottleneck, no compression) with the CIFAR stem, one channel',
      {
        growthRate: 6,
        blockConfig: [3, 3],
        numInitFeatures: 8,
        bnSize: 4,
        numClasses: 3,
        inChannels: 1,
        bottleneck: false,
        compression: 1,
        stem: 'cifar',
      },
      32,
    ],
    [
      'DenseNet-BC (θ 0.5) with the ImageNet stem',
      { growthRate: 8, blockConfig: [2, 3, 2], numInitFeatures: 16, bnSize: 4, numClasses: 4, inChannels: 3, compression: 0.5 },
      64,
    ],
  ] as const satisfies readonly (readonly [string, DenseNetSpec, number])[]) {
    it(`${title}: int8 logits near float32 logits`, async () => {
      const weights = seededDenseNetWeights(spec, 7);
      const xs = inputs(spec, size, 3);
      const { calibration } = await calibrateDenseNetInt8(spec, weights, size, xs);
      const int8 = buildDenseNetInt8(spec, weights, size, calibration);
      const fp32 = buildDenseNetOnnx(spec, weights, size);
      for (const x of xs) {
        const a = await logitsOf(fp32, spec, size, x);
        const b = await logitsOf(int8, spec, size, x);
        expect(worstDelta(a, b)).toBeLessThan(0.05 * spread(a) + 1e-3);
      }
    });
  }
});
