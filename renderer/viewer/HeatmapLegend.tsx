import { human } from '../shell/format.ts';
import type { PreparedHeatmap } from './use-heatmap.ts';

const MODE_TEXT = { fill: 'filled', outline: 'outline', tint: 'full tint' } as const;

/** CSS gradient stops of a 256-entry RGB table, top = 1. */
export function lutGradient(lut: Uint8Array, direction: 'to top' | 'to right'): string {
  const stops: string[] = [];
  for (let i = 0; i <= 10; i++) {
    const k = 3 * Math.min(255, Math.round((i / 10) * 255));
    stops.push(`rgb(${lut[k]}, ${lut[k + 1]}, ${lut[k + 2]}) ${i * 10}%`);
  }
  return `linear-gradient(${direction}, ${stops.join(', ')})`;
}

/**
 * The heatmap's colour scale on the image itself, as commercial CXR tools show it: which finding,
 * which normalisation, how it is drawn and where it is cut, so a screenshot explains itself.
 */
export function HeatmapLegend({ heatmap }: { heatmap: PreparedHeatmap }) {
  const level = heatmap.level;
  return (
    <div className="heat-legend" data-testid="heatmap-on-image" data-mode={heatmap.mode} data-scale={heatmap.scale}>
      <div className="heat-legend-title">{human(heatmap.label)}</div>
      <div className="heat-legend-body">
        <div className="heat-legend-bar" style={{ background: lutGradient(heatmap.lut, 'to top') }}>
          {level !== undefined && (
            <>
              {heatmap.mode === 'fill' && <span className="heat-legend-undrawn" style={{ height: `${level * 100}%` }} />}
              <span className="heat-legend-level" style={{ bottom: `${level * 100}%` }} />
            </>
          )}
        </div>
        <div className="heat-legend-ticks">
          <span>1</span>
          {level !== undefined && <span style={{ bottom: `${level * 100}%` }}>{level.toFixed(2)}</span>}
          <span>0</span>
        </div>
      </div>
      <div className="heat-legend-note">{heatmap.scale === 'minmax' ? 'relative (min–max)' : 'absolute σ(CAM)'}</div>
      <div className="heat-legend-note">
        {MODE_TEXT[heatmap.mode]}
        {level !== undefined ? ` at ${heatmap.levelMeaning}` : ''}
      </div>
    </div>
  );
}
