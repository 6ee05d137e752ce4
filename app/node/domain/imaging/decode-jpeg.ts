import jpeg from 'jpeg-js';
import { readJpegFrameHeader } from './jpeg-markers.ts';
import { grayFromRgb8 } from './luma.ts';
import type { GrayImage } from './gray-image.ts';

/**
 * Decodes a baseline or progressive JPEG to gray in [0,1]. jpeg-js always hands back RGB (a gray
 * JPEG has R = G = B = Y, which PIL's luma maps back to Y exactly), so one path serves both.
 * Its IDCT and chroma upsampling are not libjpeg's: expect ±1–2 grey levels against PIL.
 * `tolerantDecoding: false` because a truncated scan should fail loudly, not come back as an
 * image with a grey lower half that a classifier would happily score.
 */
export function decodeJpeg(bytes: Uint8Array): GrayImage {
  const header = readJpegFrameHeader(bytes);
  // jpeg-js reads 12-bit samples as 8-bit and saturates most of the film; never score that.
  if (header && (header.precision > 8 || header.process === 0xc3))
    throw new Error(`a ${header.precision}-bit ${header.process === 0xc3 ? 'lossless ' : ''}JPEG needs the IJG decoder (decodeStudyImage)`);
  const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxResolutionInMP: 100 });
  const n = image.width * image.height;
  if (n === 0) throw new Error('JPEG has no pixels');
  return { width: image.width, height: image.height, data: grayFromRgb8(image.data, 3, n, new Float32Array(n)) };
}
