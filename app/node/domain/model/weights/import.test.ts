import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shared } from '../../../../../test/helpers/shared.ts';
import type { WeightMap } from '../tensor.ts';
import { detectWeightsFormat, loadWeightsFile } from './import.ts';
import { assertWeightsMatchSpec, inferSpecOrThrow, torchvisionName, validateAgainstSpec } from './keymap.ts';
import { readSafetensors } from './safetensors.ts';
import { thrown } from '../../../../../test/helpers/thrown.ts';

const TINY_SPEC = { growthRate: 4, blockConfig: [2, 2, 2, 2], numInitFeatures: 8, bnSize: 2, numClasses: 3, inChannels: 3 };
const reference = (name: string): Uint8Array => readFileSync(shared('reference', name));
const expectedTensors = (): WeightMap => readSafetensors(reference('tiny-densenet.safetensors')).tensors;

function expectBitwiseEqual(actual: WeightMap, expected: WeightMap): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, t] of expected) {
    const a = actual.get(name)!;
    expect(a.shape, name).toEqual(t.shape);
    const bytes = (x: Float32Array): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    expect(bytes(a.data).equals(bytes(t.data)), `${name} differs`).toBe(true);
  }
}

describe('loadWeightsFile on the six reference files', () => {
  const cases = [
    ['tiny-densenet.safetensors', 'safetensors', 'state_dict', false],
    ['tiny-densenet.pth', 'pth-zip', 'state_dict', false],
    ['tiny-densenet-legacy.pth', 'pth-zip', 'dict-with-state_dict', false],
    ['tiny-densenet-module.pth', 'pth-zip', 'module', false],
    ['tiny-chexnet-jrzech-style.pth', 'pth-legacy', 'dict-with-module', true],
    ['tiny-chexnet-arnoweng-style.pth.tar', 'pth-legacy', 'dict-with-state_dict', false],
  ] as const;

  it.each(cases)('%s loads bitwise identical to the safetensors (%s, %s)', (file, format, layout, probability) => {
    const loaded = loadWeightsFile(reference(file), file);
    expect(loaded.format).toBe(format);
    expect(loaded.layout).toBe(layout);
    expect(loaded.outputIsProbability).toBe(probability);
    expect(loaded.spec).toEqual(TINY_SPEC);
    expectBitwiseEqual(loaded.weights, expectedTensors());
  });

  it('keeps torchvision order', () => {
    const loaded = loadWeightsFile(reference('tiny-chexnet-arnoweng-style.pth.tar'), 'x');
    expect([...loaded.weights.keys()][0]).toBe('features.conv0.weight');
    expect([...loaded.weights.keys()].slice(-2)).toEqual(['classifier.weight', 'classifier.bias']);
  });

  it('reports what the files say about the model', () => {
    const jrzech = loadWeightsFile(reference('tiny-chexnet-jrzech-style.pth'), 'j');
    expect(jrzech.facts.container).toBe('model');
    expect(jrzech.facts.checkpoint).toEqual({ best_loss: 0.5, epoch: 3, LR: 0.001 });
    expect(jrzech.facts.module?.rootClass).toBe('torchvision.models.densenet.DenseNet');
    expect(jrzech.facts.module?.classifier).toBe('Sequential(Linear, Sigmoid)');
    expect(jrzech.facts.module?.moduleClasses).toContain('torch.nn.modules.activation.Sigmoid');

    const module = loadWeightsFile(reference('tiny-densenet-module.pth'), 'm');
    expect(module.facts.module?.classifier).toBe('Linear');
    expect(module.facts.ignored.every((n) => n.endsWith('num_batches_tracked'))).toBe(true);

    const arnoweng = loadWeightsFile(reference('tiny-chexnet-arnoweng-style.pth.tar'), 'a');
    expect(arnoweng.facts.container).toBe('state_dict');
    expect(arnoweng.facts.checkpoint).toEqual({ epoch: 1 });
    expect(arnoweng.facts.renamedCount).toBe(106);

    const st = loadWeightsFile(reference('tiny-densenet.safetensors'), 's');
    expect(st.facts.metadata?.arch).toBe('custom');
  });

  it('detects the format by content, not by name', () => {
    expect(detectWeightsFormat(reference('tiny-chexnet-arnoweng-style.pth.tar'))).toBe('pth-legacy');
    expect(detectWeightsFormat(reference('tiny-densenet-legacy.pth'))).toBe('pth-zip');
    expect(detectWeightsFormat(reference('tiny-densenet.safetensors'))).toBe('safetensors');
    expect(detectWeightsFormat(new Uint8Array(100))).toBeUndefined();
  });

  it('reads DenseNet-121 (28 MB) in reasonable time', () => {
    const bytes = reference('densenet121-synthetic14.safetensors');
    const t0 = performance.now();
    const loaded = loadWeightsFile(bytes, 'd121');
    expect(loaded.spec.blockConfig).toEqual([6, 12, 24, 16]);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('strict validation', () => {
  it('names a missing tensor', () => {
    const w = expectedTensors();
    w.delete('features.denseblock2.denselayer1.norm2.running_var');
    const e = thrown(() => validateAgainstSpec(w, TINY_SPEC, 'f'));
    expect(e.code).toBe('WEIGHTS_MISMATCH');
    expect(e.message).toContain('missing: features.denseblock2.denselayer1.norm2.running_var');
  });

  it('names an unexpected tensor', () => {
    const w = expectedTensors();
    w.set('features.denseblock2.denselayer3.conv1.weight', { shape: [8, 24, 1, 1], data: new Float32Array(8 * 24) });
    const e = thrown(() => validateAgainstSpec(w, TINY_SPEC, 'f'));
    expect(e.code).toBe('WEIGHTS_MISMATCH');
    expect(e.message).toContain('unexpected: features.denseblock2.denselayer3.conv1.weight');
  });

  it('names a mis-shaped tensor with expected and actual shapes', () => {
    const w = expectedTensors();
    const t = w.get('features.transition1.conv.weight')!;
    w.set('features.transition1.conv.weight', { shape: [t.shape[1]!, t.shape[0]!, 1, 1], data: t.data });
    const e = thrown(() => validateAgainstSpec(w, TINY_SPEC, 'f'));
    expect(e.code).toBe('WEIGHTS_MISMATCH');
    expect(e.message).toContain('features.transition1.conv.weight (expected [8, 16, 1, 1], got [16, 8, 1, 1])');
    expect(e.details?.misshaped).toEqual([{ tensor: 'features.transition1.conv.weight', expected: [8, 16, 1, 1], actual: [16, 8, 1, 1] }]);
  });

  it('checks a file against a given spec', () => {
    const e = thrown(() => loadWeightsFile(reference('tiny-densenet.pth'), 'tiny.pth', { spec: { ...TINY_SPEC, numClasses: 14 } }));
    expect(e.code).toBe('WEIGHTS_MISMATCH');
    expect(e.message).toContain('classifier.weight (expected [14, 16], got [3, 16])');
  });

  it('refuses weights it cannot infer a DenseNet from', () => {
    const w = expectedTensors();
    w.delete('features.conv0.weight');
    const e = thrown(() => inferSpecOrThrow(w, 'f'));
    expect(e.code).toBe('WEIGHTS_MISMATCH');
    expect(e.message).toContain('missing features.conv0.weight');
  });

  it('assertWeightsMatchSpec tolerates BatchNorm step counters only', () => {
    const w = expectedTensors();
    w.set('features.norm0.num_batches_tracked', { shape: [], data: new Float32Array(1) });
    expect(() => assertWeightsMatchSpec(w, TINY_SPEC)).not.toThrow();
    w.delete('classifier.bias');
    expect(() => assertWeightsMatchSpec(w, TINY_SPEC)).toThrow(/classifier\.bias/);
  });
});

describe('torchvisionName', () => {
  it.each([
    ['module.densenet121.features.denseblock1.denselayer2.norm.1.weight', 'features.denseblock1.denselayer2.norm1.weight'],
    ['module.densenet121.features.denseblock3.denselayer12.conv.2.weight', 'features.denseblock3.denselayer12.conv2.weight'],
    ['model.densenet169.features.conv0.weight', 'features.conv0.weight'],
    ['module.features.transition1.norm.weight', 'features.transition1.norm.weight'],
    ['features.norm5.running_mean', 'features.norm5.running_mean'],
  ])('%s → %s', (from, to) => {
    expect(torchvisionName(from)).toBe(to);
  });
});
