/**
 * A single-channel image as every later stage sees it: decoded, converted to luminance and scaled
 * to [0,1], so crop, resize and normalisation never need to know the file's bit depth or colour type.
 */
export interface GrayImage {
  width: number;
  height: number;
  /** Row-major, `width * height` values in [0,1]. */
  data: Float32Array;
}

/** An axis-aligned rectangle of pixels inside an image (a crop that has not been copied). */
export interface PixelRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function grayImage(width: number, height: number, data?: Float32Array): GrayImage {
  const n = width * height;
  if (data && data.length !== n) throw new RangeError(`gray image ${width}×${height} needs ${n} values, got ${data.length}`);
  return { width, height, data: data ?? new Float32Array(n) };
}

/**
 * Where a decoder puts its output samples: fresh memory by default, or a reused scratch buffer
 * (input/load-input.ts). The decoder writes every one of the `length` values.
 */
export type FloatAllocator = (length: number) => Float32Array;

export const freshFloats: FloatAllocator = (length) => new Float32Array(length);
