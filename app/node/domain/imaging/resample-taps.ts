/**
 * Per-axis filter taps of PyTorch's antialiased bilinear resize
 * (`interpolate(mode='bilinear', antialias=True, align_corners=False)`, CPU kernel
 * `_compute_indices_weights_aa` in ATen's UpSampleKernel.cpp), reproduced in float32 step by step
 * so the weights come out bit-identical:
 *
 *   scale   = float(in) / out                          (float32)
 *   support = scale ≥ 1 ? scale : 1                    (the triangle widens only when shrinking)
 *   invscale= scale ≥ 1 ? float(1 / scale) : 1
 *   center  = float(scale · (i + 0.5))
 *   xmin    = max(trunc(float(center − support) + 0.5), 0)
 *   xsize   = min(trunc(float(center + support) + 0.5), in) − xmin
 *   w_j     = tri(float((float(xmin + j − center) + 0.5) · invscale)),  tri(x) = max(0, 1 − |x|)
 *   w_j    /= Σ w (float32 running sum)
 *
 * For upsampling (scale < 1) this is ordinary bilinear with edge clamping.
 */
export interface AxisTaps {
  inSize: number;
  outSize: number;
  /** First input index of each output sample. */
  first: Int32Array;
  /** Number of taps of each output sample (≤ stride). */
  count: Int32Array;
  /** Row length of `weights`: the largest tap count the kernel allows. */
  stride: number;
  /** `outSize × stride` normalised float32 weights, zero beyond `count`. */
  weights: Float32Array;
}

const f32 = Math.fround;

export function computeAxisTaps(inSize: number, outSize: number): AxisTaps {
  const scale = f32(inSize / outSize);
  const support = Math.max(scale, 1);
  const invscale = scale >= 1 ? f32(1 / scale) : 1;
  const stride = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    const center = f32(scale * (i + 0.5));
    const xmin = Math.max(Math.trunc(f32(center - support) + 0.5), 0);
    // PyTorch clamps too: rounding can make the span one longer than the table row.
    const xsize = Math.min(Math.max(Math.min(Math.trunc(f32(center + support) + 0.5), inSize) - xmin, 0), stride);
    const row = i * stride;
    let total = 0;
    for (let j = 0; j < xsize; j++) {
      const x = Math.abs(f32((f32(xmin + j - center) + 0.5) * invscale));
      const w = x < 1 ? f32(1 - x) : 0;
      weights[row + j] = w;
      total = f32(total + w);
    }
    if (total !== 0) for (let j = 0; j < xsize; j++) weights[row + j] = weights[row + j]! / total;
    first[i] = xmin;
    count[i] = xsize;
  }
  return { inSize, outSize, first, count, stride, weights };
}

/** Tap tables are pure functions of (in, out); a preprocessing loop asks for the same few sizes. */
const cache = new Map<string, AxisTaps>();
const CACHE_LIMIT = 32;

export function axisTaps(inSize: number, outSize: number): AxisTaps {
  const key = `${inSize}>${outSize}`;
  let taps = cache.get(key);
  if (taps === undefined) {
    taps = computeAxisTaps(inSize, outSize);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, taps);
  }
  return taps;
}
