import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ModelInfo } from '../../app/common/contract/classify.ts';
import type { StudyPixels, StudySummary } from '../../app/common/contract/studies.ts';
import { drawViewport } from './draw-viewport.ts';
import { HeatmapLegend } from './HeatmapLegend.tsx';
import type { Measurement, MeasurementShape, Point } from './measure.ts';
import { MeasurementLayer } from './MeasurementLayer.tsx';
import { OverlayText } from './OverlayText.tsx';
import { windowToRgba } from './render-image.ts';
import type { PreparedHeatmap } from './use-heatmap.ts';
import {
  type Affine,
  applyAffine,
  currentScale,
  invertAffine,
  type ViewContext,
  type ViewOp,
  type ViewState,
  viewAffine,
} from './view-state.ts';
import type { Tool } from './viewer-state.ts';

export interface ViewportProps {
  study: StudySummary;
  pixels: StudyPixels;
  view: ViewState;
  tool: Tool;
  heatmap: PreparedHeatmap | undefined;
  /** Draw the heatmap's scale on this image (one legend is enough for a comparison). */
  legend: boolean;
  measurements: readonly Measurement[];
  frame: { index: number; count: number } | undefined;
  model: ModelInfo | undefined;
  /** In a comparison: which side. */
  role: 'current' | 'prior' | undefined;
  active: boolean;
  testId: string;
  onActivate(): void;
  onView(op: ViewOp): void;
  onMeasure(shape: MeasurementShape): void;
  onFrameStep(by: 1 | -1): void;
  /** The viewport's geometry, for operations applied from elsewhere (keys, a linked viewport). */
  onContext(ctx: ViewContext): void;
}

type Drag = { mode: 'window' | 'pan'; x: number; y: number } | { mode: 'draw'; start: Point };

function useElementSize(ref: React.RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = (): void => setSize({ width: element.clientWidth, height: element.clientHeight });
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    measure();
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

/**
 * One image on a canvas at full resolution: windowing runs here on the modality values, so a drag
 * never asks the back end for anything. The left button does the tool (window/level, ruler, ROI),
 * the right button (or Shift) pans, the wheel zooms — or steps frames in a multi-frame file. A
 * click gives the viewport the keyboard.
 */
export function Viewport(p: ViewportProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const size = useElementSize(boxRef);
  const [readout, setReadout] = useState<{ x: number; y: number; value: number }>();
  const [draft, setDraft] = useState<MeasurementShape>();
  const drag = useRef<Drag | undefined>(undefined);
  const { pixels, view } = p;

  const ctx: ViewContext = useMemo(
    () => ({
      imageW: pixels.width,
      imageH: pixels.height,
      viewW: size.width,
      viewH: size.height,
      range: pixels.max - pixels.min,
      windows: pixels.windows,
      defaultWindow: pixels.defaultWindow,
    }),
    [pixels, size.width, size.height],
  );
  const { onContext } = p;
  useEffect(() => {
    if (ctx.viewW > 0) onContext(ctx);
  }, [ctx, onContext]);

  // The windowed image, re-made only when the window or polarity changes.
  const image = useMemo(() => {
    const canvas = document.createElement('canvas');
    canvas.width = pixels.width;
    canvas.height = pixels.height;
    return canvas;
  }, [pixels]);
  const invert = pixels.invert !== view.invert;
  // A layout effect, so the image is windowed before the (passive) draw effect below paints it.
  useLayoutEffect(() => {
    const g = image.getContext('2d');
    if (!g) return;
    const data = g.createImageData(pixels.width, pixels.height);
    windowToRgba(pixels.values, view.center, view.width, invert, data.data);
    g.putImageData(data, 0, 0);
  }, [image, pixels, view.center, view.width, invert]);

  const matrix: Affine = size.width > 0 ? viewAffine(view, ctx) : { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };
  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas && size.width > 0) drawViewport(canvas, image, view, ctx, p.heatmap);
  });

  // The wheel must be able to preventDefault (React's onWheel is passive), so it is bound here.
  const wheelRef = useRef<(event: WheelEvent) => void>(() => undefined);
  wheelRef.current = (event: WheelEvent): void => {
    event.preventDefault();
    if (p.frame && p.frame.count > 1 && !event.ctrlKey && !event.metaKey) {
      p.onFrameStep(event.deltaY > 0 ? 1 : -1);
      return;
    }
    const rect = canvasRef.current!.getBoundingClientRect();
    p.onView({
      kind: 'zoom',
      factor: event.deltaY < 0 ? 1.15 : 1 / 1.15,
      px: event.clientX - rect.left - rect.width / 2,
      py: event.clientY - rect.top - rect.height / 2,
    });
  };
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const listener = (event: WheelEvent): void => wheelRef.current(event);
    canvas.addEventListener('wheel', listener, { passive: false });
    return () => canvas.removeEventListener('wheel', listener);
  }, []);

  const toImage = (event: React.MouseEvent): Point => {
    const rect = canvasRef.current!.getBoundingClientRect();
    return applyAffine(invertAffine(matrix), event.clientX - rect.left, event.clientY - rect.top);
  };

  const onMouseDown = (event: React.MouseEvent): void => {
    event.preventDefault();
    boxRef.current?.focus();
    p.onActivate();
    const pan = event.button !== 0 || event.shiftKey;
    if (!pan && p.tool !== 'window') drag.current = { mode: 'draw', start: toImage(event) };
    else drag.current = { mode: pan ? 'pan' : 'window', x: event.clientX, y: event.clientY };
  };

  const onMouseMove = (event: React.MouseEvent): void => {
    const d = drag.current;
    const at = toImage(event);
    if (d?.mode === 'draw') setDraft({ kind: p.tool === 'window' ? 'ruler' : p.tool, a: d.start, b: at });
    else if (d) {
      const dx = event.clientX - d.x;
      const dy = event.clientY - d.y;
      d.x = event.clientX;
      d.y = event.clientY;
      p.onView(d.mode === 'window' ? { kind: 'window', dx, dy } : { kind: 'pan', dx, dy });
    }
    const x = Math.floor(at.x);
    const y = Math.floor(at.y);
    if (x >= 0 && y >= 0 && x < pixels.width && y < pixels.height) setReadout({ x, y, value: pixels.values[y * pixels.width + x]! });
    else setReadout(undefined);
  };

  const finish = (): void => {
    if (drag.current?.mode === 'draw' && draft && Math.hypot(draft.b.x - draft.a.x, draft.b.y - draft.a.y) >= 1) p.onMeasure(draft);
    drag.current = undefined;
    setDraft(undefined);
  };

  const scale = size.width > 0 ? currentScale(view, ctx) : 1;
  const shapes = [...p.measurements, ...(draft ? [{ ...draft, id: 'draft' as const }] : [])];
  const regionCorner = p.heatmap ? applyAffine(matrix, p.heatmap.region.x, p.heatmap.region.y) : undefined;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a canvas image viewer is a pointer surface; its keyboard map is the app's viewer scope
    <div
      className={`viewport${p.active ? ' active' : ''} tool-${p.tool}`}
      ref={boxRef}
      tabIndex={-1}
      data-testid={p.testId}
      data-study-id={p.study.id}
      onMouseDown={onMouseDown}
      onMouseMove={onMouseMove}
      onMouseUp={finish}
      onMouseLeave={() => {
        finish();
        setReadout(undefined);
      }}
      onContextMenu={(event) => event.preventDefault()}
    >
      <canvas
        ref={canvasRef}
        data-testid={`${p.testId}-canvas`}
        data-region-x={regionCorner?.x}
        style={{ width: `${size.width}px`, height: `${size.height}px` }}
      />
      {size.width > 0 && <MeasurementLayer pixels={pixels} matrix={matrix} width={size.width} height={size.height} shapes={shapes} />}
      <OverlayText
        study={p.study}
        pixels={pixels}
        view={view}
        zoomPercent={scale * (window.devicePixelRatio || 1) * 100}
        readout={readout}
        frame={p.frame}
        heatmapLabel={p.heatmap?.label}
        model={p.model}
        role={p.role}
      />
      {p.heatmap && p.legend && <HeatmapLegend heatmap={p.heatmap} />}
    </div>
  );
}
