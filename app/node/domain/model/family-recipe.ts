import type { CreateModelRequest, DenseNetFamily } from '../../../common/contract/create-model.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { type DenseNetSpec, featureSide, manifestSpec, type StemKind } from './spec.ts';

type Recipe = Pick<
  CreateModelRequest,
  'arch' | 'depth' | 'blocks' | 'growthRate' | 'compression' | 'bottleneck' | 'bnSize' | 'stem' | 'stemChannels' | 'inputSize' | 'channels'
> & { labels: readonly string[] };

const FAMILY_DEFAULTS: Record<DenseNetFamily, { bottleneck: boolean; compression: number }> = {
  densenet: { bottleneck: false, compression: 1 },
  'densenet-b': { bottleneck: true, compression: 1 },
  'densenet-c': { bottleneck: false, compression: 0.5 },
  'densenet-bc': { bottleneck: true, compression: 0.5 },
};

/**
 * The spec the paper's recipe gives: `depth` L means three dense blocks of n layers with
 * L = 3·n·(2 with a bottleneck, else 1) + 4 (stem conv, two transitions, classifier), as in its
 * CIFAR/SVHN nets; stem width 2k for DenseNet-BC and 16 for the others (ImageNet stems: 2k).
 */
export function specFromRecipe(r: Recipe): DenseNetSpec {
  const { bottleneck, compression } = {
    ...FAMILY_DEFAULTS[r.arch],
    ...definedOnly({ bottleneck: r.bottleneck, compression: r.compression }),
  };
  const k = r.growthRate ?? 12;
  let blockConfig: number[];
  if (r.blocks !== undefined) blockConfig = [...r.blocks];
  else if (r.depth !== undefined) {
    const perLayer = bottleneck ? 2 : 1;
    const n = (r.depth - 4) / (3 * perLayer);
    if (!Number.isInteger(n) || n < 1) {
      const valid = [1, 2, 3].map((m) => 3 * m * perLayer + 4);
      throw new DenseRayError(
        'INVALID_ARGUMENT',
        `depth ${r.depth} does not give three equal dense blocks ${bottleneck ? 'with' : 'without'} a bottleneck: L = 3·n·${perLayer} + 4 (e.g. ${valid.join(', ')}, …)`,
      );
    }
    blockConfig = [n, n, n];
  } else throw new DenseRayError('INVALID_ARGUMENT', 'give a depth or the layers per dense block');
  const stem: StemKind = r.stem ?? (r.depth !== undefined ? 'cifar' : 'imagenet');
  const numInitFeatures = r.stemChannels ?? (stem === 'imagenet' || (bottleneck && compression < 1) ? 2 * k : 16);
  const spec: DenseNetSpec = {
    growthRate: k,
    blockConfig,
    numInitFeatures,
    bnSize: r.bnSize ?? 4,
    numClasses: r.labels.length,
    inChannels: r.channels ?? 1,
    ...(bottleneck ? {} : { bottleneck: false }),
    compression,
    ...(stem === 'cifar' ? { stem } : {}),
  };
  // Store only what differs from torchvision's defaults, as every other spec does.
  const canonical = { ...manifestSpec(spec), numClasses: spec.numClasses };
  const side = featureSide(canonical, r.inputSize);
  if (side < 1) {
    throw new DenseRayError(
      'INVALID_ARGUMENT',
      `a ${r.inputSize}×${r.inputSize} input leaves no pixels after the ${stem} stem and ${blockConfig.length - 1} transitions; use a larger input or fewer blocks`,
    );
  }
  return canonical;
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
