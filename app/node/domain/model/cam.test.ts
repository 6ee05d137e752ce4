import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, range, readNpy } from '../../../../test/helpers/npy.ts';
import { shared } from '../../../../test/helpers/shared.ts';
import { computeCams } from './cam.ts';
import { readSafetensors } from './weights/safetensors.ts';

describe('computeCams', () => {
  it('matches a hand-computed 2-class, 2-channel, 2-cell case', () => {
    // F = [[1, 2], [3, 4]] (c × cell); W = [[1, 0], [0.5, -1]]; b = [0, 10]
    const cams = computeCams(new Float32Array([1, 2, 3, 4]), 0, 2, 2, new Float32Array([1, 0, 0.5, -1]), new Float32Array([0, 10]));
    expect([...cams]).toEqual([1, 2, 0.5 - 3 + 10, 1 - 4 + 10]);
  });

  it('equals the PyTorch CAMs of the synthetic DenseNet-121 on the reference features', () => {
    const { tensors } = readSafetensors(readFileSync(shared('reference', 'densenet121-synthetic14.safetensors')));
    const features = readNpy(shared('reference', 'refs', 'densenet121-synthetic14.batch.features.npy'));
    const expected = readNpy(shared('reference', 'refs', 'densenet121-synthetic14.batch.cam.npy'));
    const [n, c, h, w] = features.shape as [number, number, number, number];
    for (let i = 0; i < n; i++) {
      const cams = computeCams(
        features.data,
        i * c * h * w,
        c,
        h * w,
        tensors.get('classifier.weight')!.data,
        tensors.get('classifier.bias')!.data,
      );
      const slice = expected.data.subarray(i * cams.length, (i + 1) * cams.length);
      expect(maxAbsDiff(cams, slice) / range(slice)).toBeLessThan(1e-5);
    }
  });
});
