import { describe, expect, it } from 'vitest';
import { DenseRayError } from '../../shared/errors.ts';
import type { GrayImage } from './gray-image.ts';
import { computeAxisTaps } from './resample-taps.ts';
import { centerCropSquare, centerSquareRegion, cropRegion, resizeBilinearAntialias } from './resize.ts';

const img = (width: number, height: number, values: number[]): GrayImage => ({ width, height, data: Float32Array.from(values) });

describe('centre crop', () => {
  it('offsets are floor((h − s)/2), floor((w − s)/2)', () => {
    expect(centerSquareRegion(5, 2)).toEqual({ x: 1, y: 0, width: 2, height: 2 }); // floor(3/2) = 1
    expect(centerSquareRegion(3, 6)).toEqual({ x: 0, y: 1, width: 3, height: 3 }); // floor(3/2) = 1
    expect(centerSquareRegion(4, 4)).toEqual({ x: 0, y: 0, width: 4, height: 4 });
  });

  it('copies the centred square', () => {
    const wide = img(5, 2, [0, 1, 2, 3, 4, 10, 11, 12, 13, 14]);
    expect(centerCropSquare(wide)).toEqual(img(2, 2, [1, 2, 11, 12]));
  });

  it('a square image is returned as is', () => {
    const sq = img(2, 2, [1, 2, 3, 4]);
    expect(centerCropSquare(sq)).toBe(sq);
  });
});

describe('antialiased bilinear taps', () => {
  it('4 → 2: scale 2, support 2, weights (3,3,1)/7 and (1,3,3)/7', () => {
    // i = 0: centre 1, taps 0..2 at |j + 0.5 − 1|/2 = 0.25, 0.25, 0.75 → 0.75, 0.75, 0.25 (sum 1.75)
    // i = 1: centre 3, taps 1..3 at 0.75, 0.25, 0.25 → 0.25, 0.75, 0.75
    const t = computeAxisTaps(4, 2);
    expect([...t.first]).toEqual([0, 1]);
    expect([...t.count]).toEqual([3, 3]);
    expect([...t.weights.subarray(0, 3)]).toEqual([3 / 7, 3 / 7, 1 / 7].map(Math.fround));
    expect([...t.weights.subarray(t.stride, t.stride + 3)]).toEqual([1 / 7, 3 / 7, 3 / 7].map(Math.fround));
  });

  it('2 → 4: plain bilinear with clamped edges', () => {
    const t = computeAxisTaps(2, 4);
    const rows = [0, 1, 2, 3].map((i) => [...t.weights.subarray(i * t.stride, i * t.stride + t.count[i]!)]);
    expect([...t.first]).toEqual([0, 0, 0, 1]);
    expect(rows).toEqual([[1], [0.75, 0.25], [0.25, 0.75], [1]]);
  });

  it('weights of every output sum to 1 (1024 → 224)', () => {
    const t = computeAxisTaps(1024, 224);
    for (let i = 0; i < 224; i++) {
      let s = 0;
      for (let k = 0; k < t.count[i]!; k++) s += t.weights[i * t.stride + k]!;
      expect(s).toBeCloseTo(1, 6);
    }
  });
});

describe('resizeBilinearAntialias', () => {
  it('4×4 → 2×2 by hand: each axis (3a + 3b + c)/7, (b + 3c + 3d)/7', () => {
    const v = Array.from({ length: 16 }, (_, i) => (i * 7) % 11); // an uneven pattern
    const out = resizeBilinearAntialias(img(4, 4, v), 2, 2);
    const a = [
      [3, 3, 1, 0],
      [0, 1, 3, 3],
    ].map((w) => w.map((x) => x / 7));
    const expected: number[] = [];
    for (let oy = 0; oy < 2; oy++) {
      for (let ox = 0; ox < 2; ox++) {
        let s = 0;
        for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) s += a[oy]![y]! * a[ox]![x]! * v[y * 4 + x]!;
        expected.push(s);
      }
    }
    expect(out.width).toBe(2);
    expect(out.height).toBe(2);
    out.data.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 5));
  });

  it('2×2 → 4×4 by hand', () => {
    const out = resizeBilinearAntialias(img(2, 2, [0, 4, 8, 12]), 4, 4);
    // per axis: [x0, .75x0 + .25x1, .25x0 + .75x1, x1]
    const lerp = [
      [1, 0],
      [0.75, 0.25],
      [0.25, 0.75],
      [0, 1],
    ];
    const v = [
      [0, 4],
      [8, 12],
    ];
    const expected: number[] = [];
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) {
        let s = 0;
        for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) s += lerp[y]![a]! * lerp[x]![b]! * v[a]![b]!;
        expected.push(s);
      }
    }
    expect([...out.data]).toEqual(expected);
  });

  it('same size is the identity, bit for bit', () => {
    const src = img(3, 2, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    expect([...resizeBilinearAntialias(src, 3, 2).data]).toEqual([...src.data]);
  });

  it('a region resizes like crop-then-resize, without the copy', () => {
    const src = img(
      6,
      4,
      Array.from({ length: 24 }, (_, i) => Math.sin(i)),
    );
    const region = centerSquareRegion(6, 4);
    expect([...resizeBilinearAntialias(src, 3, 3, region).data]).toEqual([...resizeBilinearAntialias(cropRegion(src, region), 3, 3).data]);
  });

  it('a constant image stays constant (normalised weights)', () => {
    const out = resizeBilinearAntialias(img(37, 23, new Array(37 * 23).fill(0.3)), 11, 5);
    for (const x of out.data) expect(x).toBeCloseTo(0.3, 6);
  });

  it('matches a one-sample-at-a-time reference for every row count and a crop (the 4-row sweep and its remainder)', () => {
    // The reference: the taps' definition applied literally, one float32 running sum per output,
    // horizontal pass then vertical; no interleaving, no buffers shared between calls.
    const reference = (
      src: GrayImage,
      outW: number,
      outH: number,
      r: { x: number; y: number; width: number; height: number },
    ): number[] => {
      const h = computeAxisTaps(r.width, outW);
      const v = computeAxisTaps(r.height, outH);
      const rows: number[][] = [];
      for (let y = 0; y < r.height; y++) {
        rows.push(
          Array.from({ length: outW }, (_, o) => {
            let acc = 0;
            for (let k = 0; k < h.count[o]!; k++) {
              const x = src.data[(r.y + y) * src.width + r.x + h.first[o]! + k]!;
              acc = Math.fround(acc + Math.fround(x * h.weights[o * h.stride + k]!));
            }
            return acc;
          }),
        );
      }
      const out: number[] = [];
      for (let o = 0; o < outH; o++) {
        for (let x = 0; x < outW; x++) {
          let acc = 0;
          for (let k = 0; k < v.count[o]!; k++)
            acc = Math.fround(acc + Math.fround(rows[v.first[o]! + k]![x]! * v.weights[o * v.stride + k]!));
          out.push(acc);
        }
      }
      return out;
    };
    for (const height of [1, 2, 3, 4, 5, 6, 7, 9, 13]) {
      const src = img(
        17,
        height,
        Array.from({ length: 17 * height }, (_, i) => Math.abs(Math.sin(i * 0.37))),
      );
      const whole = { x: 0, y: 0, width: 17, height };
      expect([...resizeBilinearAntialias(src, 5, 2).data], `height ${height}`).toEqual(reference(src, 5, 2, whole));
      if (height >= 3) {
        const crop = { x: 2, y: 1, width: 11, height: height - 2 };
        expect([...resizeBilinearAntialias(src, 4, 3, crop).data], `height ${height}, crop`).toEqual(reference(src, 4, 3, crop));
      }
    }
  });

  it('writes into a given array, whatever it held before', () => {
    const src = img(
      9,
      7,
      Array.from({ length: 63 }, (_, i) => (i % 5) / 4),
    );
    const fresh = resizeBilinearAntialias(src, 4, 3).data;
    const dirty = new Float32Array(20).fill(Number.NaN);
    const reused = resizeBilinearAntialias(src, 4, 3, undefined, dirty);
    expect(reused.data.buffer).toBe(dirty.buffer);
    expect([...reused.data]).toEqual([...fresh]);
    expect(() => resizeBilinearAntialias(src, 4, 3, undefined, new Float32Array(11))).toThrow(DenseRayError);
  });

  it('rejects bad sizes and regions', () => {
    const src = img(2, 2, [0, 0, 0, 0]);
    expect(() => resizeBilinearAntialias(src, 0, 2)).toThrow(DenseRayError);
    expect(() => resizeBilinearAntialias(src, 2, 2, { x: 1, y: 0, width: 2, height: 2 })).toThrow(DenseRayError);
  });
});
