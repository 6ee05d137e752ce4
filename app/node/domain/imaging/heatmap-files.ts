import type { CamSet } from '../../../common/contract/classify.ts';
import { HEATMAP_DEFAULTS } from '../../../common/defaults.ts';
import { normalizeCam } from './cam.ts';
import type { GrayImage } from './gray-image.ts';
import { renderOverlayPng } from './overlay.ts';

/**
 * A CAM overlay PNG for label k on the image the network saw, with the shared heatmap defaults
 * (app/common/defaults.ts): normalised, drawn only where at or above the cut-off so the film
 * stays readable.
 */
export function renderCamOverlay(image: GrayImage, cams: CamSet, k: number): Uint8Array {
  const cells = cams.width * cams.height;
  const cam = cams.data.subarray(k * cells, (k + 1) * cells);
  return renderOverlayPng(image, normalizeCam(cam, cams.height, cams.width, HEATMAP_DEFAULTS.normalisation), cams.width, cams.height, {
    opacity: HEATMAP_DEFAULTS.opacity,
    minVisible: HEATMAP_DEFAULTS.cutoff,
  });
}
