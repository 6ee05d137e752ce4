import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, readNpy } from '../../../../test/helpers/npy.ts';
import { shared } from '../../../../test/helpers/shared.ts';
import { IMAGENET_PREPROCESSING, type Preprocessing } from '../../../common/manifest.ts';
import { decodeImage } from './decode.ts';
import { inputLength, preprocess } from './preprocess.ts';
import { centerCropSquare, resizeBilinearAntialias } from './resize.ts';

// The four NIH images and the PyTorch tensors made from them (see shared/data/reference/README.md).
const STEMS = ['00000284_000', '00000574_000', '00012942_000', '00005224_000'] as const;
const ref = (name: string) => readNpy(shared('reference', 'refs', name));
const load = (stem: string) => decodeImage(readFileSync(shared('reference', 'inputs', `${stem}.png`)), `${stem}.png`);

// Float32 rounding differences only: our resize follows ATen's float32 steps; the measured worst
// case is 1.8e-7 on the resized image and 1.2e-6 after dividing by std ≈ 0.22.
const RESIZED_TOL = 1e-6;
const INPUT_TOL = 1e-5;

describe('preprocessing parity with PyTorch', () => {
  it.each(STEMS)('%s: decode → crop → resize 224 matches preprocess.*.resized', (stem) => {
    const expected = ref(`preprocess.${stem}.resized.npy`);
    expect(expected.shape).toEqual([224, 224]);
    const resized = resizeBilinearAntialias(centerCropSquare(load(stem)), 224, 224);
    const diff = maxAbsDiff(resized.data, expected.data);
    console.log(`resized ${stem}: max |Δ| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(RESIZED_TOL);
  });

  it.each(STEMS)('%s: full ImageNet preprocessing matches densenet121-synthetic14.*.input', (stem) => {
    const expected = ref(`densenet121-synthetic14.${stem}.input.npy`);
    expect(expected.shape).toEqual([1, 3, 224, 224]);
    const diff = maxAbsDiff(preprocess(load(stem), IMAGENET_PREPROCESSING), expected.data);
    console.log(`input ${stem}: max |Δ| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(INPUT_TOL);
  });

  it('tiny model: size 64 matches tiny.00000284_000.input', () => {
    const expected = ref('tiny.00000284_000.input.npy');
    expect(expected.shape).toEqual([1, 3, 64, 64]);
    const diff = maxAbsDiff(preprocess(load('00000284_000'), { ...IMAGENET_PREPROCESSING, size: 64 }), expected.data);
    console.log(`input tiny 00000284_000: max |Δ| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(INPUT_TOL);
  });

  it('fills a batch tensor in place, in the batch order of the reference', () => {
    const expected = ref('densenet121-synthetic14.batch.input.npy');
    const per = inputLength(IMAGENET_PREPROCESSING);
    const batch = new Float32Array(STEMS.length * per);
    STEMS.forEach((stem, n) => expect(preprocess(load(stem), IMAGENET_PREPROCESSING, batch, n * per)).toBe(batch));
    expect(maxAbsDiff(batch, expected.data)).toBeLessThanOrEqual(INPUT_TOL);
  });
});

describe('preprocess', () => {
  const flat = { width: 4, height: 2, data: new Float32Array(8).fill(0.5) };

  it('broadcasts a 1-long mean/std and replicates channels', () => {
    const p: Preprocessing = { size: 2, crop: 'center-square', resize: 'bilinear-antialias', channels: 3, mean: [0.25], std: [0.5] };
    expect([...preprocess(flat, p)]).toEqual(new Array(12).fill(0.5));
  });

  it('uses one mean/std per channel, rounded to float32 like a torch tensor', () => {
    const out = preprocess(flat, { ...IMAGENET_PREPROCESSING, size: 2 });
    for (let c = 0; c < 3; c++) {
      const m = Math.fround(IMAGENET_PREPROCESSING.mean[c]!);
      const s = Math.fround(IMAGENET_PREPROCESSING.std[c]!);
      expect([...out.subarray(4 * c, 4 * c + 4)]).toEqual(new Array(4).fill(Math.fround(Math.fround(0.5 - m) / s)));
    }
  });

  it("'none' resizes the whole image (aspect not kept)", () => {
    const ramp = { width: 4, height: 1, data: Float32Array.from([0, 1, 2, 3]) };
    const p: Preprocessing = { size: 1, crop: 'none', resize: 'bilinear-antialias', channels: 1, mean: [0], std: [1] };
    expect(preprocess(ramp, p)[0]).toBeCloseTo(1.5, 6); // symmetric 4 → 1 filter: the mean
  });

  it('refuses an output slot that does not fit', () => {
    expect(() => preprocess(flat, IMAGENET_PREPROCESSING, new Float32Array(10))).toThrow(/do not fit/);
  });
});

describe('timing (printed, not asserted)', () => {
  it('decode + preprocess of a 1024² PNG', () => {
    const bytes = readFileSync(shared('reference', 'inputs', '00000284_000.png'));
    const rgba = readFileSync(shared('reference', 'inputs', '00005224_000.png'));
    const time = (fn: () => unknown, n = 5): number => {
      fn(); // warm-up (JIT)
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn();
      return (performance.now() - t0) / n;
    };
    const img = decodeImage(bytes, 'x.png');
    const p64 = { ...IMAGENET_PREPROCESSING, size: 64 };
    const rows = {
      'decode 8-bit gray PNG (1024²)': time(() => decodeImage(bytes, 'x.png')),
      'decode RGBA PNG (1024²)': time(() => decodeImage(rgba, 'x.png')),
      'resize 1024² → 224²': time(() => resizeBilinearAntialias(img, 224, 224)),
      'preprocess → 3×224² (crop+resize+norm)': time(() => preprocess(img, IMAGENET_PREPROCESSING)),
      'preprocess → 3×64²': time(() => preprocess(img, p64)),
      'decode + preprocess': time(() => preprocess(decodeImage(bytes, 'x.png'), IMAGENET_PREPROCESSING)),
    };
    console.log(
      Object.entries(rows)
        .map(([k, v]) => `${k.padEnd(42)} ${v.toFixed(2)} ms`)
        .join('\n'),
    );
  });
});
