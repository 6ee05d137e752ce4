import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../../app/node/domain/engine/open-engine.ts';
import { runFinetune, type FinetuneOutcome } from '../../app/node/domain/finetune/run-finetune.ts';
import type { FinetuneEvent } from '../../app/common/contract/finetune.ts';
import { DEMO_MODEL_ID, ModelStore } from '../../app/node/domain/store/model-store.ts';
import { readSafetensors } from '../../app/node/domain/model/weights/safetensors.ts';
import { shared } from '../helpers/shared.ts';
import { tempDir } from './fixtures.ts';

/**
 * The end-to-end check on the shared toy task (Effusion vs No Finding, NIH labels, the given
 * patient-level split.csv) from the untrained demo DenseNet-121. With random backbone features the
 * AUROC means little (no pretrained weights exist on this machine), so this asserts that training
 * runs and learns (training loss falls) and that the installed model is exactly the trained one.
 */
describe('head mode on the shared toy task (DenseNet-121 demo parent)', () => {
  const dataDir = tempDir('ft-toy');
  const store = new ModelStore(dataDir);
  store.ensureDemo();
  const request = {
    data: shared('cxr', 'labels.csv'),
    images: shared('cxr', 'images256'),
    labels: ['Effusion'],
    keep: 'labelled-or-no-finding' as const,
    splitFile: shared('cxr', 'split.csv'),
    parentId: DEMO_MODEL_ID,
    mode: 'head' as const,
    hyperParameters: { epochs: 25, batchSize: 32, learningRate: 3e-3, seed: 1 },
  };
  let outcome: FinetuneOutcome;
  const events: FinetuneEvent[] = [];

  it('shows the split before training and the training loss falls', async () => {
    outcome = await runFinetune({ dataDir, request, onEvent: (e) => events.push(e) });
    const prepared = events.find((e) => e.type === 'prepared');
    expect(prepared?.type === 'prepared' && prepared.summary.split).toMatchObject({
      method: 'file',
      train: { images: 116, positives: { Effusion: 52 } },
      val: { images: 38, positives: { Effusion: 17 } },
      test: { images: 0 },
    });
    expect(events.findIndex((e) => e.type === 'prepared')).toBeLessThan(events.findIndex((e) => e.type === 'step'));
    const h = outcome.history;
    expect(h.length).toBeGreaterThan(1);
    const mean = (xs: typeof h): number => xs.reduce((a, r) => a + r.trainLoss, 0) / xs.length;
    expect(h.at(-1)!.trainLoss).toBeLessThan(h[0]!.trainLoss);
    expect(mean(h.slice(-3))).toBeLessThan(mean(h.slice(0, 3)));
    expect(outcome.metrics!.val.perLabel[0]!.auroc).not.toBeNull();
    // Effusion is one of the demo's own 14 labels: its head row started from the parent's.
    expect(outcome.model!.manifest.training!.headInitialisedFromParent).toEqual(['Effusion']);
    expect(outcome.metrics!.parent!.val!.perLabel[0]!.label).toBe('Effusion');
  });

  it('installs a model whose manifest, weights and card load back and predict like the in-memory model', async () => {
    const id = outcome.modelId!;
    const model = store.get(id);
    expect(model.manifest).toMatchObject({
      parent: DEMO_MODEL_ID,
      labels: ['Effusion'],
      demo: false,
      training: { mode: 'head', dataset: { images: 154 } },
    });
    expect(model.manifest.thresholds.Effusion).toBe(outcome.metrics!.val.perLabel[0]!.threshold);
    expect(readSafetensors(store.readWeights(model)).tensors.get('classifier.weight')!.shape).toEqual([1, 1024]);
    const card = readFileSync(join(model.dir, 'card.md'), 'utf8');
    expect(card).toContain('Fine-tuned by DenseRay');
    expect(card).toContain('untrained demo network');
    expect(existsSync(join(dataDir, 'finetune-jobs', outcome.jobId, 'checkpoints', 'best.safetensors'))).toBe(true);

    const engine = await openEngine({ dataDir, modelId: id, backend: 'onnx', threads: 2 });
    try {
      const { files, probabilities } = outcome.predictions;
      expect(files).toHaveLength(38);
      const results = await engine.classifyFiles(files);
      const fromEngine = results.map((r) => (r.ok ? r.prediction.probabilities.Effusion! : Number.NaN));
      const gaps = fromEngine.map((p, i) => Math.abs(p - probabilities[i]!));
      expect(Math.max(...gaps)).toBeLessThan(1e-5);
    } finally {
      await engine.runtime.dispose();
    }
  });

  it('a second run over the same data reuses every cached feature', async () => {
    const caching: FinetuneEvent[] = [];
    const again = await runFinetune({
      dataDir,
      request: { ...request, hyperParameters: { ...request.hyperParameters, epochs: 2 } },
      onEvent: (e) => e.type === 'caching' && caching.push(e),
    });
    const last = caching.at(-1);
    expect(last?.type === 'caching' && last.reused === last.total && last.total === 154).toBe(true);
    expect(again.modelId).not.toBe(outcome.modelId);
  });
});
