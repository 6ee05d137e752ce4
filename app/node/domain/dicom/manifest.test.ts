import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shared } from '../../../../test/helpers/shared.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { decodeFrame, readDicom, storedStats } from './index.ts';
import { ybrFullToRgb8 } from './pixels/ybr.ts';
import { readManifest, type ManifestRow } from '../../../../test/helpers/dicom-manifest.ts';

const manifestPath = shared('dicom', 'manifest.csv');
const rows = readManifest(manifestPath);
const bytesOf = (file: string) => new Uint8Array(readFileSync(shared('dicom', file)));

const JPEG_LOSSY = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51']);
/** Lossy rows: decoders may round differently (the README allows +-1); these bounds are generous but far below any real error. */
const LOSSY_EXTREME_TOLERANCE = 3;
const LOSSY_MEAN_TOLERANCE = 0.5;

/**
 * JPEG YBR rows: the manifest's stored_* are the un-converted YCbCr samples (gdcm's output), while
 * the expected stored values are the decoder's RGB. Their README note says the RGB equals the
 * YBR_FULL->RGB conversion of that YCbCr; the YCbCr itself is the native row with the same hash.
 */
async function expectedRgbForJpegYbr(row: ManifestRow): Promise<Uint8Array> {
  const reference = rows.find(
    (r) => r.expect === 'ok' && r.storedSha256 === row.storedSha256 && !r.lossy && r.transferSyntax.startsWith('1.2.840.10008.1.2.1'),
  );
  if (!reference) throw new Error(`no native YCbCr reference with sha ${row.storedSha256}`);
  const frame = await decodeFrame(readDicom(bytesOf(reference.file), reference.file));
  expect(storedStats(frame.stored).sha256).toBe(row.storedSha256);
  return ybrFullToRgb8(frame.stored);
}

function decodedPhotometric(row: ManifestRow): string {
  if (JPEG_LOSSY.has(row.transferSyntax) && row.samplesPerPixel === 3) return 'RGB';
  if (row.photometric === 'YBR_RCT' || row.photometric === 'YBR_ICT') return 'RGB';
  return row.photometric;
}

describe('DICOM conformance corpus (every manifest row)', () => {
  it('lists every file in the corpus folder exactly once, each with a known expectation', () => {
    const files = readdirSync(shared('dicom')).filter((f) => f !== 'manifest.csv' && f !== 'README.md');
    expect(rows.map((r) => r.file).sort()).toEqual(files.sort());
    expect(rows).toHaveLength(53);
    for (const row of rows) expect(['ok', 'error'], row.file).toContain(row.expect);
  });

  for (const row of rows) {
    if (row.expect === 'error') {
      it(`${row.file} fails with ${row.errorCode} within a second`, async () => {
        const started = performance.now();
        let thrown: unknown;
        try {
          const file = readDicom(bytesOf(row.file), row.file);
          await decodeFrame(file, 0);
        } catch (error) {
          thrown = error;
        }
        expect(performance.now() - started).toBeLessThan(1000);
        expect(thrown).toBeInstanceOf(DenseRayError);
        const error = thrown as DenseRayError;
        expect(error.code).toBe(row.errorCode);
        expect(error.message).toContain(row.file);
      });
      continue;
    }

    if (row.expect !== 'ok') {
      it(`${row.file} has a known expectation`, () => {
        throw new Error(`manifest expect="${row.expect}" is not handled`);
      });
      continue;
    }

    it(`${row.file} decodes frame 0 as the manifest says`, async () => {
      const file = readDicom(bytesOf(row.file), row.file);
      const { meta } = file;
      expect(meta.transferSyntaxUid).toBe(row.transferSyntax);
      expect([meta.rows, meta.columns, meta.numberOfFrames]).toEqual([row.rows, row.cols, row.frames]);
      expect([meta.bitsAllocated, meta.bitsStored, meta.pixelRepresentation, meta.samplesPerPixel]).toEqual([
        row.bitsAllocated,
        row.bitsStored,
        row.pixelRepresentation,
        row.samplesPerPixel,
      ]);
      expect(meta.photometricInterpretation).toBe(row.photometric);
      expect(meta.modality ?? '').toBe(row.modality);

      const frame = await decodeFrame(file, 0);
      expect(frame.photometricInterpretation).toBe(decodedPhotometric(row));
      expect(frame.stored).toHaveLength(row.rows * row.cols * row.samplesPerPixel);
      expect(frame.modality).toHaveLength(row.rows * row.cols);
      const stats = storedStats(frame.stored);

      if (JPEG_LOSSY.has(row.transferSyntax) && row.photometric.startsWith('YBR')) {
        const expected = await expectedRgbForJpegYbr(row);
        let maxDiff = 0;
        for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i]! - frame.stored[i]!));
        expect(maxDiff).toBeLessThanOrEqual(LOSSY_EXTREME_TOLERANCE);
        expect(Math.abs(stats.mean - storedStats(expected).mean)).toBeLessThanOrEqual(LOSSY_MEAN_TOLERANCE);
        return;
      }
      if (row.lossy) {
        expect(Math.abs(stats.min - row.storedMin)).toBeLessThanOrEqual(LOSSY_EXTREME_TOLERANCE);
        expect(Math.abs(stats.max - row.storedMax)).toBeLessThanOrEqual(LOSSY_EXTREME_TOLERANCE);
        expect(Math.abs(stats.mean - row.storedMean)).toBeLessThanOrEqual(LOSSY_MEAN_TOLERANCE);
        return;
      }
      expect(stats.sha256).toBe(row.storedSha256);
      expect([stats.min, stats.max]).toEqual([row.storedMin, row.storedMax]);
      expect(stats.mean).toBeCloseTo(row.storedMean, 4);
    });
  }
});

describe('multi-frame access', () => {
  const mr = rows.filter((r) => r.file.startsWith('mr_') && r.frames === 10);

  it('gives the same ten frames from native big endian, RLE with an offset table, and J2K / JPEG-LS without one', async () => {
    expect(mr.length).toBe(4);
    const hashes = await Promise.all(
      mr.map(async (row) => {
        const file = readDicom(bytesOf(row.file), row.file);
        const perFrame: string[] = [];
        for (let i = 0; i < file.meta.numberOfFrames; i++) perFrame.push(storedStats((await decodeFrame(file, i)).stored).sha256);
        return perFrame;
      }),
    );
    for (const h of hashes) expect(h).toEqual(hashes[0]);
    expect(new Set(hashes[0]).size).toBeGreaterThan(1); // the frames differ from each other
  });

  it('refuses a frame past the end with DICOM_FRAME_OUT_OF_RANGE', async () => {
    const file = readDicom(bytesOf(mr[0]!.file), mr[0]!.file);
    await expect(decodeFrame(file, 10)).rejects.toMatchObject({ code: 'DICOM_FRAME_OUT_OF_RANGE' });
    await expect(decodeFrame(file, -1)).rejects.toMatchObject({ code: 'DICOM_FRAME_OUT_OF_RANGE' });
  });
});
