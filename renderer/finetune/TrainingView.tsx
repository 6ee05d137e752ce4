import { useEffect, useRef } from 'react';
import type { EpochRecord } from '../../app/common/contract/finetune.ts';
import { Busy, ProgressBar } from '../shell/Busy.tsx';
import { ErrorText } from '../shell/ErrorText.tsx';
import { formatDuration, formatNumber } from '../shell/format.ts';
import { type ChartPoint, LineChart } from '../shell/LineChart.tsx';
import { type Live, planText } from './finetune-state.ts';
import { Outcome } from './Outcome.tsx';

/** A running or finished fine-tune job: progress, loss and AUROC by epoch, stop/resume, and its outcome. */
export function TrainingView({
  live,
  fromDemo,
  onStop,
  onResume,
  onActivated,
}: {
  live: Live;
  fromDemo(id: string | undefined): boolean;
  onStop(): void;
  onResume(): void;
  onActivated(): void;
}) {
  const ref = useRef<HTMLElement>(null);
  const jobId = live.jobId;
  useEffect(() => {
    // A new job scrolls into view. (A block body: newer browsers return a promise from scrollIntoView, which React would take for a cleanup.)
    if (jobId) ref.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [jobId]);
  const epochs = live.step?.epochs ?? Math.max(1, ...live.history.map((h) => h.epoch));
  const epochPoints = (f: (h: EpochRecord) => number | null): ChartPoint[] =>
    live.history.flatMap((h) => (f(h) === null ? [] : [{ x: h.epoch, y: f(h)! }]));
  const caching = live.caching && live.caching.done < live.caching.total;
  const best = live.history.find((h) => h.epoch === live.bestEpoch);
  return (
    <section className="panel-block" data-testid="ft-training" data-state={live.state} ref={ref}>
      <header className="job-header">
        <h3 className="no-margin">
          Training{' '}
          <span className={`badge state-${live.state === 'finished' ? 'done' : live.state}`}>
            {live.stopping ? 'stopping…' : live.state}
          </span>{' '}
          <span className="muted mono small">{live.jobId}</span>
        </h3>
        <div className="button-row">
          {live.state === 'running' && (
            <button
              type="button"
              className="danger"
              disabled={live.stopping}
              onClick={onStop}
              data-testid="ft-stop"
              title="Stops after the current step; the best epoch so far becomes the new model"
            >
              Stop
            </button>
          )}
          {(live.state === 'failed' || (live.state === 'cancelled' && !live.result?.modelId)) && (
            <button type="button" className="secondary" onClick={onResume} data-testid="ft-resume">
              Resume from checkpoint
            </button>
          )}
        </div>
      </header>
      {live.plan && (
        <p className="muted small" data-testid="ft-plan">
          {planText(live.plan)}
        </p>
      )}
      {live.state === 'running' && (
        <div className="stack">
          {caching && live.caching ? (
            <>
              <ProgressBar done={live.caching.done} total={live.caching.total} label="Caching backbone features" />
              <span className="muted small">
                Caching backbone features {live.caching.done} / {live.caching.total}
                {live.caching.reused > 0 ? ` (${live.caching.reused} reused from an earlier run)` : ''}
              </span>
            </>
          ) : live.step ? (
            <>
              <ProgressBar
                done={(live.step.epoch - 1) * live.step.steps + live.step.step}
                total={live.step.epochs * live.step.steps}
                label="Training"
              />
              <span className="muted small">
                Epoch {live.step.epoch} / {live.step.epochs} · step {live.step.step} / {live.step.steps} · rate{' '}
                {live.step.learningRate.toExponential(1)} · about {formatDuration(live.step.etaSeconds)} left (at most; early stopping may
                end sooner)
              </span>
            </>
          ) : (
            <Busy>Preparing the data…</Busy>
          )}
        </div>
      )}
      {live.error && (
        <p className="result-error">
          <ErrorText error={live.error} />
        </p>
      )}
      <div className="chart-pair">
        <LineChart
          ariaLabel="Training and validation loss by epoch"
          testId="loss-chart"
          xLabel="epoch"
          yLabel="loss"
          xDomain={[0, epochs]}
          emptyText="loss appears after the first steps"
          series={[
            { name: 'train loss (steps)', color: 'var(--accent)', points: live.steps, faint: true },
            { name: 'train loss (epoch)', color: 'var(--accent)', points: epochPoints((h) => h.trainLoss), dots: true },
            { name: 'validation loss', color: 'var(--flag)', points: epochPoints((h) => h.valLoss), dots: true, dashed: true },
          ]}
        />
        <LineChart
          ariaLabel="Validation mean AUROC by epoch"
          testId="auroc-chart"
          xLabel="epoch"
          yLabel="val mean AUROC"
          xDomain={[0, epochs]}
          yDomain={[0, 1]}
          hLines={[{ y: 0.5, label: 'chance' }]}
          markers={best ? [{ x: best.epoch, label: `best ${formatNumber(best.valMeanAuroc)}`, color: 'var(--ok)' }] : []}
          emptyText="one point per finished epoch"
          series={[{ name: 'validation mean AUROC', color: 'var(--ok)', points: epochPoints((h) => h.valMeanAuroc), dots: true }]}
        />
      </div>
      {live.result && <Outcome result={live.result} parentDemo={fromDemo(live.result.parentId)} onActivated={onActivated} />}
    </section>
  );
}
