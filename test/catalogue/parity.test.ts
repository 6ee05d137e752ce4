// Each catalogue entry, imported from a tiny network saved in that entry's file layout, gives the
// numbers its publisher's Python code gives (preprocessing, network, sigmoid, calibration) within 2e-3.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installCatalogueFile } from '../../app/node/domain/catalogue/install-catalogue-file.ts';
import { PinRecord } from '../../app/node/domain/catalogue/pins.ts';
import { openEngine } from '../../app/node/domain/engine/open-engine.ts';
import { ModelStore } from '../../app/node/domain/store/model-store.ts';
import { expected, fixtureDir, imagePath, tinyCatalogue } from './fixtures.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'denseray-catalogue-parity-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const { catalogue } = tinyCatalogue();
const images = Object.keys(expected.images);
const cases = catalogue.models.flatMap((e) => expected.files[e.family].map((file) => [e.name, file] as const));

describe('catalogue entries against their families’ PyTorch outputs', () => {
  it.each(cases)('%s from %s', async (name, file) => {
    const store = new ModelStore(join(dataDir, `${name}-${file}`));
    const installed = installCatalogueFile({
      store,
      catalogue,
      pins: new PinRecord(store.dataDir),
      file: join(fixtureDir, file),
      as: name,
    });
    expect(installed.model.manifest.id).toBe(name);
    const engine = await openEngine({ dataDir: store.dataDir, modelId: name, backend: 'onnx', threads: 1 });
    try {
      const results = await engine.classifyFiles(images.map(imagePath), { batchSize: images.length });
      results.forEach((r, i) => {
        if (!r.ok) throw new Error(`${r.file}: ${r.error.message}`);
        const want = expected.outputs[`${name}/${images[i]}`]!;
        expect(engine.model.labels).toEqual(want.labels);
        const got = want.labels.map((l) => r.prediction.probabilities[l]!);
        const worst = Math.max(...got.map((g, k) => Math.abs(g - want.values[k]!)));
        expect(worst, `${images[i]}`).toBeLessThan(2e-3);
      });
    } finally {
      await engine.runtime.dispose();
    }
  });
});
