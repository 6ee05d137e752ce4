import type { BackendChoice } from '../../../common/contract/classify.ts';
import { DenseRayError } from '../../shared/errors.ts';
import type { InferenceBackend } from './backend-types.ts';
import { buildDenseNetOnnx } from './onnx/densenet-onnx.ts';
import { createOnnxBackend } from './onnx/onnx-backend.ts';
import { buildDenseNetInt8 } from './onnx/quantize/densenet-int8.ts';
import type { Int8Calibration } from './onnx/quantize/int8-calibration.ts';
import type { DenseNetSpec } from './spec.ts';
import type { WeightMap } from './tensor.ts';

export interface BackendRequest {
  choice: BackendChoice;
  spec: DenseNetSpec;
  weights: WeightMap;
  inputSize: number;
  threads?: number;
  /** Calibration of an int8 variant: the network is built in integer operators (onnxruntime only). */
  int8?: Int8Calibration;
}

/**
 * Chooses the inference backend: onnxruntime-node (fast, the default) or TensorFlow.js (the
 * fallback, and the training path). `auto` falls back to tfjs only if onnxruntime cannot load.
 * An int8 variant runs int8 only on onnxruntime; the tfjs fallback runs its float32 weights and
 * says so (`precision: 'fp32'`).
 */
export async function createInferenceBackend(request: BackendRequest): Promise<InferenceBackend> {
  const { choice, spec, weights, inputSize } = request;
  if (choice === 'onnx' || choice === 'auto') {
    try {
      const graph = request.int8 ? buildDenseNetInt8(spec, weights, inputSize, request.int8) : buildDenseNetOnnx(spec, weights, inputSize);
      return await createOnnxBackend(graph, [spec.inChannels, inputSize, inputSize], {
        ...(request.threads ? { threads: request.threads } : {}),
        precision: request.int8 ? 'int8' : 'fp32',
      });
    } catch (error) {
      // A variant whose ranges do not fit its graph is broken, not a reason to fall back.
      if (choice === 'onnx' || (error instanceof DenseRayError && error.code === 'MODEL_INVALID')) throw error;
    }
  }
  try {
    const { createTfjsBackend } = await import('./tfjs/engine-tfjs.ts');
    return await createTfjsBackend(spec, weights, inputSize);
  } catch (cause) {
    if (cause instanceof DenseRayError) throw cause;
    throw new DenseRayError('BACKEND_UNAVAILABLE', `TensorFlow.js backend could not start: ${(cause as Error).message}`, { cause });
  }
}
