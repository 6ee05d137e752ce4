import type { Preprocessing } from '../../../../common/manifest.ts';
import { DenseRayError } from '../../../shared/errors.ts';
import type { GrayImage } from '../gray-image.ts';
import { cropBeforeResize, resizeThenCrop } from '../geometry.ts';
import { cropRegion, resizeBilinearAntialias } from '../resize.ts';
import { resizePilBilinear8 } from './pil-resize.ts';
import { resizeSkimageLinear } from './skimage-resize.ts';

/**
 * The preprocessing kinds of published models other than DenseRay's own (crop, then PyTorch's
 * antialiased bilinear resize): each reproduces that family's Python pipeline in its order.
 * Writes C × size × size floats at `offset` of `target`.
 */
export function preprocessDeclared(img: GrayImage, p: Preprocessing, target: Float32Array, offset: number): void {
  const plane = p.size * p.size;
  // Only TorchXRayVision scales before resizing; the others resize once and normalise per channel.
  const unit = p.resize === 'skimage-linear' ? undefined : unitPlane(img, p);
  for (let c = 0; c < p.channels; c++) {
    const mean = Math.fround(channelValue(p.mean, c, 'mean'));
    const std = Math.fround(channelValue(p.std, c, 'std'));
    const base = offset + c * plane;
    if (unit) for (let i = 0; i < plane; i++) target[base + i] = Math.fround(unit[i]! - mean) / std;
    else target.set(xrvScaledPlane(img, p, mean, std), base);
  }
}

function xrvScaledPlane(img: GrayImage, p: Preprocessing, mean: number, std: number): Float32Array {
  // TorchXRayVision scales to [-1024, 1024] before it crops and resizes, and the resize pads with
  // 0 in that scale: scaling first keeps both its float32 rounding and its edge behaviour.
  const crop = cropRegion(img, cropBeforeResize(img.width, img.height, p.crop));
  const scaled = new Float32Array(crop.data.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = Math.fround(crop.data[i]! - mean) / std;
  return resizeSkimageLinear(scaled, crop.width, crop.height, p.size, p.size, 0);
}

/** The resized image in [0, 1] as float32, before normalisation (Normalize then works in float32). */
function unitPlane(img: GrayImage, p: Preprocessing): Float32Array {
  if (p.resize === 'bilinear-antialias')
    return resizeBilinearAntialias(img, p.size, p.size, cropBeforeResize(img.width, img.height, p.crop)).data;
  if (p.crop !== 'center-after-resize')
    throw new DenseRayError('INVALID_ARGUMENT', `preprocess: resize pil-bilinear needs crop center-after-resize, not ${p.crop}`);
  const { resized: to, crop: r } = resizeThenCrop(img.width, img.height, p);
  if (to.width < p.size || to.height < p.size)
    throw new DenseRayError('INVALID_ARGUMENT', `preprocess: shorter side ${p.shorterSide} is below the crop size ${p.size}`);
  const resized = resizePilBilinear8(toBytes(img), img.width, img.height, to.width, to.height);
  const out = new Float32Array(p.size * p.size);
  // ToTensor: the bytes divided by 255 in float32.
  for (let y = 0; y < p.size; y++) {
    for (let x = 0; x < p.size; x++) out[y * p.size + x] = Math.fround(resized[(r.y + y) * to.width + r.x + x]! / 255);
  }
  return out;
}

/**
 * The 8-bit image PIL would hold. Exact for 8-bit sources (the decoder made v/255 of them); a
 * 16-bit source is rounded to the nearest of 256 levels, which the Python pipeline (PIL's
 * convert('RGB')) has no sound equivalent for anyway.
 */
function toBytes(img: GrayImage): Uint8Array {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(img.data[i]! * 255)));
  return out;
}

function channelValue(values: readonly number[], c: number, name: string): number {
  const v = values.length === 1 ? values[0] : values[c];
  if (v === undefined)
    throw new DenseRayError('INVALID_ARGUMENT', `preprocess: ${name} has ${values.length} values, need 1 or one per channel`);
  return v;
}
