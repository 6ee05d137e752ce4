import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { shared } from '../../../../test/helpers/shared.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { decodeImage, sniffImageFormat } from './decode.ts';
import { pilLuma } from './luma.ts';
import { buildPng } from '../../../../test/helpers/png-fixture.ts';

function expectCode(fn: () => unknown, code: string): DenseRayError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DenseRayError);
    expect((e as DenseRayError).code).toBe(code);
    return e as DenseRayError;
  }
  throw new Error(`expected ${code}`);
}

describe('sniffImageFormat', () => {
  it('reads magic bytes, not names', () => {
    expect(sniffImageFormat(buildPng({ width: 1, height: 1, bitDepth: 8, colorType: 0, samples: [0] }))).toBe('png');
    expect(sniffImageFormat(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffImageFormat(Uint8Array.from([0x44, 0x49, 0x43, 0x4d]))).toBeUndefined();
    expect(sniffImageFormat(new Uint8Array(0))).toBeUndefined();
  });
});

describe('PIL luma', () => {
  // Pillow's L24: (R·19595 + G·38470 + B·7471 + 0x8000) >> 16, worked by hand.
  it.each([
    [0, 0, 0, 0],
    [255, 255, 255, 255], // (255·65536 + 32768) >> 16
    [255, 0, 0, 76], // (4996725 + 32768) >> 16 = 76.74… → 76
    [0, 255, 0, 150], // (9809850 + 32768) >> 16 = 150.19… → 150
    [0, 0, 255, 29], // (1905105 + 32768) >> 16 = 29.57… → 29
    [10, 20, 30, 18], // (195950 + 769400 + 224130 + 32768) >> 16 = 18.65… → 18
  ])('L(%i, %i, %i) = %i', (r, g, b, l) => {
    expect(pilLuma(r, g, b)).toBe(l);
  });
});

describe('decodeImage: PNG', () => {
  it('8-bit grayscale is v/255 in float32', () => {
    const img = decodeImage(buildPng({ width: 3, height: 1, bitDepth: 8, colorType: 0, samples: [0, 128, 255] }), 'g8.png');
    expect(img).toMatchObject({ width: 3, height: 1 });
    expect([...img.data]).toEqual([0, Math.fround(128 / 255), 1]);
  });

  it('16-bit grayscale keeps full depth: v/65535 exactly', () => {
    const samples = [0, 1, 256, 4095, 32768, 65534, 65535];
    const png = new PNG({ width: samples.length, height: 1 });
    png.data = Buffer.from(new Uint16Array(samples).buffer); // pngjs packs 16-bit input from native-order words
    const bytes = PNG.sync.write(png, { bitDepth: 16, colorType: 0, inputColorType: 0, inputHasAlpha: false });
    expect(bytes[24]).toBe(16); // IHDR bit depth: the file really is 16-bit
    const img = decodeImage(bytes, 'g16.png');
    expect([...img.data]).toEqual(samples.map((v) => Math.fround(v / 65535)));
  });

  it('16-bit gray+alpha (hand-built) ignores alpha and keeps 16 bits', () => {
    const img = decodeImage(buildPng({ width: 2, height: 1, bitDepth: 16, colorType: 4, samples: [1000, 0, 65535, 12345] }), 'ga16.png');
    expect([...img.data]).toEqual([Math.fround(1000 / 65535), 1]);
  });

  it('sub-byte grayscale scales by 2^depth − 1', () => {
    const img = decodeImage(buildPng({ width: 4, height: 1, bitDepth: 2, colorType: 0, samples: [0, 1, 2, 3] }), 'g2.png');
    expect([...img.data]).toEqual([0, 1 / 3, 2 / 3, 1].map(Math.fround));
  });

  it('RGB and RGBA go through PIL luma, alpha ignored', () => {
    const triples: Array<[number, number, number]> = [
      [255, 0, 0],
      [0, 255, 0],
      [10, 20, 30],
      [200, 100, 50],
    ];
    const expected = triples.map(([r, g, b]) => Math.fround(pilLuma(r, g, b) / 255));
    const rgb = decodeImage(buildPng({ width: 4, height: 1, bitDepth: 8, colorType: 2, samples: triples.flat() }), 'rgb.png');
    expect([...rgb.data]).toEqual(expected);
    const rgba = decodeImage(
      buildPng({ width: 4, height: 1, bitDepth: 8, colorType: 6, samples: triples.flatMap((t, i) => [...t, i * 60]) }),
      'rgba.png',
    );
    expect([...rgba.data]).toEqual(expected);
  });

  it('16-bit RGB uses the high byte of each sample, as PIL reads it', () => {
    const img = decodeImage(buildPng({ width: 1, height: 1, bitDepth: 16, colorType: 2, samples: [0xff80, 0x00ff, 0x1234] }), 'rgb16.png');
    expect(img.data[0]).toBe(Math.fround(pilLuma(0xff, 0x00, 0x12) / 255));
  });

  it('palette images look the palette up, then luma; tRNS alpha is ignored', () => {
    const palette: Array<[number, number, number]> = [
      [0, 0, 0],
      [255, 0, 0],
      [40, 200, 90],
    ];
    const img = decodeImage(
      buildPng({ width: 3, height: 1, bitDepth: 4, colorType: 3, samples: [2, 1, 0], palette, trns: [0, 128, 255] }),
      'p.png',
    );
    expect([...img.data]).toEqual([pilLuma(40, 200, 90), pilLuma(255, 0, 0), 0].map((l) => Math.fround(l / 255)));
  });

  it('a gray tRNS key does not black out matching pixels (PIL keeps the stored value)', () => {
    const img = decodeImage(buildPng({ width: 2, height: 1, bitDepth: 8, colorType: 0, samples: [77, 78], trns: [0, 77] }), 'trns.png');
    expect([...img.data]).toEqual([77 / 255, 78 / 255].map(Math.fround));
  });

  it('the RGBA reference input decodes to its gray channel (R = G = B there)', () => {
    const img = decodeImage(readFileSync(shared('reference', 'inputs', '00005224_000.png')), '00005224_000.png');
    expect(img).toMatchObject({ width: 1024, height: 1024 });
  });
});

describe('decodeImage: JPEG', () => {
  const W = 64;
  const H = 48;
  const gradient = (x: number, y: number): [number, number, number] => [(x * 4) & 255, (y * 5) & 255, ((x + y) * 2) & 255];

  it('colour JPEG → PIL luma within JPEG tolerance', () => {
    const rgba = Buffer.alloc(W * H * 4);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rgba.set([...gradient(x, y), 255], 4 * (y * W + x));
    const bytes = jpeg.encode({ width: W, height: H, data: rgba }, 95).data;
    const img = decodeImage(bytes, 'c.jpg');
    expect(img).toMatchObject({ width: W, height: H });
    let worst = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) worst = Math.max(worst, Math.abs(img.data[y * W + x]! * 255 - pilLuma(...gradient(x, y))));
    }
    expect(worst).toBeLessThanOrEqual(6); // quality 95 with 4:2:0 chroma on a smooth ramp
  });

  it('gray content (R = G = B) comes back close to the original level', () => {
    const rgba = Buffer.alloc(W * H * 4);
    for (let i = 0; i < W * H; i++) rgba.fill(Math.floor((i % W) * 3.9), 4 * i, 4 * i + 3).writeUInt8(255, 4 * i + 3);
    const img = decodeImage(jpeg.encode({ width: W, height: H, data: rgba }, 95).data, 'g.jpg');
    let worst = 0;
    for (let i = 0; i < W * H; i++) worst = Math.max(worst, Math.abs(img.data[i]! * 255 - Math.floor((i % W) * 3.9)));
    expect(worst).toBeLessThanOrEqual(3);
  });

  it('a truncated JPEG fails rather than decoding half an image', () => {
    const rgba = Buffer.alloc(W * H * 4, 128);
    const bytes = jpeg.encode({ width: W, height: H, data: rgba }, 90).data;
    const err = expectCode(() => decodeImage(bytes.subarray(0, 200), 'cut.jpg'), 'IMAGE_DECODE_FAILED');
    expect(err.message).toContain('cut.jpg');
  });
});

describe('decodeImage: errors', () => {
  it('random bytes → IMAGE_UNSUPPORTED_FORMAT naming the file', () => {
    const bytes = randomBytes(512);
    bytes[0] = 0x00; // never a PNG or JPEG signature by chance
    const err = expectCode(() => decodeImage(bytes, '/scans/mystery.png'), 'IMAGE_UNSUPPORTED_FORMAT');
    expect(err.message).toContain('/scans/mystery.png');
  });

  it('a truncated PNG → IMAGE_DECODE_FAILED naming the file', () => {
    const bytes = readFileSync(shared('reference', 'inputs', '00000284_000.png'));
    const err = expectCode(() => decodeImage(bytes.subarray(0, Math.floor(bytes.length / 2)), 'half.png'), 'IMAGE_DECODE_FAILED');
    expect(err.message).toContain('half.png');
    expect(err.cause).toBeDefined();
  });

  it('a PNG with a corrupted chunk CRC → IMAGE_DECODE_FAILED', () => {
    const bytes = buildPng({ width: 2, height: 2, bitDepth: 8, colorType: 0, samples: [1, 2, 3, 4] });
    bytes[bytes.length - 20]! ^= 0xff; // inside IDAT
    expectCode(() => decodeImage(bytes, 'crc.png'), 'IMAGE_DECODE_FAILED');
  });

  it('an absurd PNG size is refused before inflating', () => {
    const bytes = buildPng({ width: 1, height: 1, bitDepth: 8, colorType: 0, samples: [0] });
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(16, 200_000); // IHDR width (CRC now wrong too, but the size check runs first)
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(20, 200_000);
    const err = expectCode(() => decodeImage(bytes, 'bomb.png'), 'IMAGE_DECODE_FAILED');
    expect(err.message).toContain('MP limit');
  });
});
