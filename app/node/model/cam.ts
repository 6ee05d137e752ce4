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
  const cams = new Float32Array(classes * cells);
  const acc = new Float64Array(cells);
  for (let k = 0; k < classes; k++) {
    acc.fill(classifierBias[k]!);
    const wRow = k * channels;
    for (let c = 0; c < channels; c++) {
      const w = classifierWeight[wRow + c]!;
      if (w === 0) continue;
      const fRow = featureOffset + c * cells;
      for (let p = 0; p < cells; p++) acc[p]! += w * features[fRow + p]!;
    }
    for (let p = 0; p < cells; p++) cams[k * cells + p] = acc[p]!;
  }
  return cams;
}
