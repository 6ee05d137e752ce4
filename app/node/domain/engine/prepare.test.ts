import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shared } from '../../../../test/helpers/shared.ts';
import { IMAGENET_PREPROCESSING, type Preprocessing } from '../../../common/manifest.ts';
import { studyScratch } from '../../shared/scratch-pool.ts';
import { InputGuard } from '../guard/input-guard.ts';
import { loadInput } from '../input/load-input.ts';
import { preprocess } from '../imaging/preprocess.ts';
import { DEFAULT_GUARD_REFERENCE } from './open-engine.ts';
import { prepareFile } from './prepare.ts';

describe('prepareFile reuses its buffers without one study leaking into the next', () => {
  let dir: string;
  let files: string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'denseray-prepare-'));
    const jpeg = join(dir, 'film.jpg');
    writeFileSync(
      jpeg,
      await sharp(readFileSync(shared('cxr', 'images256', '00000574_000.png')))
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
    files = [
      shared('cxr', 'images', '00000284_000.png'), // 1024² 8-bit gray: the fast path, scratch-backed
      shared('cxr', 'images256', '00000574_000.png'), // smaller gray: a smaller image in a larger reused buffer
      shared('cxr', 'images', '00005224_000.png'), // RGBA
      jpeg, // through sharp
      shared('dicom', 'cxr_dx_mono1_8bit_explicit_le.dcm'), // DICOM: its own copy of the bytes
      shared('cxr', 'images', '00004599_000.png'),
    ];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The same steps on fresh memory: loadInput (readFile, new arrays) and preprocess into a new array. */
  const fresh = async (file: string, p: Preprocessing): Promise<Float32Array> => preprocess((await loadInput(file)).image, p);

  it('gives, in any order and concurrently on one thread, what fresh memory gives, bit for bit', async () => {
    const guard = InputGuard.fromFile(DEFAULT_GUARD_REFERENCE).referenceFile;
    const expected = await Promise.all(files.map((file) => fresh(file, IMAGENET_PREPROCESSING)));
    const orders = [files, [...files].reverse(), [...files, ...files]];
    for (const order of orders) {
      const results = await Promise.all(order.map((file) => prepareFile({ file, preprocessing: IMAGENET_PREPROCESSING, guard })));
      for (const [i, result] of results.entries()) {
        const file = order[i]!;
        if (!result.ok) throw new Error(`${file}: ${result.error.message}`);
        const want = expected[files.indexOf(file)]!;
        let differing = 0;
        for (let k = 0; k < want.length; k++) if (result.modelImage[k] !== want[k]) differing++;
        expect(differing, file).toBe(0);
        expect(result.modelImage.buffer, 'the model input is its own array, not scratch').not.toBe(result.seen.buffer);
      }
    }
    expect(studyScratch.idle).toBeGreaterThan(0); // buffers came back to the pool
  });

  it('a file that fails after its bytes were read still gives its buffers back', async () => {
    const guard = InputGuard.fromFile(DEFAULT_GUARD_REFERENCE).referenceFile;
    const broken = join(dir, 'broken.png');
    const png = readFileSync(shared('cxr', 'images', '00000284_000.png'));
    writeFileSync(broken, png.subarray(0, png.length >> 1));
    const before = studyScratch.idle;
    const result = await prepareFile({ file: broken, preprocessing: IMAGENET_PREPROCESSING, guard });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('IMAGE_DECODE_FAILED');
    expect(studyScratch.idle).toBeGreaterThanOrEqual(before);
    const good = await prepareFile({ file: files[0]!, preprocessing: IMAGENET_PREPROCESSING, guard });
    const want = await fresh(files[0]!, IMAGENET_PREPROCESSING);
    expect(good.ok && good.modelImage.every((v, k) => v === want[k])).toBe(true);
  });
});
