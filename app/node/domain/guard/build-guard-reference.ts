import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DESCRIPTOR_NAMES, describeRadiograph } from './descriptor.ts';
import type { GuardReferenceFile } from './input-guard.ts';
import { fitGaussian, mahalanobis } from './mahalanobis.ts';
import { seenByModel } from './seen-by-model.ts';

/** The NIH sample's train split (`split.csv`, CRLF line ends) as image paths under `images256/`. */
export function nihSplit(cxrDir: string, which: 'train' | 'val'): string[] {
  return readFileSync(join(cxrDir, 'split.csv'), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(','))
    .filter(([, s]) => s === which)
    .map(([f]) => join(cxrDir, 'images256', f!));
}

/**
 * Fits the input guard's reference distribution on real frontal chest films. The limit is
 * 1.25 × the 99th percentile of the reference set's own distances: about 1 real film in 100 sits
 * near the boundary, while a clearly foreign image lands far beyond it.
 */
export function buildGuardReference(cxrDir: string, size: number): { reference: GuardReferenceFile; distances: number[] } {
  const train = nihSplit(cxrDir, 'train');
  const descriptors = train.map((f) => describeRadiograph(seenByModel(f, size), size, size));
  const gaussian = fitGaussian(descriptors);
  const distances = descriptors.map((d) => mahalanobis(d, gaussian)).sort((a, b) => a - b);
  const p99 = distances[Math.floor(0.99 * (distances.length - 1))]!;
  return {
    distances,
    reference: {
      descriptorVersion: 1,
      names: [...DESCRIPTOR_NAMES],
      mean: gaussian.mean,
      inverseCovariance: gaussian.inverseCovariance,
      threshold: 1.25 * p99,
      calibration: `NIH ChestX-ray14 sample, train split (${train.length} frontal films, images256, centre-cropped and resized to ${size}); threshold = 1.25 × 99th percentile distance (${p99.toFixed(3)}); covariance shrunk 5% toward its diagonal.`,
    },
  };
}
