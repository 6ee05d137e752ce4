import type { ViewerWindow } from '../../app/common/contract/studies.ts';

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

/** What a view operation needs to know about the image and the viewport it is shown in. */
export interface ViewContext {
  imageW: number;
  imageH: number;
  viewW: number;
  viewH: number;
  /** max − min of the modality values: the scale of a window drag. */
  range: number;
  windows: readonly ViewerWindow[];
  defaultWindow: number;
}

/** One change to a view. Linked viewports (comparison with a prior) receive the same operation. */
export type ViewOp =
  | { kind: 'zoom'; factor: number; px: number; py: number }
  | { kind: 'pan'; dx: number; dy: number }
  | { kind: 'window'; dx: number; dy: number }
  | { kind: 'preset'; index: number }
  | { kind: 'invert' }
  | { kind: 'rotate'; by: 90 | -90 }
  | { kind: 'flipH' }
  | { kind: 'flipV' }
  | { kind: 'fit' }
  | { kind: 'actual'; devicePixelRatio: number }
  | { kind: 'reset' };

export function initialView(ctx: Pick<ViewContext, 'windows' | 'defaultWindow'>): ViewState {
  const w = ctx.windows[ctx.defaultWindow] ?? ctx.windows[0] ?? { center: 127.5, width: 256 };
  return {
    center: w.center,
    width: w.width,
    preset: ctx.windows[ctx.defaultWindow] ? ctx.defaultWindow : 0,
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
  return Math.max(1e-6, Math.min(viewW / w, viewH / h) * 0.98);
}

export function currentScale(view: ViewState, ctx: Pick<ViewContext, 'imageW' | 'imageH' | 'viewW' | 'viewH'>): number {
  return view.zoom ?? fitScale(ctx.imageW, ctx.imageH, ctx.viewW, ctx.viewH, view.rotation);
}

/** A 2-D affine map (canvas order: x' = a·x + c·y + e, y' = b·x + d·y + f). */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/** The image→viewport transform: centre, pan, rotate, flip, scale, in that order. */
export function viewAffine(view: ViewState, ctx: Pick<ViewContext, 'imageW' | 'imageH' | 'viewW' | 'viewH'>): Affine {
  const scale = currentScale(view, ctx);
  const sx = view.flipH ? -scale : scale;
  const sy = view.flipV ? -scale : scale;
  const theta = (view.rotation * Math.PI) / 180;
  const cos = Math.round(Math.cos(theta)); // quarter turns: exact 0/±1
  const sin = Math.round(Math.sin(theta));
  const a = cos * sx;
  const b = sin * sx;
  const c = -sin * sy;
  const d = cos * sy;
  const tx = ctx.viewW / 2 + view.panX;
  const ty = ctx.viewH / 2 + view.panY;
  return { a, b, c, d, e: tx - (a * ctx.imageW) / 2 - (c * ctx.imageH) / 2, f: ty - (b * ctx.imageW) / 2 - (d * ctx.imageH) / 2 };
}

export function applyAffine(m: Affine, x: number, y: number): { x: number; y: number } {
  return { x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f };
}

export function invertAffine(m: Affine): Affine {
  const det = m.a * m.d - m.b * m.c;
  const a = m.d / det;
  const b = -m.b / det;
  const c = -m.c / det;
  const d = m.a / det;
  return { a, b, c, d, e: -(a * m.e + c * m.f), f: -(b * m.e + d * m.f) };
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

/**
 * One operation on one view. Window drags scale with each image's own value range and presets go
 * by position, so a linked prior of another bit depth or unit follows sensibly rather than numerically.
 */
export function applyViewOp(view: ViewState, op: ViewOp, ctx: ViewContext): ViewState {
  switch (op.kind) {
    case 'zoom':
      return zoomAbout(view, currentScale(view, ctx), op.factor, op.px, op.py);
    case 'pan':
      return { ...view, panX: view.panX + op.dx, panY: view.panY + op.dy };
    case 'window':
      return dragWindow(view, op.dx, op.dy, ctx.range);
    case 'preset': {
      const w = ctx.windows[op.index];
      return w ? { ...view, center: w.center, width: w.width, preset: op.index } : view;
    }
    case 'invert':
      return { ...view, invert: !view.invert };
    case 'rotate':
      return rotate(view, op.by);
    case 'flipH':
      return { ...view, flipH: !view.flipH };
    case 'flipV':
      return { ...view, flipV: !view.flipV };
    case 'fit':
      return { ...view, zoom: null, panX: 0, panY: 0 };
    case 'actual':
      return { ...view, zoom: 1 / op.devicePixelRatio, panX: 0, panY: 0 };
    case 'reset':
      return initialView(ctx);
  }
}
