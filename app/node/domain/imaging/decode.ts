import { DenseRayError } from '../../shared/errors.ts';
import { decodeJpeg } from './decode-jpeg.ts';
import { decodePng, MAX_PIXELS, readPngHeader } from './decode-png.ts';
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
    if (header && header.width * header.height > MAX_PIXELS) {
      throw new DenseRayError(
        'IMAGE_DECODE_FAILED',
        `${source}: PNG of ${header.width}×${header.height} pixels exceeds the ${MAX_PIXELS / 1e6} MP limit`,
        {
          details: { source, format, width: header.width, height: header.height },
        },
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
