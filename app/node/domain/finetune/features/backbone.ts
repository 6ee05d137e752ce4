import * as ort from 'onnxruntime-node';
import { DenseRayError } from '../../../shared/errors.ts';
import { buildDenseNetOnnx, ONNX_FEATURES, ONNX_INPUT } from '../../model/onnx/densenet-onnx.ts';
import { cpuSessionOptions } from '../../model/onnx/session-options.ts';
import { blockInputChannels, finalFeatureCount, type DenseNetSpec } from '../../model/spec.ts';
import type { WeightMap } from '../../model/tensor.ts';
import { buildDenseNetTrunkOnnx, ONNX_TRUNK_OUTPUT, trunkSide } from './trunk-onnx.ts';

/** Where the frozen backbone stops: pooled relu(norm5) for `head`, the last dense block's input for `last-block`. */
export type CachePoint = 'pooled' | 'block-input';

/** The frozen part of the parent network, run once per image on onnxruntime (much faster than tfjs). */
export interface FrozenBackbone {
  readonly point: CachePoint;
  /** One sample's output: [C] pooled, or [h, w, C] (NHWC, what the tfjs tail takes). */
  readonly sampleShape: number[];
  /** `input` N×C×H×W preprocessed → N samples, row-major per `sampleShape`. */
  run(input: Float32Array, batch: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export async function openFrozenBackbone(
  point: CachePoint,
  spec: DenseNetSpec,
  weights: WeightMap,
  inputSize: number,
  threads?: number,
): Promise<FrozenBackbone> {
  const blocks = spec.blockConfig.length;
  const graph = point === 'pooled' ? buildDenseNetOnnx(spec, weights, inputSize) : buildDenseNetTrunkOnnx(spec, weights, inputSize, blocks);
  const output = point === 'pooled' ? ONNX_FEATURES : ONNX_TRUNK_OUTPUT;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(graph, cpuSessionOptions(threads));
  } catch (cause) {
    throw new DenseRayError('BACKEND_UNAVAILABLE', `onnxruntime-node could not load the frozen backbone: ${(cause as Error).message}`, {
      cause,
    });
  }
  return {
    point,
    sampleShape: backboneSampleShape(point, spec, inputSize),
    async run(input, batch) {
      const x = new ort.Tensor('float32', input, [batch, spec.inChannels, inputSize, inputSize]);
      let result: ort.Tensor;
      try {
        result = (await session.run({ [ONNX_INPUT]: x }))[output]!;
      } catch (cause) {
        throw new DenseRayError('INFERENCE_FAILED', `frozen backbone failed: ${(cause as Error).message}`, { cause });
      }
      const [, c, h, w] = result.dims as [number, number, number, number];
      const data = result.data as Float32Array;
      return point === 'pooled' ? averagePool(data, batch, c, h * w) : toNhwc(data, batch, c, h * w);
    },
    dispose: () => session.release(),
  };
}

/** One sample's shape at `point`, known before anything runs (cache files are checked against it). */
export function backboneSampleShape(point: CachePoint, spec: DenseNetSpec, inputSize: number): number[] {
  if (point === 'pooled') return [finalFeatureCount(spec)];
  const blocks = spec.blockConfig.length;
  const side = trunkSide(spec, inputSize, blocks - 1);
  return [side, side, blockInputChannels(spec).blockInputs[blocks - 1]!];
}

/** N×C×(hw) → N×C means, summed in float64 (onnxruntime's GlobalAveragePool differs by ~1 ulp). */
function averagePool(data: Float32Array, n: number, c: number, hw: number): Float32Array {
  const out = new Float32Array(n * c);
  for (let i = 0; i < n * c; i++) {
    let s = 0;
    for (let j = 0; j < hw; j++) s += data[i * hw + j]!;
    out[i] = s / hw;
  }
  return out;
}

function toNhwc(data: Float32Array, n: number, c: number, hw: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    const base = b * c * hw;
    for (let ch = 0; ch < c; ch++) for (let p = 0; p < hw; p++) out[base + p * c + ch] = data[base + ch * hw + p]!;
  }
  return out;
}
