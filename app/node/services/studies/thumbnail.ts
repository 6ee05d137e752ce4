import type { Thumbnail } from '../../../common/contract/studies.ts';

export const THUMBNAIL_SIDE = 160;

/**
 * A box-filtered 8-bit thumbnail whose longer side is at most `side` pixels. Box filtering (the
 * mean of each source block) keeps fine lines from aliasing the way point sampling would.
 */
export function makeThumbnail(width: number, height: number, gray8: ArrayLike<number>, side = THUMBNAIL_SIDE): Thumbnail {
  const scale = Math.max(1, Math.max(width, height) / side);
  const tw = Math.max(1, Math.round(width / scale));
  const th = Math.max(1, Math.round(height / scale));
  const data = new Uint8Array(tw * th);
  for (let ty = 0; ty < th; ty++) {
    const y0 = Math.floor((ty * height) / th);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * height) / th));
    for (let tx = 0; tx < tw; tx++) {
      const x0 = Math.floor((tx * width) / tw);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * width) / tw));
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += gray8[y * width + x]!;
      data[ty * tw + tx] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
    }
  }
  return { width: tw, height: th, data };
}
