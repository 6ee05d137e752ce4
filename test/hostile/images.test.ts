import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../app/node/domain/imaging/decode.ts';
import { MAX_DECODE_BYTES, pngDecodeBytes } from '../../app/node/domain/imaging/decode-limits.ts';
import { readPngHeader } from '../../app/node/domain/imaging/decode-png.ts';
import { thrown } from '../helpers/thrown.ts';
import { writeZeroPng } from './png-bomb.ts';
import { runCliMeasured } from './run-measured.ts';

const work = mkdtempSync(join(tmpdir(), 'denseray-hostile-images-'));
const bomb = join(work, 'zeros-10000x10000-rgba16.png');
const modest = join(work, 'zeros-1500x1500-rgba16.png');
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(async () => {
  await writeZeroPng(bomb, 10_000, 10_000, 16, 6);
  await writeZeroPng(modest, 1500, 1500, 16, 6);
}, 120_000);

describe('a PNG is refused from its header when its decode would not fit the memory budget', () => {
  it('the estimate counts what the decoders hold: 28 bytes a pixel for 16-bit RGBA (2.8 GB here; 2.9 GB was measured)', () => {
    const header = readPngHeader(readFileSync(bomb))!;
    // 8 bytes of scanline and 8 of its unfiltered copy, 8 of pngjs's 16-bit RGBA, 4 of float32 gray.
    expect(pngDecodeBytes(header)).toBe(10_000 * 10_000 * (8 + 8 + 8 + 4));
    expect(pngDecodeBytes({ width: 4000, height: 4000, bitDepth: 16, colorType: 0 })).toBe(4000 * 4000 * (2 + 2 + 4));
  });

  it('the small file with 10000×10000 16-bit RGBA pixels is refused before inflating', () => {
    expect(statSync(bomb).size).toBeLessThan(1024 * 1024);
    const started = Date.now();
    const error = thrown(() => decodeImage(readFileSync(bomb), 'bomb.png'));
    expect(error.code).toBe('IMAGE_DECODE_FAILED');
    expect(error.message).toMatch(/MiB to decode/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a 1500×1500 16-bit RGBA film under the budget still decodes', () => {
    expect(pngDecodeBytes(readPngHeader(readFileSync(modest))!)).toBeLessThan(MAX_DECODE_BYTES);
    const image = decodeImage(readFileSync(modest), 'modest.png');
    expect([image.width, image.height, image.data[0]]).toEqual([1500, 1500, 0]);
  });

  it('`classify` answers the bomb with IMAGE_DECODE_FAILED and exit 1, in seconds, with a bounded peak RSS', async () => {
    const run = await runCliMeasured(['classify', bomb, '--json'], { dataDir: join(work, 'data'), timeoutMs: 120_000 });
    expect(run.timedOut).toBe(false);
    const parsed = JSON.parse(run.stdout) as { results: { ok: boolean; error?: { code: string } }[] };
    expect(parsed.results[0]).toMatchObject({ ok: false, error: { code: 'IMAGE_DECODE_FAILED' } });
    expect(run.code).toBe(1);
    expect(run.peakRssMiB).toBeLessThan(1000); // was 2.9 GB and 25 s
    console.log(`PNG bomb classify: ${run.ms} ms, peak RSS ${run.peakRssMiB.toFixed(0)} MiB`);
  }, 150_000);
});
