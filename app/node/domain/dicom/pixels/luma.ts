import { pilLuma } from '../../imaging/luma.ts';

/** ITU-R 601-2 luma for interleaved 8-bit RGB, bit-exact with PIL's convert('L') (as PNG/JPEG colour is). */
export function rgbToLuma8(rgb: ArrayLike<number>): Float32Array {
  const pixels = Math.floor(rgb.length / 3);
  const out = new Float32Array(pixels);
  for (let p = 0, i = 0; p < pixels; p++, i += 3) out[p] = pilLuma(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!);
  return out;
}

/** The same weights in floating point for RGB deeper than 8 bits. */
export function rgbToLuma(rgb: ArrayLike<number>): Float32Array {
  const pixels = Math.floor(rgb.length / 3);
  const out = new Float32Array(pixels);
  for (let p = 0, i = 0; p < pixels; p++, i += 3) out[p] = 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
  return out;
}

/** YBR_FULL's Y is already the ITU-R 601 luma of the RGB it encodes. */
export function ybrToLuma(ybr: ArrayLike<number>): Float32Array {
  const pixels = Math.floor(ybr.length / 3);
  const out = new Float32Array(pixels);
  for (let p = 0; p < pixels; p++) out[p] = ybr[p * 3]!;
  return out;
}

export interface Palette {
  firstMapped: number;
  /** 8-bit entries */
  red: Uint8Array;
  green: Uint8Array;
  blue: Uint8Array;
}

/** PALETTE COLOR indices through the palette to RGB, then luma (indices outside clamp to the ends). */
export function paletteToLuma(indices: ArrayLike<number>, palette: Palette): Float32Array {
  const out = new Float32Array(indices.length);
  const last = palette.red.length - 1;
  for (let i = 0; i < indices.length; i++) {
    const raw = indices[i]! - palette.firstMapped;
    const k = raw < 0 ? 0 : Math.min(raw, last);
    out[i] = pilLuma(palette.red[k]!, palette.green[k]!, palette.blue[k]!);
  }
  return out;
}
