import type { LrRangeResult } from '../../app/common/contract/finetune.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { ErrorText } from '../shell/ErrorText.tsx';
import { LineChart } from '../shell/LineChart.tsx';
import { lowestRate, pastMinimum } from './finetune-state.ts';

/** The learning-rate range test: loss against rate, the suggestion, and a warning when the curve hardly fell. */
export function LrRangeView({
  lr,
  error,
  onUse,
}: {
  lr: LrRangeResult | undefined;
  error: ErrorInfo | undefined;
  onUse(rate: string): void;
}) {
  return (
    <section className="panel-block" data-testid="ft-lr-result">
      <h3>Learning-rate range test</h3>
      {error && (
        <p className="result-error">
          <ErrorText error={error} />
        </p>
      )}
      {lr && (
        <>
          <LineChart
            ariaLabel="Loss against learning rate"
            testId="lr-chart"
            logX
            xLabel="learning rate (log scale)"
            yLabel="loss"
            series={[{ name: 'training loss', color: 'var(--accent)', points: lr.points.map((p) => ({ x: p.learningRate, y: p.loss })) }]}
            markers={lr.suggested !== null ? [{ x: lr.suggested, label: `suggested ${lr.suggested.toExponential(1)}` }] : []}
          />
          <p className="small" data-testid="lr-suggestion">
            {lr.suggested !== null ? (
              <>
                Suggested rate <strong className="mono">{lr.suggested.toExponential(1)}</strong> — where the smoothed loss fell fastest.{' '}
                <button type="button" className="link" onClick={() => onUse(lr.suggested!.toExponential(1))} data-testid="ft-use-lr">
                  Use it
                </button>
              </>
            ) : (
              <span className="muted">The loss never fell over the range tried: keep the default rate, or check the data.</span>
            )}
          </p>
          {lr.suggested !== null && pastMinimum(lr) && (
            <p className="warning small">
              ⚠ The suggestion lies past the lowest loss, where the loss is already climbing: the curve hardly fell (an untrained parent, or
              very little data). Prefer the default rate, or one about ten times below the lowest point ({lowestRate(lr).toExponential(1)}).
            </p>
          )}
        </>
      )}
    </section>
  );
}
