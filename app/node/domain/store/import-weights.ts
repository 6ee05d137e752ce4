import { type ImportRequest, loadForeignWeights } from '../model/import-model.ts';
import type { InstalledModel, ModelStore } from './model-store.ts';

/** Imports a weights file into the model store (converted to safetensors) and returns the installed model. */
export function importModel(store: ModelStore, request: ImportRequest): InstalledModel {
  const { manifest, weights } = loadForeignWeights(request);
  const { weights: _ignored, ...rest } = manifest;
  return store.install(rest, weights);
}
