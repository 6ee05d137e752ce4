import type { ModelManifest } from '../../../common/manifest.ts';
import type { WeightTensor } from './tensor.ts';

/**
 * The hyper-parameters that fix a DenseNet's shape: torchvision's constructor arguments plus the
 * knobs of the DenseNet paper (Huang et al. 2017) torchvision fixes. The optional fields are absent
 * for torchvision's nets, so DenseNet-121/169/201/264 specs (and their manifests) are what they were.
 *
 * Tensor names, torchvision's where torchvision has the layer:
 * - stem `imagenet`: `features.conv0` (7×7/2) → `features.norm0` → ReLU → 3×3/2 max pool.
 *   stem `cifar`: `features.conv0` (3×3/1, padding 1) alone; the first dense layer's norm1 follows it.
 * - dense layer with bottleneck (DenseNet-B): `norm1` → ReLU → `conv1` (1×1, bnSize·k) → `norm2` → ReLU → `conv2` (3×3, k);
 *   without: `norm1` → ReLU → `conv1` (3×3, k). Under `features.denseblock{b}.denselayer{l}`.
 * - transition b (after every block but the last): `features.transition{b}.norm` → ReLU → `.conv` (1×1, ⌊θ·m⌋) → 2×2/2 average pool.
 * - `features.norm5` → ReLU → global average pool → `classifier` (Linear): the CAM features are relu(norm5).
 */
export interface DenseNetSpec {
  growthRate: number;
  blockConfig: number[];
  /** Channels the stem's conv0 makes (torchvision's num_init_features). */
  numInitFeatures: number;
  /** Bottleneck width factor: conv1 makes bnSize·k channels. Unused when `bottleneck` is false. */
  bnSize: number;
  numClasses: number;
  /** 3 for ImageNet-style models, 1 for TorchXRayVision's. */
  inChannels: number;
  /** DenseNet-B: a 1×1 bottleneck conv before each 3×3 conv. Absent means true (torchvision). */
  bottleneck?: boolean;
  /** θ ∈ (0, 1]: a transition turns m channels into ⌊θ·m⌋. Absent means 0.5 (torchvision); 1 is no compression. */
  compression?: number;
  /** Absent means `imagenet` (torchvision). */
  stem?: StemKind;
}

export type StemKind = 'imagenet' | 'cifar';

export const DEFAULT_COMPRESSION = 0.5;

export type KnownArch = 'densenet121' | 'densenet169' | 'densenet201' | 'densenet264';

const BLOCK_CONFIGS: Record<KnownArch, number[]> = {
  densenet121: [6, 12, 24, 16],
  densenet169: [6, 12, 32, 32],
  densenet201: [6, 12, 48, 32],
  densenet264: [6, 12, 64, 48],
};

export function isKnownArch(name: string): name is KnownArch {
  return Object.hasOwn(BLOCK_CONFIGS, name);
}

export function specForArch(arch: KnownArch, numClasses: number, inChannels = 3): DenseNetSpec {
  return { growthRate: 32, blockConfig: [...BLOCK_CONFIGS[arch]], numInitFeatures: 64, bnSize: 4, numClasses, inChannels };
}

/** The manifest's copy of a spec: no class count (the labels say it), the paper's knobs only where they differ from torchvision. */
export function manifestSpec(spec: DenseNetSpec): ModelManifest['spec'] {
  return {
    growthRate: spec.growthRate,
    blockConfig: [...spec.blockConfig],
    numInitFeatures: spec.numInitFeatures,
    bnSize: spec.bnSize,
    inChannels: spec.inChannels === 1 ? 1 : 3,
    ...(spec.bottleneck === false ? { bottleneck: false } : {}),
    ...(spec.compression !== undefined && spec.compression !== DEFAULT_COMPRESSION ? { compression: spec.compression } : {}),
    ...(spec.stem === 'cifar' ? { stem: 'cifar' as const } : {}),
  };
}

export function usesBottleneck(spec: DenseNetSpec): boolean {
  return spec.bottleneck ?? true;
}

export function compressionOf(spec: DenseNetSpec): number {
  return spec.compression ?? DEFAULT_COMPRESSION;
}

export function stemOf(spec: DenseNetSpec): StemKind {
  return spec.stem ?? 'imagenet';
}

/**
 * ⌊θ·m⌋, the paper's transition width. The 1e-9 keeps a θ written in decimal exact where binary
 * floating point is not (0.7·90 is 62.999… in float64; the paper means 63).
 */
export function transitionChannels(channels: number, compression: number): number {
  return Math.floor(compression * channels + 1e-9);
}

/** Channel count entering each dense block, and the final feature width (what norm5 and the classifier see). */
export function blockInputChannels(spec: DenseNetSpec): { blockInputs: number[]; finalFeatures: number } {
  const blockInputs: number[] = [];
  let channels = spec.numInitFeatures;
  spec.blockConfig.forEach((layers, b) => {
    blockInputs.push(channels);
    channels += layers * spec.growthRate;
    if (b < spec.blockConfig.length - 1) channels = transitionChannels(channels, compressionOf(spec));
  });
  return { blockInputs, finalFeatures: channels };
}

export function finalFeatureCount(spec: DenseNetSpec): number {
  return blockInputChannels(spec).finalFeatures;
}

/** Side of the stem's output for a square input (floor at every stride, as PyTorch). */
export function stemSide(spec: DenseNetSpec, inputSize: number): number {
  if (stemOf(spec) === 'cifar') return inputSize;
  const afterConv = Math.floor((inputSize + 2 * 3 - 7) / 2) + 1;
  return Math.floor((afterConv + 2 - 3) / 2) + 1;
}

/** Spatial side entering dense block `transitions + 1` (default: the final features, after every transition). */
export function featureSide(spec: DenseNetSpec, inputSize: number, transitions = spec.blockConfig.length - 1): number {
  let side = stemSide(spec, inputSize);
  for (let t = 0; t < transitions; t++) side = Math.floor(side / 2);
  return side;
}

/**
 * Every tensor a DenseNet of this spec needs, by name (see the interface), in torchvision's order.
 * The single source of truth for importers (strict key checks) and both graph builders.
 */
export function expectedWeightShapes(spec: DenseNetSpec): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const bn = (prefix: string, c: number): void => {
    for (const p of ['weight', 'bias', 'running_mean', 'running_var']) shapes.set(`${prefix}.${p}`, [c]);
  };
  const k = spec.growthRate;
  const width = spec.bnSize * k;
  const cifar = stemOf(spec) === 'cifar';
  shapes.set(
    'features.conv0.weight',
    cifar ? [spec.numInitFeatures, spec.inChannels, 3, 3] : [spec.numInitFeatures, spec.inChannels, 7, 7],
  );
  if (!cifar) bn('features.norm0', spec.numInitFeatures);
  let channels = spec.numInitFeatures;
  spec.blockConfig.forEach((layers, b) => {
    for (let l = 0; l < layers; l++) {
      const prefix = `features.denseblock${b + 1}.denselayer${l + 1}`;
      const cin = channels + l * k;
      bn(`${prefix}.norm1`, cin);
      if (usesBottleneck(spec)) {
        shapes.set(`${prefix}.conv1.weight`, [width, cin, 1, 1]);
        bn(`${prefix}.norm2`, width);
        shapes.set(`${prefix}.conv2.weight`, [k, width, 3, 3]);
      } else {
        shapes.set(`${prefix}.conv1.weight`, [k, cin, 3, 3]);
      }
    }
    channels += layers * k;
    if (b < spec.blockConfig.length - 1) {
      const out = transitionChannels(channels, compressionOf(spec));
      bn(`features.transition${b + 1}.norm`, channels);
      shapes.set(`features.transition${b + 1}.conv.weight`, [out, channels, 1, 1]);
      channels = out;
    }
  });
  bn('features.norm5', channels);
  shapes.set('classifier.weight', [spec.numClasses, channels]);
  shapes.set('classifier.bias', [spec.numClasses]);
  return shapes;
}

export function parameterCount(spec: DenseNetSpec, options: { includeRunningStats: boolean }): number {
  let n = 0;
  for (const [name, shape] of expectedWeightShapes(spec)) {
    if (!options.includeRunningStats && (name.endsWith('running_mean') || name.endsWith('running_var'))) continue;
    n += shape.reduce((a, b) => a * b, 1);
  }
  return n;
}

/** The paper's depth L: every conv and the classifier (stem conv, one or two per dense layer, one per transition, the linear layer). */
export function depthOf(spec: DenseNetSpec): number {
  const layers = spec.blockConfig.reduce((a, b) => a + b, 0);
  return 1 + layers * (usesBottleneck(spec) ? 2 : 1) + (spec.blockConfig.length - 1) + 1;
}

/** The paper's family name: DenseNet, DenseNet-B (bottleneck), DenseNet-C (θ < 1), DenseNet-BC (both). */
export function familyOf(spec: DenseNetSpec): 'densenet' | 'densenet-b' | 'densenet-c' | 'densenet-bc' {
  const b = usesBottleneck(spec);
  const c = compressionOf(spec) < 1;
  return b && c ? 'densenet-bc' : b ? 'densenet-b' : c ? 'densenet-c' : 'densenet';
}

/** The family as the paper writes it: DenseNet, DenseNet-B, DenseNet-C, DenseNet-BC. */
export function familyTitle(spec: DenseNetSpec): string {
  return { densenet: 'DenseNet', 'densenet-b': 'DenseNet-B', 'densenet-c': 'DenseNet-C', 'densenet-bc': 'DenseNet-BC' }[familyOf(spec)];
}

/** One line a person can read, e.g. "DenseNet-BC, L=100, k=12, θ=0.5, bottleneck 4k, CIFAR stem (24 ch), blocks 16/16/16". */
export function specSummary(spec: DenseNetSpec): string {
  const stem = stemOf(spec) === 'cifar' ? 'CIFAR stem' : 'ImageNet stem';
  return [
    familyTitle(spec),
    `L=${depthOf(spec)}`,
    `k=${spec.growthRate}`,
    `θ=${compressionOf(spec)}`,
    usesBottleneck(spec) ? `bottleneck ${spec.bnSize}k` : 'no bottleneck',
    `${stem} (${spec.numInitFeatures} ch)`,
    `blocks ${spec.blockConfig.join('/')}`,
  ].join(', ');
}

/** Infers a spec from a complete torchvision-named weight map (used when a checkpoint carries no manifest). */
export function inferSpec(weights: ReadonlyMap<string, WeightTensor>): DenseNetSpec | undefined {
  const conv0 = weights.get('features.conv0.weight');
  const cls = weights.get('classifier.weight');
  const conv1 = weights.get('features.denseblock1.denselayer1.conv1.weight');
  if (!conv0 || !cls || !conv1 || conv0.shape.length !== 4 || conv1.shape.length !== 4) return undefined;
  const blockConfig: number[] = [];
  for (let b = 1; weights.has(`features.denseblock${b}.denselayer1.conv1.weight`); b++) {
    let l = 0;
    while (weights.has(`features.denseblock${b}.denselayer${l + 1}.conv1.weight`)) l++;
    blockConfig.push(l);
  }
  const conv2 = weights.get('features.denseblock1.denselayer1.conv2.weight');
  const bottleneck = conv2 !== undefined;
  const growthRate = bottleneck ? conv2.shape[0]! : conv1.shape[0]!;
  const spec: DenseNetSpec = {
    growthRate,
    blockConfig,
    numInitFeatures: conv0.shape[0]!,
    // Without a bottleneck the factor is unused; torchvision's default keeps the field meaningful if one is added.
    bnSize: bottleneck ? conv1.shape[0]! / growthRate : 4,
    numClasses: cls.shape[0]!,
    inChannels: conv0.shape[1]!,
  };
  if (!bottleneck) spec.bottleneck = false;
  const compression = inferCompression(weights, spec);
  if (compression === undefined) return undefined;
  if (compression !== DEFAULT_COMPRESSION) spec.compression = compression;
  if (conv0.shape[2] === 3) spec.stem = 'cifar';
  return spec;
}

/**
 * θ from the transitions' widths: the shortest decimal θ with ⌊θ·m⌋ = out for every transition (0.5 for
 * torchvision's); the default when there is no transition; undefined when no θ fits them all.
 */
function inferCompression(weights: ReadonlyMap<string, WeightTensor>, spec: DenseNetSpec): number | undefined {
  const pairs: { m: number; out: number }[] = [];
  for (let b = 1; b < spec.blockConfig.length; b++) {
    const t = weights.get(`features.transition${b}.conv.weight`);
    if (t?.shape.length !== 4) return undefined;
    pairs.push({ m: t.shape[1]!, out: t.shape[0]! });
  }
  if (pairs.length === 0) return DEFAULT_COMPRESSION;
  const fits = (theta: number): boolean => theta > 0 && theta <= 1 && pairs.every(({ m, out }) => transitionChannels(m, theta) === out);
  if (fits(DEFAULT_COMPRESSION)) return DEFAULT_COMPRESSION;
  const low = Math.max(...pairs.map(({ m, out }) => out / m));
  for (let digits = 1; digits <= 6; digits++) {
    const scale = 10 ** digits;
    const theta = Math.ceil(low * scale - 1e-9) / scale;
    if (fits(theta)) return theta;
  }
  return undefined;
}
