import { describe, expect, it } from 'vitest';
import { caseBatch, caseWeights, relativeError, training } from '../../../../../test/helpers/training-fixtures.ts';
import { inferSpec } from '../../model/spec.ts';
import { createTfjsTrainingPath } from './tfjs-training-path.ts';

/** The TensorFlow.js fallback behind the same interface: PyTorch's loss, and micro-batches that sum to the batch. */
describe('TensorFlow.js training path (fallback)', () => {
  it('full mode on the tiny net: PyTorch’s loss, and one step at micro-batch 1 moves every parameter as one pass does', async () => {
    const c = training.cases['tiny-full']!;
    const weights = caseWeights('tiny-full');
    const spec = inferSpec(weights)!;
    const { x, y, rows } = caseBatch(c, spec.numClasses);
    const oneStep = async (microBatch: number) => {
      const path = await createTfjsTrainingPath({ mode: 'full', spec, weights, sampleShape: [72, 72, 3], batchSize: rows, microBatch });
      try {
        expect(path.plan).toMatchObject({ engine: 'tfjs', microBatch });
        const loss = await path.step(x, y, rows, Float32Array.from(c.posWeight), 1e-2, 1e-4);
        return { loss, weights: path.trainedWeights() };
      } finally {
        await path.dispose();
      }
    };
    const whole = await oneStep(rows);
    const split = await oneStep(1);
    expect(whole.loss).toBeCloseTo(c.loss, 4);
    expect(split.loss).toBeCloseTo(c.loss, 4);
    for (const [name, w] of whole.weights) expect(relativeError(split.weights.get(name)!.data, w.data), name).toBeLessThan(1e-4);
  });
});
