import type { PixelCalibration } from '../../app/common/contract/studies.ts';

/**
 * Measurements on the image, in image pixel coordinates (x right, y down; pixel (i, j) covers
 * [i, i+1) × [j, j+1), its centre at (i + ½, j + ½)). Distances and areas use the file's
 * calibration: DICOM Pixel Spacing is (row spacing, column spacing), i.e. (vertical, horizontal).
 */
export interface Point {
  x: number;
  y: number;
}

export type MeasurementShape = { kind: 'ruler' | 'rect' | 'ellipse'; a: Point; b: Point };
export interface Measurement extends MeasurementShape {
  id: number;
}

export function distance(a: Point, b: Point, calibration: PixelCalibration | undefined): { px: number; mm: number | undefined } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const px = Math.hypot(dx, dy);
  const mm = calibration ? Math.hypot(dx * calibration.columnSpacing, dy * calibration.rowSpacing) : undefined;
  return { px, mm };
}

export interface RoiStats {
  /** Pixels whose centre lies inside the shape. */
  count: number;
  mean: number;
  /** Population standard deviation (÷ n), as Cornerstone's ROI tools report it. */
  sd: number;
  min: number;
  max: number;
  /** The shape's own area (not the pixel count) in mm², when calibrated. */
  areaMm2: number | undefined;
  areaPx: number;
}

/** Mean ± SD (and range) of the modality values inside a rectangle or the ellipse inscribed in it. */
export function roiStats(
  values: Float32Array,
  width: number,
  height: number,
  shape: { kind: 'rect' | 'ellipse'; a: Point; b: Point },
  calibration: PixelCalibration | undefined,
): RoiStats {
  const x0 = Math.min(shape.a.x, shape.b.x);
  const x1 = Math.max(shape.a.x, shape.b.x);
  const y0 = Math.min(shape.a.y, shape.b.y);
  const y1 = Math.max(shape.a.y, shape.b.y);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const rx = (x1 - x0) / 2;
  const ry = (y1 - y0) / 2;
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  const inside = (x: number, y: number): boolean =>
    shape.kind === 'rect' ? true : rx > 0 && ry > 0 && ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
  const first = { x: Math.max(0, Math.ceil(x0 - 0.5)), y: Math.max(0, Math.ceil(y0 - 0.5)) };
  const last = { x: Math.min(width - 1, Math.floor(x1 - 0.5)), y: Math.min(height - 1, Math.floor(y1 - 0.5)) };
  for (let j = first.y; j <= last.y; j++)
    for (let i = first.x; i <= last.x; i++) {
      if (!inside(i + 0.5, j + 0.5)) continue;
      const v = values[j * width + i]!;
      count++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  const mean = count ? sum / count : Number.NaN;
  let squares = 0;
  for (let j = first.y; j <= last.y; j++)
    for (let i = first.x; i <= last.x; i++) if (inside(i + 0.5, j + 0.5)) squares += (values[j * width + i]! - mean) ** 2;
  const areaPx = shape.kind === 'rect' ? (x1 - x0) * (y1 - y0) : Math.PI * rx * ry;
  return {
    count,
    mean,
    sd: count ? Math.sqrt(squares / count) : Number.NaN,
    min: count ? min : Number.NaN,
    max: count ? max : Number.NaN,
    areaPx,
    areaMm2: calibration ? areaPx * calibration.rowSpacing * calibration.columnSpacing : undefined,
  };
}

/** Where the ruler's number comes from, in the words a reader needs. */
export function calibrationNote(calibration: PixelCalibration | undefined): string {
  if (!calibration) return 'uncalibrated: no pixel spacing in this file, distances in pixels';
  return calibration.source === 'PixelSpacing'
    ? 'mm from Pixel Spacing (0028,0030)'
    : 'mm from Imager Pixel Spacing (0018,1164): at the detector, not corrected for magnification';
}

export function formatLength(d: { px: number; mm: number | undefined }): string {
  return d.mm === undefined ? `${d.px.toFixed(1)} px` : `${d.mm.toFixed(1)} mm`;
}
