import { DenseRayError } from '../../shared/errors.ts';
import { decodeJpeg } from './decode-jpeg.ts';
import { MAX_DECODE_BYTES, MAX_PIXELS, pngDecodeBytes } from './decode-limits.ts';
import { decodePng, readPngHeader } from './decode-png.ts';
import type { GrayImage } from './gray-image.ts';

export type ImageFormat = 'png' | 'jpeg';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** The format from the file's magic bytes; extensions lie (".png" exports that are JPEGs are common). */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/**
 * Decodes a PNG or JPEG to a gray image in [0,1] (see decode-png.ts / decode-jpeg.ts for the exact
 * value mapping). `source` only names the file in error messages.
 * Throws DenseRayError IMAGE_UNSUPPORTED_FORMAT (neither PNG nor JPEG) or IMAGE_DECODE_FAILED.
 */
export function decodeImage(bytes: Uint8Array, source: string): GrayImage {
  const format = sniffImageFormat(bytes);
  if (format === undefined) {
    throw new DenseRayError('IMAGE_UNSUPPORTED_FORMAT', `${source}: not a PNG or JPEG image (unrecognised file signature)`, {
      details: { source },
    });
  }
  if (format === 'png') {
    const header = readPngHeader(bytes);
    const details = { source, format, width: header?.width, height: header?.height };
    if (header && header.width * header.height > MAX_PIXELS) {
      throw new DenseRayError(
        'IMAGE_DECODE_FAILED',
        `${source}: PNG of ${header.width}×${header.height} pixels exceeds the ${MAX_PIXELS / 1e6} MP limit`,
        { details },
      );
    }
    // Checked from IHDR, before a byte is inflated: a small file can declare gigabytes of pixels.
    const cost = header ? pngDecodeBytes(header) : 0;
    if (cost > MAX_DECODE_BYTES) {
      throw new DenseRayError(
        'IMAGE_DECODE_FAILED',
        `${source}: PNG of ${header!.width}×${header!.height} pixels at ${header!.bitDepth} bits (colour type ${header!.colorType}) needs about ${Math.round(cost / 2 ** 20)} MiB to decode, over the ${MAX_DECODE_BYTES / 2 ** 20} MiB limit`,
        { details },
      );
    }
  }
  try {
    const image = format === 'png' ? decodePng(bytes) : decodeJpeg(bytes);
    if (image.width === 0 || image.height === 0) throw new Error('image has no pixels');
    return image;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DenseRayError('IMAGE_DECODE_FAILED', `${source}: could not decode ${format.toUpperCase()}: ${reason}`, {
      cause,
      details: { source, format },
    });
  }
}
