import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shared } from '../../../../test/helpers/shared.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { EngineClient, forkEngineTransport, type EngineTransport } from './engine-client.ts';
import { openEngine } from './open-engine.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'denseray-engine-proc-'));
const images = ['00000284_000', '00000574_000'].map((s) => shared('reference', 'inputs', `${s}.png`));

describe('engine in its own process', () => {
  let transport: EngineTransport | undefined;
  const client = new EngineClient(() => (transport = forkEngineTransport()));
  afterAll(() => client.close());

  it('opens the demo model, streams results with typed-array CAMs, and equals the in-process engine', async () => {
    const info = await client.open({ dataDir, backend: 'onnx' });
    expect(info.demo).toBe(true);
    expect(info.backend).toBe('onnx');
    const streamed: number[] = [];
    const { results } = await client.classify([...images, join(dataDir, 'missing.png')], {
      cams: true,
      onResult: (_r, i) => streamed.push(i),
    });
    expect(streamed.sort()).toEqual([0, 1, 2]);
    expect(results[2]).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } });
    const first = results[0]!;
    if (!first.ok) throw new Error(first.error.message);
    expect(first.prediction.cams!.data).toBeInstanceOf(Float32Array);

    const local = await openEngine({ dataDir, backend: 'onnx' });
    const [expected] = await local.classifyFiles([images[0]!], { cams: true });
    await local.runtime.dispose();
    if (!expected?.ok) throw new Error('local run failed');
    for (const [label, p] of Object.entries(expected.prediction.probabilities))
      expect(first.prediction.probabilities[label]).toBeCloseTo(p, 5);
  });

  it('fails in-flight requests with a coded error when the process dies, then restarts and reopens the model', async () => {
    const pending = client.classify(images);
    transport!.kill();
    await expect(pending).rejects.toSatisfy((e: unknown) => e instanceof DenseRayError && e.code === 'INTERNAL');
    const { results } = await client.classify([images[0]!]);
    expect(results[0]!.ok).toBe(true);
    expect(client.restarts).toBe(1);
  });

  it('cancels a running classify by the id it was sent under, keeping the results so far', async () => {
    // 40 files = 5 batches of 8; the cancel (sent at the first result) lands within a batch or two.
    const many = Array.from({ length: 20 }, () => images).flat();
    let engineId: number | undefined;
    const pending = client.classify(many, {
      onRequestId: (id) => (engineId = id),
      onResult: () => void (engineId !== undefined && client.cancel(engineId)),
    });
    const value = await pending;
    expect(value.cancelled).toBe(true);
    expect(value.results.length).toBeGreaterThan(0);
    expect(value.results.length).toBeLessThan(many.length);
  });

  it('answers a malformed request with INVALID_ARGUMENT instead of crashing', async () => {
    const replies: unknown[] = [];
    const raw = forkEngineTransport();
    raw.onMessage((m) => replies.push(m));
    raw.post({ type: 'classify', id: 7, files: 'not-a-list' } as never);
    // Wait for the answer (a loaded machine starts a tsx child slowly), then for anything more it might say.
    for (let waited = 0; replies.length === 0 && waited < 60_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    raw.kill();
    expect(replies).toEqual([expect.objectContaining({ id: 7, ok: false, error: expect.objectContaining({ code: 'INVALID_ARGUMENT' }) })]);
  });
});
