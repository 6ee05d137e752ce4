import type { ModelInfo } from '../../app/common/contract/classify.ts';
import type { CamNormalisationMode, HeatmapScale, StudyResult, StudySummary } from '../../app/common/contract/studies.ts';
import { ErrorText } from '../shell/ErrorText.tsx';
import { HeatmapControls } from './HeatmapControls.tsx';
import { thresholdOf } from '../../app/common/defaults.ts';

export interface HeatmapSettings {
  on: boolean;
  opacity: number;
  mode: CamNormalisationMode;
}

interface Props {
  study: StudySummary;
  result: StudyResult | undefined;
  model: ModelInfo | undefined;
  selected: string | undefined;
  /** The reader chose to see the heatmap of a finding below its threshold. */
  showAnyway: boolean;
  heatmap: HeatmapSettings;
  scale: HeatmapScale | undefined;
  onSelect(label: string): void;
  onShowAnyway(): void;
  onHeatmap(settings: HeatmapSettings): void;
}

const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;
const human = (label: string): string => label.replaceAll('_', ' ');

/**
 * The findings with their probabilities against each threshold. Warnings about the input come
 * first, above any number, because a score on the wrong kind of image means nothing.
 */
export function FindingsPanel(p: Props) {
  const { study, result, model } = p;
  const prediction = result?.ok ? result.prediction : undefined;
  const warnings = [...study.warnings];
  if (prediction?.guard.suspect)
    warnings.unshift(
      `Input guard: this image does not look like the frontal chest X-rays the model knows (${prediction.guard.reason ?? `score ${prediction.guard.score.toFixed(1)}`}). No finding is flagged; the numbers below are for reference only.`,
    );

  const rows =
    prediction && model
      ? model.labels
          .map((label) => ({ label, p: prediction.probabilities[label] ?? 0, t: thresholdOf(model.thresholds, label) }))
          .sort((a, b) => b.p - a.p)
      : [];
  const selectedRow = rows.find((r) => r.label === p.selected);
  const belowThreshold = selectedRow !== undefined && selectedRow.p < selectedRow.t;

  return (
    <aside className="findings" data-testid="findings" aria-label="Findings">
      {warnings.length > 0 && (
        <section className="warnings" data-testid="input-warnings">
          {warnings.map((w) => (
            <p key={w} className="warning">
              ⚠ {w}
            </p>
          ))}
        </section>
      )}
      <header className="panel-header">
        <h2>Findings</h2>
        {prediction && <span className="muted">triage score {prediction.triageScore.toFixed(2)}</span>}
      </header>
      {!result && <p className="muted">Scoring…</p>}
      {result && !result.ok && (
        <p className="result-error">
          <ErrorText error={result.error} />
        </p>
      )}
      {prediction && (
        <ul className="finding-list" role="listbox" aria-label="Findings by probability">
          {rows.map((r) => {
            const flagged = r.p >= r.t && !prediction.guard.suspect;
            return (
              <li key={r.label}>
                <button
                  type="button"
                  className={`finding${flagged ? ' flagged' : ''}${p.selected === r.label ? ' selected' : ''}`}
                  data-testid={`finding-${r.label}`}
                  data-above={r.p >= r.t ? 'yes' : 'no'}
                  role="option"
                  aria-selected={p.selected === r.label}
                  onClick={() => p.onSelect(r.label)}
                  title={`${human(r.label)}: ${pct(r.p)} (threshold ${pct(r.t)})`}
                >
                  <span className="finding-name">{human(r.label)}</span>
                  <span className="finding-value">{pct(r.p)}</span>
                  <span className="bar" aria-hidden="true">
                    <span className="bar-fill" style={{ width: pct(r.p) }} />
                    <span className="bar-threshold" style={{ left: pct(r.t) }} />
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {prediction && (
        <p className="muted small">Bars: probability. Tick: the model's threshold for that finding; at or above it a finding is flagged.</p>
      )}
      {prediction && selectedRow && belowThreshold && !p.showAnyway && (
        <div className="below-threshold" data-testid="below-threshold">
          <p>
            <strong>{human(selectedRow.label)}</strong> is below its threshold ({pct(selectedRow.p)} &lt; {pct(selectedRow.t)}). A heatmap
            of a negative finding shows where the network looked, not a lesion, and can mislead.
          </p>
          <button type="button" className="secondary" data-testid="show-anyway" onClick={p.onShowAnyway}>
            Show anyway
          </button>
        </div>
      )}
      {prediction && selectedRow && belowThreshold && p.showAnyway && (
        <p className="warning small" data-testid="below-threshold-warning">
          ⚠ Showing the heatmap of a finding below threshold. It does not indicate disease.
        </p>
      )}
      {prediction && p.scale && (
        <HeatmapControls settings={p.heatmap} scale={p.scale} onChange={p.onHeatmap} hasSelection={selectedRow !== undefined} />
      )}
    </aside>
  );
}
