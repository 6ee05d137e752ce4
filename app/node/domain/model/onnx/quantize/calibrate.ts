import * as ort from 'onnxruntime-node';
import { DenseRayError } from '../../../../shared/errors.ts';
import { ONNX_INPUT } from '../densenet-onnx.ts';
import type { TensorRange } from './qdq-graph.ts';
import { planQdq, rangeReductions, withReductions } from './qdq-graph.ts';

export interface CalibrationOptions {
  threads?: number;
  signal?: AbortSignal;
  /** Called after each batch with the number of images seen so far. */
  onBatch?: (images: number) => void;
}

/**
 * Min/max of every activation the QDQ plan quantises, over model inputs already preprocessed
 * exactly as for inference (N×C×H×W float32 batches): the float32 graph runs with each
 * activation's min and max as extra outputs; nothing else changes.
 */
export async function calibrateRanges(
  fp32Graph: Uint8Array,
  inputShape: [channels: number, height: number, width: number],
  batches: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  options: CalibrationOptions = {},
): Promise<{ ranges: Record<string, TensorRange>; images: number }> {
  const plan = planQdq(fp32Graph);
  const session = await ort.InferenceSession.create(withReductions(fp32Graph, rangeReductions(plan.activations)), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
  });
  const per = inputShape[0] * inputShape[1] * inputShape[2];
  const ranges: Record<string, TensorRange> = Object.fromEntries(plan.activations.map((a) => [a, { min: Infinity, max: -Infinity }]));
  let images = 0;
  try {
    for await (const batch of batches) {
      if (options.signal?.aborted) throw new DenseRayError('CANCELLED', 'calibration cancelled');
      const n = batch.length / per;
      if (!Number.isInteger(n) || n < 1)
        throw new DenseRayError('INVALID_ARGUMENT', `a calibration batch of ${batch.length} values is not N×${per}`);
      const fetches = plan.activations.flatMap((a) => [`${a}.min`, `${a}.max`]);
      const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', batch, [n, ...inputShape]) }, fetches);
      for (const name of plan.activations) {
        const r = ranges[name]!;
        r.min = Math.min(r.min, (out[`${name}.min`]!.data as Float32Array)[0]!);
        r.max = Math.max(r.max, (out[`${name}.max`]!.data as Float32Array)[0]!);
      }
      images += n;
      options.onBatch?.(images);
    }
  } finally {
    await session.release();
  }
  if (images === 0) throw new DenseRayError('INVALID_ARGUMENT', 'calibration needs at least one image');
  return { ranges, images };
}
