import type { PriorStudy, ViewerWindow } from '../../app/common/contract/studies.ts';
import { formatDate } from '../worklist/worklist-model.ts';
import type { ViewOp } from './view-state.ts';
import { TOOLS, type Tool } from './viewer-state.ts';

interface Props {
  windows: readonly ViewerWindow[];
  preset: number | null;
  invert: boolean;
  tool: Tool;
  frames: { index: number; count: number; playing: boolean } | undefined;
  priors: readonly PriorStudy[] | undefined;
  compareWith: string | undefined;
  linked: boolean;
  tagsOpen: boolean;
  onView(op: ViewOp): void;
  onTool(tool: Tool): void;
  onClearMeasurement(): void;
  onFrame(by: 1 | -1): void;
  onCine(playing: boolean): void;
  onCompare(priorId: string | undefined): void;
  onLinked(on: boolean): void;
  onTags(): void;
}

/** Window presets, view tools, measurement tools, frames and comparison, each with its key in the tooltip. */
export function ViewerToolbar(p: Props) {
  const dpr = window.devicePixelRatio || 1;
  return (
    <div className="viewer-toolbar" role="toolbar" aria-label="Viewer tools">
      <fieldset className="tool-group">
        <legend className="sr-only">Window presets</legend>
        {p.windows.slice(0, 5).map((w, i) => (
          <button
            type="button"
            key={`${w.source}-${w.label}-${w.center}-${w.width}`}
            className={p.preset === i ? 'tool active' : 'tool'}
            data-testid={`preset-${i + 1}`}
            title={`${w.label}: W ${Math.round(w.width)} L ${Math.round(w.center)} (key ${i + 1})`}
            onClick={() => p.onView({ kind: 'preset', index: i })}
          >
            <kbd>{i + 1}</kbd> {w.label}
          </button>
        ))}
      </fieldset>
      <fieldset className="tool-group">
        <legend className="sr-only">Zoom</legend>
        <button type="button" className="tool" title="Zoom out (−)" onClick={() => p.onView({ kind: 'zoom', factor: 0.8, px: 0, py: 0 })}>
          −
        </button>
        <button type="button" className="tool" title="Zoom in (+)" onClick={() => p.onView({ kind: 'zoom', factor: 1.25, px: 0, py: 0 })}>
          +
        </button>
        <button type="button" className="tool" title="Fit (F)" onClick={() => p.onView({ kind: 'fit' })}>
          Fit
        </button>
        <button type="button" className="tool" title="Actual size (0)" onClick={() => p.onView({ kind: 'actual', devicePixelRatio: dpr })}>
          1:1
        </button>
      </fieldset>
      <fieldset className="tool-group">
        <legend className="sr-only">Orientation</legend>
        <button type="button" className={p.invert ? 'tool active' : 'tool'} title="Invert (I)" onClick={() => p.onView({ kind: 'invert' })}>
          Invert
        </button>
        <button type="button" className="tool" title="Rotate left (L)" onClick={() => p.onView({ kind: 'rotate', by: -90 })}>
          ⟲
        </button>
        <button type="button" className="tool" title="Rotate right (R)" onClick={() => p.onView({ kind: 'rotate', by: 90 })}>
          ⟳
        </button>
        <button type="button" className="tool" title="Flip horizontally (H)" onClick={() => p.onView({ kind: 'flipH' })}>
          ⇋
        </button>
        <button type="button" className="tool" title="Flip vertically (V)" onClick={() => p.onView({ kind: 'flipV' })}>
          ⇵
        </button>
        <button type="button" className="tool" title="Reset (Space)" onClick={() => p.onView({ kind: 'reset' })}>
          Reset
        </button>
      </fieldset>
      <fieldset className="tool-group">
        <legend className="sr-only">Mouse tool</legend>
        {TOOLS.map((t) => (
          <button
            type="button"
            key={t.tool}
            className={p.tool === t.tool ? 'tool active' : 'tool'}
            aria-pressed={p.tool === t.tool}
            title={`${t.title} (${t.key})`}
            data-testid={`tool-${t.tool}`}
            onClick={() => p.onTool(t.tool)}
          >
            {t.label}
          </button>
        ))}
        <button type="button" className="tool" title="Remove the last measurement (Del)" onClick={p.onClearMeasurement}>
          ⌫
        </button>
      </fieldset>
      {p.frames && p.frames.count > 1 && (
        <fieldset className="tool-group" data-testid="frame-controls">
          <legend className="sr-only">Frames</legend>
          <button type="button" className="tool" title="Previous frame (PgUp, [)" onClick={() => p.onFrame(-1)}>
            ◀
          </button>
          <span className="tool-text" data-testid="frame-number">
            {p.frames.index + 1}/{p.frames.count}
          </span>
          <button type="button" className="tool" title="Next frame (PgDn, ])" onClick={() => p.onFrame(1)}>
            ▶
          </button>
          <button
            type="button"
            className={p.frames.playing ? 'tool active' : 'tool'}
            aria-pressed={p.frames.playing}
            title="Cine (P)"
            data-testid="cine"
            onClick={() => p.onCine(!p.frames!.playing)}
          >
            {p.frames.playing ? 'Pause' : 'Cine'}
          </button>
        </fieldset>
      )}
      <fieldset className="tool-group">
        <legend className="sr-only">Comparison</legend>
        <select
          aria-label="Compare with a prior study"
          title="Compare with an earlier study of this patient, matched by Patient ID (X)"
          value={p.compareWith ?? ''}
          disabled={!p.priors || p.priors.length === 0}
          onChange={(e) => p.onCompare(e.target.value || undefined)}
          data-testid="prior-select"
        >
          <option value="">
            {p.priors === undefined ? 'Priors…' : p.priors.length === 0 ? 'No prior' : `Priors (${p.priors.length})`}
          </option>
          {p.priors?.map((prior) => (
            <option key={prior.summary.id} value={prior.summary.id}>
              {formatDate(prior.summary.studyDate)} · {prior.summary.viewPosition ?? prior.summary.name}
              {prior.source === 'store' ? ' (from the store)' : ''}
            </option>
          ))}
        </select>
        {p.compareWith && (
          <button
            type="button"
            className={p.linked ? 'tool active' : 'tool'}
            aria-pressed={p.linked}
            title="Link zoom, pan and window/level of both images"
            data-testid="link-views"
            onClick={() => p.onLinked(!p.linked)}
          >
            Link
          </button>
        )}
        <button
          type="button"
          className={p.tagsOpen ? 'tool active' : 'tool'}
          title="DICOM tags (T)"
          onClick={p.onTags}
          data-testid="tags-button"
        >
          Tags
        </button>
      </fieldset>
    </div>
  );
}
