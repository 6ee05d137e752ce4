import type { CodecOutput } from './codec-output.ts';

const HEADER_BYTES = 64;

/** One PackBits segment (PS3.5 G.3.1): n >= 0 copies n+1 literal bytes, -127..-1 repeats the next byte 1-n times, -128 is a no-op. */
export function unpackBitsSegment(data: Uint8Array, start: number, end: number, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let i = start;
  let o = 0;
  while (i < end && o < expected) {
    const header = data[i++]!;
    const n = header > 127 ? header - 256 : header;
    if (n >= 0) {
      const count = Math.min(n + 1, end - i, expected - o);
      out.set(data.subarray(i, i + count), o);
      i += n + 1;
      o += count;
    } else if (n !== -128) {
      if (i >= end) break;
      const count = Math.min(1 - n, expected - o);
      out.fill(data[i++]!, o, o + count);
      o += count;
    }
  }
  if (o < expected) throw new Error(`RLE segment decoded to ${o} bytes, expected ${expected}`);
  return out;
}

/**
 * RLE Lossless (PS3.5 Annex G): a 64-byte header with up to 15 segment offsets; one segment per
 * byte of each sample, most significant byte first, component by component.
 */
export function decodeRle(
  frame: Uint8Array,
  layout: { rows: number; columns: number; samplesPerPixel: number; bitsAllocated: number },
): CodecOutput {
  if (frame.length < HEADER_BYTES) throw new Error(`RLE frame is ${frame.length} bytes, shorter than its 64-byte header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segmentCount = view.getUint32(0, true);
  const bytesPerSample = layout.bitsAllocated / 8;
  const expectedSegments = layout.samplesPerPixel * bytesPerSample;
  if (segmentCount !== expectedSegments) {
    throw new Error(
      `RLE header lists ${segmentCount} segments, ${layout.samplesPerPixel} sample(s) of ${layout.bitsAllocated} bits need ${expectedSegments}`,
    );
  }
  const offsets: number[] = [];
  for (let s = 0; s < segmentCount; s++) offsets.push(view.getUint32(4 + s * 4, true));
  const pixels = layout.rows * layout.columns;
  const segments = offsets.map((start, s) => {
    const end = s + 1 < segmentCount ? offsets[s + 1]! : frame.length;
    if (start < HEADER_BYTES || start > end || end > frame.length) throw new Error(`RLE segment ${s} offset ${start} is outside the frame`);
    return unpackBitsSegment(frame, start, end, pixels);
  });

  const count = pixels * layout.samplesPerPixel;
  const samples = bytesPerSample === 1 ? new Uint8Array(count) : bytesPerSample === 2 ? new Uint16Array(count) : new Uint32Array(count);
  for (let sample = 0; sample < layout.samplesPerPixel; sample++) {
    for (let p = 0; p < pixels; p++) {
      let value = 0;
      for (let b = 0; b < bytesPerSample; b++) value = value * 256 + segments[sample * bytesPerSample + b]![p]!;
      samples[p * layout.samplesPerPixel + sample] = value;
    }
  }
  return { samples, width: layout.columns, height: layout.rows, components: layout.samplesPerPixel, convertedToRgb: false };
}
