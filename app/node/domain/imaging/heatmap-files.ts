import type { CamSet } from '../../../common/contract/classify.ts';
import { normalizeCam } from './cam.ts';
import type { GrayImage } from './gray-image.ts';
import { renderOverlayPng } from './overlay.ts';

/** The normalisation used for heatmap files, stated wherever they are shown. */
export const HEATMAP_FILE_NORMALISATION = 'minmax';

/**
 * A CAM overlay PNG for label k on the image the network saw: min–max normalised (0 = the map's
 * weakest cell, 1 = its strongest), drawn where ≥ 0.5 so the film stays readable.
 */
export function renderCamOverlay(image: GrayImage, cams: CamSet, k: number): Uint8Array {
  const cells = cams.width * cams.height;
  const cam = cams.data.subarray(k * cells, (k + 1) * cells);
  return renderOverlayPng(image, normalizeCam(cam, cams.height, cams.width, HEATMAP_FILE_NORMALISATION), cams.width, cams.height, {
    opacity: 0.45,
    minVisible: 0.5,
  });
}
