import { describe, expect, it } from 'vitest';
import { applyVoi } from './apply-voi.ts';
import { applyVoiLut, applyWindow, windowLinear, windowLinearExact, windowSigmoid } from './voi.ts';

// Hand-computed from PS3.3 C.11.2.1.2.1 (LINEAR) and C.11.2.1.3 (LINEAR_EXACT, SIGMOID), ymin 0, ymax 255.
describe('VOI LUT functions', () => {
  it('LINEAR: c=40 w=400 (a CT soft-tissue window)', () => {
    expect(windowLinear(-160, 40, 400)).toBe(0); // x <= c - 0.5 - (w-1)/2 = -160
    expect(windowLinear(-159, 40, 400)).toBeCloseTo(((-159 - 39.5) / 399 + 0.5) * 255, 10);
    expect(windowLinear(39.5, 40, 400)).toBeCloseTo(127.5, 10);
    expect(windowLinear(239, 40, 400)).toBeCloseTo(255, 10); // top of the ramp
    expect(windowLinear(240, 40, 400)).toBe(255); // x > c - 0.5 + (w-1)/2 = 239
  });

  it('LINEAR with width 1 is a threshold at c - 0.5', () => {
    expect(windowLinear(99.5, 100, 1)).toBe(0);
    expect(windowLinear(99.6, 100, 1)).toBe(255);
  });

  it('LINEAR_EXACT: c=40 w=400 maps [c - w/2, c + w/2] exactly', () => {
    expect(windowLinearExact(-160, 40, 400)).toBe(0);
    expect(windowLinearExact(40, 40, 400)).toBe(127.5);
    expect(windowLinearExact(140, 40, 400)).toBe(191.25); // ((100/400) + 0.5) * 255
    expect(windowLinearExact(240, 40, 400)).toBe(255);
    expect(windowLinearExact(240.01, 40, 400)).toBe(255);
  });

  it('SIGMOID: 255 / (1 + exp(-4 (x - c) / w))', () => {
    expect(windowSigmoid(40, 40, 400)).toBe(127.5);
    expect(windowSigmoid(140, 40, 400)).toBeCloseTo(255 / (1 + Math.exp(-1)), 10); // 186.39...
    expect(windowSigmoid(-60, 40, 400)).toBeCloseTo(255 / (1 + Math.exp(1)), 10);
  });

  it('applies the chosen function to every value', () => {
    const values = [-160, 40, 240];
    expect(Array.from(applyWindow(values, { center: 40, width: 400, fn: 'LINEAR_EXACT' }))).toEqual([0, 127.5, 255]);
    expect(Array.from(applyVoi(values, { kind: 'window', center: 40, width: 400, fn: 'SIGMOID', source: 'header' }))[1]).toBe(127.5);
  });

  it('VOI LUT Sequence: clamps outside the table and scales 2^bits - 1 to 255', () => {
    const lut = { firstMapped: 100, bitsPerEntry: 12, data: new Uint16Array([0, 1000, 4095]) };
    const out = Array.from(applyVoiLut([50, 100, 101, 102, 500], lut));
    expect(out[0]).toBe(0);
    expect(out[1]).toBe(0);
    expect(out[2]).toBeCloseTo((1000 * 255) / 4095, 4);
    expect(out[3]).toBe(255);
    expect(out[4]).toBe(255);
  });
});
