import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { DenseRayError } from '../../shared/errors.ts';
import {
  CAM_NORMALIZATION_MEANING,
  COLORMAP_NAME,
  colormap,
  colormapLegend,
  normalizeCam,
  renderGrayPng,
  renderOverlayPng,
  upsampleCam,
} from './heatmap.ts';

describe('normalizeCam', () => {
  const cam = Float32Array.from([-2, 0, 2, 6]);

  it("minmax: 0 = the map's minimum, 1 = its maximum", () => {
    expect([...normalizeCam(cam, 2, 2, 'minmax')]).toEqual([0, 0.25, 0.5, 1]);
  });

  it('minmax of a flat map is all 0 (nothing to localise)', () => {
    expect([...normalizeCam(Float32Array.from([3, 3, 3]), 1, 3, 'minmax')]).toEqual([0, 0, 0]);
  });

  it('sigmoid: σ(CAM), 0.5 at logit 0', () => {
    const out = normalizeCam(cam, 2, 2, 'sigmoid');
    expect(out[1]).toBe(0.5);
    expect(out[0]).toBeCloseTo(1 / (1 + Math.exp(2)), 6); // 0.1192
    expect(out[3]).toBeCloseTo(1 / (1 + Math.exp(-6)), 6); // 0.9975
    expect(normalizeCam(Float32Array.from([-1000, 1000]), 1, 2, 'sigmoid')).toEqual(Float32Array.from([0, 1]));
  });

  it('every mode states its meaning', () => {
    expect(Object.keys(CAM_NORMALIZATION_MEANING).sort()).toEqual(['minmax', 'sigmoid']);
  });

  it('rejects a size that does not match', () => {
    expect(() => normalizeCam(cam, 3, 2, 'minmax')).toThrow(DenseRayError);
  });
});

describe('upsampleCam', () => {
  it('2×2 → 4×4 bilinear, align_corners=False, by hand', () => {
    const out = upsampleCam(Float32Array.from([0, 4, 8, 12]), 2, 2, 4, 4);
    // per axis: source = (o + 0.5)/2 − 0.5 clamped at 0 → 0, 0.25, 0.75, 1
    expect([...out]).toEqual([0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12]);
  });

  it('7×7 → 224×224 keeps a constant map constant', () => {
    const out = upsampleCam(new Float32Array(49).fill(0.7), 7, 7, 224, 224);
    expect(out.length).toBe(224 * 224);
    expect(Math.max(...out.map((v) => Math.abs(v - Math.fround(0.7))))).toBeLessThan(1e-6);
  });
});

describe('colormap', () => {
  it(`is ${COLORMAP_NAME}: end points are the published LUT's first and last entries`, () => {
    // matplotlib _viridis_data[0] = (0.267004, 0.004874, 0.329415), [255] = (0.993248, 0.906157, 0.143936)
    expect(colormap(0)).toEqual([68, 1, 84]); // #440154
    expect(colormap(1)).toEqual([253, 231, 37]); // #fde725
    expect(colormap(-3)).toEqual(colormap(0));
    expect(colormap(Number.NaN)).toEqual(colormap(0));
    expect(colormap(7)).toEqual(colormap(1));
  });

  it('gets brighter along the scale (perceptual ordering)', () => {
    const luminance = ([r, g, b]: number[]) => 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    let last = -1;
    for (let i = 0; i <= 32; i++) {
      const l = luminance(colormap(i / 32));
      expect(l).toBeGreaterThan(last);
      last = l;
    }
  });

  it('legend stops span 0..1 with CSS colours', () => {
    const legend = colormapLegend(5);
    expect(legend.map((s) => s.value)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(legend[0]!.css).toBe('#440154');
    expect(legend[4]!.css).toBe('#fde725');
  });
});

describe('PNG rendering', () => {
  const gray = { width: 4, height: 2, data: Float32Array.from([0, 0.2, 0.4, 0.6, 0.8, 1, 1.5, -0.5]) };

  it('renderGrayPng round-trips 8-bit levels (clamped)', () => {
    const png = PNG.sync.read(Buffer.from(renderGrayPng(gray)));
    expect(png).toMatchObject({ width: 4, height: 2, colorType: 0, depth: 8 });
    const levels = Array.from({ length: 8 }, (_, i) => png.data[4 * i]);
    expect(levels).toEqual([0, 51, 102, 153, 204, 255, 255, 0]);
  });

  it('renderOverlayPng blends viridis over the image and leaves cells below minVisible untouched', () => {
    // CAM 2×1: left cell 0 (hidden by minVisible), right cell 1 (drawn); upsampled to 4 wide:
    // sources 0, 0.25, 0.75, 1 → values 0, 0.25, 0.75, 1.
    const cam = Float32Array.from([0, 1]);
    const bytes = renderOverlayPng(gray, cam, 2, 1, { opacity: 0.5, minVisible: 0.5 });
    const png = PNG.sync.read(Buffer.from(bytes));
    expect(png).toMatchObject({ width: 4, height: 2, colorType: 2 });
    const px = (x: number, y: number) => [...png.data.subarray(4 * (y * 4 + x), 4 * (y * 4 + x) + 3)];
    expect(px(0, 0)).toEqual([0, 0, 0]); // hidden: the X-ray as gray
    expect(px(1, 0)).toEqual([51, 51, 51]);
    const [r, g, b] = colormap(1);
    expect(px(3, 0)).toEqual([Math.round(0.5 * 153 + 0.5 * r), Math.round(0.5 * 153 + 0.5 * g), Math.round(0.5 * 153 + 0.5 * b)]);
    const [r2, g2, b2] = colormap(0.75);
    expect(px(2, 1)).toEqual([Math.round(0.5 * 255 + 0.5 * r2), Math.round(0.5 * 255 + 0.5 * g2), Math.round(0.5 * 255 + 0.5 * b2)]);
  });

  it('rejects an opacity outside [0,1]', () => {
    expect(() => renderOverlayPng(gray, Float32Array.from([0, 1]), 2, 1, { opacity: 2 })).toThrow(DenseRayError);
  });

  it('timing of a 1024² overlay (printed)', () => {
    const big = { width: 1024, height: 1024, data: new Float32Array(1024 * 1024).fill(0.5) };
    const cam = normalizeCam(
      Float32Array.from({ length: 49 }, (_, i) => Math.sin(i)),
      7,
      7,
      'minmax',
    );
    renderOverlayPng(big, cam, 7, 7, { opacity: 0.4 });
    const t0 = performance.now();
    const bytes = renderOverlayPng(big, cam, 7, 7, { opacity: 0.4, minVisible: 0.2 });
    console.log(`overlay 1024² → PNG: ${(performance.now() - t0).toFixed(1)} ms, ${(bytes.length / 1024).toFixed(0)} KiB`);
  });
});
