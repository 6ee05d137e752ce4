/**
 * Class activation maps for a GAP + linear head: CAM_k(i,j) = Σ_c W[k,c]·F[c,i,j] + b[k].
 * Unnormalised, so the spatial mean of CAM_k equals logit k. One small matmul per image on
 * features the forward pass already computed.
 */
export function computeCams(
  features: Float32Array,
  featureOffset: number,
  channels: number,
  cells: number,
  classifierWeight: Float32Array,
  classifierBias: Float32Array,
): Float32Array {
  const classes = classifierBias.length;
  // Cell-major copy of the features, so each CAM value is one contiguous dot product.
  const byCell = new Float32Array(cells * channels);
  for (let c = 0; c < channels; c++) {
    const row = featureOffset + c * cells;
    for (let p = 0; p < cells; p++) byCell[p * channels + c] = features[row + p]!;
  }
  const cams = new Float32Array(classes * cells);
  for (let k = 0; k < classes; k++) {
    const w = k * channels;
    for (let p = 0; p < cells; p++) {
      const f = p * channels;
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += classifierWeight[w + c]! * byCell[f + c]!;
      cams[k * cells + p] = sum + classifierBias[k]!;
    }
  }
  return cams;
}
