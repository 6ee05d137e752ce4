import { describe, expect, it } from 'vitest';
import { steepestDescent } from '../../app/node/domain/finetune/train/lr-range.ts';

describe('learning-rate range test suggestion', () => {
  it('picks the steepest fall before the lowest loss, ignoring a dip after the climb', () => {
    const lrs = [1e-6, 1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1];
    // falls slowly, then fastest between 1e-3 and 3e-3 (−0.4 over half a decade), lowest at 1e-2,
    // climbs, then a steep dip from 1e-1 to 3e-1 that must not win
    const losses = [1.0, 0.99, 0.98, 0.9, 0.5, 0.3, 0.8, 2.0, 1.0, 5.0];
    expect(steepestDescent(lrs.map((learningRate, i) => ({ learningRate, loss: losses[i]! })))).toBe(1e-3);
  });
  it('has no suggestion when the loss never falls', () => {
    expect(steepestDescent([1, 2, 3, 4, 5, 6].map((l, i) => ({ learningRate: 10 ** (i - 6), loss: l })))).toBeNull();
  });
});
