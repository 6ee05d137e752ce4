/**
 * Windowing for display: modality values → 8-bit gray through a linear window (DICOM PS3.3
 * C.11.2.1.2: centre c, width w), optionally inverted (MONOCHROME1, or the reader's choice).
 */
export function windowToRgba(values: Float32Array, center: number, width: number, invert: boolean, out: Uint8ClampedArray): void {
  const low = center - 0.5 - (width - 1) / 2;
  const scale = 255 / Math.max(width - 1, 1e-6);
  for (let i = 0, j = 0; i < values.length; i++, j += 4) {
    let g = (values[i]! - low) * scale;
    g = g < 0 ? 0 : Math.min(g, 255);
    if (invert) g = 255 - g;
    out[j] = g;
    out[j + 1] = g;
    out[j + 2] = g;
    out[j + 3] = 255;
  }
}
