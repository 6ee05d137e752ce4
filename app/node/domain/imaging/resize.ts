import { DenseRayError } from '../../shared/errors.ts';
import type { GrayImage, PixelRegion } from './gray-image.ts';
import { axisTaps, type AxisTaps } from './resample-taps.ts';

const f32 = Math.fround;

/** The centred square of side min(w, h), offsets floor((h − s)/2), floor((w − s)/2). */
export function centerSquareRegion(width: number, height: number): PixelRegion {
  const side = Math.min(width, height);
  return { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), width: side, height: side };
}

/** Copies `region` out of `img` (the image itself when the region is all of it). */
export function cropRegion(img: GrayImage, region: PixelRegion): GrayImage {
  checkRegion(img, region);
  if (region.x === 0 && region.y === 0 && region.width === img.width && region.height === img.height) return img;
  const data = new Float32Array(region.width * region.height);
  for (let y = 0; y < region.height; y++) {
    const from = (region.y + y) * img.width + region.x;
    data.set(img.data.subarray(from, from + region.width), y * region.width);
  }
  return { width: region.width, height: region.height, data };
}

export function centerCropSquare(img: GrayImage): GrayImage {
  return cropRegion(img, centerSquareRegion(img.width, img.height));
}

/**
 * PyTorch's `interpolate(mode='bilinear', antialias=True, align_corners=False)` on float32: the
 * horizontal pass first, then the vertical one, each output a float32 running sum x₀w₀ + x₁w₁ + …
 * in tap order, as ATen's CPU kernel computes it. `region` resizes a crop without copying it.
 */
export function resizeBilinearAntialias(img: GrayImage, outW: number, outH: number, region?: PixelRegion): GrayImage {
  const r = region ?? { x: 0, y: 0, width: img.width, height: img.height };
  checkRegion(img, r);
  if (!isPositiveInt(outW) || !isPositiveInt(outH)) {
    throw new DenseRayError('INVALID_ARGUMENT', `resize target must be positive integers, got ${outW}×${outH}`);
  }
  const rows = resampleRows(img, r, outW);
  return resampleColumns(rows, outW, r.height, outH);
}

/** Horizontal pass: every row of the region → outW samples (an identical width is copied, as it is exact). */
function resampleRows(img: GrayImage, r: PixelRegion, outW: number): Float32Array {
  const src = img.data;
  const out = new Float32Array(outW * r.height);
  if (outW === r.width) {
    for (let y = 0; y < r.height; y++) {
      const from = (r.y + y) * img.width + r.x;
      out.set(src.subarray(from, from + outW), y * outW);
    }
    return out;
  }
  const { first, count, stride, weights }: AxisTaps = axisTaps(r.width, outW);
  // Two rows per sweep share each weight load and the loop overhead: ~1.5× faster in V8, same sums.
  let y = 0;
  for (; y + 1 < r.height; y += 2) {
    const row0 = (r.y + y) * img.width + r.x;
    const row1 = row0 + img.width;
    const dst = y * outW;
    for (let o = 0; o < outW; o++) {
      const j0 = first[o]!;
      const n = count[o]!;
      const wb = o * stride;
      const w0 = weights[wb]!;
      let acc0 = f32(src[row0 + j0]! * w0);
      let acc1 = f32(src[row1 + j0]! * w0);
      for (let k = 1; k < n; k++) {
        const w = weights[wb + k]!;
        acc0 = f32(acc0 + f32(src[row0 + j0 + k]! * w));
        acc1 = f32(acc1 + f32(src[row1 + j0 + k]! * w));
      }
      out[dst + o] = acc0;
      out[dst + outW + o] = acc1;
    }
  }
  if (y < r.height) {
    const row = (r.y + y) * img.width + r.x;
    const dst = y * outW;
    for (let o = 0; o < outW; o++) {
      const j0 = first[o]!;
      const n = count[o]!;
      const wb = o * stride;
      let acc = f32(src[row + j0]! * weights[wb]!);
      for (let k = 1; k < n; k++) acc = f32(acc + f32(src[row + j0 + k]! * weights[wb + k]!));
      out[dst + o] = acc;
    }
  }
  return out;
}

/** Vertical pass, row by row so the inner loop runs over contiguous memory; same float32 sum order. */
function resampleColumns(rows: Float32Array, width: number, inH: number, outH: number): GrayImage {
  if (outH === inH) return { width, height: outH, data: rows };
  const { first, count, stride, weights }: AxisTaps = axisTaps(inH, outH);
  const out = new Float32Array(width * outH);
  for (let o = 0; o < outH; o++) {
    const dst = o * width;
    const n = count[o]!;
    const wb = o * stride;
    if (n === 0) continue;
    let src = first[o]! * width;
    const w0 = weights[wb]!;
    for (let x = 0; x < width; x++) out[dst + x] = rows[src + x]! * w0; // the store rounds to float32
    for (let k = 1; k < n; k++) {
      src += width;
      const w = weights[wb + k]!;
      for (let x = 0; x < width; x++) out[dst + x] = out[dst + x]! + f32(rows[src + x]! * w);
    }
  }
  return { width, height: outH, data: out };
}

function isPositiveInt(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

function checkRegion(img: GrayImage, r: PixelRegion): void {
  const ok =
    Number.isInteger(r.x) &&
    Number.isInteger(r.y) &&
    isPositiveInt(r.width) &&
    isPositiveInt(r.height) &&
    r.x >= 0 &&
    r.y >= 0 &&
    r.x + r.width <= img.width &&
    r.y + r.height <= img.height;
  if (!ok) {
    throw new DenseRayError(
      'INVALID_ARGUMENT',
      `region ${r.width}×${r.height}+${r.x}+${r.y} is not inside the ${img.width}×${img.height} image`,
    );
  }
}
