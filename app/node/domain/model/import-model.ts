import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { type Arch, IMAGENET_PREPROCESSING, type ModelManifest } from '../../../common/manifest.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { sha256Hex } from '../../shared/hash.ts';
import { resolveLabels } from './resolve-labels.ts';
import { isKnownArch, manifestSpec, specForArch, type DenseNetSpec } from './spec.ts';
import type { WeightMap } from './tensor.ts';
import { loadWeightsFile } from './weights/import.ts';

export interface ImportRequest {
  file: string;
  /** densenet121|169|201|264, or undefined to infer the spec from the weights. */
  arch?: string;
  labels?: string;
  id?: string;
  name?: string;
  /** Input side in pixels; 224 unless the network was trained at another size. */
  inputSize?: number;
}

export interface LoadedWeights {
  manifest: ModelManifest;
  weights: WeightMap;
}

/** Reads a weights file (safetensors or .pth, any supported layout) into a manifest + validated weights, without installing it. */
export function loadForeignWeights(request: ImportRequest): LoadedWeights {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(request.file);
  } catch (cause) {
    throw new DenseRayError('FILE_NOT_FOUND', `cannot read weights file ${request.file}`, { cause });
  }
  const fileSha = sha256Hex(bytes);
  if (request.arch !== undefined && request.arch !== 'custom' && !isKnownArch(request.arch)) {
    throw new DenseRayError(
      'INVALID_ARGUMENT',
      `unknown --arch "${request.arch}" (densenet121, densenet169, densenet201, densenet264, custom)`,
    );
  }
  const loaded = loadWeightsFile(bytes, request.file);
  const spec = loaded.spec;
  if (request.arch !== undefined && isKnownArch(request.arch)) {
    const declared = specForArch(request.arch, spec.numClasses, spec.inChannels);
    if (JSON.stringify(declared.blockConfig) !== JSON.stringify(spec.blockConfig) || declared.growthRate !== spec.growthRate) {
      throw new DenseRayError(
        'WEIGHTS_MISMATCH',
        `${request.file} holds a DenseNet with blocks ${spec.blockConfig.join('/')} and growth ${spec.growthRate}, not ${request.arch}`,
      );
    }
  }
  const labels = resolveLabels(request.labels, spec.numClasses);
  const arch = archOf(spec);
  const id = request.id ?? `${arch}-${fileSha.slice(0, 8)}`;
  const manifest: ModelManifest = {
    schemaVersion: 1,
    id,
    name: request.name ?? `${basename(request.file)} (${arch})`,
    version: '1',
    arch,
    spec: manifestSpec(spec),
    labels,
    // 1-channel DenseNets are TorchXRayVision's: pixels scaled to [-1024, 1024], i.e. mean 0.5, std 1/2048.
    preprocessing: {
      ...(spec.inChannels === 1
        ? { ...IMAGENET_PREPROCESSING, channels: 1 as const, mean: [0.5], std: [1 / 2048] }
        : IMAGENET_PREPROCESSING),
      size: request.inputSize ?? IMAGENET_PREPROCESSING.size,
    },
    output: { activation: 'sigmoid' },
    thresholds: {},
    camLayer: 'features.norm5.relu',
    weights: { file: resolve(request.file), format: 'safetensors', sha256: fileSha },
    demo: false,
    provenance: {
      source: `imported from ${basename(request.file)} (${loaded.format}, ${loaded.layout})`,
      importedFrom: resolve(request.file),
      importedFromSha256: fileSha,
      createdAt: new Date().toISOString(),
      ...(loaded.outputIsProbability
        ? {
            notes:
              'The checkpoint head is Linear + Sigmoid; it is imported as its Linear layer and DenseRay applies the sigmoid, so probabilities are unchanged.',
          }
        : {}),
    },
  };
  return { manifest, weights: loaded.weights };
}

function archOf(spec: DenseNetSpec): Arch {
  for (const arch of ['densenet121', 'densenet169', 'densenet201', 'densenet264'] as const) {
    const s = specForArch(arch, spec.numClasses, spec.inChannels);
    if (
      JSON.stringify(s.blockConfig) === JSON.stringify(spec.blockConfig) &&
      s.growthRate === spec.growthRate &&
      s.numInitFeatures === spec.numInitFeatures &&
      s.bnSize === spec.bnSize &&
      JSON.stringify(manifestSpec(s)) === JSON.stringify(manifestSpec(spec))
    )
      return arch;
  }
  return 'custom';
}
