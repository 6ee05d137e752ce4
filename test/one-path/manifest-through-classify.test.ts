// Issue 12's proof that the model sees the film the reader sees, for every encoding: every `ok` row
// of the shared DICOM corpus goes through the classify use case every door uses (AnalysisService;
// the CLI runs it in process, the app in the engine process), and the image the network was given
// is checked against one computed independently from the row's stored values (pinned by the
// manifest's stored_sha256) with PS3.3's display pipeline. Rows that hold the same pixels in other
// encodings must give the same probabilities and heatmaps.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileResult, ModelInfo } from '../../app/common/contract/classify.ts';
import { decodeFrame, readDicom, storedStats } from '../../app/node/domain/dicom/index.ts';
import { grayImage } from '../../app/node/domain/imaging/gray-image.ts';
import { preprocess } from '../../app/node/domain/imaging/preprocess.ts';
import { ModelStore } from '../../app/node/domain/store/model-store.ts';
import type { AnalysisService } from '../../app/node/services/analysis/analysis-service.ts';
import { heatmapPng } from '../../app/node/services/analysis/heatmaps.ts';
import { createLocalAnalysis } from '../../app/node/services/analysis/local-analysis.ts';
import { type ManifestRow, readManifest } from '../helpers/dicom-manifest.ts';
import { shared } from '../helpers/shared.ts';
import { referenceDisplay } from './reference-display.ts';

const corpus = shared('dicom');
const rows = readManifest(join(corpus, 'manifest.csv')).filter((r) => r.expect === 'ok');
const XRAY = new Set(['CR', 'DX', '']);

let analysis: AnalysisService;
let model: ModelInfo;
let preprocessing: ReturnType<ModelStore['get']>['manifest']['preprocessing'];
const results = new Map<string, FileResult>();

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'denseray-one-path-'));
  const models = new ModelStore(dataDir);
  preprocessing = models.get(models.activeId()).manifest.preprocessing;
  analysis = createLocalAnalysis(dataDir, models);
  const outcome = await analysis.classify(
    rows.map((r) => join(corpus, r.file)),
    { cams: true },
  );
  model = outcome.model;
  outcome.results.forEach((r, i) => results.set(rows[i]!.file, r));
});
afterAll(() => analysis?.close());

/** The network's input plane as the engine reports it, computed from the independent display image. */
async function expectedModelInput(row: ManifestRow): Promise<Float32Array> {
  const file = readDicom(new Uint8Array(readFileSync(join(corpus, row.file))), row.file);
  const frame = await decodeFrame(file, 0);
  const stats = storedStats(frame.stored);
  if (!row.lossy) expect(stats.sha256, `${row.file}: stored values are not the manifest's`).toBe(row.storedSha256);
  else expect(Math.abs(stats.mean - row.storedMean), `${row.file}: stored mean`).toBeLessThan(2);
  const display = grayImage(file.meta.columns, file.meta.rows, referenceDisplay(frame.stored, file.meta));
  const input = preprocess(display, preprocessing);
  const plane = new Float32Array(preprocessing.size ** 2);
  const mean = preprocessing.mean[0]!;
  const std = preprocessing.std[0]!;
  for (let i = 0; i < plane.length; i++) plane[i] = input[i]! * std + mean;
  return plane;
}

describe('every ok row of the DICOM corpus through the classify use case', () => {
  it.each(rows.map((r) => [r.file, r] as const))('%s: refused or given the film the reader sees', async (_name, row) => {
    const result = results.get(row.file)!;
    if (!XRAY.has(row.modality)) {
      expect(result.ok ? 'classified' : result.error.code).toBe('MODALITY_NOT_SUPPORTED');
      return;
    }
    if (!result.ok) throw new Error(`${row.file}: ${result.error.code} ${result.error.message}`);
    const seen = result.prediction.modelInput!.data;
    const expected = await expectedModelInput(row);
    expect(seen.length).toBe(expected.length);
    let maxDiff = 0;
    let sumDiff = 0;
    for (let i = 0; i < seen.length; i++) {
      const d = Math.abs(seen[i]! - expected[i]!);
      maxDiff = Math.max(maxDiff, d);
      sumDiff += d;
    }
    // One 8-bit level at most, on the rare pixel where float32 and float64 round a VOI value differently.
    expect(maxDiff, `${row.file}: max |Δ| of the network's input`).toBeLessThanOrEqual(1 / 255 + 1e-6);
    expect(sumDiff / seen.length, `${row.file}: mean |Δ|`).toBeLessThan(1e-4);
  });

  it('gives identical probabilities and heatmaps for the same pixels in every lossless encoding', () => {
    const groups = new Map<string, string[]>();
    for (const row of rows) {
      if (row.lossy || !XRAY.has(row.modality)) continue;
      // Same stored pixels; the 12-bit family and the 8-bit films also share their header pipeline.
      const key = row.storedSha256;
      groups.set(key, [...(groups.get(key) ?? []), row.file]);
    }
    const family = [...groups.values()].find((g) => g.some((f) => f.startsWith('cxr_dx_mono2_12in16_implicit_le')))!;
    expect(family.length).toBeGreaterThanOrEqual(9);
    for (const files of groups.values()) {
      const [first, ...others] = files.map((f) => ({ file: f, result: results.get(f)! }));
      for (const other of others) expectSamePrediction(first!, other);
    }
  });

  it('gives MONOCHROME1 twins the same probabilities and heatmaps as their MONOCHROME2 original', () => {
    const original = { file: 'cxr_dx_mono2_8bit_explicit_le.dcm', result: results.get('cxr_dx_mono2_8bit_explicit_le.dcm')! };
    const twins = rows.filter((r) => r.file.startsWith('cxr_dx_mono1_8'));
    expect(twins.length).toBe(3);
    for (const twin of twins) expectSamePrediction(original, { file: twin.file, result: results.get(twin.file)! });
  });
});

function expectSamePrediction(a: { file: string; result: FileResult }, b: { file: string; result: FileResult }): void {
  if (!a.result.ok || !b.result.ok) throw new Error(`${a.file} / ${b.file}: not both classified`);
  const pa = a.result.prediction;
  const pb = b.result.prediction;
  for (const label of model.labels) {
    expect(Math.abs(pa.probabilities[label]! - pb.probabilities[label]!), `${b.file} vs ${a.file}: ${label}`).toBeLessThanOrEqual(1e-6);
  }
  for (const label of pa.flagged) {
    expect(Buffer.from(heatmapPng(pb, model, label)).equals(Buffer.from(heatmapPng(pa, model, label))), `${b.file} ${label} heatmap`).toBe(
      true,
    );
  }
  const camA = pa.cams!.data;
  const camB = pb.cams!.data;
  let max = 0;
  for (let i = 0; i < camA.length; i++) max = Math.max(max, Math.abs(camA[i]! - camB[i]!));
  expect(max, `${b.file} vs ${a.file}: CAM max |Δ|`).toBeLessThanOrEqual(1e-4);
}
