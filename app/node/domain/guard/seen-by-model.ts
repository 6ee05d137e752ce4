import { readFileSync } from 'node:fs';
import { decodeImage } from '../imaging/decode.ts';
import { centerSquareRegion, resizeBilinearAntialias } from '../imaging/resize.ts';

/** A PNG/JPEG file as the network sees it (centre square, resized), in [0,1]; for building and validating the guard. */
export function seenByModel(path: string, size: number): Float32Array {
  const img = decodeImage(readFileSync(path), path);
  return resizeBilinearAntialias(img, size, size, centerSquareRegion(img.width, img.height)).data;
}
