import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, range } from '../../../../../test/helpers/npy.ts';
import type { InferenceBackend } from '../backend-types.ts';
import { createTfjsBackend } from './engine-tfjs.ts';
import { loadReferenceCase, loadReferenceModel, sigmoid } from '../../../../../test/helpers/reference-fixtures.ts';

/** DenseNet-121 (synthetic weights, 14 classes) through the engine interface, against PyTorch. */
describe('tfjs inference backend, DenseNet-121', () => {
  const model = 'densenet121-synthetic14';
  let backend: InferenceBackend;

  beforeAll(async () => {
    const { spec, weights, inputSize } = loadReferenceModel(model);
    backend = await createTfjsBackend(spec, weights, inputSize, { preferred: 'wasm' });
  });
  afterAll(async () => {
    await backend.dispose();
  });

  it('names itself', () => {
    expect(backend.name).toBe('tfjs');
    expect(backend.detail).toBe('tfjs-wasm');
  });

  it.each(['random0', '00000284_000', 'batch'])('matches PyTorch on %s', async (name) => {
    const ref = loadReferenceCase(model, name);
    const batch = ref.input.shape[0]!;
    const out = await backend.run(ref.input.data, batch);
    expect(out.featureShape).toEqual([1024, 7, 7]);
    expect(out.logits).toHaveLength(batch * 14);
    expect(maxAbsDiff(sigmoid(out.logits), ref.probs.data)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(out.features, ref.features.data) / range(ref.features.data)).toBeLessThanOrEqual(1e-3);
  });

  it('leaks no tensors on a second call', async () => {
    const ref = loadReferenceCase(model, 'random0');
    await backend.run(ref.input.data, 1);
    const after = tf.memory().numTensors;
    await backend.run(ref.input.data, 1);
    expect(tf.memory().numTensors).toBe(after);
  });

  it('rejects a batch size that does not match the input', async () => {
    await expect(backend.run(new Float32Array(3 * 224 * 224), 2)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('tfjs inference backend lifecycle (tiny net)', () => {
  it('warms up on creation, frees every weight on dispose, and refuses to run afterwards', async () => {
    const { spec, weights, inputSize } = loadReferenceModel('tiny');
    const before = tf.memory().numTensors;
    const backend = await createTfjsBackend(spec, weights, inputSize);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    await backend.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(backend.run(new Float32Array(3 * 64 * 64), 1)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });
});
