import type { Augmentation } from '../../../../common/contract/finetune.ts';
import { SeededRandom } from '../../model/seeded-random.ts';

/**
 * One random draw of the augmentation on a square [0,1] plane: rotation, isotropic scale and
 * translation about the centre (bilinear sampling, edges clamped so no black corners appear),
 * then brightness (added) and contrast (scaled about the plane's mean), clipped to [0,1].
 * A left-right flip happens only when `horizontalFlip` is set: anatomy is not symmetric, and a
 * flipped heart teaches the model that dextrocardia is normal.
 */
export function augmentPlane(plane: Float32Array, size: number, a: Augmentation, random: SeededRandom): Float32Array {
  const symmetric = (limit: number): number => (random.uniform() * 2 - 1) * limit;
  const angle = (symmetric(a.rotationDegrees) * Math.PI) / 180;
  const scale = 1 + symmetric(a.scale);
  const dx = symmetric(a.translate) * size;
  const dy = symmetric(a.translate) * size;
  const brightness = symmetric(a.brightness);
  const contrast = 1 + symmetric(a.contrast);
  const flip = a.horizontalFlip && random.uniform() < 0.5;

  const out = new Float32Array(size * size);
  const c = (size - 1) / 2;
  const cos = Math.cos(angle) / scale;
  const sin = Math.sin(angle) / scale;
  let mean = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Inverse map: output pixel → source position.
      const ox = (flip ? size - 1 - x : x) - c - dx;
      const oy = y - c - dy;
      const sx = Math.min(size - 1, Math.max(0, cos * ox + sin * oy + c));
      const sy = Math.min(size - 1, Math.max(0, -sin * ox + cos * oy + c));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(size - 1, x0 + 1);
      const y1 = Math.min(size - 1, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = plane[y0 * size + x0]! * (1 - fx) + plane[y0 * size + x1]! * fx;
      const bottom = plane[y1 * size + x0]! * (1 - fx) + plane[y1 * size + x1]! * fx;
      const v = top * (1 - fy) + bottom * fy;
      out[y * size + x] = v;
      mean += v;
    }
  }
  mean /= out.length;
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, (out[i]! - mean) * contrast + mean + brightness));
  return out;
}

/** The generator for view `view` of an image: fixed by (seed, image hash, view), independent of order. */
export function viewRandom(seed: number, imageSha: string, view: number): SeededRandom {
  return new SeededRandom((seed * 0x9e3779b1 + Number.parseInt(imageSha.slice(0, 8), 16) + view * 0x85ebca6b) >>> 0);
}
