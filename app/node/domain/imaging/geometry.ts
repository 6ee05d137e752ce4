import type { Preprocessing } from '../../../common/manifest.ts';
import { DenseRayError } from '../../shared/errors.ts';
import { shorterSideSize, torchvisionCenterRegion, xrvCenterRegion } from './declared/crop-rules.ts';
import type { PixelRegion } from './gray-image.ts';
import { centerSquareRegion } from './resize.ts';

/**
 * Where the network looks, in one place: the crop that preprocessing takes from the film, and
 * the same region in film pixels for drawing a CAM back onto the film. Preprocessing and heatmap
 * placement both call these, so an overlay can never sit a pixel away from what the model saw.
 */

/** The crop a rule takes from a width×height image before resizing (not for `center-after-resize`, which crops after). */
export function cropBeforeResize(width: number, height: number, crop: Preprocessing['crop']): PixelRegion {
  switch (crop) {
    case 'center-square':
      return centerSquareRegion(width, height);
    case 'center-square-xrv':
      return xrvCenterRegion(width, height);
    case 'none':
      return { x: 0, y: 0, width, height };
    case 'center-after-resize':
      throw new DenseRayError('INVALID_ARGUMENT', 'preprocess: crop center-after-resize belongs to resize pil-bilinear');
  }
}

/** torchvision's Resize(shorterSide) then CenterCrop(size): the resized size and the crop inside it. */
export function resizeThenCrop(width: number, height: number, p: Pick<Preprocessing, 'size' | 'shorterSide'>) {
  const resized = shorterSideSize(width, height, p.shorterSide ?? p.size);
  return { resized, crop: torchvisionCenterRegion(resized.width, resized.height, p.size) };
}

/**
 * The part of a width×height film the network saw, in film pixels. Integer for the crop-first
 * rules; for resize-then-crop the crop is mapped back through the resize scale, so it can be
 * fractional.
 */
export function networkRegion(width: number, height: number, p: Pick<Preprocessing, 'crop' | 'size' | 'shorterSide'>): PixelRegion {
  if (p.crop !== 'center-after-resize') return cropBeforeResize(width, height, p.crop);
  const { resized, crop } = resizeThenCrop(width, height, p);
  const sx = width / resized.width;
  const sy = height / resized.height;
  return { x: crop.x * sx, y: crop.y * sy, width: crop.width * sx, height: crop.height * sy };
}
