/** A window spanning [low, high] exactly under the LINEAR function: low -> 0, high -> max. */
export function windowSpanning(low: number, high: number): { center: number; width: number } {
  const lo = Math.min(low, high);
  const hi = Math.max(low, high);
  const width = Math.max(hi - lo + 1, 1);
  return { center: lo + 0.5 + (width - 1) / 2, width };
}

const BINS = 65536;

/**
 * A robust automatic window: the [lowPercent, highPercent] percentiles of the values, found with a
 * fine histogram (exact for integer data spanning fewer than 65536 values), so a few hot or dead
 * pixels and collimator borders do not flatten the image.
 */
export function autoWindow(values: ArrayLike<number>, lowPercent = 0.5, highPercent = 99.5): { center: number; width: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) return windowSpanning(0, 255);
  if (max === min) return windowSpanning(min, max);

  const integerSpan = max - min + 1;
  const binCount = integerSpan <= BINS && isIntegerValued(values) ? integerSpan : BINS;
  const binWidth = binCount === integerSpan ? 1 : (max - min) / (BINS - 1);
  const counts = new Uint32Array(binCount);
  for (let i = 0; i < values.length; i++) counts[Math.min(binCount - 1, Math.floor((values[i]! - min) / binWidth))]!++;

  const percentileValue = (percent: number): number => {
    const target = (percent / 100) * values.length;
    let seen = 0;
    for (let b = 0; b < binCount; b++) {
      seen += counts[b]!;
      if (seen > target) return min + b * binWidth;
    }
    return max;
  };
  return windowSpanning(percentileValue(lowPercent), percentileValue(highPercent));
}

function isIntegerValued(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isInteger(values[i]!)) return false;
  return true;
}
