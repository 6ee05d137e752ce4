import type { BackendChoice } from '../../../common/contract/classify.ts';
import { DenseRayError } from '../../shared/errors.ts';
import type { InferenceBackend } from './backend-types.ts';
import { buildDenseNetOnnx } from './onnx/densenet-onnx.ts';
import { createOnnxBackend } from './onnx/onnx-backend.ts';
import type { DenseNetSpec } from './spec.ts';
import type { WeightMap } from './tensor.ts';

export interface BackendRequest {
  choice: BackendChoice;
  spec: DenseNetSpec;
  weights: WeightMap;
  inputSize: number;
  threads?: number;
}

/**
 * Chooses the inference backend: onnxruntime-node (fast, the default) or TensorFlow.js (the
 * fallback, and the training path). `auto` falls back to tfjs only if onnxruntime cannot load.
 */
export async function createInferenceBackend(request: BackendRequest): Promise<InferenceBackend> {
  const { choice, spec, weights, inputSize } = request;
  if (choice === 'onnx' || choice === 'auto') {
    try {
      const graph = buildDenseNetOnnx(spec, weights, inputSize);
      return await createOnnxBackend(graph, [spec.inChannels, inputSize, inputSize], request.threads ? { threads: request.threads } : {});
    } catch (error) {
      if (choice === 'onnx') throw error;
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
