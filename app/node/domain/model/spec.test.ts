import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shared } from '../../../../test/helpers/shared.ts';
import { expectedWeightShapes, featureSide, inferSpec, parameterCount, specForArch, transitionChannels } from './spec.ts';
import { readSafetensors } from './weights/safetensors.ts';

describe('DenseNet spec', () => {
  // torchvision.models.densenetXXX(): sum(p.numel() for p in model.parameters()) with the 1000-class head,
  // and densenet264 built as DenseNet(32, (6, 12, 64, 48), 64) — values printed by torchvision 0.14.
  it.each([
    ['densenet121', 7_978_856],
    ['densenet169', 14_149_480],
    ['densenet201', 20_013_928],
  ] as const)('%s has torchvision parameter count', (arch, count) => {
    expect(parameterCount(specForArch(arch, 1000), { includeRunningStats: false })).toBe(count);
  });

  // Names, shapes and parameter counts exactly as torchvision builds them (14-class head), from
  // test/fixtures/torchvision/make_specs.py; DenseNet-264 is torchvision's DenseNet(32, (6,12,64,48), 64).
  const torchvision = JSON.parse(
    readFileSync(new URL('../../../../test/fixtures/torchvision/densenet-specs.json', import.meta.url), 'utf8'),
  ) as Record<string, { parameters: number; tensors: number; digest: string }>;
  it.each(['densenet121', 'densenet169', 'densenet201', 'densenet264'] as const)(
    '%s tensor names, shapes and parameter count equal torchvision',
    (arch) => {
      const spec = specForArch(arch, 14);
      const lines = [...expectedWeightShapes(spec)].map(([name, shape]) => `${name}:${shape.join('x')}`);
      const expected = torchvision[arch]!;
      expect(lines.length).toBe(expected.tensors);
      expect(createHash('sha256').update(lines.sort().join('\n')).digest('hex')).toBe(expected.digest);
      expect(parameterCount(spec, { includeRunningStats: false })).toBe(expected.parameters);
    },
  );

  it('names and shapes every tensor of the synthetic DenseNet-121 exactly', () => {
    const file = readSafetensors(readFileSync(shared('reference', 'densenet121-synthetic14.safetensors')));
    const expected = expectedWeightShapes(specForArch('densenet121', 14));
    const actual = new Map([...file.tensors].filter(([n]) => !n.endsWith('num_batches_tracked')).map(([n, t]) => [n, t.shape]));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, shape] of expected) expect(actual.get(name), name).toEqual(shape);
  });

  it('infers the tiny spec from its weights', () => {
    const file = readSafetensors(readFileSync(shared('reference', 'tiny-densenet.safetensors')));
    expect(inferSpec(file.tensors)).toEqual({
      growthRate: 4,
      blockConfig: [2, 2, 2, 2],
      numInitFeatures: 8,
      bnSize: 2,
      numClasses: 3,
      inChannels: 3,
    });
  });
});

describe("the paper's knobs", () => {
  it('a transition keeps ⌊θ·m⌋ channels, exactly for decimal θ', () => {
    expect(0.7 * 90).toBeLessThan(63); // what binary floating point makes of it
    expect(transitionChannels(90, 0.7)).toBe(63);
    expect(transitionChannels(1024, 0.5)).toBe(512);
    expect(transitionChannels(23, 0.7)).toBe(16);
    expect(transitionChannels(13, 1)).toBe(13);
  });

  it('the CIFAR stem keeps the input side; the ImageNet stem divides it by four', () => {
    const cifar = { ...specForArch('densenet121', 2), blockConfig: [2, 2, 2], stem: 'cifar' as const };
    expect(featureSide(cifar, 32)).toBe(8);
    expect(featureSide(specForArch('densenet121', 2), 224)).toBe(7);
    expect(featureSide({ ...specForArch('densenet121', 2), blockConfig: [1, 1] }, 64)).toBe(8);
  });

  it('infers no spec from transitions no single θ explains', () => {
    const spec = { growthRate: 2, blockConfig: [1, 1, 1], numInitFeatures: 8, bnSize: 2, numClasses: 1, inChannels: 1, compression: 0.7 };
    const weights = new Map(
      [...expectedWeightShapes(spec)].map(([n, s]) => [n, { shape: s, data: new Float32Array(s.reduce((a, b) => a * b, 1)) }]),
    );
    expect(inferSpec(weights)).toEqual(spec);
    // transition1 7 of 10 (θ ≥ 0.7), transition2 made to keep 5 of 9 (θ < 0.67): inconsistent.
    weights.set('features.transition2.conv.weight', { shape: [5, 9, 1, 1], data: new Float32Array(45) });
    expect(inferSpec(weights)).toBeUndefined();
  });
});
