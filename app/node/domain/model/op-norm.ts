/**
 * TorchXRayVision's `op_norm` (torchxrayvision/models.py) on one probability: rescales so that the
 * operating-point threshold t lands on 0.5, piecewise linearly, in float32 as the torch code runs:
 * p < t → p / (t·2), otherwise 1 − (1 − p) / ((1 − t)·2). `t` is the float32 of the published value.
 */
export function opNorm(probability: number, threshold: number): number {
  const f = Math.fround;
  const p = f(probability);
  const t = f(threshold);
  if (p < t) return f(p / f(t * 2));
  return f(1 - f(f(1 - p) / f(f(1 - t) * 2)));
}
