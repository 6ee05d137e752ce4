import type { PreparedHeatmap } from './use-heatmap.ts';
import { type Affine, currentScale, type ViewContext, type ViewState, viewAffine } from './view-state.ts';

/** The outline's colour: the colour map's top (viridis yellow) over a dark halo, legible on any film. */
const OUTLINE = '#fde725';
const HALO = 'rgba(0, 0, 0, 0.85)';

/**
 * Paints the windowed image and the heatmap onto the viewport canvas (device pixels), and returns
 * the image→CSS-pixel transform the overlays (measurements, pointer) use.
 */
export function drawViewport(
  canvas: HTMLCanvasElement,
  image: HTMLCanvasElement,
  view: ViewState,
  ctx: ViewContext,
  heatmap: PreparedHeatmap | undefined,
): Affine {
  const dpr = window.devicePixelRatio || 1;
  const width = Math.round(ctx.viewW * dpr);
  const height = Math.round(ctx.viewH * dpr);
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const g = canvas.getContext('2d');
  const m = viewAffine(view, ctx);
  if (!g) return m;
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.fillStyle = '#000';
  g.fillRect(0, 0, width, height);
  g.setTransform(dpr * m.a, dpr * m.b, dpr * m.c, dpr * m.d, dpr * m.e, dpr * m.f);
  const scale = currentScale(view, ctx);
  // Magnified pixels stay crisp squares (a reader wants to see real pixels); minified ones are smoothed.
  g.imageSmoothingEnabled = scale < 2;
  g.imageSmoothingQuality = 'high';
  g.drawImage(image, 0, 0);
  if (heatmap) drawHeatmap(g, heatmap, scale);
  g.setTransform(1, 0, 0, 1, 0, 0);
  return m;
}

function drawHeatmap(g: CanvasRenderingContext2D, h: PreparedHeatmap, scale: number): void {
  const { region, samples } = h;
  if (h.canvas) {
    g.imageSmoothingEnabled = true; // the map is smooth already; bilinear between its samples
    g.globalAlpha = h.opacity;
    g.drawImage(h.canvas, region.x, region.y, region.width, region.height);
    g.globalAlpha = 1;
    return;
  }
  if (!h.segments || h.segments.length === 0) return;
  const sx = region.width / samples.width;
  const sy = region.height / samples.height;
  g.beginPath();
  for (let i = 0; i < h.segments.length; i += 4) {
    // Sample (i, j) sits at the centre of its cell of the region.
    g.moveTo(region.x + (h.segments[i]! + 0.5) * sx, region.y + (h.segments[i + 1]! + 0.5) * sy);
    g.lineTo(region.x + (h.segments[i + 2]! + 0.5) * sx, region.y + (h.segments[i + 3]! + 0.5) * sy);
  }
  g.lineCap = 'round';
  g.lineWidth = 4 / scale;
  g.strokeStyle = HALO;
  g.stroke();
  g.lineWidth = 2 / scale;
  g.strokeStyle = OUTLINE;
  g.stroke();
}
