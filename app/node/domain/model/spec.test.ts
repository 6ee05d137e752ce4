import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shared } from '../../../../test/helpers/shared.ts';
import { expectedWeightShapes, inferSpec, parameterCount, specForArch } from './spec.ts';
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
