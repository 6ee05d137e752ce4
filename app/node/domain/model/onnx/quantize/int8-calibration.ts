/** Observed range of each channel of one tensor over the calibration images. */
export interface ChannelRanges {
  min: number[];
  max: number[];
}

/**
 * What the integer DenseNet is built from, keyed by the tap names of `buildDenseNetOnnx`:
 * - `input`: the range of the preprocessed image;
 * - `pieces`: per channel, the range of every tensor a dense block concatenates;
 * - `relus`: the maximum of every ReLU output that feeds a convolution;
 * - `shifts`: per channel of a dense block's output, the mean error (integer − float32, float
 *   units) measured on the calibration images, subtracted where the next BatchNorm reads it.
 *   Rounding noise through ~100 ReLUs biases activations upward (a convex function of a noisy
 *   input); left alone it reaches the logits as an offset (Nagel et al. 2019, §4.2, on data).
 */
export interface Int8Calibration {
  input: { min: number; max: number };
  pieces: Readonly<Record<string, ChannelRanges>>;
  relus: Readonly<Record<string, number>>;
  shifts: Readonly<Record<string, readonly number[]>>;
}

/** Every range multiplied by `k` (tests build a deliberately broken variant with k = 100). */
export function scaledCalibration(c: Int8Calibration, k: number): Int8Calibration {
  return {
    input: { min: c.input.min * k, max: c.input.max * k },
    pieces: Object.fromEntries(
      Object.entries(c.pieces).map(([name, r]) => [name, { min: r.min.map((v) => v * k), max: r.max.map((v) => v * k) }]),
    ),
    relus: Object.fromEntries(Object.entries(c.relus).map(([name, max]) => [name, max * k])),
    shifts: c.shifts,
  };
}
