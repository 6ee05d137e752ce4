import { describe, expect, it } from 'vitest';
import { expandYbr422, planarToInterleaved, readWords, toStoredValues } from './stored-values.ts';

describe('stored values', () => {
  it('masks unsigned values to BitsStored (high bits may hold overlays)', () => {
    const out = toStoredValues(new Uint16Array([0xf123, 0x0fff, 0x1000]), { bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 0 });
    expect(out).toBeInstanceOf(Uint16Array);
    expect(Array.from(out)).toEqual([0x123, 0xfff, 0]);
  });

  it('sign-extends signed 12-in-16 from bit 11', () => {
    const out = toStoredValues(new Uint16Array([0x0fff, 0x0800, 0x07ff, 0xf7ff, 0x0000]), {
      bitsAllocated: 16,
      bitsStored: 12,
      pixelRepresentation: 1,
    });
    expect(out).toBeInstanceOf(Int16Array);
    expect(Array.from(out)).toEqual([-1, -2048, 2047, 2047, 0]);
  });

  it('sign-extends 15-in-16 as the corpus README says (0x4000 -> -16384)', () => {
    expect(Array.from(toStoredValues([0x4000, 0x3fff], { bitsAllocated: 16, bitsStored: 15, pixelRepresentation: 1 }))).toEqual([
      -16384, 16383,
    ]);
  });

  it('keeps already-signed codec output and full 16-bit signed values', () => {
    expect(
      Array.from(toStoredValues(new Int16Array([-2000, 2492]), { bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 1 })),
    ).toEqual([-2000, 2492]);
    expect(Array.from(toStoredValues(new Int16Array([-5]), { bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1 }))).toEqual([-5]);
  });

  it('uses uint8 for 8 bits and masks 7-in-8', () => {
    const out = toStoredValues(new Uint8Array([0xff, 0x7f]), { bitsAllocated: 8, bitsStored: 7, pixelRepresentation: 0 });
    expect(out).toBeInstanceOf(Uint8Array);
    expect(Array.from(out)).toEqual([0x7f, 0x7f]);
  });

  it('reads big- and little-endian words', () => {
    const bytes = new Uint8Array([0x01, 0x02, 0x03, 0x04]);
    expect(Array.from(readWords(bytes, 2, 16, true))).toEqual([0x0201, 0x0403]);
    expect(Array.from(readWords(bytes, 2, 16, false))).toEqual([0x0102, 0x0304]);
    expect(Array.from(readWords(bytes, 4, 8, false))).toEqual([1, 2, 3, 4]);
  });

  it('interleaves planar colour and expands YBR_FULL_422 pairs', () => {
    expect(Array.from(planarToInterleaved(new Uint8Array([1, 2, 10, 20, 100, 200]), 3))).toEqual([1, 10, 100, 2, 20, 200]);
    expect(Array.from(expandYbr422(new Uint8Array([50, 60, 128, 129]), 2))).toEqual([50, 128, 129, 60, 128, 129]);
  });
});
