import { createWriteStream } from 'node:fs';
import { crc32, createDeflate } from 'node:zlib';

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * Writes an all-zero PNG (filter 0 on every row) of the given size and format, deflating row by
 * row so the test never holds the image itself: 10000×10000 16-bit RGBA is ~0.8 MB on disk and
 * 800 MB of scanlines once inflated.
 */
export async function writeZeroPng(path: string, width: number, height: number, bitDepth: 8 | 16, colorType: 0 | 2 | 6): Promise<void> {
  const channels = { 0: 1, 2: 3, 6: 4 }[colorType];
  const row = Buffer.alloc(1 + (width * channels * bitDepth) / 8);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([bitDepth, colorType, 0, 0, 0], 8);
  const deflate = createDeflate({ level: 9 });
  const compressed: Buffer[] = [];
  deflate.on('data', (d: Buffer) => compressed.push(d));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  for (let y = 0; y < height; y++) if (!deflate.write(row)) await new Promise((r) => deflate.once('drain', r));
  deflate.end();
  await done;
  const out = createWriteStream(path);
  out.write(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  out.write(chunk('IHDR', ihdr));
  out.write(chunk('IDAT', Buffer.concat(compressed)));
  out.write(chunk('IEND', new Uint8Array(0)));
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}
