import type { ModelInfo, BackendChoice } from '../../../common/contract/classify.ts';
import { modelIdentity, thresholdsOf, type ModelManifest } from '../../../common/manifest.ts';
import { opNorm } from './op-norm.ts';
import type { InferenceBackend } from './backend-types.ts';
import { get } from './batchnorm.ts';
import { createInferenceBackend } from './backend-select.ts';
import type { Int8Calibration } from './onnx/quantize/int8-calibration.ts';
import type { DenseNetSpec } from './spec.ts';
import type { WeightMap } from './tensor.ts';
import { assertWeightsMatchSpec } from './weights/keymap.ts';

/** A model ready to run: its manifest, a live backend, and the classifier weights CAMs need. */
export class ModelRuntime {
  private constructor(
    readonly manifest: ModelManifest,
    readonly backend: InferenceBackend,
    readonly classifierWeight: Float32Array,
    readonly classifierBias: Float32Array,
    /** Per-label thresholds in label order. */
    readonly thresholds: number[],
  ) {}

  static async create(
    manifest: ModelManifest,
    weights: WeightMap,
    options: { backend: BackendChoice; threads?: number; int8?: Int8Calibration },
  ): Promise<ModelRuntime> {
    const spec: DenseNetSpec = { ...manifest.spec, numClasses: manifest.labels.length };
    assertWeightsMatchSpec(weights, spec);
    const backend = await createInferenceBackend({
      choice: options.backend,
      spec,
      weights,
      inputSize: manifest.preprocessing.size,
      ...(options.threads ? { threads: options.threads } : {}),
      ...(options.int8 ? { int8: options.int8 } : {}),
    });
    const thresholds = thresholdsOf(manifest);
    return new ModelRuntime(manifest, backend, get(weights, 'classifier.weight'), get(weights, 'classifier.bias'), thresholds);
  }

  get info(): ModelInfo {
    return {
      ...modelIdentity(this.manifest),
      backend: this.backend.name,
      backendDetail: this.backend.detail,
      precision: this.backend.precision,
    };
  }

  /** sigmoid(logit), then the manifest's declared calibration of output `index` (TorchXRayVision's op_norm). */
  toProbability(logit: number, index?: number): number {
    const p = 1 / (1 + Math.exp(-logit));
    const calibration = this.manifest.output.calibration;
    const threshold = index === undefined ? undefined : calibration?.opThresholds[index];
    return threshold === undefined ? p : opNorm(p, threshold);
  }

  dispose(): Promise<void> {
    return this.backend.dispose();
  }
}
