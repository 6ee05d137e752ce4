import type { VoiTransform } from '../types.ts';
import { applyVoiLut, applyWindow } from './voi.ts';

/** Modality values through the chosen VOI, to [0, 255] floats. */
export function applyVoi(values: ArrayLike<number>, voi: VoiTransform): Float32Array {
  return voi.kind === 'lut' ? applyVoiLut(values, voi.lut) : applyWindow(values, voi);
}
