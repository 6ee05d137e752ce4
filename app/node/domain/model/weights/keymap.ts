import { DenseRayError } from '../../../shared/errors.ts';
import { expectedWeightShapes, inferSpec, type DenseNetSpec } from '../spec.ts';
import type { WeightMap } from '../tensor.ts';

/**
 * Maps the tensor names checkpoints in the wild use onto torchvision's, then checks the result
 * strictly against a DenseNet spec: every expected tensor present with its exact shape, nothing else.
 */

export interface MappedWeights {
  weights: WeightMap;
  /** Source names dropped on purpose (num_batches_tracked, op_threshs). */
  ignored: string[];
  /** Source name → torchvision name, for names that changed. */
  renamed: Map<string, string>;
}

/** Wrappers checkpoints put around torchvision's names: DataParallel, CheXNet's `densenet121.` attribute, Lightning-style `model.`. */
const PREFIX = /^(module|model|densenet\d+)\./;
/** Pre-0.3 torchvision named a dense layer's modules `norm.1`, `relu.1`, `conv.1`, `norm.2`, … */
const OLD_LAYER = /(\.denselayer\d+\.)(norm|relu|conv)\.([12])\./;
/** Buffers that are not weights: BatchNorm's step counter, TorchXRayVision's calibration thresholds. */
const IGNORED = /(^|\.)(num_batches_tracked|op_threshs)$/;

export function torchvisionName(name: string): string {
  let n = name;
  while (PREFIX.test(n)) n = n.replace(PREFIX, '');
  return n.replace(OLD_LAYER, '$1$2$3.');
}

export function mapToTorchvision(tensors: WeightMap, source: string): MappedWeights {
  const weights: WeightMap = new Map();
  const ignored: string[] = [];
  const renamed = new Map<string, string>();
  const from = new Map<string, string>();
  for (const [name, tensor] of tensors) {
    if (IGNORED.test(name)) {
      ignored.push(name);
      continue;
    }
    const mapped = torchvisionName(name);
    const earlier = from.get(mapped);
    if (earlier !== undefined) {
      throw new DenseRayError('WEIGHTS_MISMATCH', `${source}: tensors ${earlier} and ${name} both map to ${mapped}`, {
        details: { tensor: mapped },
      });
    }
    from.set(mapped, name);
    weights.set(mapped, tensor);
  }
  collapseSequentialClassifier(weights, from);
  for (const [mapped, original] of from) if (mapped !== original && weights.has(mapped)) renamed.set(original, mapped);
  return { weights, ignored, renamed };
}

/** `classifier.N.weight/bias` (a Sequential head: Linear then Sigmoid, or Dropout then Linear) → `classifier.weight/bias`. */
function collapseSequentialClassifier(weights: WeightMap, from: Map<string, string>): void {
  if (weights.has('classifier.weight') || weights.has('classifier.bias')) return;
  const indices = new Set<string>();
  for (const name of weights.keys()) {
    const m = /^classifier\.(\d+)\.(weight|bias)$/.exec(name);
    if (m) indices.add(m[1]!);
  }
  if (indices.size !== 1) return; // none, or ambiguous: leave the names for the strict check to report
  const [i] = indices;
  for (const p of ['weight', 'bias']) {
    const old = `classifier.${i}.${p}`;
    const tensor = weights.get(old);
    if (!tensor) continue;
    weights.delete(old);
    weights.set(`classifier.${p}`, tensor);
    const original = from.get(old) ?? old;
    from.delete(old);
    from.set(`classifier.${p}`, original);
  }
}

function isPositiveInt(n: unknown): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}

function specIsSane(spec: DenseNetSpec): boolean {
  return (
    [spec.growthRate, spec.numInitFeatures, spec.bnSize, spec.numClasses, spec.inChannels].every(isPositiveInt) &&
    spec.blockConfig.length > 0 &&
    spec.blockConfig.every(isPositiveInt) &&
    (spec.compression === undefined || (spec.compression > 0 && spec.compression <= 1))
  );
}

/** Infers the spec from torchvision-named weights; a WEIGHTS_MISMATCH if they do not describe a DenseNet. */
export function inferSpecOrThrow(weights: WeightMap, source: string): DenseNetSpec {
  const spec = inferSpec(weights);
  if (!spec || !specIsSane(spec)) {
    const needed = ['features.conv0.weight', 'features.denseblock1.denselayer1.conv1.weight', 'classifier.weight'];
    const missing = needed.filter((n) => !weights.has(n));
    const why = missing.length > 0 ? `missing ${missing.join(', ')}` : 'their shapes give no consistent DenseNet';
    throw new DenseRayError('WEIGHTS_MISMATCH', `${source}: cannot infer a DenseNet architecture from the weights (${why})`, {
      details: { missing },
    });
  }
  return spec;
}

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Strict check: exactly the tensors `expectedWeightShapes(spec)` lists, each with its shape. Returns them in torchvision order. */
export function validateAgainstSpec(weights: WeightMap, spec: DenseNetSpec, source: string): WeightMap {
  const expected = expectedWeightShapes(spec);
  const missing: string[] = [];
  const misshaped: { tensor: string; expected: number[]; actual: number[] }[] = [];
  const ordered: WeightMap = new Map();
  for (const [name, shape] of expected) {
    const t = weights.get(name);
    if (!t) missing.push(name);
    else if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      misshaped.push({ tensor: name, expected: shape, actual: t.shape });
    else ordered.set(name, t);
  }
  const unexpected = [...weights.keys()].filter((n) => !expected.has(n));
  if (missing.length + misshaped.length + unexpected.length === 0) return ordered;

  const list = (names: string[]): string =>
    names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
  const parts: string[] = [];
  if (misshaped.length > 0) {
    const shown = misshaped.slice(0, 5).map((m) => `${m.tensor} (expected ${shapeText(m.expected)}, got ${shapeText(m.actual)})`);
    parts.push(`mis-shaped: ${shown.join(', ')}${misshaped.length > 5 ? ` and ${misshaped.length - 5} more` : ''}`);
  }
  if (missing.length > 0) parts.push(`missing: ${list(missing)}`);
  if (unexpected.length > 0) parts.push(`unexpected: ${list(unexpected)}`);
  throw new DenseRayError('WEIGHTS_MISMATCH', `${source}: weights do not fit the DenseNet (${describeSpec(spec)}): ${parts.join('; ')}`, {
    details: { missing, unexpected, misshaped },
  });
}

function describeSpec(spec: DenseNetSpec): string {
  const variant = [
    ...(spec.bottleneck === false ? ['no bottleneck'] : []),
    ...(spec.compression !== undefined ? [`compression ${spec.compression}`] : []),
    ...(spec.stem !== undefined ? [`${spec.stem} stem`] : []),
  ];
  return `growth ${spec.growthRate}, blocks ${shapeText(spec.blockConfig)}, init ${spec.numInitFeatures}, bn_size ${spec.bnSize}, ${spec.numClasses} classes, ${spec.inChannels} input channels${variant.map((v) => `, ${v}`).join('')}`;
}

/**
 * For weights already in torchvision names (e.g. read back from the model store): throws
 * WEIGHTS_MISMATCH unless they are exactly what `spec` needs. BatchNorm step counters are tolerated.
 */
export function assertWeightsMatchSpec(weights: WeightMap, spec: DenseNetSpec, source = 'weights'): void {
  const relevant: WeightMap = new Map([...weights].filter(([name]) => !/(^|\.)num_batches_tracked$/.test(name)));
  validateAgainstSpec(relevant, spec, source);
}
