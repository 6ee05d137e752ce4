import type { BackendChoice } from '../../../common/contract/classify.ts';
import { InputGuard } from '../guard/input-guard.ts';
import { loadForeignWeights } from '../model/import-model.ts';
import { ModelRuntime } from '../model/model-runtime.ts';
import { ModelStore } from '../store/model-store.ts';
import { readSafetensors } from '../model/weights/safetensors.ts';
import { projectFile } from '../../shared/project-files.ts';
import { Engine } from './engine.ts';
import { PreparePool } from './prepare-pool.ts';

/** The shipped reference statistics of real chest X-rays for the input guard. */
export const DEFAULT_GUARD_REFERENCE = projectFile('models', 'guard', 'cxr-descriptor-v1.json');

export interface OpenEngineOptions {
  dataDir: string;
  /** An installed model id; the store's active model (or the demo) when absent. */
  modelId?: string;
  /** Use this weights file directly, without installing it. */
  weightsFile?: string;
  arch?: string;
  labels?: string;
  inputSize?: number;
  backend?: BackendChoice;
  threads?: number;
  guardReference?: string;
}

/** The composition root of the engine: model from the store or a file, backend, input guard. */
export async function openEngine(options: OpenEngineOptions): Promise<Engine> {
  // Decoding threads start loading while the model loads; they are ready when the first file is.
  const pool = new PreparePool(PreparePool.sizeFor(options.threads));
  pool.warm();
  const runtimeOptions = { backend: options.backend ?? 'auto', ...(options.threads ? { threads: options.threads } : {}) } as const;
  let runtime: ModelRuntime;
  if (options.weightsFile) {
    const { manifest, weights } = loadForeignWeights({
      file: options.weightsFile,
      ...(options.arch ? { arch: options.arch } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.inputSize ? { inputSize: options.inputSize } : {}),
    });
    runtime = await ModelRuntime.create(manifest, weights, runtimeOptions);
  } else {
    const store = new ModelStore(options.dataDir);
    const model = store.get(options.modelId ?? store.activeId());
    const { tensors } = readSafetensors(store.readWeights(model), model.manifest.weights.file);
    const int8 = store.readInt8Calibration(model);
    runtime = await ModelRuntime.create(model.manifest, tensors, { ...runtimeOptions, ...(int8 ? { int8 } : {}) });
  }
  return new Engine(runtime, InputGuard.fromFile(options.guardReference ?? DEFAULT_GUARD_REFERENCE), { pool });
}
