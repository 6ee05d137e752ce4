/**
 * YBR_FULL to RGB for 8-bit samples (PS3.3 C.7.6.3.1.2 inverted; the same float matrix and
 * round-half-up as pydicom's convert_color_space, which matches libjpeg's conversion here).
 */
export function ybrFullToRgb8(ybr: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(ybr.length - (ybr.length % 3));
  const clamp = (v: number) => (v < 0 ? 0 : Math.min(v, 255));
  for (let i = 0; i + 2 < ybr.length; i += 3) {
    const y = ybr[i]!;
    const cb = ybr[i + 1]! - 128;
    const cr = ybr[i + 2]! - 128;
    out[i] = clamp(Math.floor(y + 1.402 * cr + 0.5));
    out[i + 1] = clamp(Math.floor(y - ((0.114 * 1.772) / 0.587) * cb - ((0.299 * 1.402) / 0.587) * cr + 0.5));
    out[i + 2] = clamp(Math.floor(y + 1.772 * cb + 0.5));
  }
  return out;
}
