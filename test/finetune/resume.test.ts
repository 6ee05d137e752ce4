import { describe, expect, it } from 'vitest';
import { findLearningRate } from '../../app/node/domain/finetune/find-lr.ts';
import { runFinetune } from '../../app/node/domain/finetune/run-finetune.ts';
import { readJobRecord } from '../../app/node/domain/finetune/job-record.ts';
import { installTinyModel, tempDir, TINY_MODEL_ID, writeBrightnessDataset } from './fixtures.ts';

describe('cancel, resume and the learning-rate range test (tiny net, head mode)', () => {
  const dataDir = tempDir('ft-resume');
  installTinyModel(dataDir);
  const csv = writeBrightnessDataset(tempDir('ft-resume-data'), 30, 11);
  const request = {
    data: csv,
    parentId: TINY_MODEL_ID,
    mode: 'head' as const,
    seed: 5,
    hyperParameters: { epochs: 5, batchSize: 8, learningRate: 0.02, patience: 100 },
  };

  it('cancel keeps the best epoch as a model; resume continues from the last checkpoint exactly as an uninterrupted run', async () => {
    const straight = await runFinetune({ dataDir, request });

    const controller = new AbortController();
    const cancelled = await runFinetune({
      dataDir,
      request,
      signal: controller.signal,
      onEvent: (e) => e.type === 'epoch' && e.record.epoch === 2 && controller.abort(),
    });
    expect(cancelled.stoppedBy).toBe('cancelled');
    expect(cancelled.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(cancelled.modelId).not.toBeNull();
    expect(cancelled.model!.manifest.training!.stoppedBy).toBe('cancelled');
    expect(readJobRecord(dataDir, cancelled.jobId).state).toBe('cancelled');

    const resumed = await runFinetune({ dataDir, resumeJobId: cancelled.jobId });
    expect(resumed.stoppedBy).toBe('epochs');
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(resumed.modelId).not.toBe(cancelled.modelId);
    // Seeded shuffles + restored Adam moments: the same numbers as never stopping.
    resumed.history.forEach((h, i) => expect(h.trainLoss).toBeCloseTo(straight.history[i]!.trainLoss, 5));
    expect(readJobRecord(dataDir, cancelled.jobId).state).toBe('finished');
  });

  it('the range test returns a loss curve over rising rates and a suggestion inside it', async () => {
    const lr = await findLearningRate({ dataDir, request, steps: 40 });
    expect(lr.points.length).toBeGreaterThan(10);
    for (let i = 1; i < lr.points.length; i++) expect(lr.points[i]!.learningRate).toBeGreaterThan(lr.points[i - 1]!.learningRate);
    expect(lr.suggested).not.toBeNull();
    expect(lr.suggested!).toBeGreaterThanOrEqual(lr.points[0]!.learningRate);
    expect(lr.suggested!).toBeLessThanOrEqual(lr.points.at(-1)!.learningRate);
  });
});
