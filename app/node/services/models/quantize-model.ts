import { resolve } from 'node:path';
import type { FidelityReport, GateBar, ModelManifest } from '../../../common/manifest.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { expandInputs } from '../../domain/input/expand-inputs.ts';
import { readSafetensors } from '../../domain/model/weights/safetensors.ts';
import { makeInt8Variant } from '../../domain/quantize/make-int8-variant.ts';
import { int8VariantManifest } from '../../domain/quantize/variant-manifest.ts';
import { ModelStore } from '../../domain/store/model-store.ts';

export interface QuantizeModelRequest {
  /** The installed float32 model to quantise. */
  id: string;
  /** A folder (walked) or files of chest films to calibrate on; a quarter is held out for the gate. */
  calibration: string[];
  /** Install a variant that misses the bar anyway; needs `reason`, which the manifest and card keep. */
  force?: boolean;
  reason?: string;
  /** Make the variant the active model (refused for a variant that missed the bar and was not forced). */
  activate?: boolean;
  threads?: number;
  bar?: GateBar;
  maxCalibration?: number;
  maxHeldOut?: number;
  signal?: AbortSignal;
  onProgress?: (phase: 'calibrate' | 'measure', done: number, total: number) => void;
}

export interface QuantizeModelResult {
  manifest: ModelManifest;
  report: FidelityReport;
  passed: boolean;
  failures: string[];
  activated: boolean;
}

/**
 * `models quantize`: makes an int8 variant (the integer network) of an installed float32 model, grades it
 * against the parent on held-out images, and installs it as `<id>-int8` only if it meets the bar
 * (or is forced with a reason). A variant that misses the bar and is not forced is refused with
 * QUANTIZATION_GATE_FAILED, its numbers in `details`, and nothing is installed.
 */
export async function quantizeModel(dataDir: string, request: QuantizeModelRequest): Promise<QuantizeModelResult> {
  const models = new ModelStore(dataDir);
  if (request.force && !request.reason?.trim())
    throw new DenseRayError('INVALID_ARGUMENT', '--force needs --reason: the reason is recorded in the model card');
  const parent = models.get(request.id);
  const { tensors } = readSafetensors(models.readWeights(parent), parent.manifest.weights.file);
  const files = await expandInputs(request.calibration);
  const result = await makeInt8Variant({
    manifest: parent.manifest,
    weights: tensors,
    files,
    ...pick(request, ['threads', 'bar', 'maxCalibration', 'maxHeldOut', 'signal', 'onProgress']),
  });
  const passed = result.failures.length === 0;
  if (!passed && !request.force) {
    throw new DenseRayError(
      'QUANTIZATION_GATE_FAILED',
      `the int8 variant of ${request.id} missed the fidelity bar: ${result.failures.join('; ')}. Nothing was installed (--force --reason "…" installs it anyway)`,
      { details: { report: result.report, bar: result.bar, failures: result.failures } },
    );
  }
  const variant = int8VariantManifest(parent.manifest, result, {
    source: request.calibration.map((c) => resolve(c)).join(', '),
    ...(!passed && request.reason ? { forced: { reason: request.reason.trim() } } : {}),
  });
  const installed = models.install(variant.manifest, tensors, { replace: true, files: variant.files });
  if (request.activate) models.setActive(installed.manifest.id);
  return { manifest: installed.manifest, report: result.report, passed, failures: result.failures, activated: request.activate === true };
}

function pick<T extends object, K extends keyof T>(source: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (source[k] !== undefined) out[k] = source[k];
  return out;
}
