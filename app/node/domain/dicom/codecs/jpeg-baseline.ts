import type { CodecOutput } from './codec-output.ts';
import { decodeWithIjg } from './ijg-jpeg.ts';
import { readJpegFrameHeader } from '../../imaging/jpeg-markers.ts';
import { decodeWithWasm } from './wasm-decode.ts';

/**
 * JPEG Baseline / Extended (.50/.51). 8-bit streams go to libjpeg-turbo; 12-bit Extended streams
 * (which libjpeg-turbo's 8-bit build cannot read) go to dcmtk's IJG 12-bit decoder.
 * Three-component output is RGB: libjpeg converts YCbCr as dcmtk's dcmdjpeg does by default.
 */
export async function decodeJpegBaseline(encoded: Uint8Array): Promise<CodecOutput> {
  const header = readJpegFrameHeader(encoded);
  if (!header) throw new Error('not a JPEG stream: no SOI marker and frame header');
  if (header.process === 0xc3 || header.process === 0xc7 || header.process === 0xcb || header.process === 0xcf) {
    throw new Error(`JPEG lossless stream (SOF${header.process - 0xc0}) under a lossy JPEG transfer syntax`);
  }
  if (header.process !== 0xc0 && header.process !== 0xc1) {
    throw new Error(`JPEG process SOF${header.process - 0xc0} is not supported (only baseline and extended sequential)`);
  }
  if (header.precision <= 8) {
    const output = await decodeWithWasm('libjpeg-turbo', encoded, { convertsColour: (components) => components === 3 });
    return output;
  }
  if (header.precision <= 12) return decodeWithIjg(encoded, header);
  throw new Error(`JPEG sample precision ${header.precision} is not 8 or 12`);
}
