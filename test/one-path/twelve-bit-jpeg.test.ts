// A 12-bit JPEG (SOF1, as DICOM exports carry) given as a plain .jpg used to decode with 92 % of its
// pixels saturated (read as 8-bit). Through the classify use case it now reads as the same stream
// does inside DICOM: stored values over their full 12-bit range.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrame, readDicom } from '../../app/node/domain/dicom/index.ts';
import { preprocess } from '../../app/node/domain/imaging/preprocess.ts';
import { ModelStore } from '../../app/node/domain/store/model-store.ts';
import { createLocalAnalysis } from '../../app/node/services/analysis/local-analysis.ts';
import { runCli } from '../helpers/run-cli.ts';
import { shared } from '../helpers/shared.ts';

const SOURCE = shared('dicom', 'cxr_dx_mono2_12_jpeg_extended_lossy.dcm');

/** The JPEG codestream inside the DICOM file's encapsulated Pixel Data (SOI … EOI). */
function jpegStream(dicom: Uint8Array): Uint8Array {
  const tag = Buffer.from(dicom).indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  const start = Buffer.from(dicom).indexOf(Buffer.from([0xff, 0xd8, 0xff]), tag);
  const end = Buffer.from(dicom).lastIndexOf(Buffer.from([0xff, 0xd9]));
  expect(tag).toBeGreaterThan(0);
  expect(dicom[start + 3]).toBeGreaterThanOrEqual(0xc0); // a marker segment follows SOI
  return dicom.subarray(start, end + 2);
}

describe('a 12-bit JPEG file', () => {
  const dicomBytes = new Uint8Array(readFileSync(SOURCE));
  const dir = mkdtempSync(join(tmpdir(), 'denseray-jpeg12-'));
  const jpg = join(dir, 'film-12bit.jpg');
  writeFileSync(jpg, jpegStream(dicomBytes));

  it('is classified from the same pixels the DICOM file holds, scaled by its 12-bit range', async () => {
    const dataDir = join(dir, 'data');
    const models = new ModelStore(dataDir);
    const p = models.get(models.activeId()).manifest.preprocessing;
    const analysis = createLocalAnalysis(dataDir, models);
    try {
      const { results } = await analysis.classify([jpg], { cams: true });
      const result = results[0]!;
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
      const frame = await decodeFrame(readDicom(dicomBytes, 'source'), 0);
      const gray = { width: frame.columns, height: frame.rows, data: Float32Array.from(frame.stored, (v) => v / 4095) };
      const saturated = gray.data.filter((v) => v >= 1).length / gray.data.length;
      expect(saturated).toBeLessThan(0.05);
      const expected = preprocess(gray, p);
      const seen = result.prediction.modelInput!.data;
      let max = 0;
      for (let i = 0; i < seen.length; i++) max = Math.max(max, Math.abs(seen[i]! - (expected[i]! * p.std[0]! + p.mean[0]!)));
      expect(max).toBeLessThan(1e-5);
    } finally {
      analysis.close();
    }
  });

  it('classifies through the CLI with exit 0', async () => {
    const run = await runCli(['classify', jpg, '--json'], { dataDir: join(dir, 'cli-data') });
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { results: { ok: boolean }[] }).results[0]!.ok).toBe(true);
  });
});
