import { describe, expect, it } from 'vitest';
import type { Preprocessing } from '../../app/common/manifest.ts';
import {
  roundHalfEven,
  shorterSideSize,
  torchvisionCenterRegion,
  xrvCenterRegion,
} from '../../app/node/domain/imaging/declared/crop-rules.ts';
import { resizePilBilinear8 } from '../../app/node/domain/imaging/declared/pil-resize.ts';
import { resizeSkimageLinear } from '../../app/node/domain/imaging/declared/skimage-resize.ts';
import { opNorm } from '../../app/node/domain/model/op-norm.ts';
import { inputLength, preprocess } from '../../app/node/domain/imaging/preprocess.ts';
import { loadInput } from '../../app/node/domain/input/load-input.ts';
import { loadCatalogue } from '../../app/node/domain/catalogue/load-catalogue.ts';
import { expected, imagePath } from './fixtures.ts';

describe('crop rules', () => {
  it('XRayCenterCrop starts at floor(long/2) − floor(side/2)', () => {
    expect(xrvCenterRegion(334, 271)).toEqual({ x: 32, y: 0, width: 271, height: 271 }); // (334 − 271)/2 floored would be 31
    expect(xrvCenterRegion(250, 301)).toEqual({ x: 0, y: 25, width: 250, height: 250 });
  });

  it('torchvision CenterCrop rounds half to even, Resize keeps the aspect with int()', () => {
    expect([0.5, 1.5, 2.5, 22.5, 3.2, 3.7].map(roundHalfEven)).toEqual([0, 2, 2, 22, 3, 4]);
    expect(torchvisionCenterRegion(269, 224, 224)).toEqual({ x: 22, y: 0, width: 224, height: 224 });
    expect(shorterSideSize(301, 250, 224)).toEqual({ width: 269, height: 224 });
    expect(shorterSideSize(150, 181, 256)).toEqual({ width: 256, height: 308 });
  });
});

describe('resize kinds', () => {
  it('skimage-linear: the border blends with cval, then the output is clipped to the input range (skimage 0.19.3 values)', () => {
    const constant = resizeSkimageLinear(new Float32Array(40 * 40).fill(100), 40, 40, 10, 10, 0);
    expect(constant.every((v) => v === 100)).toBe(true);
    const ramp = Float32Array.from({ length: 8 * 8 }, (_, i) => (i % 8) * 10 - 30);
    // skimage.transform.resize(ramp, (4, 4), mode='constant', preserve_range=True)[0]
    expect(Array.from(resizeSkimageLinear(ramp, 8, 8, 4, 4, 0).subarray(0, 4)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual(
      SKIMAGE_RAMP_ROW0,
    );
  });

  it('pil-bilinear: halving uses a 4-tap triangle in 8-bit fixed point (Pillow 9.4 values)', () => {
    const src = Uint8Array.from([10, 20, 30, 41, 10, 20, 30, 41]);
    expect(Array.from(resizePilBilinear8(src, 4, 2, 2, 2))).toEqual([17, 33, 17, 33]);
  });
});

describe('op_norm', () => {
  it('maps the threshold to 0.5 and is linear on each side', () => {
    expect(opNorm(0.1, 0.1)).toBeCloseTo(0.5, 6);
    expect(opNorm(0.05, 0.1)).toBeCloseTo(0.25, 6);
    expect(opNorm(0.55, 0.1)).toBeCloseTo(0.75, 6);
    expect(opNorm(1, 0.3)).toBe(1);
  });
});

describe('each family’s preprocessing matches its Python pipeline on the fixture images', () => {
  const { catalogue } = loadCatalogue();
  const families = new Map(catalogue.models.map((e) => [e.family, e.preprocessing] as const));
  const cases = Object.keys(expected.inputs).map((k) => k.split('/') as [string, string]);
  it.each(cases)('%s on %s', async (family, image) => {
    const p = families.get(family as never) as Preprocessing;
    const input = await loadInput(imagePath(image));
    const got = preprocess(input.image, p);
    expect(got.length).toBe(inputLength(p));
    const want = expected.inputs[`${family}/${image}`]!;
    // XRV inputs span ±1024; the others are ImageNet-normalised: compare relative to the range.
    const scale = family === 'torchxrayvision' ? 1024 : 1;
    want.at.forEach((i, k) => expect(Math.abs(got[i]! - want.values[k]!) / scale, `value ${i}`).toBeLessThan(1e-5));
    let sum = 0;
    for (const v of got) sum += v;
    expect(Math.abs(sum - want.sum) / (got.length * scale)).toBeLessThan(1e-6);
  });
});

const SKIMAGE_RAMP_ROW0 = [-21.6364, -4.7326, 14.1977, 30.5952];
