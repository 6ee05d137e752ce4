import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelManifest } from '../../../common/manifest.ts';
import { shared } from '../../../../test/helpers/shared.ts';
import { thrown } from '../../../../test/helpers/thrown.ts';
import { loadForeignWeights } from '../model/import-model.ts';
import { DEFAULT_GATE_BAR, gateFailures, measureFidelity } from '../model/onnx/quantize/fidelity-gate.ts';
import { sha256Hex } from '../../shared/hash.ts';
import { ModelStore } from '../store/model-store.ts';
import type { Int8VariantResult } from './make-int8-variant.ts';
import { int8VariantManifest } from './variant-manifest.ts';

/** A grading result as makeInt8Variant returns it, from hand-made probabilities (no inference). */
function result(labels: string[], candidateShift: number): Int8VariantResult {
  const reference = [
    [0.2, 0.7, 0.4],
    [0.6, 0.1, 0.3],
  ];
  const candidate = reference.map((row) => row.map((p) => p + candidateShift));
  const report = measureFidelity(reference, candidate, labels, [0.5, 0.5, 0.5]);
  return {
    report,
    bar: DEFAULT_GATE_BAR,
    failures: gateFailures(report),
    heldOut: 2,
    skipped: 0,
    backendDetail: 'onnxruntime-node test, int8 (integer network)',
    calibration: {
      input: { min: -2, max: 2.5 },
      pieces: { 'features.pool0': { min: [0, 0], max: [1.5, 3] } },
      relus: { 'features.denseblock1.denselayer1.relu1': 4 },
      shifts: { 'features.denseblock1': [0.5, -0.25] },
    },
    images: { calibration: 6, heldOut: 2, skipped: 1 },
  };
}

describe('an int8 variant in the model store', () => {
  const dirs: string[] = [];
  const store = (): ModelStore => {
    const dir = mkdtempSync(join(tmpdir(), 'denseray-variant-'));
    dirs.push(dir);
    return new ModelStore(dir);
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const labelsFile = join(mkdtempSync(join(tmpdir(), 'denseray-labels-')), 'labels.json');
  writeFileSync(labelsFile, JSON.stringify(['A', 'B', 'C']));
  const parent = loadForeignWeights({
    file: shared('reference', 'tiny-densenet.safetensors'),
    id: 'tiny',
    labels: labelsFile,
    inputSize: 64,
  });
  const labels = parent.manifest.labels;

  it('records precision, parent, calibration file (by sha256) and the gate; the calibration reads back', () => {
    const models = store();
    const variant = int8VariantManifest(parent.manifest, result(labels, 0.001), {
      source: '/films',
      now: new Date('2026-01-02T03:04:05Z'),
    });
    const installed = models.install(variant.manifest, parent.weights, { files: variant.files });
    const m = ModelManifest.parse(JSON.parse(readFileSync(join(installed.dir, 'manifest.json'), 'utf8')));
    expect(m).toMatchObject({ id: 'tiny-int8', precision: 'int8', parent: 'tiny', quantization: { method: 'integer-densenet' } });
    expect(m.quantization!.calibration).toEqual({ source: '/films', images: 6, heldOut: 2, skipped: 1 });
    expect(m.quantization!.gate.passed).toBe(true);
    expect(models.readInt8Calibration(installed)).toEqual({
      format: 'denseray-int8-calibration-v2',
      input: { min: -2, max: 2.5 },
      pieces: { 'features.pool0': { min: [0, 0], max: [1.5, 3] } },
      relus: { 'features.denseblock1.denselayer1.relu1': 4 },
      shifts: { 'features.denseblock1': [0.5, -0.25] },
    });
    expect(models.readInt8Calibration(models.install({ ...parent.manifest, id: 'plain' }, parent.weights))).toBeUndefined();
    models.setActive('tiny-int8');
    expect(models.activeId()).toBe('tiny-int8');
    const card = readFileSync(join(installed.dir, 'card.md'), 'utf8');
    expect(card).toContain('| precision | int8 (integer network from `tiny`) |');
    expect(card).toContain('Fidelity gate: passed.');
  });

  it('a tampered calibration file is refused by its sha256', () => {
    const models = store();
    const variant = int8VariantManifest(parent.manifest, result(labels, 0.001), { source: '/films' });
    const installed = models.install(variant.manifest, parent.weights, { files: variant.files });
    const file = join(installed.dir, 'int8-calibration.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('2.5', '250'));
    expect(thrown(() => models.readInt8Calibration(installed)).code).toBe('MODEL_INVALID');
  });

  it('a variant an earlier DenseRay made (QDQ ranges, v1) is refused with what to do, not run', () => {
    const models = store();
    const variant = int8VariantManifest(parent.manifest, result(labels, 0.001), { source: '/films' });
    const legacy = `${JSON.stringify({ format: 'denseray-int8-calibration-v1', ranges: { input: { min: -2, max: 2.5 } }, biasCorrection: {} })}\n`;
    const quantization = {
      ...variant.manifest.quantization!,
      method: 'static-qdq' as const,
      calibrationSha256: sha256Hex(new TextEncoder().encode(legacy)),
    };
    const installed = models.install({ ...variant.manifest, quantization }, parent.weights, { files: { 'int8-calibration.json': legacy } });
    const error = thrown(() => models.readInt8Calibration(installed));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain('denseray models quantize tiny');
  });

  it('a variant that missed the bar cannot be activated unless it was forced, and the card keeps the reason', () => {
    const models = store();
    const failing = result(labels, 0.05); // |Δp| 0.05 everywhere: mean and max both over the bar
    expect(failing.failures.length).toBeGreaterThan(0);
    const unforced = int8VariantManifest(parent.manifest, failing, { source: '/films' });
    models.install(unforced.manifest, parent.weights, { files: unforced.files });
    expect(thrown(() => models.setActive('tiny-int8')).code).toBe('QUANTIZATION_GATE_FAILED');
    expect(models.activeId()).not.toBe('tiny-int8');

    const forced = int8VariantManifest(parent.manifest, failing, {
      source: '/films',
      forced: { reason: 'speed trial on our own scanner' },
    });
    const installed = models.install(forced.manifest, parent.weights, { files: forced.files, replace: true });
    models.setActive('tiny-int8');
    expect(models.activeId()).toBe('tiny-int8');
    const card = readFileSync(join(installed.dir, 'card.md'), 'utf8');
    expect(card).toContain('**missed the bar**');
    expect(card).toContain('"speed trial on our own scanner"');
  });

  it('an int8 model is not quantised again', async () => {
    const { makeInt8Variant } = await import('./make-int8-variant.ts');
    const variant = int8VariantManifest(parent.manifest, result(labels, 0.001), { source: '/films' });
    const manifest = ModelManifest.parse({ ...variant.manifest, weights: parent.manifest.weights });
    const error = await makeInt8Variant({ manifest, weights: parent.weights, files: [] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
