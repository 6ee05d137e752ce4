/**
 * Colour → 8-bit luminance exactly as PIL's `Image.convert('L')` does it (ITU-R 601-2 weights in
 * 16.16 fixed point, rounded: `L24` in Pillow's Convert.c). The reference tensors were made through
 * PIL, so a float luma (0.299 R + …) would be off by one grey level on some pixels.
 */
export function pilLuma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

/** `v / 255` in float32 for every 8-bit v: the value the reference pipeline feeds to PyTorch. */
export const UNIT_FROM_BYTE: Float32Array = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Interleaved 8-bit colour (`channels` ≥ 3, alpha or padding after RGB is ignored) → gray in [0,1]. */
export function grayFromRgb8(src: ArrayLike<number>, channels: number, pixelCount: number, out: Float32Array): Float32Array {
  for (let i = 0, s = 0; i < pixelCount; i++, s += channels) {
    out[i] = UNIT_FROM_BYTE[pilLuma(src[s]!, src[s + 1]!, src[s + 2]!)]!;
  }
  return out;
}
