import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashNoise } from '../../../../../test/helpers/hash-noise.ts';
import { caseBatch, caseWeights, relativeError, training, trainingDir } from '../../../../../test/helpers/training-fixtures.ts';
import { inferSpec } from '../../model/spec.ts';
import { readSafetensors } from '../../model/weights/safetensors.ts';
import { estimateStepMemory, planMicroBatch } from './memory-plan.ts';
import { createOnnxTrainingPath, partOf } from './onnx-training-path.ts';
import { OnnxTrainingNet } from './onnx-training-net.ts';

const PYTHON = '/usr/bin/python3';
const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { timeout: 60_000 }).status === 0;
const GiB = 2 ** 30;

describe('onnxruntime training path: Adam steps against PyTorch', () => {
  it.each(Object.entries(training.curves))('%s: 20 Adam steps give PyTorch’s loss curve within 1e-3', async (name, c) => {
    const weights = caseWeights(name);
    const spec = inferSpec(weights)!;
    const path = await createOnnxTrainingPath({
      mode: c.part,
      spec,
      weights,
      inputSize: c.part === 'full' ? c.inputShape[2]! : name.startsWith('densenet121') ? 224 : 64,
      batchSize: c.inputShape[0]!,
      threads: 2,
      availableBytes: 8 * GiB,
    });
    try {
      const losses: number[] = [];
      for (let s = 0; s < c.losses.length; s++) {
        const { x, y, rows } = caseBatch(c, spec.numClasses, 10 * s);
        losses.push(await path.step(x, y, rows, Float32Array.from(c.posWeight), c.learningRate, c.weightDecay));
      }
      for (let s = 0; s < c.losses.length; s++) expect(Math.abs(losses[s]! - c.losses[s]!), `step ${s + 1}`).toBeLessThan(1e-3);
    } finally {
      await path.dispose();
    }
  });

  it('micro-batches sum to the whole batch: one step at micro-batch 1 moves every parameter as one pass does', async () => {
    const c = training.cases['tiny-full']!;
    const weights = caseWeights('tiny-full');
    const spec = inferSpec(weights)!;
    const { x, y, rows } = caseBatch(c, spec.numClasses);
    const oneStep = async (microBatch: number) => {
      const path = await createOnnxTrainingPath({ mode: 'full', spec, weights, inputSize: 72, batchSize: rows, microBatch, threads: 1 });
      try {
        expect(path.plan.microBatch).toBe(microBatch);
        const loss = await path.step(x, y, rows, Float32Array.from(c.posWeight), 1e-2, 1e-4);
        return { loss, weights: path.trainedWeights() };
      } finally {
        await path.dispose();
      }
    };
    const whole = await oneStep(rows);
    const split = await oneStep(1);
    expect(whole.loss).toBeCloseTo(c.loss, 5);
    expect(split.loss).toBeCloseTo(c.loss, 5);
    for (const [name, w] of whole.weights) expect(relativeError(split.weights.get(name)!.data, w.data), name).toBeLessThan(1e-5);
  });

  it('plans micro-batches from the memory it is told is free, and refuses with the numbers when one image cannot fit', async () => {
    const { spec, weights } = d121();
    const memory = estimateStepMemory(spec, partOf('full', spec), 224, 6_968_206);
    const plan = planMicroBatch({ batchSize: 32, memory, availableBytes: 3 * GiB, what: 'full' });
    expect(plan.microBatch).toBeGreaterThanOrEqual(1);
    expect(plan.microBatch).toBeLessThan(32);
    expect(plan.estimatedBytes).toBeLessThanOrEqual(0.8 * 3 * GiB);
    expect(planMicroBatch({ batchSize: 32, memory, availableBytes: 64 * GiB, what: 'full' }).microBatch).toBe(32);
    expect(planMicroBatch({ batchSize: 32, requested: 4, memory, availableBytes: 64 * GiB, what: 'full' }).microBatch).toBe(4);
    const refused = await createOnnxTrainingPath({
      mode: 'full',
      spec,
      weights,
      inputSize: 224,
      batchSize: 8,
      availableBytes: 0.5 * GiB,
    }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((refused as Error).message).toMatch(/needs about [\d.]+ GB for a single image and only 0\.5 GB is available/);
  });
});

function d121() {
  const weights = caseWeights('densenet121-last-block');
  return { weights, spec: inferSpec(weights)! };
}

describe("DenseNet-121's last dense block: gradients of one batch of 8 against PyTorch", () => {
  const c = training['densenet121-last-block'];

  it('loss, logits, and every gradient’s norm and projection within 1e-4 (committed summary; no torch needed)', async () => {
    const { spec, weights } = d121();
    const net = await OnnxTrainingNet.create({ spec, weights, part: partOf('last-block', spec), inputSize: 224, threads: 2 });
    try {
      const { x, y, rows } = caseBatch(c, spec.numClasses);
      const out = await net.gradients(x, y, rows, Float32Array.from(c.posWeight), 1 / (rows * spec.numClasses));
      expect(out.loss).toBeCloseTo(c.loss, 5);
      expect(relativeError(out.logits, c.logits)).toBeLessThan(1e-4);
      const names = Object.keys(c.tensors);
      expect([...out.grads.keys()].sort()).toEqual([...names].sort());
      names.forEach((name, i) => {
        const grad = out.grads.get(name)!;
        const { norm, probe } = c.tensors[name]!;
        const probeVector = hashNoise(grad.length, 1000 + i, 1);
        let ours = 0;
        let ourNorm = 0;
        let probeNorm = 0;
        for (let j = 0; j < grad.length; j++) {
          ours += grad[j]! * probeVector[j]!;
          ourNorm += grad[j]! ** 2;
          probeNorm += probeVector[j]! ** 2;
        }
        expect(Math.abs(Math.sqrt(ourNorm) - norm) / norm, `${name} norm`).toBeLessThan(1e-4);
        // |Δ(g·p)| ≤ ‖Δg‖‖p‖: the projection bound that a 1e-4 relative gradient error implies.
        expect(Math.abs(ours - probe), `${name} projection`).toBeLessThan(1e-4 * norm * Math.sqrt(probeNorm));
      });
    } finally {
      await net.dispose();
    }
  });

  it.runIf(hasTorch)('every gradient within 1e-4 relative of PyTorch’s, made now by /usr/bin/python3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denseray-d121-grads-'));
    const made = spawnSync(PYTHON, [join(trainingDir, 'make_training.py'), '--densenet121-last-block', dir], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(made.status, made.stderr).toBe(0);
    const reference = readSafetensors(readFileSync(join(dir, 'densenet121-last-block.grads.safetensors'))).tensors;
    const { spec, weights } = d121();
    const net = await OnnxTrainingNet.create({ spec, weights, part: partOf('last-block', spec), inputSize: 224, threads: 2 });
    try {
      const { x, y, rows } = caseBatch(c, spec.numClasses);
      const out = await net.gradients(x, y, rows, Float32Array.from(c.posWeight), 1 / (rows * spec.numClasses));
      expect(reference.size).toBe(out.grads.size);
      for (const [name, grad] of out.grads) expect(relativeError(grad, reference.get(name)!.data), name).toBeLessThan(1e-4);
    } finally {
      await net.dispose();
    }
  });
});
