import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTfjsBackend } from './backend.ts';
import { avgPool, conv, maxPool } from './ops.ts';

/** PyTorch's window placement, checked on hand-computed cases (tfjs 'same' would pad bottom/right only). */
describe('tfjs ops with PyTorch semantics', () => {
  beforeAll(async () => {
    await initTfjsBackend('wasm');
  });

  it('max pool 3×3/2 pad 1 pads with −∞, so all-negative maps keep their values', () => {
    // 4×4 map of −16…−1; PyTorch: [[-11, -9], [-3, -1]] (zero padding would give 0 everywhere on the edge).
    const out = tf.tidy(() =>
      maxPool(
        tf.tensor4d(
          Array.from({ length: 16 }, (_, i) => i - 16),
          [1, 4, 4, 1],
        ),
        3,
        2,
        1,
      ).dataSync(),
    );
    expect([...out]).toEqual([-11, -9, -3, -1]);
  });

  it.each([
    { size: 8, kernel: 7, stride: 2, pad: 3 },
    { size: 6, kernel: 3, stride: 2, pad: 1 },
    { size: 5, kernel: 3, stride: 1, pad: 1 },
  ])('conv $kernel×$kernel/$stride pad $pad on $size×$size centres windows like PyTorch', ({ size, kernel, stride, pad }) => {
    const out = tf.tidy(() => {
      const x = tf.tensor4d(
        Array.from({ length: size * size }, (_, i) => i),
        [1, size, size, 1],
      );
      return [...conv(x, tf.ones<tf.Rank.R4>([kernel, kernel, 1, 1]), stride, pad).dataSync()];
    });
    expect(out).toEqual(boxSums(size, kernel, stride, pad));
  });

  it('avg pool 2×2/2 floors odd sizes like PyTorch', () => {
    const shape = tf.tidy(() => avgPool(tf.ones<tf.Rank.R4>([1, 5, 5, 3]), 2, 2).shape);
    expect(shape).toEqual([1, 2, 2, 3]);
  });
});

/** Window sums of the map whose pixel (i, j) is i·size + j, with PyTorch's symmetric zero padding. */
function boxSums(size: number, kernel: number, stride: number, pad: number): number[] {
  const outSize = Math.floor((size + 2 * pad - kernel) / stride) + 1;
  const sums: number[] = [];
  for (let r = 0; r < outSize; r++) {
    for (let c = 0; c < outSize; c++) {
      let s = 0;
      for (let i = r * stride - pad; i < r * stride - pad + kernel; i++) {
        for (let j = c * stride - pad; j < c * stride - pad + kernel; j++) if (i >= 0 && i < size && j >= 0 && j < size) s += i * size + j;
      }
      sums.push(s);
    }
  }
  return sums;
}
