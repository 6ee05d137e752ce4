import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { IMAGENET_PREPROCESSING } from '../../app/common/manifest.ts';
import { ModelStore } from '../../app/node/domain/store/model-store.ts';
import { SeededRandom } from '../../app/node/domain/model/seeded-random.ts';
import { inferSpec } from '../../app/node/domain/model/spec.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { shared } from '../helpers/shared.ts';

export const TINY_MODEL_ID = 'tiny-reference';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `denseray-${prefix}-`));
}

/** Installs the tiny reference DenseNet (growth 4, blocks 2-2-2-2, 64 px; random weights) as a model. */
export function installTinyModel(dataDir: string): ModelStore {
  const store = new ModelStore(dataDir);
  const weights = readSafetensors(readFileSync(shared('reference', 'tiny-densenet.safetensors'))).tensors;
  const spec = inferSpec(weights)!;
  store.install(
    {
      schemaVersion: 1,
      id: TINY_MODEL_ID,
      name: 'tiny reference DenseNet (random weights)',
      version: '1',
      arch: 'custom',
      spec: {
        growthRate: spec.growthRate,
        blockConfig: spec.blockConfig,
        numInitFeatures: spec.numInitFeatures,
        bnSize: spec.bnSize,
        inChannels: 3,
      },
      labels: ['a', 'b', 'c'],
      preprocessing: { ...IMAGENET_PREPROCESSING, size: 64 },
      output: { activation: 'sigmoid' },
      thresholds: {},
      camLayer: 'features.norm5.relu',
      demo: false,
      provenance: { source: 'test fixture: ../shared/data/reference/tiny-densenet.safetensors', createdAt: new Date(0).toISOString() },
    },
    weights,
  );
  return store;
}

/**
 * A problem with a known answer: 64×64 noise images whose overall brightness decides the label
 * `bright` (mean 0.62 vs 0.38, per-pixel noise ±0.2). Two images per patient, so a leaky split
 * would be visible. Writes PNGs and `labels.csv` (image, patient, bright); returns the CSV path.
 */
export function writeBrightnessDataset(dir: string, patients: number, seed = 7): string {
  const random = new SeededRandom(seed);
  mkdirSync(join(dir, 'img'), { recursive: true });
  const rows = ['image,patient_id,bright'];
  for (let p = 0; p < patients; p++) {
    const bright = p % 2;
    for (let v = 0; v < 2; v++) {
      const png = new PNG({ width: 64, height: 64, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
      const base = bright ? 0.62 : 0.38;
      for (let i = 0; i < 64 * 64; i++) png.data[i] = Math.round(255 * Math.min(1, Math.max(0, base + (random.uniform() - 0.5) * 0.4)));
      const name = `img/p${p}_${v}.png`;
      writeFileSync(join(dir, name), PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false }));
      rows.push(`${name},P${p},${bright}`);
    }
  }
  const csv = join(dir, 'labels.csv');
  writeFileSync(csv, `${rows.join('\n')}\n`);
  return csv;
}
