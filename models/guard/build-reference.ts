// Builds models/guard/cxr-descriptor-v1.json: the input guard's reference distribution of image
// descriptors over real frontal chest X-rays (the NIH ChestX-ray14 train split in ../shared/data/cxr).
// Run: node --import tsx models/guard/build-reference.ts [../shared/data]
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGENET_PREPROCESSING } from '../../app/common/manifest.ts';
import { DESCRIPTOR_NAMES, describeRadiograph } from '../../app/node/guard/descriptor.ts';
import { fitGaussian, mahalanobis } from '../../app/node/guard/mahalanobis.ts';
import { seenByModel } from '../../app/node/guard/seen-by-model.ts';

const here = dirname(fileURLToPath(import.meta.url));
const data = resolve(process.argv[2] ?? join(here, '..', '..', '..', 'shared', 'data'));
const size = IMAGENET_PREPROCESSING.size;

const split = readFileSync(join(data, 'cxr', 'split.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
const train = split.filter(([, s]) => s === 'train').map(([f]) => join(data, 'cxr', 'images256', f!));
const descriptors = train.map((f) => describeRadiograph(seenByModel(f, size), size, size));
const reference = fitGaussian(descriptors);
const distances = descriptors.map((d) => mahalanobis(d, reference)).sort((a, b) => a - b);
// The limit: 1.25 × the 99th percentile of the reference set's own distances, so about 1 in 100
// real films sits near the boundary and a clearly foreign image lands far beyond it.
const p99 = distances[Math.floor(0.99 * (distances.length - 1))]!;
const threshold = 1.25 * p99;
const out = {
  descriptorVersion: 1,
  names: [...DESCRIPTOR_NAMES],
  mean: reference.mean,
  inverseCovariance: reference.inverseCovariance,
  threshold,
  calibration: `NIH ChestX-ray14 sample, train split (${train.length} frontal films, images256, centre-cropped and resized to ${size}); threshold = 1.25 × 99th percentile distance (${p99.toFixed(3)}); covariance shrunk 5% toward its diagonal.`,
};
writeFileSync(join(here, 'cxr-descriptor-v1.json'), `${JSON.stringify(out, null, 1)}\n`);
process.stdout.write(`${train.length} images; p50 ${distances[Math.floor(distances.length / 2)]!.toFixed(2)}, p99 ${p99.toFixed(2)}, max ${distances.at(-1)!.toFixed(2)}; threshold ${threshold.toFixed(2)}\n`);
