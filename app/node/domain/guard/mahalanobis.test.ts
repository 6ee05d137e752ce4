import { describe, expect, it } from 'vitest';
import { fitGaussian, invert, mahalanobis } from './mahalanobis.ts';

describe('mahalanobis', () => {
  it('inverts a 2×2 matrix (hand-computed)', () => {
    // [[4, 7], [2, 6]]⁻¹ = 1/10 · [[6, −7], [−2, 4]]
    const inv = invert([4, 7, 2, 6], 2);
    [0.6, -0.7, -0.2, 0.4].forEach((v, i) => expect(inv[i]).toBeCloseTo(v, 12));
  });
  it('reduces to a z-score for a 1-D reference', () => {
    // samples 1, 3 → mean 2, sample variance 2; x = 5 → |5 − 2| / √2
    const ref = fitGaussian([[1], [3]]);
    expect(mahalanobis([5], ref)).toBeCloseTo(3 / Math.SQRT2, 12);
  });
});
