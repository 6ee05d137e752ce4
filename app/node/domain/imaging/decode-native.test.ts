import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../../../../test/helpers/npy.ts';
import { buildPng } from '../../../../test/helpers/png-fixture.ts';
import { shared } from '../../../../test/helpers/shared.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { decodeImage, decodeImageAsync } from './decode.ts';
import type { GrayImage } from './gray-image.ts';

/** Count of pixels that differ (a loop: deep equality over a million floats is slow in vitest). */
function differing(a: GrayImage, b: GrayImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let n = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) n++;
  return n;
}

/** Deterministic sample values in [0, max]. */
function samples(count: number, max: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return s % (max + 1);
  });
}

describe('native decode (sharp where faster) gives today’s JS-decoded pixels exactly', () => {
  const W = 37;
  const H = 23;
  const palette: Array<[number, number, number]> = Array.from({ length: 16 }, (_, i) => [i * 16, 255 - i * 13, (i * 71) % 256]);
  it.each([
    ['RGB 8-bit', { bitDepth: 8, colorType: 2, samples: samples(W * H * 3, 255, 1) }],
    ['RGBA 8-bit (alpha ignored)', { bitDepth: 8, colorType: 6, samples: samples(W * H * 4, 255, 2) }],
    ['RGB 16-bit (JS path: high byte, as PIL)', { bitDepth: 16, colorType: 2, samples: samples(W * H * 3, 65535, 3) }],
    ['gray+alpha 8-bit', { bitDepth: 8, colorType: 4, samples: samples(W * H * 2, 255, 4) }],
    ['gray+alpha 16-bit (JS path: full depth)', { bitDepth: 16, colorType: 4, samples: samples(W * H * 2, 65535, 5) }],
    ['gray 1-bit', { bitDepth: 1, colorType: 0, samples: samples(W * H, 1, 6) }],
    ['gray 2-bit', { bitDepth: 2, colorType: 0, samples: samples(W * H, 3, 7) }],
    ['gray 4-bit', { bitDepth: 4, colorType: 0, samples: samples(W * H, 15, 8) }],
    ['palette 4-bit', { bitDepth: 4, colorType: 3, samples: samples(W * H, 15, 9), palette }],
    ['palette + tRNS (alpha ignored)', { bitDepth: 8, colorType: 3, samples: samples(W * H, 15, 10), palette, trns: [0, 128, 255] }],
    ['RGB + tRNS key (pixel kept, as PIL)', { bitDepth: 8, colorType: 2, samples: samples(W * H * 3, 3, 11), trns: [0, 1, 0, 2, 0, 3] }],
  ] as const)('%s', async (_name, spec) => {
    const png = buildPng({ width: W, height: H, ...spec, samples: [...spec.samples] } as Parameters<typeof buildPng>[0]);
    expect(differing(await decodeImageAsync(png, 'x.png'), decodeImage(png, 'x.png'))).toBe(0);
  });

  it('the RGBA NIH film and an interlaced (Adam7) gray film', async () => {
    const rgba = readFileSync(shared('cxr', 'images', '00005224_000.png'));
    expect(differing(await decodeImageAsync(rgba, 'rgba.png'), decodeImage(rgba, 'rgba.png'))).toBe(0);
    const gray = readFileSync(shared('cxr', 'images256', '00000284_000.png'));
    const interlaced = await sharp(gray).png({ progressive: true }).toBuffer();
    expect(interlaced[28]).toBe(1); // IHDR: Adam7
    expect(differing(await decodeImageAsync(interlaced, 'i.png'), decodeImage(gray, 'g.png'))).toBe(0);
  });

  it('8- and 16-bit gray films keep the JS fast path (it is faster than libvips on them)', async () => {
    const film = readFileSync(shared('cxr', 'images', '00000284_000.png'));
    expect(differing(await decodeImageAsync(film, 'g8.png'), decodeImage(film, 'g8.png'))).toBe(0);
  });

  it('damaged files fail with IMAGE_DECODE_FAILED naming the file', async () => {
    const colour = buildPng({ width: W, height: H, bitDepth: 8, colorType: 2, samples: samples(W * H * 3, 255, 12) });
    const cut = colour.subarray(0, colour.length >> 1);
    const jpeg = await sharp(Buffer.from(samples(64 * 48 * 3, 255, 13)), { raw: { width: 64, height: 48, channels: 3 } })
      .jpeg()
      .toBuffer();
    for (const [bytes, name] of [
      [cut, 'cut.png'],
      [jpeg.subarray(0, jpeg.length >> 1), 'cut.jpg'],
    ] as const) {
      const error = await decodeImageAsync(bytes, name).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DenseRayError);
      expect((error as DenseRayError).code).toBe('IMAGE_DECODE_FAILED');
      expect((error as DenseRayError).message).toContain(name);
    }
  });
});

const PYTHON = '/usr/bin/python3';
const hasPil = spawnSync(PYTHON, ['-c', 'import PIL, numpy'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasPil)('JPEG: native decode equals PIL’s Image.open(f).convert("L")', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'denseray-jpeg-'));
    // PIL writes the JPEGs and its own reading of each, as the reference (libjpeg-turbo, as sharp's).
    const script = `
import sys, numpy as np
from PIL import Image
out = sys.argv[1]
rng = np.random.default_rng(7)
y, x = np.mgrid[0:48, 0:64]
rgb = np.stack([(x * 4) % 256, (y * 5) % 256, ((x + y) * 2) % 256], -1)
rgb = np.clip(rgb + rng.integers(-20, 20, rgb.shape), 0, 255).astype(np.uint8)
exif = Image.Exif(); exif[0x0112] = 6  # Orientation: rotate 90° CW to display
cases = {
  'gray': (Image.fromarray(rgb[..., 1], 'L'), dict(quality=90)),
  'colour420': (Image.fromarray(rgb, 'RGB'), dict(quality=90)),
  'colour444': (Image.fromarray(rgb, 'RGB'), dict(quality=95, subsampling=0)),
  'progressive': (Image.fromarray(rgb, 'RGB'), dict(quality=85, progressive=True)),
  'exif-rotated': (Image.fromarray(rgb, 'RGB'), dict(quality=90, exif=exif.tobytes())),
}
for name, (img, kw) in cases.items():
    img.save(f'{out}/{name}.jpg', **kw)
    np.save(f'{out}/{name}.npy', np.asarray(Image.open(f'{out}/{name}.jpg').convert('L')).astype(np.float32) / 255)
`;
    writeFileSync(join(dir, 'make.py'), script);
    const run = spawnSync(PYTHON, [join(dir, 'make.py'), dir], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['gray', 'colour420', 'colour444', 'progressive'])('%s: every pixel', async (name) => {
    const bytes = readFileSync(join(dir, `${name}.jpg`));
    const pil = readNpy(join(dir, `${name}.npy`));
    const ours = await decodeImageAsync(bytes, `${name}.jpg`);
    expect(differing(ours, { width: pil.shape[1]!, height: pil.shape[0]!, data: pil.data })).toBe(0);
    // jpeg-js, the fallback where sharp cannot load, is within 2 grey levels of it.
    const js = decodeImage(bytes, `${name}.jpg`);
    expect(Math.max(...js.data.map((v, i) => Math.abs(v - pil.data[i]!) * 255))).toBeLessThanOrEqual(2.001);
  });

  it('EXIF orientation is not applied, as PIL’s open + convert does not (the stored 64×48, not 48×64)', async () => {
    const bytes = readFileSync(join(dir, 'exif-rotated.jpg'));
    const pil = readNpy(join(dir, 'exif-rotated.npy'));
    expect(pil.shape).toEqual([48, 64]);
    const ours = await decodeImageAsync(bytes, 'exif-rotated.jpg');
    expect(differing(ours, { width: 64, height: 48, data: pil.data })).toBe(0);
  });
});
