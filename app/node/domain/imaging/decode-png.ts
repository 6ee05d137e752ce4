import { PNG } from 'pngjs';
import { decodeGrayPngFast } from './decode-png-gray.ts';
import { grayFromRgb8, pilLuma, UNIT_FROM_BYTE } from './luma.ts';
import { type FloatAllocator, freshFloats, type GrayImage } from './gray-image.ts';

/** PNG colour types (PNG spec, IHDR). */
const GRAY = 0;
const RGB = 2;
const PALETTE = 3;
const GRAY_ALPHA = 4;
const RGBA = 6;

export { MAX_PIXELS } from './decode-limits.ts';

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

/** Reads IHDR without inflating anything, so size limits apply before memory is spent. */
export function readPngHeader(bytes: Uint8Array): PngHeader | undefined {
  if (bytes.length < 33) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(bytes[12]!, bytes[13]!, bytes[14]!, bytes[15]!) !== 'IHDR') return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20), bitDepth: bytes[24]!, colorType: bytes[25]! };
}

/**
 * Removes tRNS chunks. pngjs zeroes the colour of every pixel matching a gray/RGB tRNS key (it
 * pre-multiplies to transparent black), while PIL keeps the stored value; alpha is ignored here
 * anyway, so dropping the chunk keeps the pixel values PIL would see. Whole chunks go, so the
 * remaining CRCs stay valid.
 */
function withoutTransparencyChunks(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const keep: Array<[number, number]> = [[0, 8]];
  let found = false;
  for (let pos = 8; pos + 12 <= bytes.length; ) {
    const end = pos + 12 + view.getUint32(pos);
    const isTrns = bytes[pos + 4] === 0x74 && bytes[pos + 5] === 0x52 && bytes[pos + 6] === 0x4e && bytes[pos + 7] === 0x53;
    if (isTrns) found = true;
    else keep.push([pos, Math.min(end, bytes.length)]);
    if (end > bytes.length) break; // truncated: let the decoder report it
    pos = end;
  }
  if (!found) return bytes;
  const out = new Uint8Array(keep.reduce((n, [a, b]) => n + b - a, 0));
  let o = 0;
  for (const [a, b] of keep) {
    out.set(bytes.subarray(a, b), o);
    o += b - a;
  }
  return out;
}

/**
 * Decodes a PNG to gray in [0,1]. Gray (± alpha) keeps its full depth: v / (2^depth − 1), so 16-bit
 * is /65535 exactly. Colour goes through 8 bits and PIL's luma, as `convert('L')` does; 16-bit
 * colour keeps the high byte of each sample, which is what PIL reads such files as.
 * Throws pngjs's own errors; the caller turns them into DenseRayErrors.
 */
export function decodePng(bytes: Uint8Array, alloc: FloatAllocator = freshFloats): GrayImage {
  const fast = decodeGrayPngFast(bytes, alloc);
  if (fast) return fast;
  // skipRescale keeps 16-bit samples (a Uint16Array) and sub-byte gray at their raw values.
  const src = withoutTransparencyChunks(bytes);
  const png = PNG.sync.read(Buffer.from(src.buffer, src.byteOffset, src.byteLength), { skipRescale: true });
  const { width, height, depth, colorType } = png;
  const pixels: ArrayLike<number> = png.data as unknown as Uint8Array | Uint16Array; // RGBA, 4 samples a pixel
  const n = width * height;
  const data = alloc(n);
  if (colorType === GRAY || colorType === GRAY_ALPHA) {
    if (depth === 8) {
      for (let i = 0; i < n; i++) data[i] = UNIT_FROM_BYTE[pixels[4 * i]!]!;
    } else {
      const max = 2 ** depth - 1;
      for (let i = 0; i < n; i++) data[i] = pixels[4 * i]! / max;
    }
  } else if (colorType === RGB || colorType === RGBA) {
    if (depth === 16) {
      for (let i = 0, s = 0; i < n; i++, s += 4) {
        data[i] = UNIT_FROM_BYTE[pilLuma(pixels[s]! >> 8, pixels[s + 1]! >> 8, pixels[s + 2]! >> 8)]!;
      }
    } else {
      grayFromRgb8(pixels, 4, n, data);
    }
  } else if (colorType === PALETTE) {
    grayFromRgb8(pixels, 4, n, data); // pngjs has already looked the palette up (8-bit RGBA)
  } else {
    throw new Error(`unsupported PNG colour type ${colorType}`);
  }
  return { width, height, data };
}
