import { describe, expect, it } from 'vitest';
import { autoWindow, windowSpanning } from './auto-window.ts';
import { paletteToLuma, rgbToLuma8, ybrToLuma } from './luma.ts';
import { windowLinear } from './voi.ts';
import { ybrFullToRgb8 } from './ybr.ts';

describe('colour to grayscale', () => {
  it('matches PIL convert("L"): (R*19595 + G*38470 + B*7471 + 0x8000) >> 16', () => {
    expect(Array.from(rgbToLuma8([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 10, 20, 30]))).toEqual([76, 150, 29, 255, 18]);
  });

  it('takes Y from YBR_FULL and looks palettes up', () => {
    expect(Array.from(ybrToLuma([77, 1, 2, 200, 3, 4]))).toEqual([77, 200]);
    const palette = { firstMapped: 0, red: new Uint8Array([0, 255]), green: new Uint8Array([0, 255]), blue: new Uint8Array([0, 0]) };
    expect(Array.from(paletteToLuma([0, 1, 5], palette))).toEqual([0, 226, 226]);
  });

  it('converts YBR_FULL to RGB (grey stays grey, pure Cr is red)', () => {
    expect(Array.from(ybrFullToRgb8([128, 128, 128, 76, 85, 255]))).toEqual([128, 128, 128, 254, 0, 0]);
  });
});

describe('automatic window', () => {
  it('spans [low, high] exactly under LINEAR', () => {
    const { center, width } = windowSpanning(0, 255);
    expect([center, width]).toEqual([128, 256]);
    for (const x of [0, 1, 100, 255]) expect(windowLinear(x, center, width)).toBeCloseTo(x, 10);
  });

  it('ignores the 0.5% tails: a few hot pixels do not flatten the image', () => {
    const values = new Float32Array(10000);
    for (let i = 0; i < values.length; i++) values[i] = 1000 + (i % 1000);
    values[0] = -30000;
    values[1] = 60000;
    const { center, width } = autoWindow(values);
    const low = center - 0.5 - (width - 1) / 2;
    const high = center - 0.5 + (width - 1) / 2;
    expect(low).toBeGreaterThanOrEqual(1000);
    expect(low).toBeLessThanOrEqual(1010);
    expect(high).toBeGreaterThanOrEqual(1990);
    expect(high).toBeLessThanOrEqual(1999);
  });

  it('handles a constant image', () => {
    expect(autoWindow(new Float32Array([7, 7, 7])).width).toBe(1);
  });
});
