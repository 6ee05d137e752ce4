import { crc32, deflateSync } from 'node:zlib';

/**
 * Builds a PNG byte by byte (filter 0 on every row) for decoder tests: pngjs cannot write
 * palette, sub-byte or tRNS files, and those are exactly the cases worth pinning down.
 */
export function buildPng(opts: {
  width: number;
  height: number;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  colorType: 0 | 2 | 3 | 4 | 6;
  /** Samples in row-major order, `channels` per pixel, at the stated bit depth. */
  samples: number[];
  palette?: Array<[number, number, number]>;
  trns?: number[];
}): Uint8Array {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[opts.colorType];
  const rowBits = opts.width * channels * opts.bitDepth;
  const rowBytes = Math.ceil(rowBits / 8);
  const raw = new Uint8Array((rowBytes + 1) * opts.height);
  for (let y = 0; y < opts.height; y++) {
    const base = y * (rowBytes + 1) + 1;
    for (let s = 0; s < opts.width * channels; s++) {
      const v = opts.samples[y * opts.width * channels + s]!;
      if (opts.bitDepth === 16) {
        raw[base + 2 * s] = v >> 8;
        raw[base + 2 * s + 1] = v & 0xff;
      } else {
        const bit = s * opts.bitDepth;
        raw[base + (bit >> 3)]! |= v << (8 - opts.bitDepth - (bit & 7));
      }
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, opts.width);
  view.setUint32(4, opts.height);
  ihdr[8] = opts.bitDepth;
  ihdr[9] = opts.colorType;
  const chunks = [chunk('IHDR', ihdr)];
  if (opts.palette) chunks.push(chunk('PLTE', Uint8Array.from(opts.palette.flat())));
  if (opts.trns) chunks.push(chunk('tRNS', Uint8Array.from(opts.trns)));
  chunks.push(chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
