import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { PixelRect, StudyPixels, StudySummary } from '../../app/common/contract/studies.ts';
import { heatmapToRgba, windowToRgba } from './render-image.ts';
import { isTyping } from './shortcuts.ts';
import { currentScale, dragWindow, initialView, rotate, viewMatrix, zoomAbout, type ViewState } from './view-state.ts';
import { ViewerToolbar } from './ViewerToolbar.tsx';

export interface HeatmapOverlay {
  label: string;
  /** h×w values in [0,1]. */
  map: Float32Array;
  width: number;
  height: number;
  region: PixelRect;
  opacity: number;
  lut: Uint8Array;
}

interface Props {
  study: StudySummary;
  pixels: StudyPixels;
  overlay: HeatmapOverlay | undefined;
  /** Whether viewer keys are live (no dialog open). */
  keysActive: boolean;
}

interface Readout {
  x: number;
  y: number;
  value: number;
}

function useCanvasSize(ref: React.RefObject<HTMLDivElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setSize({ width: element.clientWidth, height: element.clientHeight }));
    observer.observe(element);
    setSize({ width: element.clientWidth, height: element.clientHeight });
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

/**
 * The image at full resolution on a canvas. Windowing runs here on the modality values the back
 * end sent, so dragging the window never asks the back end for anything.
 */
export function Viewer({ study, pixels, overlay, keysActive }: Props) {
  const containerRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const size = useCanvasSize(containerRef);
  const [view, setView] = useState<ViewState>(() => initialView(pixels));
  const [readout, setReadout] = useState<Readout | undefined>();
  const matrixRef = useRef<DOMMatrix>(new DOMMatrix());
  const drag = useRef<{ x: number; y: number; mode: 'window' | 'pan' } | undefined>(undefined);

  useEffect(() => setView(initialView(pixels)), [pixels]);

  // The windowed image, re-made only when the window or polarity changes.
  const imageCanvas = useMemo(() => {
    const canvas = document.createElement('canvas');
    canvas.width = pixels.width;
    canvas.height = pixels.height;
    return canvas;
  }, [pixels]);
  useEffect(() => {
    const ctx = imageCanvas.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(pixels.width, pixels.height);
    windowToRgba(pixels.values, view.center, view.width, pixels.invert !== view.invert, image.data);
    ctx.putImageData(image, 0, 0);
  }, [imageCanvas, pixels, view.center, view.width, view.invert]);

  const heatCanvas = useMemo(() => {
    if (!overlay) return undefined;
    const canvas = document.createElement('canvas');
    canvas.width = overlay.width;
    canvas.height = overlay.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return undefined;
    const image = ctx.createImageData(overlay.width, overlay.height);
    heatmapToRgba(overlay.map, overlay.lut, image.data);
    ctx.putImageData(image, 0, 0);
    return canvas;
  }, [overlay?.map, overlay?.lut, overlay?.width, overlay?.height]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || size.width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(size.width * dpr);
    canvas.height = Math.round(size.height * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const matrix = viewMatrix(view, pixels.width, pixels.height, size.width, size.height);
    matrixRef.current = matrix;
    ctx.setTransform(new DOMMatrix().scale(dpr, dpr).multiply(matrix));
    const scale = currentScale(view, pixels.width, pixels.height, size.width, size.height);
    // Magnified pixels stay crisp squares (a reader wants to see real pixels); minified ones are smoothed.
    ctx.imageSmoothingEnabled = scale < 2;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(imageCanvas, 0, 0);
    if (overlay && heatCanvas) {
      ctx.imageSmoothingEnabled = true; // the CAM is a coarse grid: bilinear upsampling, as in the CLI overlays
      ctx.globalAlpha = overlay.opacity;
      ctx.drawImage(heatCanvas, overlay.region.x, overlay.region.y, overlay.region.width, overlay.region.height);
      ctx.globalAlpha = 1;
    }
  });

  const range = pixels.max - pixels.min;
  const scale = size.width > 0 ? currentScale(view, pixels.width, pixels.height, size.width, size.height) : 1;

  const applyPreset = useCallback(
    (index: number) => {
      const w = pixels.windows[index];
      if (w) setView((v) => ({ ...v, center: w.center, width: w.width, preset: index }));
    },
    [pixels],
  );

  const zoomBy = useCallback(
    (factor: number) => setView((v) => zoomAbout(v, currentScale(v, pixels.width, pixels.height, size.width, size.height), factor, 0, 0)),
    [pixels, size],
  );

  useEffect(() => {
    if (!keysActive) return;
    const onKey = (event: KeyboardEvent): void => {
      if (isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      if ((event.target as HTMLElement | null)?.closest?.('[data-keyscope="worklist"]')) return;
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      const act = (change: (v: ViewState) => ViewState): void => {
        event.preventDefault();
        setView(change);
      };
      switch (key) {
        case 'i':
          return act((v) => ({ ...v, invert: !v.invert }));
        case ' ':
          return act(() => initialView(pixels));
        case '+':
          event.preventDefault();
          return zoomBy(1.25);
        case '-':
          event.preventDefault();
          return zoomBy(0.8);
        case '=':
          return act((v) => ({ ...v, zoom: null, panX: 0, panY: 0 }));
        case '0':
          return act((v) => ({ ...v, zoom: 1 / (window.devicePixelRatio || 1), panX: 0, panY: 0 }));
        case 'r':
          return act((v) => rotate(v, 90));
        case 'l':
          return act((v) => rotate(v, -90));
        case 'h':
          return act((v) => ({ ...v, flipH: !v.flipH }));
        case 'v':
          return act((v) => ({ ...v, flipV: !v.flipV }));
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
          event.preventDefault();
          return applyPreset(Number(key) - 1);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [keysActive, pixels, zoomBy, applyPreset]);

  const toImage = (event: React.MouseEvent): { x: number; y: number } => {
    const rect = canvasRef.current!.getBoundingClientRect();
    const p = matrixRef.current.inverse().transformPoint(new DOMPoint(event.clientX - rect.left, event.clientY - rect.top));
    return { x: Math.floor(p.x), y: Math.floor(p.y) };
  };

  const onMouseMove = (event: React.MouseEvent): void => {
    const d = drag.current;
    if (d) {
      const dx = event.clientX - d.x;
      const dy = event.clientY - d.y;
      d.x = event.clientX;
      d.y = event.clientY;
      setView((v) => (d.mode === 'window' ? dragWindow(v, dx, dy, range) : { ...v, panX: v.panX + dx, panY: v.panY + dy }));
    }
    const { x, y } = toImage(event);
    if (x >= 0 && y >= 0 && x < pixels.width && y < pixels.height) setReadout({ x, y, value: pixels.values[y * pixels.width + x]! });
    else setReadout(undefined);
  };

  const onWheel = (event: React.WheelEvent): void => {
    const rect = canvasRef.current!.getBoundingClientRect();
    const px = event.clientX - rect.left - rect.width / 2;
    const py = event.clientY - rect.top - rect.height / 2;
    const factor = event.deltaY < 0 ? 1.15 : 1 / 1.15;
    setView((v) => zoomAbout(v, currentScale(v, pixels.width, pixels.height, size.width, size.height), factor, px, py));
  };

  const presetLabel = view.preset !== null ? pixels.windows[view.preset]?.label : 'Manual';
  return (
    <div className="viewer" data-testid="viewer">
      <ViewerToolbar
        windows={pixels.windows}
        preset={view.preset}
        onPreset={applyPreset}
        onZoomIn={() => zoomBy(1.25)}
        onZoomOut={() => zoomBy(0.8)}
        onFit={() => setView((v) => ({ ...v, zoom: null, panX: 0, panY: 0 }))}
        onActualSize={() => setView((v) => ({ ...v, zoom: 1 / (window.devicePixelRatio || 1), panX: 0, panY: 0 }))}
        onInvert={() => setView((v) => ({ ...v, invert: !v.invert }))}
        onRotate={(by) => setView((v) => rotate(v, by))}
        onFlipH={() => setView((v) => ({ ...v, flipH: !v.flipH }))}
        onFlipV={() => setView((v) => ({ ...v, flipV: !v.flipV }))}
        onReset={() => setView(initialView(pixels))}
        invert={view.invert}
      />
      <div className="viewport" ref={containerRef}>
        <canvas
          ref={canvasRef}
          data-testid="viewer-canvas"
          style={{ width: `${size.width}px`, height: `${size.height}px` }}
          onMouseDown={(event) => {
            event.preventDefault();
            drag.current = { x: event.clientX, y: event.clientY, mode: event.button === 0 && !event.shiftKey ? 'window' : 'pan' };
          }}
          onMouseUp={() => (drag.current = undefined)}
          onMouseLeave={() => {
            drag.current = undefined;
            setReadout(undefined);
          }}
          onMouseMove={onMouseMove}
          onWheel={onWheel}
          onContextMenu={(event) => event.preventDefault()}
        />
        <div className="overlay-text top-left">
          <div className="overlay-strong">{study.patientName ?? study.name}</div>
          {study.patientId && (
            <div>
              ID {study.patientId}
              {study.patientSex ? ` · ${study.patientSex}` : ''}
              {study.patientAge ? ` · ${study.patientAge}` : ''}
            </div>
          )}
          <div>{[study.modality, study.viewPosition, formatDate(study.studyDate)].filter(Boolean).join(' · ')}</div>
          <div className="overlay-dim">{study.name}</div>
        </div>
        <div className="overlay-text top-right" data-testid="window-readout">
          <div>
            W {Math.round(view.width)} · L {Math.round(view.center)}
          </div>
          <div className="overlay-dim">{presetLabel}</div>
          <div>
            Zoom {Math.round(scale * (window.devicePixelRatio || 1) * 100)}%{view.rotation ? ` · ${view.rotation}°` : ''}
            {view.flipH ? ' · H' : ''}
            {view.flipV ? ' · V' : ''}
            {view.invert ? ' · inverted' : ''}
          </div>
        </div>
        <div className="overlay-text bottom-left" data-testid="pixel-readout">
          {readout ? (
            <>
              <div>
                x {readout.x} · y {readout.y}
              </div>
              <div>
                {Number.isInteger(readout.value) ? readout.value : readout.value.toFixed(2)}{' '}
                <span className="overlay-dim">{pixels.unit}</span>
              </div>
            </>
          ) : (
            <div className="overlay-dim">
              {pixels.width} × {pixels.height}
            </div>
          )}
        </div>
        <div className="overlay-text bottom-right">
          {overlay && <div className="overlay-heat">Heatmap: {overlay.label.replaceAll('_', ' ')}</div>}
          {pixels.note && <div className="overlay-dim">{pixels.note}</div>}
          <div className="overlay-dim">Not for diagnostic use</div>
        </div>
      </div>
    </div>
  );
}

export function formatDate(dicomDate: string | undefined): string | undefined {
  if (!dicomDate || !/^\d{8}$/.test(dicomDate)) return dicomDate;
  return `${dicomDate.slice(0, 4)}-${dicomDate.slice(4, 6)}-${dicomDate.slice(6, 8)}`;
}
