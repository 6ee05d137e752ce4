import { describe, expect, it } from 'vitest';
import { applyModalityLut, applyRescale, lookUp } from './modality-lut.ts';

describe('Modality LUT', () => {
  it('rescales with slope and intercept (CT: stored 1024 at intercept -1024 is 0 HU)', () => {
    expect(Array.from(applyRescale([0, 1024, 2048], 1, -1024))).toEqual([-1024, 0, 1024]);
    expect(Array.from(applyRescale([0, 3919], 2, -1024))).toEqual([-1024, 6814]);
  });

  it('keeps a negative slope (inverted modality units) as it is', () => {
    expect(Array.from(applyRescale([0, 100, 4095], -1, 4095))).toEqual([4095, 3995, 0]);
    expect(Array.from(applyRescale([10], -0.5, 0))).toEqual([-5]);
  });

  it('uses the Modality LUT Sequence instead of rescale when present, clamping at both ends', () => {
    const lut = { firstMapped: -2, bitsPerEntry: 16, data: new Uint16Array([10, 20, 30, 40]) };
    expect(Array.from(lookUp([-5, -2, -1, 0, 1, 9], lut))).toEqual([10, 10, 20, 30, 40, 40]);
    expect(Array.from(applyModalityLut([-1], { slope: 100, intercept: 100, lut }))).toEqual([20]);
    expect(Array.from(applyModalityLut([-1], { slope: 100, intercept: 100 }))).toEqual([0]);
  });
});
