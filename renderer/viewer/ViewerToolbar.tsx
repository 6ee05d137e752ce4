import type { ViewerWindow } from '../../app/common/contract/studies.ts';

interface Props {
  windows: ViewerWindow[];
  preset: number | null;
  invert: boolean;
  onPreset(index: number): void;
  onZoomIn(): void;
  onZoomOut(): void;
  onFit(): void;
  onActualSize(): void;
  onInvert(): void;
  onRotate(by: 90 | -90): void;
  onFlipH(): void;
  onFlipV(): void;
  onReset(): void;
}

/** Window presets that suit radiographs (stored windows, auto, full range) and the view tools, each with its key. */
export function ViewerToolbar(p: Props) {
  return (
    <div className="viewer-toolbar" role="toolbar" aria-label="Viewer tools">
      <div className="tool-group" aria-label="Window presets">
        {p.windows.slice(0, 5).map((w, i) => (
          <button
            type="button"
            key={`${w.label}-${i}`}
            className={p.preset === i ? 'tool active' : 'tool'}
            data-testid={`preset-${i + 1}`}
            title={`${w.label}: W ${Math.round(w.width)} L ${Math.round(w.center)} (key ${i + 1})`}
            onClick={p.onPreset.bind(null, i)}
          >
            <kbd>{i + 1}</kbd> {w.label}
          </button>
        ))}
      </div>
      <div className="tool-group">
        <button type="button" className="tool" title="Zoom out (−)" onClick={p.onZoomOut}>
          −
        </button>
        <button type="button" className="tool" title="Zoom in (+)" onClick={p.onZoomIn}>
          +
        </button>
        <button type="button" className="tool" title="Fit (=)" onClick={p.onFit}>
          Fit
        </button>
        <button type="button" className="tool" title="Actual size (0)" onClick={p.onActualSize}>
          1:1
        </button>
      </div>
      <div className="tool-group">
        <button type="button" className={p.invert ? 'tool active' : 'tool'} title="Invert (I)" onClick={p.onInvert}>
          Invert
        </button>
        <button type="button" className="tool" title="Rotate left (L)" onClick={() => p.onRotate(-90)}>
          ⟲
        </button>
        <button type="button" className="tool" title="Rotate right (R)" onClick={() => p.onRotate(90)}>
          ⟳
        </button>
        <button type="button" className="tool" title="Flip horizontally (H)" onClick={p.onFlipH}>
          ⇋
        </button>
        <button type="button" className="tool" title="Flip vertically (V)" onClick={p.onFlipV}>
          ⇵
        </button>
        <button type="button" className="tool" title="Reset (Space)" onClick={p.onReset}>
          Reset
        </button>
      </div>
    </div>
  );
}
