import type { CodecOutput } from './codec-output.ts';
import { decodeWithIjg } from './ijg-jpeg.ts';
import { readJpegFrameHeader } from '../../imaging/jpeg-markers.ts';

/** JPEG Lossless process 14 (.57 any predictor, .70 predictor 1). */
export async function decodeJpegLossless(encoded: Uint8Array): Promise<CodecOutput> {
  const header = readJpegFrameHeader(encoded);
  if (!header) throw new Error('not a JPEG stream: no SOI marker and frame header');
  if (header.process !== 0xc3) throw new Error(`expected a lossless frame header (SOF3), found SOF${header.process - 0xc0}`);
  if (header.precision < 2 || header.precision > 16) throw new Error(`JPEG lossless precision ${header.precision} is out of range`);
  return decodeWithIjg(encoded, header);
}
