import { readFileSync } from 'node:fs';
import dicomParser from 'dicom-parser';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { shared } from '../../../../test/helpers/shared.ts';
import { decodeFrame, displayPixels, isDicom, readDicom, renderForModel, renderToPng } from './index.ts';
import { windowLinear } from './pixels/voi.ts';
import { imageElements, writeTestDicom, type TestElement } from '../../../../test/helpers/write-dicom.ts';

const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const corpus = (file: string) => new Uint8Array(readFileSync(shared('dicom', file)));

function grayImage(
  pixels: Uint16Array | Int16Array | Uint8Array,
  extra: TestElement[],
  options: { bitsStored?: number; signed?: boolean; photometric?: string } = {},
): Uint8Array {
  const bitsAllocated = pixels instanceof Uint8Array ? 8 : 16;
  return writeTestDicom([
    ...imageElements({
      rows: 1,
      columns: pixels.length,
      bitsAllocated,
      bitsStored: options.bitsStored ?? bitsAllocated,
      signed: options.signed ?? false,
      pixels,
      ...(options.photometric ? { photometric: options.photometric } : {}),
    }),
    ...extra,
  ]);
}

const window = (center: string, width: string): TestElement[] => [
  { group: 0x0028, element: 0x1050, vr: 'DS', value: center },
  { group: 0x0028, element: 0x1051, vr: 'DS', value: width },
];
const rescale = (slope: string, intercept: string): TestElement[] => [
  { group: 0x0028, element: 0x1052, vr: 'DS', value: intercept },
  { group: 0x0028, element: 0x1053, vr: 'DS', value: slope },
];
const lutItem = (descriptor: number[], data: Uint16Array): TestElement[] => [
  { group: 0x0028, element: 0x3002, vr: 'US', value: descriptor },
  { group: 0x0028, element: 0x3006, vr: 'OW', value: data },
];

describe('grayscale pipeline on synthetic files (the traps the corpus does not cover)', () => {
  it('uses a window given only as a VOI LUT Sequence', async () => {
    const bytes = grayImage(
      new Uint16Array([0, 1, 2, 3, 9]),
      [{ group: 0x0028, element: 0x3010, vr: 'SQ', items: [lutItem([4, 0, 12], new Uint16Array([4095, 2048, 1024, 0]))] }],
      { bitsStored: 12 },
    );
    const file = readDicom(bytes, 'voi-lut.dcm');
    expect(file.meta.windows).toEqual([]);
    const frame = await decodeFrame(file);
    expect(frame.voi.kind).toBe('lut');
    expect(Array.from(displayPixels(frame))).toEqual([255, 128, 64, 0, 0]); // 2048*255/4095 = 127.53, 1024 -> 63.77
  });

  it('applies a negative RescaleSlope before the window', async () => {
    const file = readDicom(
      grayImage(new Uint16Array([0, 1000, 4095]), [...rescale('-1', '4095'), ...window('2048', '4096')], { bitsStored: 12 }),
      'neg-slope.dcm',
    );
    expect(file.meta.rescaleSlope).toBe(-1);
    const frame = await decodeFrame(file);
    expect(Array.from(frame.modality)).toEqual([4095, 3095, 0]);
    expect(Array.from(displayPixels(frame))).toEqual([4095, 3095, 0].map((x) => Math.round(windowLinear(x, 2048, 4096))));
    expect(displayPixels(frame)[0]).toBe(255); // stored 0 is bright
  });

  it('sign-extends signed 12-bit data stored in 16 bits, ignoring bits above BitsStored', async () => {
    const raw = new Uint16Array([0x0fff, 0x0800, 0x07ff, 0xf000 | 0x0005]);
    const file = readDicom(grayImage(raw, rescale('1', '-10'), { bitsStored: 12, signed: true }), 'signed12.dcm');
    const frame = await decodeFrame(file);
    expect(frame.stored).toBeInstanceOf(Int16Array);
    expect(Array.from(frame.stored)).toEqual([-1, -2048, 2047, 5]);
    expect(Array.from(frame.modality)).toEqual([-11, -2058, 2037, -5]);
  });

  it('uses the Modality LUT Sequence instead of rescale', async () => {
    const bytes = grayImage(new Uint16Array([0, 1, 2, 7]), [
      ...rescale('100', '100'),
      { group: 0x0028, element: 0x3000, vr: 'SQ', items: [lutItem([3, 0, 16], new Uint16Array([5, 50, 500]))] },
    ]);
    const frame = await decodeFrame(readDicom(bytes, 'modality-lut.dcm'));
    expect(Array.from(frame.modality)).toEqual([5, 50, 500, 500]);
  });

  it('honours VOILUTFunction and multiple windows (first is the default)', async () => {
    const bytes = grayImage(new Uint16Array([0, 40, 140]), [
      ...window('40\\100', '400\\50'),
      { group: 0x0028, element: 0x1056, vr: 'CS', value: 'SIGMOID' },
    ]);
    const file = readDicom(bytes, 'sigmoid.dcm');
    expect(file.meta.windows).toEqual([
      { center: 40, width: 400 },
      { center: 100, width: 50 },
    ]);
    expect(file.meta.voiLutFunction).toBe('SIGMOID');
    const frame = await decodeFrame(file);
    expect(Array.from(displayPixels(frame))).toEqual([Math.round(255 / (1 + Math.exp(0.4))), 128, Math.round(255 / (1 + Math.exp(-1)))]);
  });

  it('inverts MONOCHROME1 after the window', async () => {
    const file = readDicom(
      grayImage(new Uint16Array([0, 1000, 3000]), window('1000', '1000'), { photometric: 'MONOCHROME1', bitsStored: 12 }),
      'mono1.dcm',
    );
    const frame = await decodeFrame(file);
    expect(frame.invert).toBe(true);
    expect(Array.from(displayPixels(frame))).toEqual([0, 1000, 3000].map((x) => Math.round(255 - windowLinear(x, 1000, 1000))));
  });

  it('reads a file without preamble and DICM prefix', async () => {
    const bytes = writeTestDicom(
      imageElements({ rows: 1, columns: 2, bitsAllocated: 8, bitsStored: 8, signed: false, pixels: new Uint8Array([1, 2]) }),
      { preamble: false },
    );
    expect(isDicom(bytes)).toBe(true);
    expect(Array.from((await decodeFrame(readDicom(bytes, 'raw.dcm'))).stored)).toEqual([1, 2]);
  });
});

describe('MONOCHROME1 twins', () => {
  it('render for the model exactly like the MONOCHROME2 original', async () => {
    const original = await renderForModel(readDicom(corpus('cxr_dx_mono2_8bit_explicit_le.dcm'), 'mono2'));
    expect([original.width, original.height]).toEqual([1024, 1024]);
    for (const twin of ['cxr_dx_mono1_8bit_explicit_le.dcm', 'cxr_dx_mono1_8_jpegls_lossless.dcm', 'cxr_dx_mono1_8_rle.dcm']) {
      const rendered = await renderForModel(readDicom(corpus(twin), twin));
      expect(Buffer.compare(bytesOf(rendered.data), bytesOf(original.data)), twin).toBe(0);
    }
  });

  it('8-bit data without a window is shown as stored (as the NIH PNG looks)', async () => {
    const file = readDicom(corpus('cxr_dx_mono2_8bit_explicit_le.dcm'), 'mono2');
    const frame = await decodeFrame(file);
    const model = await renderForModel(file);
    for (let i = 0; i < 5000; i += 97) expect(model.data[i]).toBeCloseTo(frame.stored[i]! / 255, 6);
  });

  it('12-bit files render through rescale and the first header window back to their 8-bit source values', async () => {
    // Stored = v*16 + (v>>4) for an 8-bit v; slope 2, intercept -1024 and window 3072/8192 were chosen to undo that.
    const file = readDicom(corpus('cxr_dx_mono2_12_jpegls_lossless.dcm'), '12');
    const frame = await decodeFrame(file);
    expect(frame.voi).toMatchObject({ kind: 'window', center: 3072, width: 8192, source: 'header' });
    const model = await renderForModel(file);
    let maxDiff = 0;
    for (let i = 0; i < model.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(model.data[i]! * 255 - (frame.stored[i]! >> 4)));
    expect(maxDiff).toBeLessThanOrEqual(1);
  });
});

describe('renderToPng', () => {
  it('writes an 8-bit grayscale PNG of the display pixels, with an optional window', async () => {
    const file = readDicom(corpus('ct_small_mono2_16s_explicit_le.dcm'), 'ct');
    const frame = await decodeFrame(file);
    for (const window of [undefined, { center: 40, width: 400 }]) {
      const png = PNG.sync.read(Buffer.from(await renderToPng(file, window ? { window } : {})));
      expect([png.width, png.height]).toEqual([128, 128]);
      const expected = displayPixels(frame, window ? { kind: 'window', ...window, fn: 'LINEAR', source: 'header' } : frame.voi);
      for (let i = 0; i < expected.length; i += 37) expect(png.data[i * 4]).toBe(expected[i]); // pngjs reads back as RGBA
    }
  });
});

describe('decoder guards', () => {
  it('refuses a codestream whose size disagrees with the header (never a silently wrong image)', async () => {
    const bytes = corpus('ct_mono2_16s_j2k_lossless.dcm').slice();
    const dataSet = dicomParser.parseDicom(bytes);
    const rows = dataSet.elements.x00280010!;
    new DataView(bytes.buffer).setUint16(rows.dataOffset, 256, true); // header now says 256 rows, codestream has 512
    await expect(decodeFrame(readDicom(bytes, 'lying.dcm'))).rejects.toMatchObject({ code: 'DICOM_DECODE_FAILED' });
  });

  it('turns garbage in a JPEG 2000, HTJ2K, JPEG-LS or JPEG fragment into DICOM_DECODE_FAILED', async () => {
    const garbage = new Uint8Array(4096).map((_, i) => (i * 131 + 7) & 0xff);
    for (const syntax of [
      '1.2.840.10008.1.2.4.90',
      '1.2.840.10008.1.2.4.201',
      '1.2.840.10008.1.2.4.80',
      '1.2.840.10008.1.2.4.50',
      '1.2.840.10008.1.2.4.70',
      '1.2.840.10008.1.2.5',
    ]) {
      const bytes = encapsulated(syntax, garbage);
      const started = performance.now();
      await expect(decodeFrame(readDicom(bytes, `garbage-${syntax}.dcm`)), syntax).rejects.toMatchObject({ code: 'DICOM_DECODE_FAILED' });
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});

/** An encapsulated single-frame 64x64 8-bit image whose only fragment is `fragment`. */
function encapsulated(syntax: string, fragment: Uint8Array): Uint8Array {
  const head = writeTestDicom(
    imageElements({ rows: 64, columns: 64, bitsAllocated: 8, bitsStored: 8, signed: false, pixels: new Uint8Array(0) }).filter(
      (e) => e.group !== 0x7fe0,
    ),
    { transferSyntaxUid: syntax },
  );
  const item = (tagElement: number, body: Uint8Array) => {
    const h = new Uint8Array(8);
    const v = new DataView(h.buffer);
    v.setUint16(0, 0xfffe, true);
    v.setUint16(2, tagElement, true);
    v.setUint32(4, body.length, true);
    return [h, body];
  };
  const pixelHeader = new Uint8Array([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
  const parts = [head, pixelHeader, ...item(0xe000, new Uint8Array(0)), ...item(0xe000, fragment), ...item(0xe0dd, new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
