import { describe, expect, it } from 'vitest';
import { api, type ApiEvent } from '../../app/common/contract/api.ts';
import { FINETUNE_PROGRESS_CHANNEL, FinetuneEvent } from '../../app/common/contract/finetune.ts';
import { createFinetuneHandlers } from '../../app/node/services/finetune/finetune-handlers.ts';
import { installTinyModel, tempDir, TINY_MODEL_ID, writeBrightnessDataset } from './fixtures.ts';

/** What the Fine-tune screen does: inspect, start, watch events, compare, activate. */
describe('finetune API handlers', () => {
  it('inspect → start → progress events → status → compare → activate', async () => {
    const dataDir = tempDir('ft-api');
    const models = installTinyModel(dataDir);
    const csv = writeBrightnessDataset(tempDir('ft-api-data'), 20, 3);
    const events: ApiEvent[] = [];
    let finished: () => void = () => {};
    const done = new Promise<void>((resolve) => (finished = resolve));
    const handlers = createFinetuneHandlers({
      dataDir,
      models,
      emit: (e) => {
        events.push(e);
        const parsed = FinetuneEvent.parse(e.payload);
        if (parsed.type === 'finished' || parsed.type === 'failed') finished();
      },
    });

    const summary = await handlers['finetune.inspect'](api['finetune.inspect'].request.parse({ data: csv }));
    expect(summary.images).toBe(40);
    expect(summary.split.train.images + summary.split.val.images + summary.split.test.images).toBe(40);

    const request = api['finetune.start'].request.parse({
      data: csv,
      parentId: TINY_MODEL_ID,
      mode: 'head',
      hyperParameters: { epochs: 4, learningRate: 0.05 },
    });
    const { jobId } = await handlers['finetune.start'](request);
    await done;
    expect(events.every((e) => e.channel === FINETUNE_PROGRESS_CHANNEL)).toBe(true);
    const types = events.map((e) => FinetuneEvent.parse(e.payload).type);
    expect(types[0]).toBe('prepared');
    expect(types.filter((t) => t === 'epoch')).toHaveLength(4);
    const status = api['finetune.status'].response.parse(await handlers['finetune.status']({ jobId }));
    expect(status.state).toBe('finished');
    const modelId = status.result!.modelId!;
    const comparison = api['finetune.compare'].response.parse(await handlers['finetune.compare']({ modelId }));
    expect(comparison).toMatchObject({ modelId, parentId: TINY_MODEL_ID, split: 'test' });
    expect(comparison.rows[0]).toMatchObject({ label: 'bright', parent: null });
    models.setActive(modelId); // what models.activate does
    expect(models.activeId()).toBe(modelId);
    await expect(handlers['finetune.cancel']({ jobId })).resolves.toEqual({ jobId, state: 'finished' });
  });
});
