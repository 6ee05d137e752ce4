import type { ModelManifest, QuantizationRecord } from '../../../common/manifest.ts';
import { sha256Hex } from '../../shared/hash.ts';
import { calibrationFileText, INT8_CALIBRATION_FILE } from '../model/onnx/quantize/calibration-file.ts';
import type { Int8VariantResult } from './make-int8-variant.ts';

/** What the manifest and card say of the activations (see buildDenseNetInt8). */
export const INT8_ACTIVATIONS =
  'uint8, min/max calibration: per channel (range mapped onto 0–255, ±10% margin) for the tensors a dense block concatenates, per tensor for ReLU outputs';

/** What the manifest and card say of the drift correction (see Int8Calibration's shifts). */
export const INT8_BIAS_CORRECTION =
  'per channel of each dense block output, the mean difference integer − float32 on up to 64 calibration images, subtracted where the next BatchNorm reads it';

/** The id an int8 variant of `parentId` is installed under. */
export function int8VariantId(parentId: string): string {
  return `${parentId.slice(0, 75)}-int8`;
}

/**
 * The manifest (and the ranges file it points to) of an int8 variant: the parent's manifest with
 * precision int8, the parent named, and how it was made and graded. A variant that missed the bar
 * gets here only with `forced`, whose reason the manifest and card keep.
 */
export function int8VariantManifest(
  parent: ModelManifest,
  result: Int8VariantResult,
  options: { source: string; forced?: { reason: string }; now?: Date },
): { manifest: Omit<ModelManifest, 'weights'>; files: Record<string, string> } {
  const now = (options.now ?? new Date()).toISOString();
  const calibrationText = calibrationFileText(result.calibration);
  const quantization: QuantizationRecord = {
    method: 'integer-densenet',
    activations: INT8_ACTIVATIONS,
    biasCorrection: INT8_BIAS_CORRECTION,
    weights: 'int8, symmetric, per output channel',
    calibrationFile: INT8_CALIBRATION_FILE,
    calibrationSha256: sha256Hex(new TextEncoder().encode(calibrationText)),
    calibration: {
      source: options.source,
      images: result.images.calibration,
      heldOut: result.images.heldOut,
      skipped: result.images.skipped,
    },
    gate: {
      bar: result.bar,
      report: result.report,
      passed: result.failures.length === 0,
      failures: result.failures,
      ...(options.forced ? { forced: { reason: options.forced.reason, at: now } } : {}),
    },
    backend: result.backendDetail,
    createdAt: now,
  };
  // The parent's metrics were measured in float32; the gate's numbers are this variant's.
  const { weights: _weights, metrics: _metrics, ...rest } = parent;
  return {
    manifest: {
      ...rest,
      id: int8VariantId(parent.id),
      name: `${parent.name} (int8)`,
      parent: parent.id,
      precision: 'int8',
      quantization,
    },
    files: { [INT8_CALIBRATION_FILE]: calibrationText },
  };
}
