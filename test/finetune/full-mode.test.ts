import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FinetuneEvent } from '../../app/common/contract/finetune.ts';
import { openEngine } from '../../app/node/domain/engine/open-engine.ts';
import { runFinetune } from '../../app/node/domain/finetune/run-finetune.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { DEMO_MODEL_ID, ModelStore } from '../../app/node/domain/store/model-store.ts';
import { createModel } from '../../app/node/services/models/create-model.ts';
import { shared } from '../helpers/shared.ts';
import { tempDir } from './fixtures.ts';

const nih = {
  data: shared('cxr', 'labels.csv'),
  images: shared('cxr', 'images256'),
  labels: ['Effusion'],
  keep: 'labelled-or-no-finding' as const,
  splitFile: shared('cxr', 'split.csv'),
};

/**
 * `full` mode end to end on the onnxruntime path: a DenseNet-BC made by `models create` trained from
 * scratch on the shared NIH films at 64², then classifying with CAMs exactly as it predicted in training.
 */
describe('training a created DenseNet-BC from scratch (full mode, onnxruntime)', () => {
  const dataDir = tempDir('ft-scratch');
  const created = createModel(dataDir, { arch: 'densenet-bc', depth: 16, growthRate: 6, labels: ['Effusion'], inputSize: 64, seed: 3 });
  const events: FinetuneEvent[] = [];

  it('learns (training loss falls), installs a model whose card names the engine, and classifies with CAMs as it predicted', async () => {
    const outcome = await runFinetune({
      dataDir,
      request: {
        ...nih,
        parentId: created.manifest.id,
        mode: 'full',
        hyperParameters: { epochs: 4, batchSize: 16, learningRate: 3e-3, seed: 1, patience: 100 },
      },
      onEvent: (e) => events.push(e),
    });
    const plan = events.find((e) => e.type === 'plan');
    expect(plan?.type === 'plan' && plan.plan).toMatchObject({ engine: 'onnxruntime', batchSize: 16, microBatch: 16 });
    const h = outcome.history;
    expect(h).toHaveLength(4);
    expect(h.at(-1)!.trainLoss).toBeLessThan(h[0]!.trainLoss);

    const store = new ModelStore(dataDir);
    const model = store.get(outcome.modelId!);
    expect(model.manifest).toMatchObject({
      arch: 'densenet-bc',
      demo: false,
      parent: created.manifest.id,
      training: { mode: 'full', trainingPlan: { engine: 'onnxruntime' } },
    });
    expect(model.manifest.training!.trainedParameters.count).toBe(created.parameters);
    const card = readFileSync(join(model.dir, 'card.md'), 'utf8');
    expect(card).toContain('Trained on onnxruntime (onnxruntime-node');
    expect(card).toContain('Trained from scratch');
    // Every parameter trained: the stem's filters moved.
    const before = readSafetensors(store.readWeights(store.get(created.manifest.id))).tensors.get('features.conv0.weight')!.data;
    const after = readSafetensors(store.readWeights(model)).tensors.get('features.conv0.weight')!.data;
    expect(after.some((v, i) => v !== before[i])).toBe(true);

    const engine = await openEngine({ dataDir, modelId: model.manifest.id, backend: 'onnx', threads: 2 });
    try {
      const { files, probabilities } = outcome.predictions;
      const results = await engine.classifyFiles(files.slice(0, 8), { cams: true });
      // The input guard judges the film at its own size, not the model's 64 px: real films pass.
      expect(results.filter((r) => r.ok && r.prediction.guard.suspect).length).toBeLessThanOrEqual(1);
      results.forEach((r, i) => {
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(Math.abs(r.prediction.probabilities.Effusion! - probabilities[i]!)).toBeLessThan(1e-5);
        // CIFAR stem, two transitions: 64 → 16 cells a side; a CAM's spatial mean is its logit.
        const cam = r.prediction.cams!;
        expect([cam.width, cam.height]).toEqual([16, 16]);
        const mean = cam.data.reduce((a, b) => a + b, 0) / cam.data.length;
        expect(Math.abs(mean - r.prediction.logits[0]!)).toBeLessThan(1e-4);
      });
    } finally {
      await engine.runtime.dispose();
    }
  });
});

/** The batch-8 check: one full-network step of DenseNet-121 at 224² on the onnxruntime path, installed and loadable. */
describe('DenseNet-121, full mode, batch 8: one step', () => {
  it('trains every layer in one step without running out of memory, and installs the result', async () => {
    const dataDir = tempDir('ft-d121-full');
    const store = new ModelStore(dataDir);
    store.ensureDemo();
    const work = tempDir('ft-d121-data');
    const films = readdirSync(shared('cxr', 'images256'))
      .filter((f) => f.endsWith('.png'))
      .slice(0, 10);
    const rows = films.map((f, i) => `${shared('cxr', 'images256', f)},P${i},${i % 2},${i < 8 ? 'train' : 'val'}`);
    writeFileSync(join(work, 'labels.csv'), `image,patient_id,Effusion,split\n${rows.join('\n')}\n`);
    const events: FinetuneEvent[] = [];
    const outcome = await runFinetune({
      dataDir,
      request: {
        data: join(work, 'labels.csv'),
        parentId: DEMO_MODEL_ID,
        mode: 'full',
        hyperParameters: { epochs: 1, batchSize: 8, learningRate: 1e-4 },
      },
      onEvent: (e) => events.push(e),
    });
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(1);
    expect(steps[0]!.type === 'step' && Number.isFinite(steps[0]!.loss)).toBe(true);
    const model = store.get(outcome.modelId!);
    expect(model.manifest.training!.trainingPlan).toMatchObject({ engine: 'onnxruntime', batchSize: 8 });
    expect(model.manifest.training!.trainedParameters.count).toBe(6_954_881);
    const parent = readSafetensors(store.readWeights(store.get(DEMO_MODEL_ID))).tensors.get('features.conv0.weight')!.data;
    const trained = readSafetensors(store.readWeights(model)).tensors.get('features.conv0.weight')!.data;
    expect(trained.some((v, i) => v !== parent[i])).toBe(true);
  });
});
