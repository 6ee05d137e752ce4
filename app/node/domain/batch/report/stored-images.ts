import type { CamSet } from '../../../../common/contract/classify.ts';
import type { GrayImage } from '../../imaging/gray-image.ts';
import { decodeFloat16 } from '../../../shared/float16.ts';
import type { StudyStore } from '../../store/study-store.ts';
import { decodeThumbnail } from '../thumbnail.ts';

export interface StoredImages {
  /** What the network saw. */
  image: GrayImage;
  cams: CamSet | null;
}

/** A result's thumbnail and CAMs back from the store, or null when it has none (an error). */
export function storedImages(store: StudyStore, resultId: number): StoredImages | null {
  const row = store.reports.images(resultId);
  if (!row.thumbnail || !row.thumbnail_size) return null;
  return { image: decodeThumbnail(row.thumbnail, row.thumbnail_size), cams: storedCams(row) };
}

/** A result row's CAMs (float16 in the store), or null when it has none. */
export function storedCams(row: { cam: Uint8Array | null; cam_width: number | null; cam_height: number | null }): CamSet | null {
  if (!row.cam || !row.cam_height || !row.cam_width) return null;
  return {
    width: row.cam_width,
    height: row.cam_height,
    data: decodeFloat16(row.cam),
    normalisation: 'none: raw class score per cell; its spatial mean equals the logit',
  };
}
