// End-to-end parity: PNG file → DenseRay engine (decode, preprocess, network, sigmoid, CAM) vs the
// PyTorch reference outputs in ../shared/data/reference, on both backends, for DenseNet-121 and for
// the tiny net loaded from each of its six files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Engine } from '../app/node/domain/engine/engine.ts';
import { openEngine } from '../app/node/domain/engine/open-engine.ts';
import { maxAbsDiff, range, readNpy } from './helpers/npy.ts';
import { shared } from './helpers/shared.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'denseray-parity-'));
const tinyLabels = join(dataDir, 'tiny-labels.json');
writeFileSync(tinyLabels, JSON.stringify(['a', 'b', 'c']));
const ref = (name: string) => readNpy(shared('reference', 'refs', `${name}.npy`));
const engines: Engine[] = [];
afterAll(async () => {
  for (const e of engines) await e.runtime.dispose();
});

async function engineFor(file: string, backend: 'onnx' | 'tfjs', tiny: boolean): Promise<Engine> {
  const engine = await openEngine({
    dataDir,
    backend,
    weightsFile: shared('reference', file),
    ...(tiny ? { labels: tinyLabels, inputSize: 64 } : {}),
  });
  engines.push(engine);
  return engine;
}

const IMAGES = ['00000284_000', '00000574_000', '00012942_000', '00005224_000'];

describe.each(['onnx', 'tfjs'] as const)('DenseNet-121 from PNG files, %s backend', (backend) => {
  it('probabilities within 2e-3 and CAMs within 1e-3 of range of PyTorch, batch of 4', async () => {
    const engine = await engineFor('densenet121-synthetic14.safetensors', backend, false);
    const results = await engine.classifyFiles(
      IMAGES.map((s) => shared('reference', 'inputs', `${s}.png`)),
      { cams: true, features: true, batchSize: 4 },
    );
    const features = ref('densenet121-synthetic14.batch.features').data;
    const probs = ref('densenet121-synthetic14.batch.probs').data;
    const cams = ref('densenet121-synthetic14.batch.cam').data;
    const labels = engine.model.labels;
    results.forEach((r, i) => {
      if (!r.ok) throw new Error(`${r.file}: ${r.error.message}`);
      const got = labels.map((l) => r.prediction.probabilities[l]!);
      expect(maxAbsDiff(got, probs.subarray(i * 14, (i + 1) * 14))).toBeLessThan(2e-3);
      const expected = cams.subarray(i * 14 * 49, (i + 1) * 14 * 49);
      expect(maxAbsDiff(r.prediction.cams!.data, expected) / range(expected)).toBeLessThan(1e-3);
      expect(r.prediction.features).toMatchObject({ channels: 1024, height: 7, width: 7 });
      const f = features.subarray(i * 1024 * 49, (i + 1) * 1024 * 49);
      expect(maxAbsDiff(r.prediction.features!.data, f) / range(f)).toBeLessThan(1e-3);
    });
  });
});

describe.each([
  'tiny-densenet.safetensors',
  'tiny-densenet.pth',
  'tiny-densenet-legacy.pth',
  'tiny-densenet-module.pth',
  'tiny-chexnet-jrzech-style.pth',
  'tiny-chexnet-arnoweng-style.pth.tar',
])('tiny net from %s', (file) => {
  it.each(['onnx', 'tfjs'] as const)('%s: PNG → probabilities within 2e-3 of PyTorch', async (backend) => {
    const engine = await engineFor(file, backend, true);
    const [r] = await engine.classifyFiles([shared('reference', 'inputs', '00000284_000.png')], { cams: true });
    if (!r?.ok) throw new Error(`classification failed: ${JSON.stringify(r)}`);
    const got = ['a', 'b', 'c'].map((l) => r.prediction.probabilities[l]!);
    expect(maxAbsDiff(got, ref('tiny.00000284_000.probs').data)).toBeLessThan(2e-3);
    const cam = ref('tiny.00000284_000.cam').data;
    expect(maxAbsDiff(r.prediction.cams!.data, cam) / range(cam)).toBeLessThan(1e-3);
  });
});
