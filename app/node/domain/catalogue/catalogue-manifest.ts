import type { CatalogueEntry } from '../../../common/contract/catalogue.ts';
import type { ModelManifest } from '../../../common/manifest.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { isKnownArch, manifestSpec, specForArch, type DenseNetSpec } from '../model/spec.ts';
import type { WeightMap } from '../model/tensor.ts';
import type { ImportedWeights } from '../model/weights/import.ts';

/** The DenseNet a catalogue entry declares: its architecture, input channels and every output. */
export function declaredSpec(entry: CatalogueEntry): DenseNetSpec {
  const { arch, inChannels, spec } = entry.network;
  if (!isKnownArch(arch)) {
    if (!spec) throw new DenseRayError('MODEL_INVALID', `${entry.name}: arch custom without a spec`);
    return { ...spec, numClasses: entry.outputs.length, inChannels };
  }
  return specForArch(arch, entry.outputs.length, inChannels);
}

/** Indices of the outputs the publisher trained (TorchXRayVision leaves some of its 18 untrained: their op_norm is a constant 0.5). */
export function trainedOutputs(entry: CatalogueEntry): number[] {
  return entry.outputs.flatMap((o, i) => (o === '' ? [] : [i]));
}

export interface CatalogueModel {
  manifest: Omit<ModelManifest, 'weights'>;
  weights: WeightMap;
}

/**
 * The installable model for weights read from a catalogue file: the entry's labels, preprocessing and
 * calibration, the classifier cut down to the trained outputs (the same numbers for those, and no
 * meaningless constant 0.5 scores in the results), provenance naming the catalogue and the file.
 */
export function catalogueModel(
  entry: CatalogueEntry,
  loaded: ImportedWeights,
  file: { path: string; sha256: string },
  notes: string[] = [],
): CatalogueModel {
  const keep = trainedOutputs(entry);
  const weights = selectOutputs(loaded.weights, keep, entry.outputs.length);
  const spec = loaded.spec;
  const labels = keep.map((i) => entry.outputs[i]!);
  const calibration =
    entry.calibration.kind === 'op-norm'
      ? {
          kind: 'op-norm' as const,
          opThresholds: keep.map((i) => (entry.calibration as { opThresholds: (number | null)[] }).opThresholds[i]!),
        }
      : undefined;
  const layoutNote =
    loaded.layout === entry.file.layout
      ? []
      : [
          `The file's layout is ${loaded.layout}, the catalogue expected ${entry.file.layout}; the weights still matched the declared network exactly.`,
        ];
  const dropped = entry.outputs.length - keep.length;
  return {
    weights,
    manifest: {
      schemaVersion: 1,
      id: entry.name,
      name: entry.title,
      version: file.sha256.slice(0, 12),
      arch: entry.network.arch,
      spec: { ...manifestSpec(spec), inChannels: entry.network.inChannels },
      labels,
      preprocessing: entry.preprocessing,
      output: { activation: 'sigmoid', ...(calibration ? { calibration } : {}) },
      // op-norm puts each operating point at 0.5; the CheXNet reproductions publish no thresholds.
      thresholds: {},
      camLayer: 'features.norm5.relu',
      demo: false,
      provenance: {
        source: `catalogue ${entry.name}: ${entry.url}`,
        license: entry.licence.name,
        importedFrom: file.path,
        importedFromSha256: file.sha256,
        createdAt: new Date().toISOString(),
        notes: [
          entry.testTime,
          ...(dropped > 0 ? [`${dropped} of the ${entry.outputs.length} outputs are untrained in this release and were left out.`] : []),
          ...(calibration
            ? ["Scores are op_norm-calibrated: 0.5 is the publisher's operating point for each finding, so they are not probabilities."]
            : []),
          ...layoutNote,
          ...notes,
        ].join('\n\n'),
      },
    },
  };
}

function selectOutputs(weights: WeightMap, keep: number[], total: number): WeightMap {
  if (keep.length === total) return weights;
  const w = weights.get('classifier.weight');
  const b = weights.get('classifier.bias');
  if (!w || !b || w.shape.length !== 2 || w.shape[0] !== total)
    throw new DenseRayError('WEIGHTS_MISMATCH', `classifier does not have the ${total} outputs the catalogue lists`);
  const features = w.shape[1]!;
  const rows = new Float32Array(keep.length * features);
  keep.forEach((k, i) => rows.set(w.data.subarray(k * features, (k + 1) * features), i * features));
  const out: WeightMap = new Map(weights);
  out.set('classifier.weight', { shape: [keep.length, features], data: rows });
  out.set('classifier.bias', { shape: [keep.length], data: Float32Array.from(keep, (k) => b.data[k]!) });
  return out;
}
