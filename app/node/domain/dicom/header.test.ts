import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shared } from '../../../../test/helpers/shared.ts';
import { classifiability, groupStudies, isDicom, isLateralView, isXrayModality, readDicom } from './index.ts';
import type { DicomMetadata } from './types.ts';

const corpus = (file: string) => new Uint8Array(readFileSync(shared('dicom', file)));

describe('content sniffing', () => {
  it('recognises Part 10 with and without preamble, and rejects a renamed PNG', () => {
    expect(isDicom(corpus('cxr_dx_mono2_8bit_explicit_le.dcm'))).toBe(true);
    expect(isDicom(corpus('no_preamble_explicit_le.dcm'))).toBe(true);
    expect(isDicom(corpus('not_dicom_png_renamed.dcm'))).toBe(false);
    expect(isDicom(new Uint8Array(0))).toBe(false);
    expect(isDicom(new Uint8Array(200))).toBe(false);
  });
});

describe('metadata', () => {
  it('reads typed patient, study and image attributes', () => {
    const { meta, transferSyntax } = readDicom(corpus('cxr_dx_mono2_12in16_rescale_voi_explicit_le.dcm'), 'x.dcm');
    expect(meta).toMatchObject({
      patientName: 'FAKE^PATIENT^0003',
      patientId: 'FAKE-DR-0003',
      modality: 'DX',
      viewPosition: 'PA',
      bodyPartExamined: 'CHEST',
      pixelSpacing: [0.143, 0.143],
      rows: 1024,
      columns: 1024,
      bitsAllocated: 16,
      bitsStored: 12,
      highBit: 11,
      rescaleSlope: 2,
      rescaleIntercept: -1024,
      voiLutFunction: 'LINEAR',
      transferSyntaxName: 'Explicit VR Little Endian',
    });
    expect(meta.windows.map((w) => [w.center, w.width])).toEqual([
      [3072, 8192],
      [2500, 4000],
    ]);
    expect(transferSyntax.encoding).toBe('native');
  });

  it('names tags for the browser, with readable values and no pixel dump', () => {
    const file = readDicom(corpus('cxr_dx_mono2_12in16_implicit_le.dcm'), 'implicit.dcm');
    const tags = file.tags();
    expect(tags.find((t) => t.tag === '(0010,0010)')).toMatchObject({ name: 'PatientName', vr: 'PN', value: file.meta.patientName });
    expect(tags.find((t) => t.tag === '(0028,0010)')).toMatchObject({ vr: 'US', value: '1024' });
    const pixel = tags.find((t) => t.tag === '(7FE0,0010)')!;
    expect(pixel.value).toBe('<pixel data: 2097152 bytes>');
    for (const t of tags) expect(t.value.length).toBeLessThan(400);
  });

  it('shows sequence items nested', () => {
    const tags = readDicom(corpus('us_palette_8_rle.dcm'), 'us.dcm').tags();
    expect(tags.some((t) => t.depth > 0)).toBe(true);
  });
});

describe('classifiability', () => {
  it('accepts CR, DX and a missing modality; refuses CT, MR, US, NM, OT', () => {
    expect(classifiability({ modality: 'DX' })).toEqual({ ok: true, warnings: [] });
    expect(classifiability({ modality: 'CR', bodyPartExamined: 'CHEST' }).ok).toBe(true);
    expect(classifiability({}).ok).toBe(true);
    for (const modality of ['CT', 'MR', 'US', 'NM', 'OT', 'MG']) {
      const verdict = classifiability({ modality });
      expect(verdict).toMatchObject({ ok: false, code: 'MODALITY_NOT_SUPPORTED' });
      expect(isXrayModality({ modality })).toBe(false);
    }
  });

  it('warns about lateral views and other body parts', () => {
    expect(isLateralView({ viewPosition: 'LL' })).toBe(true);
    expect(isLateralView({ viewPosition: 'PA' })).toBe(false);
    const verdict = classifiability({ modality: 'DX', viewPosition: 'LATERAL', bodyPartExamined: 'KNEE' });
    expect(verdict.ok && verdict.warnings).toHaveLength(2);
  });

  it('flags the corpus non-X-ray files from their headers', () => {
    for (const file of [
      'ct_small_mono2_16s_explicit_le.dcm',
      'mr_mono2_12_rle_10frames.dcm',
      'us_palette_8_rle.dcm',
      'nm_mono2_12_jpeg_extended_lossy.dcm',
      'ot_mono2_8_deflate.dcm',
    ]) {
      expect(classifiability(readDicom(corpus(file), file).meta).ok, file).toBe(false);
    }
  });
});

describe('groupStudies', () => {
  const meta = (study: string | undefined, series: string | undefined, instance: number, date = '20000101'): DicomMetadata =>
    ({ studyInstanceUid: study, seriesInstanceUid: series, instanceNumber: instance, studyDate: date }) as DicomMetadata;

  it('groups by study and series UID and orders instances', () => {
    const studies = groupStudies([
      { path: 'b', meta: meta('1.2', '1.2.1', 2) },
      { path: 'a', meta: meta('1.2', '1.2.1', 1) },
      { path: 'c', meta: meta('1.2', '1.2.2', 1) },
      { path: 'd', meta: meta('1.1', '1.1.1', 1, '19990101') },
      { path: 'e', meta: meta(undefined, undefined, 1) },
    ]);
    expect(studies.map((s) => s.studyInstanceUid)).toEqual(['1.1', '1.2', undefined]);
    const second = studies[1]!;
    expect(second.series.map((s) => s.seriesInstanceUid)).toEqual(['1.2.1', '1.2.2']);
    expect(second.series[0]!.instances.map((i) => i.path)).toEqual(['a', 'b']);
  });

  it('groups the corpus MR multi-frame files by their own UIDs', () => {
    const files = ['mr_mono2_12_rle_10frames.dcm', 'cxr_dx_mono2_8bit_explicit_le.dcm'].map((path) => ({
      path,
      meta: readDicom(corpus(path), path).meta,
    }));
    expect(groupStudies(files)).toHaveLength(2);
  });
});
