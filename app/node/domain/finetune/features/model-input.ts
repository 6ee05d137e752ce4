import type { Preprocessing } from '../../../../common/manifest.ts';
import type { GrayImage } from '../../imaging/gray-image.ts';
import { preprocess } from '../../imaging/preprocess.ts';

/**
 * The engine's preprocessing split in two so augmentation can sit between the steps:
 * crop + resize to a [0,1] plane, then channel replication and normalisation. Without augmentation
 * the result is bit-identical to `preprocess` (same float32 rounding), which is what makes a
 * fine-tuned model predict the same in training and in the app.
 */
export function resizedPlane(image: GrayImage, p: Preprocessing): Float32Array {
  return preprocess(image, { ...p, channels: 1, mean: [0], std: [1] });
}

/** Plane (size²) → network input CHW, written into `out` at `offset`. */
export function normalisePlane(plane: Float32Array, p: Preprocessing, out: Float32Array, offset: number): void {
  const n = p.size * p.size;
  for (let c = 0; c < p.channels; c++) {
    const mean = Math.fround(p.mean.length === 1 ? p.mean[0]! : p.mean[c]!);
    const std = Math.fround(p.std.length === 1 ? p.std[0]! : p.std[c]!);
    const base = offset + c * n;
    for (let i = 0; i < n; i++) out[base + i] = Math.fround(plane[i]! - mean) / std;
  }
}
