import type { Preprocessing } from '../../../common/manifest.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { studyScratch } from '../../shared/scratch-pool.ts';
import { preprocessDeclared } from './declared/declared-preprocess.ts';
import type { GrayImage } from './gray-image.ts';
import { cropBeforeResize } from './geometry.ts';
import { resizeBilinearAntialias } from './resize.ts';

/** Number of floats one preprocessed image occupies (C × size × size). */
export function inputLength(p: Preprocessing): number {
  return p.channels * p.size * p.size;
}

/**
 * Gray image → network input, CHW float32: crop, antialiased bilinear resize to p.size, replicate
 * to p.channels, then (x − mean[c]) / std[c] with mean/std rounded to float32 first and each step
 * rounded to float32, as PyTorch's `(t − mean) / std` on float32 tensors does. A 1-long mean/std
 * applies to every channel. Writes into `out` at `outOffset` when given (one slot of a batch
 * tensor, no copy) and returns that array; otherwise returns a new one.
 */
export function preprocess(img: GrayImage, p: Preprocessing, out?: Float32Array, outOffset = 0): Float32Array {
  const plane = p.size * p.size;
  const length = p.channels * plane;
  const target = out ?? new Float32Array(length);
  if (!Number.isInteger(outOffset) || outOffset < 0 || outOffset + length > target.length) {
    throw new DenseRayError(
      'INVALID_ARGUMENT',
      `preprocess: ${length} values at offset ${outOffset} do not fit an array of ${target.length}`,
    );
  }
  // Published models' own crop/resize rules (TorchXRayVision, torchvision on PIL), declared in their manifests.
  if (p.resize !== 'bilinear-antialias' || (p.crop !== 'center-square' && p.crop !== 'none')) {
    preprocessDeclared(img, p, target, outOffset);
    return target;
  }
  const scratch = studyScratch.takeFloats(plane);
  try {
    const resized = resizeBilinearAntialias(img, p.size, p.size, cropBeforeResize(img.width, img.height, p.crop), scratch).data;
    for (let c = 0; c < p.channels; c++) {
      const mean = Math.fround(channelValue(p.mean, c, 'mean'));
      const std = Math.fround(channelValue(p.std, c, 'std'));
      const base = outOffset + c * plane;
      for (let i = 0; i < plane; i++) target[base + i] = Math.fround(resized[i]! - mean) / std;
    }
  } finally {
    studyScratch.give(scratch.buffer);
  }
  return target;
}

function channelValue(values: readonly number[], c: number, name: string): number {
  const v = values.length === 1 ? values[0] : values[c];
  if (v === undefined)
    throw new DenseRayError('INVALID_ARGUMENT', `preprocess: ${name} has ${values.length} values, need 1 or one per channel`);
  return v;
}
