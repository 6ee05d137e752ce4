/** The frame header (SOFn) of a JPEG stream: enough to pick a decoder and check its output. */
export interface JpegFrameHeader {
  /** SOF marker low byte: 0xC0 baseline, 0xC1 extended, 0xC3 lossless, ... */
  process: number;
  precision: number;
  height: number;
  width: number;
  components: number;
}

const STANDALONE = new Set([0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8]);
const NOT_SOF = new Set([0xc4, 0xc8, 0xcc]);

/** Walks the marker segments up to the first SOF; undefined when the stream is not JPEG. */
export function readJpegFrameHeader(stream: Uint8Array): JpegFrameHeader | undefined {
  if (stream[0] !== 0xff || stream[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 <= stream.length) {
    if (stream[i] !== 0xff) return undefined;
    const marker = stream[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (STANDALONE.has(marker)) {
      i += 2;
      continue;
    }
    const length = (stream[i + 2]! << 8) | stream[i + 3]!;
    if (length < 2) return undefined;
    if (marker >= 0xc0 && marker <= 0xcf && !NOT_SOF.has(marker)) {
      if (i + 10 > stream.length) return undefined;
      return {
        process: marker,
        precision: stream[i + 4]!,
        height: (stream[i + 5]! << 8) | stream[i + 6]!,
        width: (stream[i + 7]! << 8) | stream[i + 8]!,
        components: stream[i + 9]!,
      };
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // scan or end before any frame header
    i += 2 + length;
  }
  return undefined;
}
