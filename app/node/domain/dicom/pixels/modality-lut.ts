import type { LookupTable } from '../types.ts';

/** Modality LUT by Rescale Slope/Intercept (PS3.3 C.11.1): out = slope * stored + intercept. Any sign of slope. */
export function applyRescale(stored: ArrayLike<number>, slope: number, intercept: number): Float32Array {
  const out = new Float32Array(stored.length);
  for (let i = 0; i < stored.length; i++) out[i] = stored[i]! * slope + intercept;
  return out;
}

/**
 * A LUT lookup (Modality LUT or VOI LUT): inputs below the first mapped value take the first
 * entry, inputs past the last take the last entry (PS3.3 C.11.1.1, C.11.2.1.1).
 */
export function lookUp(values: ArrayLike<number>, lut: LookupTable): Float32Array {
  const out = new Float32Array(values.length);
  const last = lut.data.length - 1;
  for (let i = 0; i < values.length; i++) {
    const index = Math.round(values[i]!) - lut.firstMapped;
    out[i] = lut.data[index < 0 ? 0 : Math.min(index, last)]!;
  }
  return out;
}

/** Modality values for a grayscale frame: the Modality LUT Sequence wins over rescale when present. */
export function applyModalityLut(
  stored: ArrayLike<number>,
  transform: { slope: number; intercept: number; lut?: LookupTable },
): Float32Array {
  return transform.lut ? lookUp(stored, transform.lut) : applyRescale(stored, transform.slope, transform.intercept);
}
