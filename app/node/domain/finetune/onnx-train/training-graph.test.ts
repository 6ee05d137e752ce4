import { afterAll, describe, expect, it } from 'vitest';
import { caseBatch, caseGrads, caseWeights, relativeError, training } from '../../../../../test/helpers/training-fixtures.ts';
import { inferSpec } from '../../model/spec.ts';
import { partOf } from './onnx-training-path.ts';
import { OnnxTrainingNet } from './onnx-training-net.ts';

/**
 * The backward graph against PyTorch (test/fixtures/training/make_training.py): one batch through the
 * tiny torchvision DenseNet (head, last block, whole net from the image; ImageNet stem with an odd
 * pooled side) and three of the paper's variants (BC with θ 0.7 and an odd transition, C without a
 * bottleneck, plain with a 1-channel ImageNet stem): loss, logits and every parameter's gradient.
 */
describe.each(Object.entries(training.cases))('backward graph vs PyTorch: %s', (name, c) => {
  const weights = caseWeights(name);
  const spec = inferSpec(weights)!;
  const inputSize = c.part === 'full' ? c.inputShape[2]! : 64;
  const nets: OnnxTrainingNet[] = [];
  afterAll(async () => {
    for (const net of nets) await net.dispose();
  });

  it.each(['im2col', 'conv'] as const)('every gradient within 1e-4 relative (%s 3×3 filter gradients)', async (filterGrad3x3) => {
    const net = await OnnxTrainingNet.create({ spec, weights, part: partOf(c.part, spec), inputSize, threads: 1, filterGrad3x3 });
    nets.push(net);
    const { x, y, rows } = caseBatch(c, spec.numClasses);
    const out = await net.gradients(x, y, rows, Float32Array.from(c.posWeight), 1 / (rows * spec.numClasses));
    expect(out.loss).toBeCloseTo(c.loss, 5);
    for (let i = 0; i < c.logits.length; i++) expect(out.logits[i]).toBeCloseTo(c.logits[i]!, 4);
    const reference = caseGrads(name);
    expect([...out.grads.keys()].sort()).toEqual([...c.parameters].sort());
    for (const [parameter, grad] of out.grads) expect(relativeError(grad, reference.get(parameter)!.data), parameter).toBeLessThan(1e-4);
  });
});
