import { readFileSync } from 'node:fs';
import { readNpy, type NpyArray } from './npy.ts';
import { shared } from './shared.ts';
import { inferSpec, type DenseNetSpec } from '../../app/node/domain/model/spec.ts';
import type { WeightMap } from '../../app/node/domain/model/tensor.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';

/** Test-only access to ../shared/data/reference: the synthetic models and PyTorch's outputs for them. */

export type ReferenceModel = 'tiny' | 'densenet121-synthetic14';

const FILES: Record<ReferenceModel, { file: string; inputSize: number }> = {
  tiny: { file: 'tiny-densenet.safetensors', inputSize: 64 },
  'densenet121-synthetic14': { file: 'densenet121-synthetic14.safetensors', inputSize: 224 },
};

export interface LoadedReferenceModel {
  spec: DenseNetSpec;
  weights: WeightMap;
  inputSize: number;
}

export function loadReferenceModel(model: ReferenceModel): LoadedReferenceModel {
  const { file, inputSize } = FILES[model];
  const weights = readSafetensors(readFileSync(shared('reference', file)), file).tensors;
  const spec = inferSpec(weights);
  if (spec === undefined) throw new Error(`${file}: cannot infer a DenseNet spec`);
  return { spec, weights, inputSize };
}

export interface ReferenceCase {
  input: NpyArray;
  logits: NpyArray;
  probs: NpyArray;
  features: NpyArray;
}

export function loadReferenceCase(model: ReferenceModel, name: string): ReferenceCase {
  const item = (what: string): NpyArray => readNpy(shared('reference', 'refs', `${model}.${name}.${what}.npy`));
  return { input: item('input'), logits: item('logits'), probs: item('probs'), features: item('features') };
}

export function sigmoid(logits: Float32Array): Float32Array {
  return logits.map((z) => 1 / (1 + Math.exp(-z)));
}
