/**
 * Splits calibration images into the part that sets the int8 ranges and the held-out part the
 * fidelity gate measures on, so the gate never grades the images the ranges were fitted to.
 * Deterministic: sorted by path, every `heldOutEvery`-th image is held out. Both parts are capped.
 */
export function splitCalibration(
  files: readonly string[],
  options: { heldOutEvery?: number; maxCalibration?: number; maxHeldOut?: number } = {},
): { calibration: string[]; heldOut: string[] } {
  const every = options.heldOutEvery ?? 4;
  if (!Number.isInteger(every) || every < 2) throw new RangeError(`heldOutEvery must be an integer ≥ 2, got ${every}`);
  const sorted = [...new Set(files)].sort();
  const calibration: string[] = [];
  const heldOut: string[] = [];
  sorted.forEach((f, i) => (i % every === every - 1 ? heldOut : calibration).push(f));
  return {
    calibration: calibration.slice(0, options.maxCalibration ?? calibration.length),
    heldOut: heldOut.slice(0, options.maxHeldOut ?? heldOut.length),
  };
}
