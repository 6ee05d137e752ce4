import { readdirSync, readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { shared } from '../../../../test/helpers/shared.ts';
import { decodeGrayPngFast } from './decode-png-gray.ts';

/** pngjs's reading of a gray PNG, as the independent reference: sample / (2^depth − 1). */
function viaPngjs(bytes: Uint8Array): Float32Array {
  const png = PNG.sync.read(Buffer.from(bytes), { skipRescale: true });
  const px = png.data as unknown as ArrayLike<number>;
  const max = 2 ** png.depth - 1;
  return Float32Array.from({ length: png.width * png.height }, (_, i) => px[4 * i]! / max);
}

/** Bit-for-bit equality of two float images (toEqual walks a megapixel element by element: minutes under load). */
function expectSameValues(actual: Float32Array, expected: Float32Array, name: string): void {
  expect(actual.length, name).toBe(expected.length);
  if (
    Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(
      Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength),
    )
  )
    return;
  const first = actual.findIndex((v, i) => !Object.is(v, expected[i]));
  expect(actual[first], `${name}: first differing pixel ${first}`).toBe(expected[first]);
}

describe('fast grayscale PNG decoder', () => {
  it('equals pngjs on real 8-bit NIH films (every filter type they use)', () => {
    for (const f of readdirSync(shared('cxr', 'images')).slice(0, 12)) {
      const bytes = readFileSync(shared('cxr', 'images', f));
      const fast = decodeGrayPngFast(bytes);
      if (!fast) continue; // the RGBA film takes the general path
      expectSameValues(fast.data, viaPngjs(bytes), f);
    }
  });

  it('equals pngjs on 16-bit gray written with adaptive filtering', () => {
    const width = 37;
    const height = 23;
    const png = new PNG({ width, height, bitDepth: 16, colorType: 0, inputColorType: 0, inputHasAlpha: false });
    const samples = new Uint16Array(width * height).map((_, i) => (i * 7919 + (i % width) * 4099) & 0xffff);
    png.data = Buffer.from(new Uint8Array(new Uint16Array(samples).buffer));
    const bytes = PNG.sync.write(png, { bitDepth: 16, colorType: 0, inputColorType: 0, inputHasAlpha: false, filterType: -1 });
    const fast = decodeGrayPngFast(bytes)!;
    expect(fast.width).toBe(width);
    expectSameValues(fast.data, viaPngjs(bytes), '16-bit');
  });

  it('rejects a corrupted chunk by its CRC and declines colour PNGs', () => {
    const bytes = new Uint8Array(readFileSync(shared('cxr', 'images', '00000284_000.png')));
    bytes[200] = bytes[200]! ^ 0xff;
    expect(() => decodeGrayPngFast(bytes)).toThrow(/CRC/);
    expect(decodeGrayPngFast(readFileSync(shared('cxr', 'images', '00005224_000.png')))).toBeUndefined();
  });
});
