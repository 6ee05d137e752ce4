import type { FinetuneMode } from '../../../../common/contract/finetune.ts';
import { DenseRayError } from '../../../shared/errors.ts';
import type { DenseNetSpec } from '../../model/spec.ts';
import type { WeightMap } from '../../model/tensor.ts';
import { createOnnxTrainingPath } from '../onnx-train/onnx-training-path.ts';
import { createTfjsTrainingPath } from './tfjs-training-path.ts';
import type { TrainingPath } from './training-path.ts';

export interface TrainingPathRequest {
  engine: 'auto' | 'onnxruntime' | 'tfjs';
  mode: FinetuneMode;
  spec: DenseNetSpec;
  /** The whole starting network (parent weights with the new head), torchvision names. */
  weights: WeightMap;
  inputSize: number;
  /** One sample as the source gives it: [C] pooled, or [h, w, C]. */
  sampleShape: number[];
  batchSize: number;
  microBatch?: number | undefined;
  threads?: number | undefined;
}

/**
 * onnxruntime unless asked otherwise; `auto` falls back to TensorFlow.js only when onnxruntime
 * cannot start (never when the memory plan refuses: tfjs would fare worse).
 */
export async function createTrainingPath(r: TrainingPathRequest): Promise<TrainingPath> {
  if (r.engine !== 'tfjs') {
    try {
      return await createOnnxTrainingPath(r);
    } catch (error) {
      if (r.engine === 'onnxruntime' || !(error instanceof DenseRayError) || error.code !== 'BACKEND_UNAVAILABLE') throw error;
    }
  }
  return createTfjsTrainingPath(r);
}
