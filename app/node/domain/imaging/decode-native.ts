import type Sharp from 'sharp';
import { MAX_PIXELS } from './decode-limits.ts';
import type { GrayImage } from './gray-image.ts';
import { grayFromRgb8, pilLuma, UNIT_FROM_BYTE } from './luma.ts';

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
 * Decodes a PNG or JPEG with libvips to gray in [0,1], with the same value mapping as the JS
 * decoders: gray keeps its depth (v/255, v/65535), alpha is ignored, colour goes through 8 bits
 * (16-bit samples by their high byte) and PIL's luma. As PIL's `Image.open(...).convert('L')`,
 * it ignores embedded ICC profiles and the EXIF orientation (no rotation). Returns undefined when
 * sharp is unavailable, and for CMYK JPEGs (libvips would colour-manage them; PIL does not).
 * Throws libvips's error on damaged or truncated data (failOn 'warning', like the strict JS path).
 */
export async function decodeWithSharp(bytes: Uint8Array): Promise<GrayImage | undefined> {
  const sharp = await loadSharp();
  if (!sharp) return undefined;
  const image = sharp(bytes, { failOn: 'warning', limitInputPixels: MAX_PIXELS, ignoreIcc: true, autoOrient: false });
  const meta = await image.metadata();
  if (meta.space === 'cmyk') return undefined;
  const sixteenBit = meta.depth === 'ushort';
  const { data, info } = await image.raw(sixteenBit ? { depth: 'ushort' } : {}).toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const n = width * height;
  const out = new Float32Array(n);
  if (!sixteenBit) {
    if (channels <= 2) for (let i = 0, s = 0; i < n; i++, s += channels) out[i] = UNIT_FROM_BYTE[data[s]!]!;
    else grayFromRgb8(data, channels, n, out);
    return { width, height, data: out };
  }
  const words = new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (channels <= 2) for (let i = 0, s = 0; i < n; i++, s += channels) out[i] = words[s]! / 65535;
  else
    for (let i = 0, s = 0; i < n; i++, s += channels)
      out[i] = UNIT_FROM_BYTE[pilLuma(words[s]! >> 8, words[s + 1]! >> 8, words[s + 2]! >> 8)]!;
  return { width, height, data: out };
}
