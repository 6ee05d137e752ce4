import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { CamSet } from '../../../common/contract/classify.ts';
import { HEATMAP_DEFAULTS } from '../../../common/defaults.ts';
import { drawText, GLYPH_ADVANCE } from './bitmap-font.ts';
import { normalizeCam } from './cam.ts';
import { type HeatmapCaption, renderLabelledCamPng } from './labelled-heatmap.ts';
import { renderOverlayPng } from './overlay.ts';

const SIZE = 224;
const image = { width: SIZE, height: SIZE, data: Float32Array.from({ length: SIZE * SIZE }, (_, i) => (i % 97) / 97) };
const cams: CamSet = {
  width: 7,
  height: 7,
  data: Float32Array.from({ length: 2 * 49 }, (_, i) => Math.sin(i / 4) * 3),
  normalisation: 'none: raw class score per cell; its spatial mean equals the logit',
};
const caption = (demo: boolean): HeatmapCaption => ({
  finding: 'Pleural_Thickening',
  probability: 0.634,
  threshold: 0.5,
  model: { id: 'densenet121-test', sha256: 'ab'.repeat(32), demo, backend: 'onnx', precision: 'fp32' },
});
const decode = (bytes: Uint8Array) => PNG.sync.read(Buffer.from(bytes));
const pixel = (png: PNG, x: number, y: number): number[] => [...png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 3)];

describe('labelled heatmap PNG', () => {
  const labelled = decode(renderLabelledCamPng(image, cams, 1, caption(true)));

  it('keeps the overlay pixels exactly and adds the caption band below', () => {
    const map = normalizeCam(cams.data.subarray(49, 98), 7, 7, HEATMAP_DEFAULTS.normalisation);
    const plain = decode(renderOverlayPng(image, map, 7, 7, { opacity: HEATMAP_DEFAULTS.opacity, minVisible: HEATMAP_DEFAULTS.cutoff }));
    expect(labelled.width).toBe(SIZE);
    expect(labelled.height).toBeGreaterThan(SIZE + 80);
    expect(Buffer.from(labelled.data.subarray(0, plain.data.length)).equals(plain.data)).toBe(true);
  });

  it('draws the legend with the published viridis ends and the cut-off left grey', () => {
    // Find the legend: the band row whose rightmost legend pixel is viridis(1) = #fde725 (matplotlib's table).
    const right = SIZE - 6;
    let row = -1;
    for (let y = SIZE; y < labelled.height && row < 0; y++) if (pixel(labelled, right, y).join() === '253,231,37') row = y;
    expect(row).toBeGreaterThan(SIZE);
    // Just above the cut-off the bar is viridis(≈0.5) = #21918c (±1 for the sampled position); just below it is grey.
    const span = SIZE - 10;
    const cut = 5 + Math.ceil(HEATMAP_DEFAULTS.cutoff * (span - 1));
    const mid = pixel(labelled, cut, row);
    for (const [c, ref] of mid.map((c, i) => [c, [0x21, 0x91, 0x8c][i]!])) expect(Math.abs(c! - ref!)).toBeLessThanOrEqual(3);
    expect(pixel(labelled, cut - 2, row)).toEqual([58, 62, 68]);
  });

  it('marks the demo model with an orange bar, and only the demo model', () => {
    const orangeRows = (png: PNG): number => {
      let n = 0;
      for (let y = SIZE; y < png.height; y++) if (pixel(png, 1, y).join() === '179,89,0') n++;
      return n;
    };
    expect(orangeRows(labelled)).toBeGreaterThan(8);
    expect(orangeRows(decode(renderLabelledCamPng(image, cams, 1, caption(false))))).toBe(0);
  });

  it('writes text with the bitmap font as drawn by hand', () => {
    const width = 2 * GLYPH_ADVANCE;
    const rgb = new Uint8Array(width * 9 * 3);
    drawText(rgb, width, 0, 0, 'HI', [255, 255, 255]);
    const rows = Array.from({ length: 7 }, (_, y) =>
      Array.from({ length: width - 1 }, (_, x) => (rgb[3 * (y * width + x)] ? '#' : '.')).join(''),
    );
    expect(rows).toEqual([
      // H, one column of space, I
      '#...#..###.',
      '#...#...#..',
      '#...#...#..',
      '#####...#..',
      '#...#...#..',
      '#...#...#..',
      '#...#..###.',
    ]);
  });
});
