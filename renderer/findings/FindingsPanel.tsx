import type { HeatmapScale } from '../../app/common/contract/studies.ts';
import { ErrorText } from '../shell/ErrorText.tsx';
import { formatDate, type WorklistEntry } from '../worklist/worklist-model.ts';
import type { HeatmapSettings } from '../viewer/viewer-state.ts';
import { FindingList } from './FindingList.tsx';
import { findingRows } from './finding-rows.ts';
import { HeatmapControls } from './HeatmapControls.tsx';
import { Provenance } from './Provenance.tsx';
import { human } from '../shell/format.ts';

interface Props {
  entry: WorklistEntry;
  /** The prior shown beside it, if comparing. */
  prior: WorklistEntry | undefined;
  selected: string | undefined;
  showAnyway: boolean;
  heatmap: HeatmapSettings;
  scale: HeatmapScale | undefined;
  onToggleFinding(label: string): void;
  onShowAnyway(): void;
  onHeatmap(settings: Partial<HeatmapSettings>): void;
}

const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;

/**
 * The findings with their probabilities against each threshold (and the prior's beside them when
 * comparing). Warnings about the input come first, above any number, because a score on the wrong
 * kind of image means nothing. The heatmap controls stay in view below the list.
 */
export function FindingsPanel(p: Props) {
  const { summary: study, result, model } = p.entry;
  const prediction = result?.ok ? result.prediction : undefined;
  const warnings = [...study.warnings];
  if (prediction?.guard.suspect)
    warnings.unshift(
      `Input guard: this image does not look like the frontal chest X-rays the model knows (${prediction.guard.reason ?? `score ${prediction.guard.score.toFixed(1)}`}). No finding is flagged; the numbers below are for reference only.`,
    );
  const rows = findingRows(result, model, p.prior ? { result: p.prior.result, model: p.prior.model } : undefined);
  const selectedRow = rows.find((r) => r.label === p.selected);
  const needsConsent = selectedRow !== undefined && (selectedRow.p < selectedRow.t || prediction?.guard.suspect === true);
  return (
    <aside className="findings" data-testid="findings" aria-label="Findings">
      <div className="findings-scroll">
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
        <Provenance result={result} model={model} />
        {p.prior && (
          <p className="small comparing-note" data-testid="comparing-note">
            Compared with the prior of {formatDate(p.prior.summary.studyDate) ?? 'an earlier date'}
            {p.prior.result?.ok ? '' : p.prior.result ? ' (its result: error)' : ' (scoring…)'}
          </p>
        )}
        {!result && <p className="muted padded">Scoring…</p>}
        {result && !result.ok && (
          <p className="result-error">
            <ErrorText error={result.error} />
          </p>
        )}
        {prediction && (
          <FindingList
            rows={rows}
            selected={p.selected}
            heatmapOn={p.heatmap.on}
            comparing={p.prior !== undefined}
            onToggle={p.onToggleFinding}
          />
        )}
        {prediction && <p className="muted small padded">Bar: probability. Tick: the finding's threshold; at or above it, flagged.</p>}
        {selectedRow && needsConsent && !p.showAnyway && (
          <div className="below-threshold" data-testid="below-threshold">
            <p>
              <strong>{human(selectedRow.label)}</strong>{' '}
              {prediction?.guard.suspect
                ? 'is from an image the input guard does not trust.'
                : `is below its threshold (${pct(selectedRow.p)} < ${pct(selectedRow.t)}).`}{' '}
              Its heatmap shows where the network looked, not a lesion, and can mislead.
            </p>
            <button type="button" className="secondary" data-testid="show-anyway" onClick={p.onShowAnyway}>
              Show anyway
            </button>
          </div>
        )}
        {selectedRow && needsConsent && p.showAnyway && (
          <p className="warning small padded" data-testid="below-threshold-warning">
            ⚠ Showing the heatmap of a finding that is not flagged. It does not indicate disease.
          </p>
        )}
      </div>
      {prediction && p.scale && (
        <HeatmapControls settings={p.heatmap} scale={p.scale} onChange={p.onHeatmap} hasSelection={selectedRow !== undefined} />
      )}
    </aside>
  );
}
