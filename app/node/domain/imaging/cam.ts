import { DenseRayError } from '../../shared/errors.ts';

/**
 * How a raw CAM (logit units: its spatial mean is the class logit) becomes [0,1] for display.
 * - `minmax`: 0 = this map's minimum, 1 = its maximum. Shows *where* within the image the evidence
 *   sits, but says nothing about how strong it is: every map uses the full scale, even for a finding
 *   at 1 % probability. A constant map has no location to show and becomes all 0.
 * - `sigmoid`: σ(CAM) per cell. Because the map's mean is the logit, this is on the probability
 *   scale: 0.5 is the decision boundary of logit 0, and maps of different images and classes
 *   compare directly (a weak finding stays dark).
 */
export type CamNormalization = 'minmax' | 'sigmoid';

/** One-line meanings for the UI legend (what 0 and 1 stand for in each mode). */
export const CAM_NORMALIZATION_MEANING: Readonly<Record<CamNormalization, string>> = {
  minmax: "relative: 0 = this map's weakest cell, 1 = its strongest; not comparable across maps",
  sigmoid: 'absolute: σ(CAM), on the probability scale; 0.5 = decision boundary of logit 0',
};

export function normalizeCam(cam: Float32Array, h: number, w: number, mode: CamNormalization): Float32Array {
  checkSize(cam, h, w);
  const out = new Float32Array(h * w);
  if (mode === 'sigmoid') {
    for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-cam[i]!));
    return out;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < cam.length; i++) {
    lo = Math.min(lo, cam[i]!);
    hi = Math.max(hi, cam[i]!);
  }
  const span = hi - lo;
  if (!(span > 0)) return out; // flat (or non-finite) map: no location to show
  for (let i = 0; i < out.length; i++) out[i] = (cam[i]! - lo) / span;
  return out;
}

/** Source positions of a bilinear, align_corners=False resize along one axis (PyTorch's formula). */
export interface LinearAxis {
  i0: Int32Array;
  i1: Int32Array;
  /** Weight of i1; i0 gets 1 − lambda. */
  lambda: Float32Array;
}

export function linearAxis(inSize: number, outSize: number): LinearAxis {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const lambda = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const src = Math.max(scale * (o + 0.5) - 0.5, 0); // edge clamp: the border cell extends flat
    const lo = Math.min(Math.floor(src), inSize - 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    lambda[o] = src - lo;
  }
  return { i0, i1, lambda };
}

/** One output row of a bilinear upsample of `cam` (h×w) to outW columns, written into `row`. */
export function sampleCamRow(cam: Float32Array, w: number, ys: LinearAxis, xs: LinearAxis, y: number, row: Float32Array): void {
  const top = ys.i0[y]! * w;
  const bottom = ys.i1[y]! * w;
  const ly = ys.lambda[y]!;
  for (let x = 0; x < row.length; x++) {
    const a = xs.i0[x]!;
    const b = xs.i1[x]!;
    const lx = xs.lambda[x]!;
    const upper = (1 - lx) * cam[top + a]! + lx * cam[top + b]!;
    const lower = (1 - lx) * cam[bottom + a]! + lx * cam[bottom + b]!;
    row[x] = (1 - ly) * upper + ly * lower;
  }
}

/** `interpolate(mode='bilinear', align_corners=False)` without antialiasing: a smooth map at image size. */
export function upsampleCam(cam: Float32Array, h: number, w: number, outW: number, outH: number): Float32Array {
  checkSize(cam, h, w);
  if (!Number.isInteger(outW) || !Number.isInteger(outH) || outW <= 0 || outH <= 0) {
    throw new DenseRayError('INVALID_ARGUMENT', `CAM upsample target must be positive integers, got ${outW}×${outH}`);
  }
  const xs = linearAxis(w, outW);
  const ys = linearAxis(h, outH);
  const out = new Float32Array(outW * outH);
  for (let y = 0; y < outH; y++) sampleCamRow(cam, w, ys, xs, y, out.subarray(y * outW, (y + 1) * outW));
  return out;
}

function checkSize(cam: Float32Array, h: number, w: number): void {
  if (!Number.isInteger(h) || !Number.isInteger(w) || h <= 0 || w <= 0 || cam.length !== h * w) {
    throw new DenseRayError('INVALID_ARGUMENT', `CAM of ${cam.length} values is not ${h}×${w}`);
  }
}
