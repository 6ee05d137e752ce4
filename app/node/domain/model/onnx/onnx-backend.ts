import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { DenseRayError } from '../../../shared/errors.ts';
import type { InferenceBackend, InferenceOutput } from '../backend-types.ts';
import { ONNX_CAMS, ONNX_FEATURES, ONNX_INPUT, ONNX_LOGITS } from './densenet-onnx.ts';
import { cpuSessionOptions } from './session-options.ts';

export interface OnnxBackendOptions {
  /** Intra-op threads; defaults to the number of cores onnxruntime sees. */
  threads?: number;
  /** What the graph computes in; `int8` for the integer network (named in `detail` so every banner shows it). */
  precision?: 'fp32' | 'int8';
}

const ortVersion = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;

/** Runs a DenseNet ONNX graph (from buildDenseNetOnnx) on onnxruntime-node's CPU provider. */
export async function createOnnxBackend(
  model: Uint8Array,
  inputShape: [channels: number, height: number, width: number],
  options: OnnxBackendOptions = {},
): Promise<InferenceBackend> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, cpuSessionOptions(options.threads));
  } catch (cause) {
    throw new DenseRayError('BACKEND_UNAVAILABLE', `onnxruntime-node could not load the model graph: ${(cause as Error).message}`, {
      cause,
    });
  }
  const [channels, height, width] = inputShape;
  const threads = options.threads ? `${options.threads} threads` : 'default threads';
  const precision = options.precision ?? 'fp32';
  return {
    name: 'onnx',
    detail: `onnxruntime-node ${ortVersion} cpu, ${threads}, ${precision === 'int8' ? 'int8 (integer network)' : 'fp32'}`,
    precision,
    threads: options.threads,
    async run(input: Float32Array, batch: number): Promise<InferenceOutput> {
      if (input.length !== batch * channels * height * width) {
        throw new DenseRayError('INVALID_ARGUMENT', `input has ${input.length} values, expected ${batch}×${channels}×${height}×${width}`);
      }
      const feeds = { [ONNX_INPUT]: new ort.Tensor('float32', input, [batch, channels, height, width]) };
      let results: ort.InferenceSession.ReturnType;
      try {
        results = await session.run(feeds);
      } catch (cause) {
        throw new DenseRayError('INFERENCE_FAILED', `onnxruntime-node failed: ${(cause as Error).message}`, { cause });
      }
      const features = results[ONNX_FEATURES]!;
      const logits = results[ONNX_LOGITS]!;
      const [, c, h, w] = features.dims as number[];
      const out: InferenceOutput = {
        logits: logits.data as Float32Array,
        features: features.data as Float32Array,
        featureShape: [c!, h!, w!],
        cams: results[ONNX_CAMS]?.data as Float32Array | undefined,
      };
      return out;
    },
    async dispose(): Promise<void> {
      await session.release();
    },
  };
}
