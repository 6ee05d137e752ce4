import type { ModelManifest } from '../../app/common/manifest.ts';

/** An int8 variant may run only if it met its fidelity bar, or was forced past it with a recorded reason. */
function usable(variant: ModelManifest): boolean {
  const gate = variant.quantization?.gate;
  return gate !== undefined && (gate.passed || gate.forced !== undefined);
}

/** What the Precision column says about one installed model. */
export function PrecisionCell({ manifest: m }: { manifest: ModelManifest }) {
  const q = m.quantization;
  if (m.precision !== 'int8' || !q) return <span className="mono small">fp32</span>;
  const r = q.gate.report;
  return (
    <div className="small">
      <span className="badge">int8</span> of <span className="mono">{m.parent}</span>
      <div className={q.gate.passed ? 'muted' : 'result-error'} title={q.gate.failures.join('; ')}>
        {q.gate.passed
          ? 'fidelity gate passed'
          : q.gate.forced
            ? `missed the bar; forced: ${q.gate.forced.reason}`
            : 'missed the fidelity bar'}
        {` · mean |Δp| ≤ ${r.meanAbsDelta.toFixed(4)}, max ${r.maxAbsDelta.toFixed(3)}, flags agree ${(r.flaggedAgreement * 100).toFixed(1)}%`}
        {r.cams?.medianPearson != null &&
          ` · heatmaps r ${r.cams.medianPearson.toFixed(3)} (worst ${r.cams.minPearson?.toFixed(3) ?? 'n/a'})`}
      </div>
    </div>
  );
}

/**
 * For a float32 model that has an int8 variant (`denseray models quantize`): run it at fp32 or int8.
 * Choosing activates the parent or the variant; a variant that missed its bar is offered disabled.
 */
export function PrecisionChoice({
  parent,
  models,
  activeId,
  onChoose,
}: {
  parent: ModelManifest;
  models: readonly ModelManifest[];
  activeId: string | undefined;
  onChoose(id: string): void;
}) {
  const variant = models.find((m) => m.precision === 'int8' && m.parent === parent.id);
  if (!variant || parent.precision === 'int8') return null;
  const value = activeId === variant.id ? 'int8' : activeId === parent.id ? 'fp32' : '';
  return (
    <label className="small" data-testid="precision-choice">
      Run at{' '}
      <select
        value={value}
        onChange={(e) => onChoose(e.target.value === 'int8' ? variant.id : parent.id)}
        aria-label={`Precision of ${parent.name}`}
      >
        {value === '' && <option value="">(not active)</option>}
        <option value="fp32">fp32</option>
        <option value="int8" disabled={!usable(variant)}>
          int8{usable(variant) ? '' : ' (missed its fidelity bar)'}
        </option>
      </select>
    </label>
  );
}
