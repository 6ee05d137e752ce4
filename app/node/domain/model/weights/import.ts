import { DenseRayError } from '../../../shared/errors.ts';
import type { DenseNetSpec } from '../spec.ts';
import type { WeightMap } from '../tensor.ts';
import { inferSpecOrThrow, mapToTorchvision, validateAgainstSpec } from './keymap.ts';
import type { Layout, ModuleFacts } from './locate.ts';
import { isLegacyPth, readPth } from './pth.ts';
import { readSafetensors } from './safetensors.ts';
import { isZip } from './zip.ts';

/** One entry point for every weights file DenseRay accepts; the format is told by content, never by name. */

export type WeightsFormat = 'safetensors' | 'pth-zip' | 'pth-legacy';

export interface ImportFacts {
  /** safetensors `__metadata__`. */
  metadata?: Record<string, string>;
  /** The checkpoint key that held the weights (`state_dict`, `model`, …). */
  container?: string;
  /** Scalar entries beside the weights in a checkpoint dict (`epoch`, `best_loss`, `arch`, …). */
  checkpoint: Record<string, string | number | boolean>;
  /** What a whole pickled model says about itself (classes, classifier, TorchXRayVision labels). */
  module?: ModuleFacts;
  /** Tensors in the file that are deliberately not weights (num_batches_tracked, op_threshs). */
  ignored: string[];
  /** How many tensors were renamed to torchvision's names. */
  renamedCount: number;
}

export interface ImportedWeights {
  /** Torchvision names, in torchvision order, validated against `spec`. */
  weights: WeightMap;
  spec: DenseNetSpec;
  format: WeightsFormat;
  layout: Layout;
  /** True when the saved model's output already is a probability (a Sigmoid in its head, or TorchXRayVision's apply_sigmoid). */
  outputIsProbability: boolean;
  facts: ImportFacts;
}

export function detectWeightsFormat(bytes: Uint8Array): WeightsFormat | undefined {
  if (isZip(bytes)) return 'pth-zip';
  if (isLegacyPth(bytes)) return 'pth-legacy';
  if (looksLikeSafetensors(bytes)) return 'safetensors';
  return undefined;
}

function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return headerLength >= 2n && headerLength <= BigInt(bytes.length - 8) && bytes[8] === 0x7b; // '{'
}

export function loadWeightsFile(bytes: Uint8Array, source: string, opts: { spec?: DenseNetSpec } = {}): ImportedWeights {
  const format = detectWeightsFormat(bytes);
  if (!format) {
    throw new DenseRayError(
      'WEIGHTS_FORMAT',
      `${source}: not a weights file DenseRay reads (safetensors, or a PyTorch .pth in zip or legacy format)`,
    );
  }
  let raw: WeightMap;
  let layout: Layout = 'state_dict';
  const facts: ImportFacts = { checkpoint: {}, ignored: [], renamedCount: 0 };
  if (format === 'safetensors') {
    const file = readSafetensors(bytes, source);
    raw = file.tensors;
    facts.metadata = file.metadata;
  } else {
    const pth = readPth(bytes, source);
    if (pth.format !== format) throw new DenseRayError('INTERNAL', `${source}: detected ${format} but read ${pth.format}`);
    raw = pth.tensors;
    layout = pth.layout;
    facts.checkpoint = pth.checkpoint;
    if (pth.container !== undefined) facts.container = pth.container;
    if (pth.module) facts.module = pth.module;
  }
  const mapped = mapToTorchvision(raw, source);
  facts.ignored = mapped.ignored;
  facts.renamedCount = mapped.renamed.size;
  const spec = opts.spec ?? inferSpecOrThrow(mapped.weights, source);
  const weights = validateAgainstSpec(mapped.weights, spec, source);
  const outputIsProbability = facts.module !== undefined && (facts.module.classifierEndsInSigmoid || facts.module.applySigmoid === true);
  return { weights, spec, format, layout, outputIsProbability, facts };
}
