/**
 * The numeric precision a model runs at, for every figure that names the model. Every backend runs
 * float32 today; a model description that states its own `precision` (int8 variants) is shown as stated.
 */
export function precisionOf(model: object): string {
  const stated = (model as { precision?: unknown }).precision;
  return typeof stated === 'string' ? stated : 'fp32';
}
