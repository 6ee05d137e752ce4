/** A named float32 tensor as read from a weights file (row-major, PyTorch layout). */
export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/** Weights keyed by torchvision-style names (`features.conv0.weight`, `classifier.bias`, …). */
export type WeightMap = Map<string, WeightTensor>;

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
