import type { FindingRow } from './finding-rows.ts';
import { human } from '../shell/format.ts';

const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;

function Delta({ now, before }: { now: number; before: number }) {
  const d = (now - before) * 100;
  const shown = Math.abs(d) < 0.05 ? '±0' : `${d > 0 ? '+' : '−'}${Math.abs(d).toFixed(1)}`;
  return (
    <span className={`finding-delta${d > 0.05 ? ' up' : d < -0.05 ? ' down' : ''}`} title="Change since the prior, percentage points">
      {shown}
    </span>
  );
}

/**
 * Findings by probability, each bar with its threshold tick. A click shows that finding's heatmap;
 * a click on the finding shown turns the heatmap off (the quick toggle per finding).
 */
export function FindingList({
  rows,
  selected,
  heatmapOn,
  comparing,
  onToggle,
}: {
  rows: FindingRow[];
  selected: string | undefined;
  heatmapOn: boolean;
  comparing: boolean;
  onToggle(label: string): void;
}) {
  return (
    <ul className={`finding-list${comparing ? ' comparing' : ''}`} aria-label="Findings by probability">
      {comparing && (
        <li className="finding-head" aria-hidden="true">
          <span>Finding</span>
          <span>now</span>
          <span>prior</span>
          <span>Δ</span>
        </li>
      )}
      {rows.map((r) => {
        const shown = selected === r.label && heatmapOn;
        return (
          <li key={r.label}>
            <button
              type="button"
              className={`finding${r.flagged ? ' flagged' : ''}${selected === r.label ? ' selected' : ''}`}
              data-testid={`finding-${r.label}`}
              data-above={r.p >= r.t ? 'yes' : 'no'}
              aria-pressed={shown}
              onClick={() => onToggle(r.label)}
              title={`${human(r.label)}: ${pct(r.p)} (threshold ${pct(r.t)}). ${shown ? 'Click to hide its heatmap.' : 'Click to show its heatmap.'}`}
            >
              <span className="finding-name">
                <span className={`eye${shown ? ' on' : ''}`} aria-hidden="true" />
                {human(r.label)}
              </span>
              <span className="finding-value">{pct(r.p)}</span>
              {comparing && (
                <>
                  <span className="finding-value prior">{r.prior === undefined ? '—' : pct(r.prior)}</span>
                  {r.prior === undefined ? <span /> : <Delta now={r.p} before={r.prior} />}
                </>
              )}
              <span className="bar" aria-hidden="true">
                <span className="bar-fill" style={{ width: pct(r.p) }} />
                {comparing && r.prior !== undefined && <span className="bar-prior" style={{ left: pct(r.prior) }} />}
                <span className="bar-threshold" style={{ left: pct(r.t) }} />
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
