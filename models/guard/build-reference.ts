// Builds models/guard/cxr-descriptor-v1.json, the input guard's reference distribution of image
// descriptors over real frontal chest X-rays (the NIH ChestX-ray14 train split in ../shared/data/cxr).
// Run: node --import tsx models/guard/build-reference.ts [path/to/shared/data]
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGENET_PREPROCESSING } from '../../app/common/manifest.ts';
import { buildGuardReference } from '../../app/node/domain/guard/build-guard-reference.ts';

const here = dirname(fileURLToPath(import.meta.url));
const data = resolve(process.argv[2] ?? join(here, '..', '..', '..', 'shared', 'data'));
const { reference, distances } = buildGuardReference(join(data, 'cxr'), IMAGENET_PREPROCESSING.size);
writeFileSync(join(here, 'cxr-descriptor-v1.json'), `${JSON.stringify(reference, null, 1)}\n`);
process.stdout.write(`${distances.length} images; median distance ${distances[Math.floor(distances.length / 2)]!.toFixed(2)}, max ${distances.at(-1)!.toFixed(2)}; threshold ${reference.threshold.toFixed(2)}\n`);
