// The viewer's heatmap geometry: its upsampling must be the backend's (itself checked against
// PyTorch's interpolate), and its outline must lie on the level it claims.
import { describe, expect, it } from 'vitest';
import { upsampleCam } from '../../app/node/domain/imaging/cam.ts';
import { contourSegments, displaySamples, paintHeatmap, upsample } from '../../renderer/viewer/heatmap-layer.ts';

describe('viewer heatmap layer', () => {
  it('upsamples exactly as the CLI and report PNGs do', () => {
    const cam = Float32Array.from({ length: 49 }, (_, i) => Math.sin(i * 0.7) + (i % 5) * 0.1);
    for (const [w, h] of [
      [224, 224],
      [97, 130],
    ] as const)
      expect(upsample(cam, 7, 7, w, h)).toEqual(upsampleCam(cam, 7, 7, w, h));
  });

  it('outlines a cone at the level: every vertex at the radius where the cone crosses it, every loop closed', () => {
    // f(x, y) = 1 − d/R with d the distance from the centre: the level-0.5 contour is the circle d = R/2.
    const n = 64;
    const R = 40;
    const c = n / 2;
    const map = new Float32Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) map[j * n + i] = 1 - Math.hypot(i + 0.5 - c, j + 0.5 - c) / R;
    const seg = contourSegments(map, n, n, 0.5);
    expect(seg.length).toBeGreaterThan(4 * 50);
    const ends = new Map<string, number>();
    for (let k = 0; k < seg.length; k += 2) {
      // Sample (i, j) sits at (i + ½, j + ½); bilinear interpolation of a cone is exact to within the grid's curvature.
      expect(Math.abs(Math.hypot(seg[k]! + 0.5 - c, seg[k + 1]! + 0.5 - c) - R / 2)).toBeLessThan(0.05);
      const key = `${seg[k]!.toFixed(4)},${seg[k + 1]!.toFixed(4)}`;
      ends.set(key, (ends.get(key) ?? 0) + 1);
    }
    expect([...ends.values()].every((count) => count === 2)).toBe(true);
  });

  it('closes an outline that reaches the edge of the region', () => {
    const map = Float32Array.from([1, 1, 0, 1, 1, 0, 0, 0, 0]); // top-left 2×2 above the level, touching two edges
    const seg = contourSegments(map, 3, 3, 0.5);
    const ends = new Map<string, number>();
    for (let k = 0; k < seg.length; k += 2) ends.set(`${seg[k]},${seg[k + 1]}`, (ends.get(`${seg[k]},${seg[k + 1]}`) ?? 0) + 1);
    expect([...ends.values()].every((count) => count === 2)).toBe(true);
  });

  it('fills only at and above the level, tints everywhere, and never paints NaN as hot', () => {
    const lut = Uint8Array.from({ length: 768 }, (_, i) => i % 256);
    const map = Float32Array.from([0.2, 0.5, 0.9, Number.NaN]);
    const fill = new Uint8ClampedArray(16);
    paintHeatmap(map, lut, 0.5, fill);
    expect([fill[3], fill[7], fill[11]]).toEqual([0, 255, 255]);
    const tint = new Uint8ClampedArray(16);
    paintHeatmap(map, lut, undefined, tint);
    expect([tint[3], tint[7], tint[11], tint[15]]).toEqual([255, 255, 255, 255]);
    expect([...tint.subarray(12, 15)]).toEqual([...lut.subarray(0, 3)]); // NaN → the low end
    expect(displaySamples(1000, 300.4, 7, 7)).toEqual({ width: 512, height: 300 });
  });
});
