import type Sharp from 'sharp';
import { MAX_PIXELS } from './decode-limits.ts';
import { type FloatAllocator, freshFloats, type GrayImage } from './gray-image.ts';
import { grayFromRgb8, UNIT_FROM_BYTE } from './luma.ts';

type SharpFactory = typeof Sharp;

let loading: Promise<SharpFactory | undefined> | undefined;

/**
 * sharp (libvips, its binary inside its npm package), loaded on first use; undefined where the
 * native package cannot load (no prebuilt binary for this platform), and the JS decoders serve.
 */
export function loadSharp(): Promise<SharpFactory | undefined> {
  loading ??= import('sharp').then(
    (m) => {
      // Each file is decoded once: libvips's operation cache would only hold memory.
      m.default.cache(false);
      return m.default;
    },
    () => undefined,
  );
  return loading;
}

/** What decodes images in this process, for banners and benchmarks. */
export async function nativeDecoderName(): Promise<string> {
  const sharp = await loadSharp();
  return sharp ? `sharp ${sharp.versions.sharp ?? '?'} (libvips ${sharp.versions.vips})` : 'pure JS (sharp unavailable)';
}

/**
 * Decodes an 8-bit PNG or JPEG with libvips to gray in [0,1], with the same value mapping as the JS
 * decoders: v/255, alpha ignored, colour through PIL's luma. As PIL's `Image.open(...).convert('L')`,
 * it ignores embedded ICC profiles and the EXIF orientation (no rotation). The caller sends only
 * what libvips reads at these values (decode.ts: no 16-bit, no CMYK, no 12-bit JPEG). Returns
 * undefined when sharp is unavailable. Throws libvips's error on damaged or truncated data
 * (failOn 'warning', like the strict JS path).
 */
export async function decodeWithSharp(bytes: Uint8Array, alloc: FloatAllocator = freshFloats): Promise<GrayImage | undefined> {
  const sharp = await loadSharp();
  if (!sharp) return undefined;
  const { data, info } = await sharp(bytes, { failOn: 'warning', limitInputPixels: MAX_PIXELS, ignoreIcc: true, autoOrient: false })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const n = width * height;
  const out = alloc(n);
  if (channels <= 2) for (let i = 0, s = 0; i < n; i++, s += channels) out[i] = UNIT_FROM_BYTE[data[s]!]!;
  else grayFromRgb8(data, channels, n, out);
  return { width, height, data: out };
}
