/**
 * Pillow's `Image.resize(size, BILINEAR)` on an 8-bit single-band image (Resample.c), which
 * torchvision's Resize calls for PIL images: per axis, a triangle filter whose support widens by the
 * scale factor when shrinking, coefficients in double normalised to sum 1, then turned into 22-bit
 * fixed point; the horizontal pass runs first, each pass rounds to 8 bits. A chest X-ray is gray,
 * so the three bands of `convert('RGB')` are equal and one band suffices.
 */
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;

interface FixedTaps {
  ksize: number;
  first: Int32Array;
  count: Int32Array;
  coeffs: Int32Array;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the BILINEAR filter (support 1). */
export function pilBilinearTaps(inSize: number, outSize: number): FixedTaps {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = 1 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const coeffs = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      k[x] = t < 1 ? 1 - t : 0;
      ww += k[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x]! / ww : k[x]!;
      coeffs[xx * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    first[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, first, count, coeffs };
}

function clip8(ss: number): number {
  if (ss >= ONE * 256) return 255;
  if (ss <= 0) return 0;
  return Math.floor(ss / ONE);
}

/** 8-bit gray `src` (width × height) → outW × outH, exactly as Pillow 9's BILINEAR resample. */
export function resizePilBilinear8(src: Uint8Array, width: number, height: number, outW: number, outH: number): Uint8Array {
  let img = src;
  let w = width;
  if (outW !== width) {
    const t = pilBilinearTaps(width, outW);
    const next = new Uint8Array(outW * height);
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let o = 0; o < outW; o++) {
        const kb = o * t.ksize;
        const x0 = row + t.first[o]!;
        let ss = ONE / 2;
        for (let j = 0; j < t.count[o]!; j++) ss += img[x0 + j]! * t.coeffs[kb + j]!;
        next[y * outW + o] = clip8(ss);
      }
    }
    img = next;
    w = outW;
  }
  if (outH !== height) {
    const t = pilBilinearTaps(height, outH);
    const next = new Uint8Array(w * outH);
    for (let o = 0; o < outH; o++) {
      const kb = o * t.ksize;
      const y0 = t.first[o]!;
      for (let x = 0; x < w; x++) {
        let ss = ONE / 2;
        for (let j = 0; j < t.count[o]!; j++) ss += img[(y0 + j) * w + x]! * t.coeffs[kb + j]!;
        next[o * w + x] = clip8(ss);
      }
    }
    img = next;
  }
  return img;
}
