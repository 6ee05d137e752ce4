import { type FidelityReport, type GateBar, type ModelManifest, thresholdsOf } from '../../../common/manifest.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { ModelRuntime } from '../model/model-runtime.ts';
import { calibrateDenseNetInt8 } from '../model/onnx/quantize/densenet-int8-calibrate.ts';
import { type Int8Calibration, scaledCalibration } from '../model/onnx/quantize/int8-calibration.ts';
import { DEFAULT_GATE_BAR, gateFailures, measureCamFidelity, measureFidelity } from '../model/onnx/quantize/fidelity-gate.ts';
import type { DenseNetSpec } from '../model/spec.ts';
import type { WeightMap } from '../model/tensor.ts';
import { modelInputBatches } from './model-inputs.ts';
import { splitCalibration } from './split-calibration.ts';

/** Fewest images on each side of the split for numbers worth recording. */
export const MIN_CALIBRATION_IMAGES = 8;
export const MIN_HELD_OUT_IMAGES = 8;
const BATCH = 8;

type Progress = (phase: 'calibrate' | 'measure', done: number, total: number) => void;

interface Common {
  manifest: ModelManifest;
  weights: WeightMap;
  threads?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: Progress | undefined;
}

/**
 * Step 1: the ranges the integer network is built from, over the calibration images (one float32
 * pass). `rangeScale` multiplies every range (1 in real use; tests pass 100 to build a
 * deliberately broken variant the gate must refuse).
 */
export async function calibrateInt8(
  request: Common & { files: readonly string[]; rangeScale?: number },
): Promise<{ calibration: Int8Calibration; images: number; skipped: number }> {
  const { manifest, weights } = request;
  const p = manifest.preprocessing;
  const spec: DenseNetSpec = { ...manifest.spec, numClasses: manifest.labels.length };
  const skipped = { files: [] as string[] };
  const calibrated = await calibrateDenseNetInt8(
    spec,
    weights,
    p.size,
    (async function* () {
      for await (const b of modelInputBatches(request.files, p, BATCH, skipped)) yield b.input;
    })(),
    {
      threads: request.threads,
      signal: request.signal,
      onBatch: (n) => request.onProgress?.('calibrate', n, request.files.length),
    },
  );
  const scale = request.rangeScale ?? 1;
  const calibration = scale === 1 ? calibrated.calibration : scaledCalibration(calibrated.calibration, scale);
  return { calibration, images: calibrated.images, skipped: skipped.files.length };
}

export interface Int8Grade {
  report: FidelityReport;
  bar: GateBar;
  /** The bar's misses in words; empty when the variant passes. */
  failures: string[];
  heldOut: number;
  skipped: number;
  /** The int8 backend the gate measured, e.g. `onnxruntime-node 1.30 cpu, 2 threads, int8`. */
  backendDetail: string;
}

/** Step 2, the fidelity gate: the variant and its float32 parent on held-out images, graded against the bar. */
export async function gradeInt8(
  request: Common & { calibration: Int8Calibration; files: readonly string[]; bar?: GateBar | undefined },
): Promise<Int8Grade> {
  const { manifest, weights } = request;
  const options = { backend: 'onnx', ...(request.threads ? { threads: request.threads } : {}) } as const;
  const fp32 = await ModelRuntime.create(manifest, weights, options);
  const int8 = await ModelRuntime.create(manifest, weights, { ...options, int8: request.calibration }).catch(async (error: unknown) => {
    await fp32.dispose();
    throw error;
  });
  const skipped = { files: [] as string[] };
  const reference: number[][] = [];
  const candidate: number[][] = [];
  const referenceCams: Float32Array[] = [];
  const candidateCams: Float32Array[] = [];
  const k = manifest.labels.length;
  try {
    for await (const batch of modelInputBatches(request.files, manifest.preprocessing, BATCH, skipped)) {
      if (request.signal?.aborted) throw new DenseRayError('CANCELLED', 'quantisation cancelled');
      const n = batch.files.length;
      const a = await fp32.backend.run(batch.input, n);
      const b = await int8.backend.run(batch.input, n);
      for (let i = 0; i < n; i++) {
        reference.push(Array.from(a.logits.subarray(i * k, (i + 1) * k), (z, j) => fp32.toProbability(z, j)));
        candidate.push(Array.from(b.logits.subarray(i * k, (i + 1) * k), (z, j) => int8.toProbability(z, j)));
      }
      if (a.cams && b.cams) {
        const cells = a.cams.length / (n * k);
        for (let m = 0; m < n * k; m++) {
          referenceCams.push(a.cams.slice(m * cells, (m + 1) * cells));
          candidateCams.push(b.cams.slice(m * cells, (m + 1) * cells));
        }
      }
      request.onProgress?.('measure', reference.length, request.files.length);
    }
  } finally {
    await fp32.dispose();
    await int8.dispose();
  }
  if (reference.length < MIN_HELD_OUT_IMAGES) {
    throw new DenseRayError(
      'INVALID_ARGUMENT',
      `only ${reference.length} held-out images could be read (${skipped.files.length} unreadable); need ${MIN_HELD_OUT_IMAGES}`,
    );
  }
  const report = {
    ...measureFidelity(reference, candidate, manifest.labels, thresholdsOf(manifest)),
    ...(referenceCams.length ? { cams: measureCamFidelity(referenceCams, candidateCams) } : {}),
  };
  const bar = request.bar ?? DEFAULT_GATE_BAR;
  return {
    report,
    bar,
    failures: gateFailures(report, bar),
    heldOut: reference.length,
    skipped: skipped.files.length,
    backendDetail: int8.backend.detail,
  };
}

export interface Int8VariantRequest extends Common {
  /** Calibration images (PNG, JPEG, DICOM); a quarter is held out for the fidelity gate. */
  files: readonly string[];
  bar?: GateBar | undefined;
  maxCalibration?: number | undefined;
  maxHeldOut?: number | undefined;
}

export interface Int8VariantResult extends Int8Grade {
  calibration: Int8Calibration;
  images: { calibration: number; heldOut: number; skipped: number };
}

/**
 * Quantises a float32 DenseNet to an integer network and grades it against its parent: calibrate on
 * three quarters of the images, grade on the held-out quarter. Installs nothing: the caller
 * decides what a variant that misses the bar may do.
 */
export async function makeInt8Variant(request: Int8VariantRequest): Promise<Int8VariantResult> {
  const { manifest } = request;
  if ((manifest.precision ?? 'fp32') !== 'fp32')
    throw new DenseRayError('INVALID_ARGUMENT', `${manifest.id} is already ${manifest.precision}; quantise its float32 parent`);
  const split = splitCalibration(request.files, { maxCalibration: request.maxCalibration ?? 128, maxHeldOut: request.maxHeldOut ?? 64 });
  if (split.calibration.length < MIN_CALIBRATION_IMAGES || split.heldOut.length < MIN_HELD_OUT_IMAGES) {
    throw new DenseRayError(
      'INVALID_ARGUMENT',
      `calibration needs at least ${MIN_CALIBRATION_IMAGES + MIN_HELD_OUT_IMAGES} images (a quarter is held out to grade the result); got ${request.files.length}`,
    );
  }
  const calibrated = await calibrateInt8({ ...request, files: split.calibration });
  const grade = await gradeInt8({ ...request, calibration: calibrated.calibration, files: split.heldOut });
  return {
    ...grade,
    calibration: calibrated.calibration,
    images: { calibration: calibrated.images, heldOut: grade.heldOut, skipped: calibrated.skipped + grade.skipped },
  };
}
