import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-node';
import { DenseRayError } from '../../../shared/errors.ts';

export const ORT_VERSION = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;

/** An onnxruntime CPU session for a training-path graph; `threads` intra-op threads (default: all cores). */
export async function openTrainingSession(model: Uint8Array, what: string, threads?: number): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      logSeverityLevel: 3,
      // The arena keeps memory between steps (fresh pages are slow to fault in); the memory pattern would
      // hold every intermediate of the step at once, which for a backward graph is most of them (measured:
      // DenseNet-121 full at batch 4, peak 2.5 GB with it, 1.4 GB without, same speed).
      enableCpuMemArena: true,
      enableMemPattern: false,
      // No spin-waiting between ops: on a shared or loaded machine spinning only steals cycles (measured:
      // the head step 0.31 ms with it, 0.05 ms without).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
      ...(threads ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
    });
  } catch (cause) {
    throw new DenseRayError('BACKEND_UNAVAILABLE', `onnxruntime-node could not load the ${what} graph: ${(cause as Error).message}`, {
      cause,
    });
  }
}

export function tensor(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims as number[]);
}

/** Runs `session`; outputs go into `fetches` (preallocated, reused: fresh memory is slow to fault in) when given. */
export async function runSession(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  what: string,
  fetches?: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.ReturnType> {
  try {
    return await (fetches ? session.run(feeds, fetches) : session.run(feeds));
  } catch (cause) {
    const message = (cause as Error).message;
    throw new DenseRayError(
      /bad_alloc|allocat|out of memory/i.test(message) ? 'INVALID_ARGUMENT' : 'INFERENCE_FAILED',
      `${what} failed in onnxruntime: ${message}`,
      { cause },
    );
  }
}
