import type { HeatmapScale } from '../../app/common/contract/studies.ts';
import type { HeatmapSettings } from './FindingsPanel.tsx';

/** Heatmap on/off, opacity, scale choice and the legend, which states what 0 and 1 mean. */
export function HeatmapControls({
  settings,
  scale,
  onChange,
  hasSelection,
}: {
  settings: HeatmapSettings;
  scale: HeatmapScale;
  onChange(s: HeatmapSettings): void;
  hasSelection: boolean;
}) {
  const stops: string[] = [];
  for (let i = 0; i <= 10; i++) {
    const k = 3 * Math.min(255, Math.round((i / 10) * 255));
    stops.push(`rgb(${scale.lut[k]}, ${scale.lut[k + 1]}, ${scale.lut[k + 2]}) ${i * 10}%`);
  }
  return (
    <section className="heatmap-controls" aria-label="Heatmap">
      <header className="panel-header">
        <h2>Heatmap</h2>
        <label className="switch" title="Heatmap on/off (C)">
          <input
            type="checkbox"
            checked={settings.on}
            onChange={(e) => onChange({ ...settings, on: e.target.checked })}
            data-testid="heatmap-toggle"
          />
          <span>{settings.on ? 'On' : 'Off'}</span> <kbd>C</kbd>
        </label>
      </header>
      {!hasSelection && <p className="muted small">Choose a finding above to overlay its class-activation map.</p>}
      <label className="slider">
        Opacity
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={settings.opacity}
          onChange={(e) => onChange({ ...settings, opacity: Number(e.target.value) })}
          data-testid="heatmap-opacity"
        />
        <span>{Math.round(settings.opacity * 100)}%</span>
      </label>
      <div className="segmented" role="radiogroup" aria-label="Heatmap scale">
        {(['sigmoid', 'minmax'] as const).map((mode) => (
          <button
            type="button"
            key={mode}
            role="radio"
            aria-checked={settings.mode === mode}
            className={settings.mode === mode ? 'active' : ''}
            onClick={() => onChange({ ...settings, mode })}
          >
            {mode === 'sigmoid' ? 'Absolute' : 'Relative'}
          </button>
        ))}
      </div>
      <div className="legend" data-testid="heatmap-legend">
        <div className="legend-bar" style={{ background: `linear-gradient(to right, ${stops.join(', ')})` }} />
        <div className="legend-ends">
          <span>0</span>
          <span className="muted">{scale.colormap}</span>
          <span>1</span>
        </div>
        <p className="small">{scale.meanings[settings.mode]}</p>
      </div>
    </section>
  );
}
