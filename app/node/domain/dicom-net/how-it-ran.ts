/** How a model ran, as every figure names it: backend detail and precision, the precision once (onnx details already say it). */
export function howItRan(m: { backendDetail: string; precision: string }): string {
  return m.backendDetail.includes(m.precision) ? m.backendDetail : `${m.backendDetail}, ${m.precision}`;
}
