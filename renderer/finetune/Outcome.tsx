import { useCallback, useEffect, useState } from 'react';
import type { FinetuneResult, ModelComparison } from '../../app/common/contract/finetune.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { call } from '../api.ts';
import { ErrorText } from '../shell/ErrorText.tsx';
import { asErrorInfo } from '../shell/errors.ts';
import { formatNumber, human } from '../shell/format.ts';

/** The new model: which epoch it kept and why it stopped, its metrics beside its parent's, and activation. */
export function Outcome({ result, parentDemo, onActivated }: { result: FinetuneResult; parentDemo: boolean; onActivated(): void }) {
  const [comparison, setComparison] = useState<ModelComparison>();
  const [error, setError] = useState<ErrorInfo>();
  const [activated, setActivated] = useState(false);
  const [activating, setActivating] = useState(false);
  useEffect(() => {
    if (!result.modelId) return;
    call('finetune.compare', { modelId: result.modelId })
      .then(setComparison)
      .catch((e: unknown) => setError(asErrorInfo(e)));
  }, [result.modelId]);
  const activate = useCallback(async () => {
    if (!result.modelId) return;
    setActivating(true);
    try {
      await call('models.activate', { id: result.modelId });
      setActivated(true);
      onActivated();
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setActivating(false);
    }
  }, [result.modelId, onActivated]);

  const stopped = {
    epochs: 'all epochs ran',
    'early-stopping': 'stopped early: validation AUROC stopped improving',
    cancelled: 'stopped by you',
  }[result.stoppedBy];
  if (!result.modelId)
    return <p className="muted">Stopped before any epoch finished: no model was made. Resume to continue from the last checkpoint.</p>;
  return (
    <section className="stack" data-testid="ft-outcome">
      <p>
        New model <strong className="mono">{result.modelId}</strong> from best epoch {result.bestEpoch} ({stopped}). Parent:{' '}
        <span className="mono">{result.parentId}</span>.
      </p>
      {error && (
        <p className="result-error">
          <ErrorText error={error} />
        </p>
      )}
      {comparison && (
        <>
          <table className="data-table compare" data-testid="ft-compare">
            <thead>
              <tr>
                <th>Finding</th>
                <th className="num">AUROC new</th>
                <th className="num">parent</th>
                <th className="num">AP new</th>
                <th className="num">parent</th>
                <th className="num">Sens.</th>
                <th className="num">Spec.</th>
                <th className="num">Threshold</th>
              </tr>
            </thead>
            <tbody>
              <tr className="total-row">
                <td>Mean AUROC</td>
                <td className="num">{formatNumber(comparison.meanAuroc.model)}</td>
                <td className="num">{formatNumber(comparison.meanAuroc.parent)}</td>
                <td colSpan={5} />
              </tr>
              {comparison.rows.map((r) => {
                const better = r.model.auroc !== null && r.parent?.auroc != null ? r.model.auroc - r.parent.auroc : null;
                return (
                  <tr key={r.label}>
                    <td>{human(r.label)}</td>
                    <td className={`num${better !== null ? (better > 0 ? ' text-ok' : better < 0 ? ' text-danger' : '') : ''}`}>
                      {formatNumber(r.model.auroc)}
                    </td>
                    <td className="num muted">{r.parent ? formatNumber(r.parent.auroc) : 'new label'}</td>
                    <td className="num">{formatNumber(r.model.averagePrecision)}</td>
                    <td className="num muted">{r.parent ? formatNumber(r.parent.averagePrecision) : '—'}</td>
                    <td className="num">{formatNumber(r.model.sensitivity, 2)}</td>
                    <td className="num">{formatNumber(r.model.specificity, 2)}</td>
                    <td className="num">{r.model.threshold.toFixed(3)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="muted small">
            On the {comparison.split === 'test' ? 'held-out test' : 'validation'} split ({comparison.images} images). AP: average precision.
            Sensitivity and specificity at the new model's threshold.
            {parentDemo &&
              ' The parent is (or descends from) the untrained demo network: beating it means nothing, and neither number says anything clinical.'}{' '}
            Small splits make these numbers noisy.
          </p>
        </>
      )}
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={activated || activating}
          onClick={() => void activate()}
          data-testid="ft-activate"
        >
          {activated ? 'Active' : 'Activate this model'}
        </button>
        {activated && <span className="ok-text small">Now the active model; switch back any time under Models.</span>}
      </div>
    </section>
  );
}
