import type { StudyPixels } from '../../app/common/contract/studies.ts';

/** How the image is shown; everything a radiologist can change, and `reset` restores. */
export interface ViewState {
  /** Window centre and width in the image's own units (modality values). */
  center: number;
  width: number;
  /** Index of the preset the window came from; null after a manual drag. */
  preset: number | null;
  /** Screen pixels per image pixel; null = fit to the viewport. */
  zoom: number | null;
  panX: number;
  panY: number;
  rotation: 0 | 90 | 180 | 270;
  flipH: boolean;
  flipV: boolean;
  invert: boolean;
}

export function initialView(pixels: StudyPixels): ViewState {
  const w = pixels.windows[pixels.defaultWindow] ?? pixels.windows[0]!;
  return {
    center: w.center,
    width: w.width,
    preset: pixels.defaultWindow,
    zoom: null,
    panX: 0,
    panY: 0,
    rotation: 0,
    flipH: false,
    flipV: false,
    invert: false,
  };
}

export function fitScale(imageW: number, imageH: number, viewW: number, viewH: number, rotation: ViewState['rotation']): number {
  const [w, h] = rotation % 180 === 0 ? [imageW, imageH] : [imageH, imageW];
  return Math.min(viewW / w, viewH / h) * 0.96;
}

/** The image→viewport transform: centre, pan, rotate, flip, scale, in that order. */
export function viewMatrix(view: ViewState, imageW: number, imageH: number, viewW: number, viewH: number): DOMMatrix {
  const scale = view.zoom ?? fitScale(imageW, imageH, viewW, viewH, view.rotation);
  return new DOMMatrix()
    .translate(viewW / 2 + view.panX, viewH / 2 + view.panY)
    .rotate(view.rotation)
    .scale(view.flipH ? -scale : scale, view.flipV ? -scale : scale)
    .translate(-imageW / 2, -imageH / 2);
}

export function currentScale(view: ViewState, imageW: number, imageH: number, viewW: number, viewH: number): number {
  return view.zoom ?? fitScale(imageW, imageH, viewW, viewH, view.rotation);
}

/** Zooms by `factor` keeping the image point under (px, py) (relative to the viewport centre) in place. */
export function zoomAbout(view: ViewState, scale: number, factor: number, px: number, py: number): ViewState {
  const next = Math.min(32, Math.max(0.05, scale * factor));
  const k = next / scale;
  return { ...view, zoom: next, panX: px - (px - view.panX) * k, panY: py - (py - view.panY) * k };
}

/** Window/level by drag: right widens, up brightens (lower centre), at a rate that spans the data range in ~500 px. */
export function dragWindow(view: ViewState, dx: number, dy: number, range: number): ViewState {
  const rate = Math.max(range, 1) / 500;
  return { ...view, width: Math.max(1, view.width + dx * rate), center: view.center + dy * rate, preset: null };
}

export function rotate(view: ViewState, by: 90 | -90): ViewState {
  return { ...view, rotation: ((((view.rotation + by) % 360) + 360) % 360) as ViewState['rotation'] };
}
