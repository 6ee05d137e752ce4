import { describe, expect, it } from 'vitest';
import { family } from '../../../../test/helpers/family-fixtures.ts';
import { thrown } from '../../../../test/helpers/thrown.ts';
import { specFromRecipe } from './family-recipe.ts';
import { compressionOf, stemOf, usesBottleneck } from './spec.ts';

const labels = Array.from({ length: 10 }, (_, i) => `class${i}`);

describe('the paper recipe behind `models create`', () => {
  it.each([
    ['densenet-bc', 100, 12, 'DenseNet-BC (L=100, k=12)'],
    ['densenet-bc', 250, 24, 'DenseNet-BC (L=250, k=24)'],
    ['densenet', 40, 12, 'DenseNet (L=40, k=12)'],
    ['densenet', 100, 24, 'DenseNet (L=100, k=24)'],
  ] as const)('%s L=%i k=%i is the net PyTorch builds from the paper', (arch, depth, growthRate, name) => {
    const spec = specFromRecipe({ arch, depth, growthRate, labels, inputSize: 32, channels: 3 });
    const reference = family.paper[name]!.spec;
    expect({ ...spec, bottleneck: usesBottleneck(spec), compression: compressionOf(spec), stem: stemOf(spec) }).toEqual(reference);
  });

  it('flags override the family, and stems default by recipe', () => {
    const c = specFromRecipe({ arch: 'densenet-bc', depth: 40, bottleneck: false, compression: 0.7, labels: ['a'], inputSize: 64 });
    expect(c).toMatchObject({
      blockConfig: [12, 12, 12],
      bottleneck: false,
      compression: 0.7,
      stem: 'cifar',
      numInitFeatures: 16,
      inChannels: 1,
    });
    const imagenet = specFromRecipe({ arch: 'densenet-bc', blocks: [6, 12, 24, 16], growthRate: 32, labels: ['a'], inputSize: 224 });
    expect(imagenet).toEqual({
      growthRate: 32,
      blockConfig: [6, 12, 24, 16],
      numInitFeatures: 64,
      bnSize: 4,
      numClasses: 1,
      inChannels: 1,
    });
  });

  it('refuses a depth that gives no three equal blocks, and an input too small for the net', () => {
    expect(thrown(() => specFromRecipe({ arch: 'densenet-bc', depth: 99, labels, inputSize: 32 })).message).toMatch(/L = 3·n·2 \+ 4/);
    expect(thrown(() => specFromRecipe({ arch: 'densenet-bc', blocks: [1, 1, 1, 1, 1], labels, inputSize: 16 })).code).toBe(
      'INVALID_ARGUMENT',
    );
  });
});
