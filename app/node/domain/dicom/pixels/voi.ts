import type { LookupTable, VoiLutFunction } from '../types.ts';
import { lookUp } from './modality-lut.ts';

/** Output range of the VOI stage here: 8-bit display values, kept as floats until quantised. */
export const VOI_MAX = 255;

/** VOI LUT Function LINEAR (PS3.3 C.11.2.1.2.1). Requires width >= 1. */
export function windowLinear(x: number, center: number, width: number, yMin = 0, yMax = VOI_MAX): number {
  const w = Math.max(width, 1);
  const c = center - 0.5;
  if (x <= c - (w - 1) / 2) return yMin;
  if (x > c + (w - 1) / 2) return yMax;
  return ((x - c) / (w - 1) + 0.5) * (yMax - yMin) + yMin;
}

/** VOI LUT Function LINEAR_EXACT (PS3.3 C.11.2.1.3.2). Requires width > 0. */
export function windowLinearExact(x: number, center: number, width: number, yMin = 0, yMax = VOI_MAX): number {
  if (x <= center - width / 2) return yMin;
  if (x > center + width / 2) return yMax;
  return ((x - center) / width + 0.5) * (yMax - yMin) + yMin;
}

/** VOI LUT Function SIGMOID (PS3.3 C.11.2.1.3.1). Requires width > 0. */
export function windowSigmoid(x: number, center: number, width: number, yMin = 0, yMax = VOI_MAX): number {
  return (yMax - yMin) / (1 + Math.exp((-4 * (x - center)) / width)) + yMin;
}

const WINDOW_FUNCTIONS = { LINEAR: windowLinear, LINEAR_EXACT: windowLinearExact, SIGMOID: windowSigmoid } as const;

/** Applies a window to modality values; output in [0, VOI_MAX]. */
export function applyWindow(values: ArrayLike<number>, window: { center: number; width: number; fn: VoiLutFunction }): Float32Array {
  const f = WINDOW_FUNCTIONS[window.fn];
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f(values[i]!, window.center, window.width);
  return out;
}

/** VOI LUT Sequence: look up, then scale the LUT's output range (2^bits - 1) to [0, VOI_MAX]. */
export function applyVoiLut(values: ArrayLike<number>, lut: LookupTable): Float32Array {
  const looked = lookUp(values, lut);
  const scale = VOI_MAX / (2 ** lut.bitsPerEntry - 1);
  for (let i = 0; i < looked.length; i++) looked[i] = Math.min(VOI_MAX, Math.max(0, looked[i]! * scale));
  return looked;
}
