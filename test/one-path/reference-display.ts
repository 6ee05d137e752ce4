// An independent rendering of a DICOM frame's stored values to what a reader sees, written from
// PS3.3 (C.7.6.3 photometric, C.11.1 modality LUT, C.11.2 VOI LINEAR, presentation inversion for
// MONOCHROME1) and PIL's luma for colour, for checking what DenseRay hands the model. It shares no
// code with app/node/domain/dicom/pixels.
import type { DicomMetadata } from '../../app/node/domain/dicom/index.ts';

type Stored = ArrayLike<number>;

/** VOI LUT function LINEAR, PS3.3 C.11.2.1.2.1, to [0, 255]. */
function linear(x: number, c: number, w: number): number {
  if (x <= c - 0.5 - (w - 1) / 2) return 0;
  if (x > c - 0.5 + (w - 1) / 2) return 255;
  return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
}

/** The window whose LINEAR ramp runs from `lo` (black) to `hi` (white). */
function spanning(lo: number, hi: number): { c: number; w: number } {
  const w = Math.max(hi - lo + 1, 1);
  return { c: lo + 0.5 + (w - 1) / 2, w };
}

/** DenseRay's documented automatic window for images without one: the 0.5th and 99.5th percentiles. */
function percentileWindow(values: Float64Array): { c: number; w: number } {
  const sorted = Float64Array.from(values).sort();
  const at = (percent: number): number => sorted[Math.min(sorted.length - 1, Math.floor((percent / 100) * sorted.length))]!;
  return spanning(at(0.5), at(99.5));
}

/** Frame 0 as the 8-bit gray image a reader sees by default, scaled to [0, 1]. */
export function referenceDisplay(stored: Stored, meta: DicomMetadata): Float32Array {
  const n = meta.rows * meta.columns;
  const out = new Float32Array(n);
  const photometric = meta.photometricInterpretation;
  if (photometric === 'RGB') {
    for (let i = 0; i < n; i++) {
      const [r, g, b] = [stored[3 * i]!, stored[3 * i + 1]!, stored[3 * i + 2]!];
      out[i] = ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16) / 255;
    }
    return out;
  }
  if (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2') throw new Error(`reference: ${photometric} not covered`);
  const modality = new Float64Array(n);
  for (let i = 0; i < n; i++) modality[i] = stored[i]! * meta.rescaleSlope + meta.rescaleIntercept;
  let window: { c: number; w: number };
  const first = meta.windows[0];
  if (first) window = { c: first.center, w: first.width };
  else if (meta.bitsStored <= 8) {
    const lo = meta.pixelRepresentation === 1 ? -(2 ** (meta.bitsStored - 1)) : 0;
    const hi = meta.pixelRepresentation === 1 ? 2 ** (meta.bitsStored - 1) - 1 : 2 ** meta.bitsStored - 1;
    window = spanning(lo * meta.rescaleSlope + meta.rescaleIntercept, hi * meta.rescaleSlope + meta.rescaleIntercept);
  } else window = percentileWindow(modality);
  for (let i = 0; i < n; i++) {
    let y = linear(modality[i]!, window.c, window.w);
    if (photometric === 'MONOCHROME1') y = 255 - y;
    out[i] = Math.min(255, Math.max(0, Math.floor(y + 0.5))) / 255;
  }
  return out;
}
