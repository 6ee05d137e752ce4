/**
 * The arithmetic of static QDQ quantisation, as onnxruntime's `quantize_static` does it:
 * activations uint8, asymmetric, one scale per tensor; weights int8, symmetric, one scale per
 * output channel; biases int32 at scale(input) × scale(weight channel). Pure functions.
 */

/** uint8 activation: real ≈ (q − zeroPoint) · scale, q in [0, 255]. */
export interface ActivationQuant {
  scale: number;
  zeroPoint: number;
}

/**
 * Scale and zero point covering [min, max], widened to include 0 so that 0 (ReLU's floor, padding)
 * is exactly representable. A zero-width range gets scale 1 (every value then is the zero point).
 */
export function activationQuant(min: number, max: number): ActivationQuant {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) throw new RangeError(`activation range [${min}, ${max}] is not a range`);
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const scale = Math.fround((hi - lo) / 255);
  if (scale === 0) return { scale: 1, zeroPoint: 0 };
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zeroPoint };
}

/** int8 weights per output channel (axis 0): q = round(w / scale_c) in [−127, 127], zero point 0. */
export interface WeightQuant {
  values: Int8Array;
  scales: Float32Array;
}

export function quantizeWeightsPerChannel(weights: Float32Array, outChannels: number): WeightQuant {
  if (outChannels <= 0 || weights.length % outChannels !== 0)
    throw new RangeError(`${weights.length} weights do not split into ${outChannels} output channels`);
  const per = weights.length / outChannels;
  const values = new Int8Array(weights.length);
  const scales = new Float32Array(outChannels);
  for (let c = 0; c < outChannels; c++) {
    let absMax = 0;
    for (let i = c * per; i < (c + 1) * per; i++) absMax = Math.max(absMax, Math.abs(weights[i]!));
    // An all-zero channel still needs a positive scale; its values stay 0.
    const scale = absMax === 0 ? 1 : Math.fround(absMax / 127);
    scales[c] = scale;
    for (let i = c * per; i < (c + 1) * per; i++) values[i] = clamp(roundHalfEven(weights[i]! / scale), -127, 127);
  }
  return { values, scales };
}

/** int32 bias per output channel at scale inputScale · weightScale[c], zero point 0. */
export function quantizeBias(
  bias: Float32Array,
  inputScale: number,
  weightScales: Float32Array,
): { values: Int32Array; scales: Float32Array } {
  if (bias.length !== weightScales.length) throw new RangeError(`${bias.length} biases for ${weightScales.length} weight channels`);
  const scales = new Float32Array(bias.length);
  const values = new Int32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    scales[c] = Math.fround(inputScale * weightScales[c]!);
    values[c] = clamp(roundHalfEven(bias[c]! / scales[c]!), -(2 ** 31), 2 ** 31 - 1);
  }
  return { values, scales };
}

/** Round half to even, as numpy and onnxruntime's QuantizeLinear round. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
