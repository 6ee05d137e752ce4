/**
 * A small, model-independent description of how a radiograph looks, computed on the model-size
 * grayscale image in [0,1]. Frontal chest films share a strong layout — bright mediastinum between
 * dark lungs, rough left–right symmetry, a broad intensity histogram — that photographs, CT/MR
 * slices, ultrasound, blank or noise images do not. The input guard measures the Mahalanobis
 * distance of this vector from its distribution over real chest X-rays.
 */
export const DESCRIPTOR_NAMES = [
  'mean',
  'std',
  'entropy',
  'mirrorCorrelation',
  'mediastinumContrast',
  'bottomMinusTop',
  'edgeDensity',
  'extremeFraction',
  'chestWallContrast',
  'fineTexture',
] as const;

export type Descriptor = Float64Array;

export function describeRadiograph(data: Float32Array, width: number, height: number): Descriptor {
  const n = width * height;
  let sum = 0;
  let sumSq = 0;
  let extreme = 0;
  const bins = new Float64Array(32);
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    sum += v;
    sumSq += v * v;
    if (v < 0.02 || v > 0.98) extreme++;
    bins[Math.min(31, Math.max(0, Math.floor(v * 32)))]! += 1;
  }
  const mean = sum / n;
  const std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  let entropy = 0;
  for (const count of bins) if (count > 0) entropy -= (count / n) * Math.log2(count / n);

  // Pearson correlation between the image and its mirror image.
  let cov = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) cov += (data[row + x]! - mean) * (data[row + width - 1 - x]! - mean);
  }
  const mirrorCorrelation = std > 1e-6 ? cov / n / (std * std) : 0;

  const regionMean = (x0: number, x1: number, y0: number, y1: number): number => {
    let s = 0;
    let c = 0;
    for (let y = Math.floor(y0 * height); y < Math.floor(y1 * height); y++) {
      for (let x = Math.floor(x0 * width); x < Math.floor(x1 * width); x++) {
        s += data[y * width + x]!;
        c++;
      }
    }
    return c > 0 ? s / c : 0;
  };
  const lungs = (regionMean(0.15, 0.35, 0.2, 0.7) + regionMean(0.65, 0.85, 0.2, 0.7)) / 2;
  const mediastinumContrast = regionMean(0.42, 0.58, 0.2, 0.7) - lungs;
  const bottomMinusTop = regionMean(0.2, 0.8, 0.8, 1) - regionMean(0.2, 0.8, 0, 0.2);

  let gradient = 0;
  for (let y = 0; y < height - 1; y++) {
    for (let x = 0; x < width - 1; x++) {
      const i = y * width + x;
      gradient += Math.abs(data[i + 1]! - data[i]!) + Math.abs(data[i + width]! - data[i]!);
    }
  }
  const edgeDensity = gradient / ((width - 1) * (height - 1));
  // Soft tissue and ribs at the film's sides are brighter than the aerated lungs inside them.
  const chestWallContrast = (regionMean(0.02, 0.1, 0.3, 0.7) + regionMean(0.9, 0.98, 0.3, 0.7)) / 2 - lungs;
  // Radiographs carry fine texture (vessels, ribs, quantum noise) that smooth synthetic patterns lack.
  let laplacian = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      laplacian += Math.abs(4 * data[i]! - data[i - 1]! - data[i + 1]! - data[i - width]! - data[i + width]!);
    }
  }
  const fineTexture = Math.log(1e-4 + laplacian / ((width - 2) * (height - 2)));

  return Float64Array.from([
    mean,
    std,
    entropy,
    mirrorCorrelation,
    mediastinumContrast,
    bottomMinusTop,
    edgeDensity,
    extreme / n,
    chestWallContrast,
    fineTexture,
  ]);
}
