import type { WeightTensor } from './tensor.ts';

/** The hyper-parameters that fix a DenseNet's shape (torchvision's constructor arguments). */
export interface DenseNetSpec {
  growthRate: number;
  blockConfig: number[];
  numInitFeatures: number;
  bnSize: number;
  numClasses: number;
  /** 3 for ImageNet-style models, 1 for TorchXRayVision's. */
  inChannels: number;
}

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

/** Channel count entering each dense block, and the final feature width (what norm5 and the classifier see). */
export function blockInputChannels(spec: DenseNetSpec): { blockInputs: number[]; finalFeatures: number } {
  const blockInputs: number[] = [];
  let channels = spec.numInitFeatures;
  spec.blockConfig.forEach((layers, b) => {
    blockInputs.push(channels);
    channels += layers * spec.growthRate;
    if (b < spec.blockConfig.length - 1) channels = Math.floor(channels / 2);
  });
  return { blockInputs, finalFeatures: channels };
}

export function finalFeatureCount(spec: DenseNetSpec): number {
  return blockInputChannels(spec).finalFeatures;
}

/**
 * Every tensor a DenseNet of this spec needs, by torchvision name, in torchvision's order.
 * The single source of truth for importers (strict key checks) and both graph builders.
 */
export function expectedWeightShapes(spec: DenseNetSpec): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  const bn = (prefix: string, c: number): void => {
    for (const p of ['weight', 'bias', 'running_mean', 'running_var']) shapes.set(`${prefix}.${p}`, [c]);
  };
  const k = spec.growthRate;
  const bottleneck = spec.bnSize * k;
  shapes.set('features.conv0.weight', [spec.numInitFeatures, spec.inChannels, 7, 7]);
  bn('features.norm0', spec.numInitFeatures);
  let channels = spec.numInitFeatures;
  spec.blockConfig.forEach((layers, b) => {
    for (let l = 0; l < layers; l++) {
      const prefix = `features.denseblock${b + 1}.denselayer${l + 1}`;
      const cin = channels + l * k;
      bn(`${prefix}.norm1`, cin);
      shapes.set(`${prefix}.conv1.weight`, [bottleneck, cin, 1, 1]);
      bn(`${prefix}.norm2`, bottleneck);
      shapes.set(`${prefix}.conv2.weight`, [k, bottleneck, 3, 3]);
    }
    channels += layers * k;
    if (b < spec.blockConfig.length - 1) {
      const out = Math.floor(channels / 2);
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

/** Infers a spec from a complete torchvision-named weight map (used when a checkpoint carries no manifest). */
export function inferSpec(weights: ReadonlyMap<string, WeightTensor>): DenseNetSpec | undefined {
  const conv0 = weights.get('features.conv0.weight');
  const cls = weights.get('classifier.weight');
  const firstConv2 = weights.get('features.denseblock1.denselayer1.conv2.weight');
  if (!conv0 || !cls || !firstConv2) return undefined;
  const blockConfig: number[] = [];
  for (let b = 1; weights.has(`features.denseblock${b}.denselayer1.conv1.weight`); b++) {
    let l = 0;
    while (weights.has(`features.denseblock${b}.denselayer${l + 1}.conv1.weight`)) l++;
    blockConfig.push(l);
  }
  const growthRate = firstConv2.shape[0]!;
  return {
    growthRate,
    blockConfig,
    numInitFeatures: conv0.shape[0]!,
    bnSize: firstConv2.shape[1]! / growthRate,
    numClasses: cls.shape[0]!,
    inChannels: conv0.shape[1]!,
  };
}
