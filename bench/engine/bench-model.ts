import { IMAGENET_PREPROCESSING, type ModelManifest } from '../../app/common/manifest.ts';
import { shared } from '../../test/helpers/shared.ts';

/** The synthetic DenseNet-121 every engine bench runs (shared reference weights, 14 outputs). */
export const BENCH_WEIGHTS = shared('reference', 'densenet121-synthetic14.safetensors');

/** A manifest for BENCH_WEIGHTS, as an installed model would carry it. */
export const BENCH_MANIFEST: ModelManifest = {
  schemaVersion: 1,
  id: 'bench',
  name: 'bench',
  version: '1',
  arch: 'densenet121',
  spec: { growthRate: 32, blockConfig: [6, 12, 24, 16], numInitFeatures: 64, bnSize: 4, inChannels: 3 },
  labels: Array.from({ length: 14 }, (_, i) => `l${i}`),
  preprocessing: IMAGENET_PREPROCESSING,
  output: { activation: 'sigmoid' },
  thresholds: {},
  camLayer: 'features.norm5.relu',
  weights: { file: BENCH_WEIGHTS, format: 'safetensors', sha256: '0'.repeat(64) },
  demo: false,
  provenance: { source: 'bench', createdAt: '2026-01-01T00:00:00.000Z' },
};
