/**
 * TorchXRayVision's XRayResizer: `skimage.transform.resize(img, (1, n, n), mode='constant',
 * preserve_range=True)` on float32, i.e. (skimage ≥ 0.19 with SciPy ≥ 1.6):
 *
 * 1. anti-aliasing when any axis shrinks: `ndi.gaussian_filter` with σ = max(0, (in/out − 1)/2) per
 *    axis, truncate 4 (radius int(4σ + 0.5)), mode 'grid-constant' (cval beyond the edges), computed
 *    in float64 and stored as float32 after each axis (rows' axis first);
 * 2. `ndi.zoom(order=1, mode='grid-constant', grid_mode=True)`: output o samples the input at
 *    (o + 0.5)·in/out − 0.5 bilinearly, taps outside the image read cval; float64, stored float32;
 * 3. clip to the input's [min, max] (widened to cval when cval lay outside and was used).
 *
 * Checked bit-exact against skimage 0.19.3 / SciPy 1.10.1 by test/fixtures/catalogue/make_fixtures.py.
 */
export function resizeSkimageLinear(
  src: Float32Array,
  width: number,
  height: number,
  outW: number,
  outH: number,
  cval: number,
): Float32Array {
  const downsampling = outW < width || outH < height;
  let img = src;
  if (downsampling) {
    img = gaussianAxis(img, width, height, sigmaFor(height, outH), 'y', cval);
    img = gaussianAxis(img, width, height, sigmaFor(width, outW), 'x', cval);
  }
  const out = zoomLinear(img, width, height, outW, outH, cval);
  clipToInput(src, out, cval);
  return out;
}

function sigmaFor(inSize: number, outSize: number): number {
  return Math.max(0, (inSize / outSize - 1) / 2);
}

/** scipy's `_gaussian_kernel1d(σ, 0, radius)`: exp(−0.5/σ² · x²), normalised; returns weights for x = 0..radius. */
function halfKernel(sigma: number): Float64Array {
  const radius = Math.trunc(4 * sigma + 0.5);
  const sigma2 = sigma * sigma;
  const full = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let i = 0; i < full.length; i++) {
    const x = i - radius;
    full[i] = Math.exp((-0.5 / sigma2) * x * x);
    total += full[i]!;
  }
  const half = new Float64Array(radius + 1);
  for (let j = 0; j <= radius; j++) half[j] = full[radius + j]! / total;
  return half;
}

/**
 * One axis of `gaussian_filter` in SciPy's symmetric-kernel loop order:
 * out = x[i]·w0, then += (x[i−j] + x[i+j])·w_j for j = radius … 1 (float64, stored as float32).
 * The y pass runs over whole rows at a time so it reads memory in order; the sums are the same.
 */
function gaussianAxis(src: Float32Array, width: number, height: number, sigma: number, axis: 'x' | 'y', cval: number): Float32Array {
  if (!(sigma > 1e-15)) return src;
  const w = halfKernel(sigma);
  const radius = w.length - 1;
  const out = new Float32Array(src.length);
  if (axis === 'x') {
    const line = new Float64Array(width + 2 * radius);
    for (let y = 0; y < height; y++) {
      const base = y * width;
      line.fill(cval, 0, radius);
      for (let i = 0; i < width; i++) line[radius + i] = src[base + i]!;
      line.fill(cval, radius + width);
      for (let i = 0; i < width; i++) {
        const c = radius + i;
        let acc = line[c]! * w[0]!;
        for (let j = radius; j >= 1; j--) acc += (line[c - j]! + line[c + j]!) * w[j]!;
        out[base + i] = acc;
      }
    }
    return out;
  }
  const acc = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    const centre = y * width;
    for (let x = 0; x < width; x++) acc[x] = src[centre + x]! * w[0]!;
    for (let j = radius; j >= 1; j--) {
      const wj = w[j]!;
      const above = y - j >= 0 ? (y - j) * width : -1;
      const below = y + j < height ? (y + j) * width : -1;
      for (let x = 0; x < width; x++) acc[x] = acc[x]! + ((above < 0 ? cval : src[above + x]!) + (below < 0 ? cval : src[below + x]!)) * wj;
    }
    for (let x = 0; x < width; x++) out[centre + x] = acc[x]!;
  }
  return out;
}

interface LinearTaps {
  first: Int32Array;
  frac: Float64Array;
}

function linearTaps(inSize: number, outSize: number): LinearTaps {
  const zoom = inSize / outSize;
  const first = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const cc = (o + 0.5) * zoom - 0.5;
    const f = Math.floor(cc);
    first[o] = f;
    frac[o] = cc - f;
  }
  return { first, frac };
}

function zoomLinear(src: Float32Array, width: number, height: number, outW: number, outH: number, cval: number): Float32Array {
  const ty = linearTaps(height, outH);
  const tx = linearTaps(width, outW);
  const at = (y: number, x: number): number => (y >= 0 && y < height && x >= 0 && x < width ? src[y * width + x]! : cval);
  const out = new Float32Array(outW * outH);
  for (let oy = 0; oy < outH; oy++) {
    const y0 = ty.first[oy]!;
    const fy = ty.frac[oy]!;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = tx.first[ox]!;
      const fx = tx.frac[ox]!;
      let acc = at(y0, x0) * (1 - fy) * (1 - fx);
      acc += at(y0, x0 + 1) * (1 - fy) * fx;
      acc += at(y0 + 1, x0) * fy * (1 - fx);
      acc += at(y0 + 1, x0 + 1) * fy * fx;
      out[oy * outW + ox] = acc;
    }
  }
  return out;
}

/** skimage's `_clip_warp_output` for mode 'constant'. */
function clipToInput(input: Float32Array, out: Float32Array, cval: number): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of input) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  let outLo = Infinity;
  let outHi = -Infinity;
  for (const v of out) {
    if (v < outLo) outLo = v;
    if (v > outHi) outHi = v;
  }
  if (!(lo <= cval && cval <= hi) && outLo <= cval && cval <= outHi) {
    lo = Math.min(lo, cval);
    hi = Math.max(hi, cval);
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(out[i]!, lo), hi);
}
