// Validation of the input guard: real chest films pass, images it cannot judge are flagged.
// The reference was fitted on the NIH train split only; everything here is held out from it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGENET_PREPROCESSING } from '../../app/common/manifest.ts';
import { readDicom, renderForModel } from '../../app/node/domain/dicom/index.ts';
import { DEFAULT_GUARD_REFERENCE } from '../../app/node/domain/engine/open-engine.ts';
import { buildGuardReference, nihSplit } from '../../app/node/domain/guard/build-guard-reference.ts';
import { InputGuard } from '../../app/node/domain/guard/input-guard.ts';
import { seenByModel } from '../../app/node/domain/guard/seen-by-model.ts';
import { centerSquareRegion, resizeBilinearAntialias } from '../../app/node/domain/imaging/resize.ts';
import { shared } from '../helpers/shared.ts';

const S = IMAGENET_PREPROCESSING.size;
const guard = InputGuard.fromFile(DEFAULT_GUARD_REFERENCE);
const suspectRate = (images: Float32Array[]): number => images.filter((img) => guard.assess(img, S).suspect).length / images.length;

function synthetic(f: (x: number, y: number) => number): Float32Array {
  const a = new Float32Array(S * S);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) a[y * S + x] = Math.min(1, Math.max(0, f(x / S, y / S)));
  return a;
}

describe('input guard', () => {
  it('the shipped reference is exactly what the build script fits on the NIH train split', () => {
    const { reference } = buildGuardReference(shared('cxr'), S);
    const shipped = JSON.parse(readFileSync(DEFAULT_GUARD_REFERENCE, 'utf8')) as typeof reference;
    expect(shipped.names).toEqual(reference.names);
    shipped.mean.forEach((m, i) => expect(m).toBeCloseTo(reference.mean[i]!, 9));
    expect(shipped.threshold).toBeCloseTo(reference.threshold, 9);
  });

  it('passes held-out real chest films: NIH val split at 256 px and the 1024 px originals (≤ 2% flagged)', () => {
    const val = nihSplit(shared('cxr'), 'val').map((f) => seenByModel(f, S));
    const full = readdirSync(shared('cxr', 'images')).map((f) => seenByModel(shared('cxr', 'images', f), S));
    expect(val.length).toBe(114);
    expect(suspectRate(val)).toBeLessThanOrEqual(0.02);
    expect(suspectRate(full)).toBeLessThanOrEqual(0.02);
  });

  it('passes chest DICOMs rendered through their LUTs (MONOCHROME1 included)', async () => {
    const files = [
      'cxr_dx_mono2_8bit_explicit_le.dcm',
      'cxr_dx_mono1_8bit_explicit_le.dcm',
      'cxr_dx_mono2_12in16_rescale_voi_explicit_le.dcm',
      'cxr_dx_mono2_12_j2k_lossy.dcm',
    ];
    for (const f of files) {
      const img = await renderForModel(readDicom(readFileSync(shared('dicom', f)), f), 0);
      const seen = resizeBilinearAntialias(img, S, S, centerSquareRegion(img.width, img.height)).data;
      expect(guard.assess(seen, S), f).toMatchObject({ suspect: false });
    }
  });

  it('flags synthetic non-radiographs: noise, flat, gradients, checkerboard, stripes, blobs, a disc', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const images = [
      synthetic(() => random()),
      synthetic(() => 0.5),
      synthetic(() => 0),
      synthetic((x) => x),
      synthetic((_x, y) => y),
      synthetic((x, y) => (Math.floor(x * 14) + Math.floor(y * 14)) % 2),
      synthetic((x) => 0.5 + 0.5 * Math.sin(x * 45)),
      synthetic((x, y) => 0.5 + 0.25 * Math.sin(x * 11) * Math.cos(y * 13)),
      synthetic((x, y) => (Math.hypot(x - 0.5, y - 0.5) < 0.36 ? 0.8 : 0.1)),
    ];
    expect(images.map((img) => guard.assess(img, S).suspect)).toEqual(images.map(() => true));
  });

  it('flags real non-chest images from the DICOM corpus (ultrasound, secondary capture, CT, MR)', async () => {
    const files = [
      'us_rgb_8_planar1_explicit_le.dcm',
      'us_palette_8_rle.dcm',
      'sc_rgb_8_rle.dcm',
      'ot_mono2_8_deflate.dcm',
      'ct_small_mono2_16s_explicit_le.dcm',
      'mr_mono2_12_rle_10frames.dcm',
      'us_ybr_rct_j2k_lossless.dcm',
    ];
    const flagged: string[] = [];
    for (const f of files) {
      const file = readDicom(new Uint8Array(readFileSync(shared('dicom', f))), f);
      const img = await renderForModel(file, 0);
      const seen = resizeBilinearAntialias(img, S, S, centerSquareRegion(img.width, img.height)).data;
      // What the engine tells the guard besides the pixels (the Modality itself is refused earlier, so it is left out).
      const context = { imageWidth: img.width, imageHeight: img.height, sopClassUid: file.meta.sopClassUid };
      if (guard.assess(seen, S, context).suspect) flagged.push(f);
    }
    expect(flagged.length / files.length).toBeGreaterThanOrEqual(0.8);
  });

  it('recognises inverted polarity and says so', () => {
    const films = readdirSync(shared('cxr', 'images'))
      .slice(0, 20)
      .map((f) => seenByModel(shared('cxr', 'images', f), S));
    const verdicts = films.map((img) =>
      guard.assess(
        img.map((v) => 1 - v),
        S,
      ),
    );
    expect(verdicts.filter((v) => v.suspect && v.reason?.includes('inverted')).length).toBeGreaterThanOrEqual(16);
  });

  it('marks a lateral view from DICOM ViewPosition whatever the pixels', () => {
    const film = seenByModel(join(shared('cxr', 'images'), '00000284_000.png'), S);
    expect(guard.assess(film, S, { viewPosition: 'LL' })).toMatchObject({ suspect: true, reason: expect.stringContaining('lateral') });
    expect(guard.assess(film, S, { viewPosition: 'PA' }).suspect).toBe(false);
  });

  it('marks a film whose DICOM header names another body part', () => {
    const film = seenByModel(join(shared('cxr', 'images'), '00000284_000.png'), S);
    expect(guard.assess(film, S, { viewPosition: 'PA', bodyPartExamined: 'HAND' })).toMatchObject({
      suspect: true,
      reason: expect.stringContaining('HAND'),
    });
    expect(guard.assess(film, S, { bodyPartExamined: 'CHEST' }).suspect).toBe(false);
  });
});
