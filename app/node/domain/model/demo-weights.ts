import { SeededRandom } from './seeded-random.ts';
import { expectedWeightShapes, type DenseNetSpec } from './spec.ts';
import { elementCount, type WeightMap } from './tensor.ts';

/**
 * Untrained weights initialised the way torchvision initialises a DenseNet (Kaiming-normal convs,
 * BatchNorm γ=1 β=0 with identity running statistics, zero classifier bias), from a fixed seed.
 * They classify nothing: the demo model exists only so the app can be tried before real weights are imported.
 */
export function seededDenseNetWeights(spec: DenseNetSpec, seed: number): WeightMap {
  const random = new SeededRandom(seed);
  const weights: WeightMap = new Map();
  for (const [name, shape] of expectedWeightShapes(spec)) {
    const data = new Float32Array(elementCount(shape));
    if (name.endsWith('running_var') || (name.includes('norm') && name.endsWith('.weight'))) {
      data.fill(1);
    } else if (name.endsWith('conv0.weight') || /conv\d?\.weight$/.test(name)) {
      const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < data.length; i++) data[i] = random.normal() * std;
    } else if (name === 'classifier.weight') {
      const bound = 1 / Math.sqrt(shape[1]!);
      for (let i = 0; i < data.length; i++) data[i] = (random.uniform() * 2 - 1) * bound;
    }
    weights.set(name, { shape, data });
  }
  return weights;
}
