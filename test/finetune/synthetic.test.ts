import { describe, expect, it } from 'vitest';
import { runFinetune } from '../../app/node/domain/finetune/run-finetune.ts';
import { liveTensors } from '../../app/node/domain/finetune/run-finetune.ts';
import { installTinyModel, tempDir, TINY_MODEL_ID, writeBrightnessDataset } from './fixtures.ts';

/**
 * The known-answer check: brightness decides the label, so even a random tiny DenseNet's
 * features separate the classes and both cached modes must reach near-perfect validation AUROC.
 */
describe('fine-tuning a tiny DenseNet on a problem with a known answer', () => {
  const dataDir = tempDir('ft-synth');
  installTinyModel(dataDir);
  const csv = writeBrightnessDataset(tempDir('ft-synth-data'), 40);

  it.each([
    ['head', 'onnxruntime', { epochs: 40, batchSize: 16, learningRate: 0.05 }],
    ['last-block', 'onnxruntime', { epochs: 15, batchSize: 16, learningRate: 0.01 }],
    ['last-block', 'tfjs', { epochs: 15, batchSize: 16, learningRate: 0.01 }],
  ] as const)('%s mode on %s reaches near-perfect validation AUROC, without leaking tensors across epochs', async (mode, engine, hp) => {
    const tensorsAfterEpoch: number[] = [];
    const outcome = await runFinetune({
      dataDir,
      request: {
        data: csv,
        parentId: TINY_MODEL_ID,
        mode,
        engine,
        valFraction: 0.2,
        testFraction: 0.2,
        seed: 3,
        hyperParameters: { ...hp, patience: 100 },
      },
      onEvent: (e) => {
        if (e.type === 'epoch') tensorsAfterEpoch.push(liveTensors());
      },
    });
    expect(outcome.modelId).not.toBeNull();
    expect(outcome.metrics!.val.meanAuroc).toBeGreaterThanOrEqual(0.95);
    expect(outcome.metrics!.test!.meanAuroc).toBeGreaterThanOrEqual(0.9);
    expect(outcome.history.at(-1)!.trainLoss).toBeLessThan(outcome.history[0]!.trainLoss);
    // Same number of live tensors after every epoch: nothing accumulates.
    expect(new Set(tensorsAfterEpoch.slice(1)).size).toBe(1);
    const m = outcome.model!.manifest;
    expect(m.parent).toBe(TINY_MODEL_ID);
    expect(m.labels).toEqual(['bright']);
    expect(m.training!.mode).toBe(mode);
    expect(m.training!.trainingPlan!.engine).toBe(engine);
    expect(m.training!.headInitialisedFromParent).toEqual([]);
    expect(m.metrics!.parent).toBeNull();
  });
});
