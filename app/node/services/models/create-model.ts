import { CreateModelRequest, type CreateModelResult } from '../../../common/contract/create-model.ts';
import { IMAGENET_PREPROCESSING, type ModelManifest, type Preprocessing } from '../../../common/manifest.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { seededDenseNetWeights } from '../../domain/model/demo-weights.ts';
import { specFromRecipe } from '../../domain/model/family-recipe.ts';
import { depthOf, familyOf, familyTitle, parameterCount, specSummary } from '../../domain/model/spec.ts';
import { ModelStore } from '../../domain/store/model-store.ts';

/**
 * A new DenseNet of the paper's family, randomly initialised the way torchvision initialises one
 * (seeded), installed untrained: `demo: true`, so every surface says its outputs mean nothing until
 * it is trained (`denseray finetune --model <id> --mode full`).
 */
export function createModel(dataDir: string, request: CreateModelRequest): CreateModelResult {
  const parsed = CreateModelRequest.safeParse(request);
  if (!parsed.success) {
    throw new DenseRayError(
      'INVALID_ARGUMENT',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '),
    );
  }
  const r = parsed.data;
  if (new Set(r.labels).size !== r.labels.length) throw new DenseRayError('INVALID_ARGUMENT', 'labels must be unique');
  const spec = specFromRecipe(r);
  const store = new ModelStore(dataDir);
  const architecture = specSummary(spec);
  const family = familyOf(spec);
  const id = r.id ?? uniqueId(store, `${family}-l${depthOf(spec)}-k${spec.growthRate}-${r.inputSize}px-seed${r.seed}`);
  if (store.has(id)) throw new DenseRayError('INVALID_ARGUMENT', `a model with id "${id}" is already installed`);
  const preprocessing: Preprocessing =
    r.channels === 3
      ? { ...IMAGENET_PREPROCESSING, size: r.inputSize }
      : // One grayscale channel scaled to [-2, 2]: a from-scratch net has no ImageNet statistics to match.
        { ...IMAGENET_PREPROCESSING, size: r.inputSize, channels: 1, mean: [0.5], std: [0.25] };
  const { numClasses: _, ...manifestSpec } = spec;
  const manifest: Omit<ModelManifest, 'weights'> = {
    schemaVersion: 1,
    id,
    name: r.name ?? `${familyTitle(spec)} (L=${depthOf(spec)}, k=${spec.growthRate}), ${r.inputSize} px — untrained`,
    version: '1',
    arch: family,
    spec: { ...manifestSpec, inChannels: r.channels },
    labels: [...r.labels],
    preprocessing,
    output: { activation: 'sigmoid' },
    thresholds: {},
    camLayer: 'features.norm5.relu',
    demo: true,
    provenance: {
      source: `DenseRay models create: ${architecture}; torchvision-style random initialisation, seed ${r.seed}. Never trained.`,
      createdAt: new Date().toISOString(),
      notes: `Untrained: its outputs are random and mean nothing. Train it from scratch with \`denseray finetune --model ${id} --mode full\` on labelled images at ${r.inputSize} px.`,
    },
  };
  const installed = store.install(manifest, seededDenseNetWeights(spec, r.seed));
  if (r.activate) store.setActive(id);
  return { manifest: installed.manifest, parameters: parameterCount(spec, { includeRunningStats: false }), architecture };
}

function uniqueId(store: ModelStore, base: string): string {
  let id = base.slice(0, 80);
  for (let k = 2; store.has(id); k++) id = `${base.slice(0, 80 - String(k).length - 2)}-r${k}`;
  return id;
}
