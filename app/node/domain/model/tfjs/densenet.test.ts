import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, range } from '../../../../../test/helpers/npy.ts';
import { DenseRayError } from '../../../shared/errors.ts';
import type { WeightMap } from '../tensor.ts';
import { initTfjsBackend } from './backend.ts';
import { DenseNetTf } from './densenet.ts';
import { trainFrom } from './params.ts';
import { loadReferenceCase, loadReferenceModel, sigmoid } from '../../../../../test/helpers/reference-fixtures.ts';

type Shape4 = [number, number, number, number];

/** The tiny reference DenseNet (growth 4, blocks 2-2-2-2, 64×64 input) against PyTorch's outputs. */
describe('DenseNetTf (tiny reference net, wasm)', () => {
  const { spec, weights } = loadReferenceModel('tiny');
  let net: DenseNetTf;

  beforeAll(async () => {
    expect(await initTfjsBackend('wasm')).toBe('wasm');
    net = DenseNetTf.fromWeights(spec, weights);
  });
  afterAll(() => net.dispose());

  it.each(['00000284_000', 'random0', 'random1'])('matches PyTorch on %s', async (name) => {
    const ref = loadReferenceCase('tiny', name);
    const out = await net.run(ref.input.data, ref.input.shape as Shape4);
    expect(out.featureShape).toEqual(ref.features.shape.slice(1));
    expect(maxAbsDiff(out.logits, ref.logits.data)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(sigmoid(out.logits), ref.probs.data)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(out.features, ref.features.data) / range(ref.features.data)).toBeLessThanOrEqual(1e-3);
  });

  it('leaves no tensors behind, on the first call or any later one', async () => {
    const ref = loadReferenceCase('tiny', 'random0');
    const before = tf.memory().numTensors;
    await net.run(ref.input.data, ref.input.shape as Shape4);
    expect(tf.memory().numTensors).toBe(before);
    await net.run(ref.input.data, ref.input.shape as Shape4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('splits at a dense block: trunk(x, b) then forward(h, { fromBlock: b }) equals the whole pass', () => {
    const ref = loadReferenceCase('tiny', 'random1');
    const gaps = tf.tidy(() => {
      const x = tf.transpose(tf.tensor4d(ref.input.data, ref.input.shape as Shape4), [0, 2, 3, 1]);
      const whole = net.forward(x).logits;
      return [2, 3, 4].map((b) => tf.max(tf.abs(tf.sub(net.forward(net.trunk(x, b), { fromBlock: b }).logits, whole))).dataSync()[0]!);
    });
    for (const gap of gaps) expect(gap).toBe(0);
  });

  it('rejects input that does not match the given shape', async () => {
    await expect(net.run(new Float32Array(10), [1, 3, 64, 64])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses weights that do not fit the spec, without leaking tensors', () => {
    const broken: WeightMap = new Map(weights);
    broken.delete('features.norm5.running_var');
    broken.set('classifier.bias', { shape: [7], data: new Float32Array(7) });
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      DenseNetTf.fromWeights(spec, broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DenseRayError);
    expect(error).toMatchObject({ code: 'WEIGHTS_MISMATCH' });
    expect((error as Error).message).toMatch(/norm5\.running_var missing.*classifier\.bias/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** The fine-tuning layout: tail parameters as variables, BatchNorm folded in-graph so gradients reach gamma/beta. */
describe('DenseNetTf with trainable parameters (wasm)', () => {
  const { spec, weights } = loadReferenceModel('tiny');

  beforeAll(async () => {
    await initTfjsBackend('wasm');
  });

  it('trainFrom(spec, 4) selects the last dense block, norm5 and the classifier, never running statistics', () => {
    const select = trainFrom(spec, 4);
    const chosen = [...weights.keys()].filter(select);
    expect(chosen).toContain('features.denseblock4.denselayer2.conv2.weight');
    expect(chosen).toContain('features.norm5.bias');
    expect(chosen).toContain('classifier.weight');
    expect(chosen.some((n) => n.startsWith('features.denseblock3.') || n.startsWith('features.transition'))).toBe(false);
    const net = DenseNetTf.fromWeights(spec, weights, { trainable: select });
    try {
      expect([...net.params.variables().keys()].some((n) => n.includes('running_'))).toBe(false);
      expect(net.params.variables().size).toBe(chosen.filter((n) => !n.includes('running_')).length);
    } finally {
      net.dispose();
    }
  });

  it('gives the frozen outputs and gradients for the head, leaking nothing', async () => {
    // Head only: the wasm backend has no Conv2DBackpropFilter kernel, so conv filters train on cpu/native only.
    const head = (name: string): boolean => name.startsWith('features.norm5.') || name.startsWith('classifier.');
    const ref = loadReferenceCase('tiny', 'random0');
    const before = tf.memory().numTensors;
    const net = DenseNetTf.fromWeights(spec, weights, { trainable: head });
    try {
      const out = await net.run(ref.input.data, ref.input.shape as Shape4);
      expect(maxAbsDiff(out.logits, ref.logits.data)).toBeLessThanOrEqual(1e-4);
      const cached = tf.tidy(() => net.trunk(tf.transpose(tf.tensor4d(ref.input.data, ref.input.shape as Shape4), [0, 2, 3, 1]), 4));
      const { value, grads } = tf.variableGrads(
        () => tf.sum(net.forward(cached, { fromBlock: 4 }).logits),
        [...net.params.variables().values()],
      );
      const norms = Object.values(grads).map((g) => tf.tidy(() => tf.norm(g).dataSync()[0]!));
      expect(norms).toHaveLength(4);
      for (const n of norms) expect(n).toBeGreaterThan(0);
      tf.dispose([cached, value, ...Object.values(grads)]);
    } finally {
      net.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
