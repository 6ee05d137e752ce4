// The view transform the canvas, the measurements and the pointer share, and the operations a
// linked comparison applies to both images: checked against hand-computed positions.
import { describe, expect, it } from 'vitest';
import { applyAffine, applyViewOp, initialView, invertAffine, type ViewContext, viewAffine } from '../../renderer/viewer/view-state.ts';

const ctx = (range: number): ViewContext => ({
  imageW: 200,
  imageH: 100,
  viewW: 400,
  viewH: 400,
  range,
  windows: [
    { label: 'Stored', center: 100, width: 200, source: 'header' },
    { label: 'Auto', center: 50, width: 80, source: 'auto' },
  ],
  defaultWindow: 0,
});

describe('view transform', () => {
  it('fits, rotates and flips about the centre as a reader expects', () => {
    const c = ctx(1000);
    const view = initialView(c);
    // Fit: 200 px wide image in 400 px at 98 % → scale 1.96; the image centre at the viewport centre.
    const m = viewAffine(view, c);
    expect(applyAffine(m, 100, 50)).toEqual({ x: 200, y: 200 });
    expect(applyAffine(m, 0, 0).x).toBeCloseTo(200 - 1.96 * 100, 9);
    // Rotated right by 90°: the image's top-left corner goes to the top-right; the scale fits its height (100 → 400·0.98).
    const r = viewAffine(applyViewOp(view, { kind: 'rotate', by: 90 }, c), c);
    const s = (400 / 200) * 0.98;
    const tl = applyAffine(r, 0, 0);
    expect(tl.x).toBeCloseTo(200 + s * 50, 9);
    expect(tl.y).toBeCloseTo(200 - s * 100, 9);
    // Flipped horizontally: left and right swap.
    const f = viewAffine(applyViewOp(view, { kind: 'flipH' }, c), c);
    expect(applyAffine(f, 0, 50).x).toBeCloseTo(200 + 1.96 * 100, 9);
    // The pointer's inverse maps back.
    const back = applyAffine(invertAffine(r), tl.x, tl.y);
    expect(back.x).toBeCloseTo(0, 9);
    expect(back.y).toBeCloseTo(0, 9);
  });

  it('applies a linked window drag in proportion to each image’s own range, and presets by position', () => {
    const wide = ctx(4000);
    const narrow = ctx(255);
    const drag = { kind: 'window', dx: 50, dy: -25 } as const;
    const a = applyViewOp(initialView(wide), drag, wide);
    const b = applyViewOp(initialView(narrow), drag, narrow);
    expect((a.width - 200) / 4000).toBeCloseTo((b.width - 200) / 255, 12);
    expect(a.center).toBeCloseTo(100 - (25 * 4000) / 500, 9);
    expect(a.preset).toBeNull();
    expect(applyViewOp(a, { kind: 'preset', index: 1 }, wide)).toMatchObject({ center: 50, width: 80, preset: 1 });
    expect(applyViewOp(a, { kind: 'preset', index: 7 }, wide)).toBe(a);
  });

  it('zooms about the pointer: the image point under it stays put', () => {
    const c = ctx(1000);
    const view = initialView(c);
    const before = invertAffine(viewAffine(view, c));
    const at = applyAffine(before, 300, 120); // image point under the pointer at (300, 120)
    const zoomed = applyViewOp(view, { kind: 'zoom', factor: 2, px: 300 - 200, py: 120 - 200 }, c);
    const after = applyAffine(viewAffine(zoomed, c), at.x, at.y);
    expect(after.x).toBeCloseTo(300, 9);
    expect(after.y).toBeCloseTo(120, 9);
  });
});
