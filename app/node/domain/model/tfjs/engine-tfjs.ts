import { DenseRayError } from '../../../shared/errors.ts';
import type { InferenceBackend, InferenceOutput } from '../backend-types.ts';
import type { DenseNetSpec } from '../spec.ts';
import type { WeightTensor } from '../tensor.ts';
import { initTfjsBackend, type TfjsBackendName } from './backend.ts';
import { DenseNetTf } from './densenet.ts';

export interface TfjsBackendOptions {
  /** Which tfjs backend to try first; by default the fastest one available. */
  preferred?: TfjsBackendName;
}

/** The TensorFlow.js inference backend: the fallback when ONNX Runtime is unavailable. */
class TfjsInferenceBackend implements InferenceBackend {
  readonly name = 'tfjs' as const;
  readonly detail: string;
  readonly precision = 'fp32' as const;
  private model: DenseNetTf | undefined;

  constructor(
    model: DenseNetTf,
    tfBackend: string,
    private readonly inputSize: number,
  ) {
    this.model = model;
    this.detail = `tfjs-${tfBackend}`;
  }

  async run(input: Float32Array, batch: number): Promise<InferenceOutput> {
    const model = this.model;
    if (model === undefined) throw new DenseRayError('BACKEND_UNAVAILABLE', 'the tfjs backend was disposed');
    const shape: [number, number, number, number] = [batch, model.spec.inChannels, this.inputSize, this.inputSize];
    if (!Number.isInteger(batch) || batch < 1 || input.length !== batch * model.spec.inChannels * this.inputSize ** 2) {
      throw new DenseRayError(
        'INVALID_ARGUMENT',
        `expected ${JSON.stringify(shape)} (${shape.reduce((a, b) => a * b, 1)} values), got ${input.length} values`,
      );
    }
    try {
      return await model.run(input, shape);
    } catch (cause) {
      if (cause instanceof DenseRayError) throw cause;
      throw new DenseRayError('INFERENCE_FAILED', `tfjs forward pass failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
        cause,
      });
    }
  }

  async dispose(): Promise<void> {
    this.model?.dispose();
    this.model = undefined;
  }
}

/**
 * Loads `weights` into a tfjs DenseNet on the best available tfjs backend and runs one warm-up
 * pass, so the first real call pays neither kernel set-up nor weight upload.
 */
export async function createTfjsBackend(
  spec: DenseNetSpec,
  weights: ReadonlyMap<string, WeightTensor>,
  inputSize: number,
  options: TfjsBackendOptions = {},
): Promise<InferenceBackend> {
  let tfBackend: string;
  try {
    tfBackend = await initTfjsBackend(options.preferred);
  } catch (cause) {
    throw new DenseRayError('BACKEND_UNAVAILABLE', 'no TensorFlow.js backend could be initialised', { cause });
  }
  const model = DenseNetTf.fromWeights(spec, weights);
  const backend = new TfjsInferenceBackend(model, tfBackend, inputSize);
  try {
    await backend.run(new Float32Array(spec.inChannels * inputSize * inputSize), 1);
  } catch (cause) {
    await backend.dispose();
    throw cause;
  }
  return backend;
}
