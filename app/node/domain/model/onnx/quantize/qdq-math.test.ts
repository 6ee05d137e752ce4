import { describe, expect, it } from 'vitest';
import { activationQuant, quantizeBias, quantizeWeightsPerChannel, roundHalfEven } from './qdq-math.ts';

const f32 = Math.fround;

describe('activation quantisation (uint8, per tensor), worked by hand', () => {
  it('[−1, 3]: scale 4/255, zero point round(1 / (4/255)) = round(63.75) = 64', () => {
    expect(activationQuant(-1, 3)).toEqual({ scale: f32(4 / 255), zeroPoint: 64 });
  });
  it('a positive range is widened to include 0 (ReLU outputs): [0.5, 2] → scale 2/255, zero point 0', () => {
    expect(activationQuant(0.5, 2)).toEqual({ scale: f32(2 / 255), zeroPoint: 0 });
  });
  it('a negative range: [−2, −1] → [−2, 0], zero point 255', () => {
    expect(activationQuant(-2, -1)).toEqual({ scale: f32(2 / 255), zeroPoint: 255 });
  });
  it('a constant zero tensor gets scale 1 rather than a division by zero', () => {
    expect(activationQuant(0, 0)).toEqual({ scale: 1, zeroPoint: 0 });
  });
  it('refuses what is not a range', () => {
    expect(() => activationQuant(2, 1)).toThrow(RangeError);
    expect(() => activationQuant(Number.NaN, 1)).toThrow(RangeError);
  });
});

describe('weight quantisation (int8, symmetric, per output channel)', () => {
  it('scale = max|w| / 127 per channel; values rounded half to even and kept in [−127, 127]', () => {
    const { values, scales } = quantizeWeightsPerChannel(Float32Array.from([0.5, -1, 0.3, 0, 2, -2, 1.01, -0.02]), 2);
    expect([...scales]).toEqual([f32(1 / 127), f32(2 / 127)]);
    // channel 0: 0.5·127 = 63.5 → 64 (63.50000024 in float32 scale, and half-even 64 either way), −127, 0.3·127 = 38.1 → 38, 0
    // channel 1: 127, −127, 1.01·63.5 = 64.135 → 64, −0.02·63.5 = −1.27 → −1
    expect([...values]).toEqual([64, -127, 38, 0, 127, -127, 64, -1]);
  });
  it('an all-zero channel keeps scale 1 and zeros', () => {
    const { values, scales } = quantizeWeightsPerChannel(new Float32Array(4), 2);
    expect([...scales]).toEqual([1, 1]);
    expect([...values]).toEqual([0, 0, 0, 0]);
  });
  it('refuses weights that do not split into the channels', () => {
    expect(() => quantizeWeightsPerChannel(new Float32Array(5), 2)).toThrow(RangeError);
  });
});

describe('bias quantisation (int32 at input scale × weight scale)', () => {
  it('0.1 at 0.01·0.5 → 20; −0.2 at 0.01·0.25 → −80', () => {
    const { values, scales } = quantizeBias(Float32Array.from([0.1, -0.2]), 0.01, Float32Array.from([0.5, 0.25]));
    expect([...scales]).toEqual([f32(0.005), f32(0.0025)]);
    expect([...values]).toEqual([20, -80]);
  });
});

describe('round half to even (numpy, onnxruntime QuantizeLinear)', () => {
  it.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [-1.5, -2],
    [-2.5, -2],
    [2.4999, 2],
    [-3.7, -4],
  ])('%f → %i', (x, r) => {
    expect(roundHalfEven(x) === r).toBe(true);
  });
});
