import { basename } from 'node:path';
import type { ModelMetrics, TrainingRecord } from '../../../common/contract/finetune.ts';
import type { ModelManifest } from '../../../common/manifest.ts';
import type { InstalledModel, ModelStore } from '../store/model-store.ts';
import type { WeightMap } from '../model/tensor.ts';
import { finetuneCardNotes } from './card-notes.ts';

export interface FinetunedModel {
  id: string;
  name?: string | undefined;
  parent: ModelManifest;
  labels: string[];
  thresholds: number[];
  weights: WeightMap;
  training: TrainingRecord;
  metrics: ModelMetrics;
}

/** Installs the fine-tuned network as a new model version (weights, manifest with parent and training record, card). */
export function installFinetuned(store: ModelStore, m: FinetunedModel): InstalledModel {
  const { parent, training } = m;
  const manifest: Omit<ModelManifest, 'weights'> = {
    schemaVersion: 1,
    id: m.id,
    name: m.name ?? defaultName(parent, training),
    version: '1',
    arch: parent.arch,
    spec: parent.spec,
    labels: m.labels,
    preprocessing: parent.preprocessing,
    output: parent.output,
    thresholds: Object.fromEntries(m.labels.map((l, k) => [l, clamp01(m.thresholds[k]!)])),
    camLayer: parent.camLayer,
    // Trained, so not the demo; the card says plainly when the parent was the untrained demo.
    demo: false,
    provenance: {
      source: `DenseRay fine-tune (${training.mode}) of ${parent.id} (weights ${parent.weights.sha256.slice(0, 12)}) on ${training.dataset.source}`,
      createdAt: training.finishedAt,
      notes: finetuneCardNotes(parent, training, m.metrics),
    },
    parent: parent.id,
    training,
    metrics: m.metrics,
  };
  return store.install(manifest, m.weights);
}

/** "<parent> — fine-tuned (mode) on <data>", or "<network> — trained from scratch on <data>" when every layer trained from an untrained start. */
function defaultName(parent: ModelManifest, training: TrainingRecord): string {
  const data = basename(training.dataset.source);
  if (!(parent.demo && training.mode === 'full')) return `${parent.name} — fine-tuned (${training.mode}) on ${data}`;
  const untrained = ' — untrained';
  const network = parent.name.endsWith(untrained) ? parent.name.slice(0, -untrained.length) : parent.arch;
  return `${network} — trained from scratch on ${data}`;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** `<parent>-ft-<mode>-<yyyymmdd-hhmmss>`, within the manifest's 80-character id limit. */
export function defaultModelId(parentId: string, mode: string, when: Date): string {
  const stamp = when.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const suffix = `-ft-${mode}-${stamp}`;
  return `${parentId.slice(0, 80 - suffix.length)}${suffix}`;
}
