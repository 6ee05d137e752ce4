import { describe, expect, it } from 'vitest';
import { decodeRle, unpackBitsSegment } from './rle.ts';

describe('RLE Lossless (PS3.5 Annex G)', () => {
  it('unpacks literal runs, replicate runs and skips -128', () => {
    // 2 literal bytes (n=1), replicate 0x07 four times (n=-3), no-op (-128), 1 literal (n=0)
    const segment = new Uint8Array([0x01, 0xaa, 0xbb, 0xfd, 0x07, 0x80, 0x00, 0xcc]);
    expect(Array.from(unpackBitsSegment(segment, 0, segment.length, 7))).toEqual([0xaa, 0xbb, 7, 7, 7, 7, 0xcc]);
  });

  it('fails on a segment that ends early instead of padding it', () => {
    expect(() => unpackBitsSegment(new Uint8Array([0x01, 1, 2]), 0, 3, 4)).toThrow(/2 bytes, expected 4/);
  });

  it('joins 16-bit samples from a high-byte and a low-byte segment', () => {
    const frame = new Uint8Array(64 + 4 + 4);
    const view = new DataView(frame.buffer);
    view.setUint32(0, 2, true);
    view.setUint32(4, 64, true);
    view.setUint32(8, 68, true);
    frame.set([0x01, 0x12, 0x0f, 0x00], 64); // high bytes 0x12, 0x0F (+ padding)
    frame.set([0x01, 0x34, 0xff, 0x00], 68); // low bytes 0x34, 0xFF
    const out = decodeRle(frame, { rows: 1, columns: 2, samplesPerPixel: 1, bitsAllocated: 16 });
    expect(Array.from(out.samples)).toEqual([0x1234, 0x0fff]);
  });

  it('refuses a header whose segment count does not fit the image', () => {
    const frame = new Uint8Array(64);
    new DataView(frame.buffer).setUint32(0, 1, true);
    expect(() => decodeRle(frame, { rows: 1, columns: 1, samplesPerPixel: 3, bitsAllocated: 8 })).toThrow(/1 segments/);
  });
});
