/**
 * CAM helpers for the engine and the UI, in one import: normalisation with a stated meaning,
 * bilinear upsampling, the viridis colour map and its legend, and PNG rendering.
 */
export { CAM_NORMALIZATION_MEANING, normalizeCam, upsampleCam, type CamNormalization } from './cam.ts';
export { COLORMAP_NAME, colormap, colormapLegend, type LegendStop, type Rgb } from './colormap.ts';
export { renderGrayPng, renderOverlayPng, type OverlayOptions } from './overlay.ts';
