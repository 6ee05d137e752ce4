import type { HeatmapScale } from '../../app/common/contract/studies.ts';
import { Segmented } from '../shell/Segmented.tsx';
import { HEATMAP_MODES, type HeatmapMode } from '../viewer/heatmap-layer.ts';
import { lutGradient } from '../viewer/HeatmapLegend.tsx';
import type { HeatmapSettings } from '../viewer/viewer-state.ts';

const MODE_LABEL: Readonly<Record<HeatmapMode, { label: string; title: string }>> = {
  fill: { label: 'Fill', title: 'Coloured only where the map reaches the cut-off; the film shows through elsewhere' },
  outline: { label: 'Outline', title: 'The contour where the map reaches the cut-off; nothing covers the film' },
  tint: { label: 'Tint', title: 'The whole region the network saw, coloured (the classic CAM picture)' },
};

/** Heatmap on/off, how it is drawn, its scale and opacity, and the legend that says what 0 and 1 mean. */
export function HeatmapControls({
  settings,
  scale,
  onChange,
  hasSelection,
}: {
  settings: HeatmapSettings;
  scale: HeatmapScale;
  onChange(s: Partial<HeatmapSettings>): void;
  hasSelection: boolean;
}) {
  return (
    <section className="heatmap-controls" aria-label="Heatmap" data-testid="heatmap-controls">
      <header className="panel-header">
        <h2>Heatmap</h2>
        <label className="switch" title="Heatmap on/off (C)">
          <input type="checkbox" checked={settings.on} onChange={(e) => onChange({ on: e.target.checked })} data-testid="heatmap-toggle" />
          <span>{settings.on ? 'On' : 'Off'}</span> <kbd>C</kbd>
        </label>
      </header>
      {!hasSelection && <p className="muted small">Choose a finding to overlay its class-activation map.</p>}
      <div className="control-row">
        <span className="control-label">Draw</span>
        <Segmented
          label="How the heatmap is drawn (Shift+C)"
          value={settings.mode}
          options={HEATMAP_MODES.map((mode) => ({ value: mode, ...MODE_LABEL[mode], testId: `heatmap-mode-${mode}` }))}
          onChange={(mode) => onChange({ mode })}
        />
      </div>
      <div className="control-row">
        <span className="control-label">Scale</span>
        <Segmented
          label="Heatmap scale"
          value={settings.scale}
          options={[
            { value: 'minmax', label: 'Relative', title: "0 = this map's weakest cell, 1 = its strongest", testId: 'heatmap-scale-minmax' },
            { value: 'sigmoid', label: 'Absolute', title: 'σ(CAM), on the probability scale', testId: 'heatmap-scale-sigmoid' },
          ]}
          onChange={(scale) => onChange({ scale })}
        />
      </div>
      <label className="slider">
        Opacity
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={settings.opacity}
          onChange={(e) => onChange({ opacity: Number(e.target.value) })}
          data-testid="heatmap-opacity"
        />
        <span>{Math.round(settings.opacity * 100)}%</span>
      </label>
      <div className="legend" data-testid="heatmap-legend">
        <div className="legend-bar" style={{ background: lutGradient(scale.lut, 'to right') }} />
        <div className="legend-ends">
          <span>0</span>
          <span className="muted">{scale.colormap}</span>
          <span>1</span>
        </div>
        <p className="small">{scale.meanings[settings.scale]}</p>
      </div>
    </section>
  );
}
