import { DenseRayError } from '../../shared/errors.ts';
import { decodeJpeg } from './decode-jpeg.ts';
import { decodeWithSharp } from './decode-native.ts';
import { MAX_DECODE_BYTES, MAX_PIXELS, pngDecodeBytes } from './decode-limits.ts';
import { decodePng, readPngHeader } from './decode-png.ts';
import { readJpegFrameHeader } from './jpeg-markers.ts';
import { type FloatAllocator, freshFloats, type GrayImage } from './gray-image.ts';

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
 * value mapping), with the JS decoders. `source` only names the file in error messages.
 * Throws DenseRayError IMAGE_UNSUPPORTED_FORMAT (neither PNG nor JPEG) or IMAGE_DECODE_FAILED.
 */
export function decodeImage(bytes: Uint8Array, source: string, alloc: FloatAllocator = freshFloats): GrayImage {
  const format = checkedFormat(bytes, source);
  try {
    const image = format === 'png' ? decodePng(bytes, alloc) : decodeJpeg(bytes);
    if (image.width === 0 || image.height === 0) throw new Error('image has no pixels');
    return image;
  } catch (cause) {
    throw decodeFailed(source, format, cause);
  }
}

/**
 * decodeImage (samples where `alloc` says), natively where that is faster (measured in bench/engine): JPEG, and colour,
 * palette, gray+alpha, sub-byte or interlaced PNG up to 8 bits a sample, go through sharp (libvips,
 * 8× faster than jpeg-js, 2–4× faster than pngjs on colour); the 8/16-bit gray PNG every radiograph
 * export writes stays on the JS fast path, which is as fast there. Same pixels either way
 * (decode-native.ts says how), except JPEG, where libjpeg-turbo's IDCT and upsampling are PIL's
 * own rather than jpeg-js's approximation of them. Falls back to decodeImage where sharp cannot
 * load. The same size limits apply first, from the header.
 */
export async function decodeImageAsync(bytes: Uint8Array, source: string, alloc: FloatAllocator = freshFloats): Promise<GrayImage> {
  const format = checkedFormat(bytes, source);
  if (format === 'png' ? !isSharpPng(bytes) : !isSharpJpeg(bytes)) return decodeImage(bytes, source, alloc);
  let image: GrayImage | undefined;
  try {
    image = await decodeWithSharp(bytes, alloc);
  } catch (cause) {
    throw decodeFailed(source, format, cause);
  }
  if (image && image.width > 0 && image.height > 0) return image;
  return decodeImage(bytes, source, alloc);
}

/** The format, after the limits a header can be checked against before anything is decoded. */
function checkedFormat(bytes: Uint8Array, source: string): ImageFormat {
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
  return format;
}

/**
 * PNGs that libvips decodes faster than the JS decoders with the same values: up to 8 bits per
 * sample, except the plain 8-bit gray PNG the JS fast path takes. (libvips turns 16-bit colour and
 * gray+alpha into 8-bit sRGB on the way out, so those stay on the JS path, which keeps the depth.)
 */
function isSharpPng(bytes: Uint8Array): boolean {
  const header = readPngHeader(bytes);
  if (!header || header.bitDepth > 8) return false;
  return !(header.colorType === 0 && header.bitDepth === 8 && bytes[28] === 0);
}

/** 8-bit gray or colour JPEG; CMYK (libvips would colour-manage it, PIL does not) and 12-bit stay on the JS path. */
function isSharpJpeg(bytes: Uint8Array): boolean {
  const frame = readJpegFrameHeader(bytes);
  return frame !== undefined && frame.precision === 8 && frame.process !== 0xc3 && (frame.components === 1 || frame.components === 3);
}

function decodeFailed(source: string, format: ImageFormat, cause: unknown): DenseRayError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DenseRayError('IMAGE_DECODE_FAILED', `${source}: could not decode ${format.toUpperCase()}: ${reason}`, {
    cause,
    details: { source, format },
  });
}
