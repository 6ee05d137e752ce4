import type { PngHeader } from './decode-png.ts';

/**
 * What an image may cost to decode, checked from its header before anything is inflated. A PNG
 * of a few hundred KB can declare 10000×10000 16-bit RGBA pixels (zeros compress ~1000:1); decoding
 * it took 25 s and 2.9 GB. No radiograph needs more than a fraction of these limits.
 */

/** Largest image we agree to inflate: 100 megapixels (jpeg-js's own cap). */
export const MAX_PIXELS = 100_000_000;
/** Largest estimated decode working set: an 18-megapixel 16-bit RGBA export needs about half of it. */
export const MAX_DECODE_BYTES = 1024 * 1024 * 1024;

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Bytes a PNG decode holds at its peak, per the decoder DenseRay uses for it: the inflated scanlines
 * and their unfiltered copy, the decoder's RGBA expansion (pngjs; 16-bit samples take two bytes),
 * and the float32 gray result. The 8/16-bit gray fast path skips the RGBA expansion.
 */
export function pngDecodeBytes(header: PngHeader): number {
  const pixels = header.width * header.height;
  const channels = CHANNELS[header.colorType] ?? 4;
  const sampleBytes = header.bitDepth === 16 ? 2 : 1;
  const scanline = (channels * Math.max(header.bitDepth, 8)) / 8;
  const fastGray = header.colorType === 0 && (header.bitDepth === 8 || header.bitDepth === 16);
  const rgba = fastGray ? 0 : 4 * sampleBytes;
  return pixels * (2 * scanline + rgba + 4);
}
