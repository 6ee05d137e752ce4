import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiResponse } from '../../app/common/contract/api.ts';
import type {
  DatasetRequest,
  DatasetSummary,
  EpochRecord,
  FinetuneEvent,
  FinetuneMode,
  FinetuneRequest,
  FinetuneResult,
  LrRangeResult,
  ModelComparison,
  TrainingPlan,
} from '../../app/common/contract/finetune.ts';
import type { DenseNetFamily } from '../../app/common/contract/create-model.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import { ApiError, call, onEvent } from '../api.ts';
import { Busy, ProgressBar } from '../shell/Busy.tsx';
import { Dialog } from '../shell/Dialog.tsx';
import { ErrorText } from '../shell/ErrorText.tsx';
import { formatDuration, formatNumber, human } from '../shell/format.ts';
import { LineChart, type ChartPoint } from '../shell/LineChart.tsx';
import { PathField } from '../shell/PathField.tsx';
import { DatasetSummaryView } from './DatasetSummaryView.tsx';

type About = ApiResponse<'app.about'>;
const asInfo = (e: unknown): ErrorInfo => (e instanceof ApiError ? e.info : { code: 'INTERNAL', message: String(e) });

const MODES: { value: FinetuneMode; title: string; text: string }[] = [
  { value: 'head', title: 'Head only', text: 'A linear probe on cached pooled features: minutes on a laptop CPU. Start here.' },
  {
    value: 'last-block',
    title: 'Last dense block',
    text: 'Trains the last dense block, final norm and head on cached activations: slower, more flexible.',
  },
  { value: 'full', title: 'Whole network', text: 'Every layer, every step through the full network: hours on a CPU; for the patient.' },
];

/** Where a fine-tune job stands, rebuilt from its events (or from finetune.status after a reopen). */
interface Live {
  jobId: string;
  state: 'running' | 'finished' | 'cancelled' | 'failed';
  stopping: boolean;
  prepared?: DatasetSummary;
  caching?: { done: number; total: number; reused: number };
  /** Which engine trains and how the batch is split, decided before the first step. */
  plan?: TrainingPlan;
  step?: { epoch: number; epochs: number; step: number; steps: number; etaSeconds: number; learningRate: number };
  steps: ChartPoint[];
  history: EpochRecord[];
  bestEpoch?: number;
  result?: FinetuneResult;
  error?: ErrorInfo;
}

const MAX_STEP_POINTS = 1500;

function apply(live: Live, e: FinetuneEvent): Live {
  switch (e.type) {
    case 'prepared':
      return { ...live, prepared: e.summary };
    case 'caching':
      return { ...live, caching: { done: e.done, total: e.total, reused: e.reused } };
    case 'plan':
      return { ...live, plan: e.plan };
    case 'step':
      return {
        ...live,
        step: { epoch: e.epoch, epochs: e.epochs, step: e.step, steps: e.steps, etaSeconds: e.etaSeconds, learningRate: e.learningRate },
      };
    case 'epoch':
      return {
        ...live,
        history: [...live.history.filter((h) => h.epoch !== e.record.epoch), e.record],
        bestEpoch: e.best ? e.record.epoch : live.bestEpoch,
        step: live.step && { ...live.step, etaSeconds: e.etaSeconds },
      };
    case 'finished':
      return {
        ...live,
        state: e.result.stoppedBy === 'cancelled' ? 'cancelled' : 'finished',
        stopping: false,
        result: e.result,
        history: e.result.history,
        bestEpoch: e.result.bestEpoch,
      };
    case 'failed':
      return { ...live, state: e.error.code === 'CANCELLED' ? 'cancelled' : 'failed', stopping: false, error: e.error };
  }
}

/** `apply`, plus the per-step loss points for the chart (thinned to at most MAX_STEP_POINTS). */
function applyWithSteps(live: Live, e: FinetuneEvent): Live {
  const next = apply(live, e);
  if (e.type !== 'step') return next;
  let steps = [...live.steps, { x: e.epoch - 1 + e.step / e.steps, y: e.loss }];
  if (steps.length > MAX_STEP_POINTS) steps = steps.filter((_, i) => i % 2 === 0);
  return { ...next, steps };
}

const lowestRate = (lr: LrRangeResult): number =>
  lr.points.reduce((best, p) => (p.loss < best.loss ? p : best), lr.points[0]!).learningRate;
const pastMinimum = (lr: LrRangeResult): boolean => lr.points.length > 0 && lr.suggested !== null && lr.suggested > lowestRate(lr);

export interface FinetuneSession {
  jobId: string;
}

/**
 * Fine-tune: choose labelled data, see the split and the per-file problems before anything trains,
 * optionally run the learning-rate range test, train with live loss and AUROC curves, stop (the best
 * epoch is kept), compare the new model with its parent, and activate it.
 */
export function FinetuneScreen({
  about,
  session,
  onSession,
  onActivated,
  onClose,
}: {
  about: About | undefined;
  /** The job this screen last started, kept by the app so closing the screen does not lose it. */
  session: FinetuneSession | undefined;
  onSession(session: FinetuneSession | undefined): void;
  onActivated(): void;
  onClose(): void;
}) {
  const [kind, setKind] = useState<'csv' | 'folders'>('csv');
  const [csv, setCsv] = useState('');
  const [images, setImages] = useState('');
  const [folder, setFolder] = useState('');
  const [labels, setLabels] = useState('');
  const [valFraction, setValFraction] = useState(0.15);
  const [testFraction, setTestFraction] = useState(0.15);
  const [seed, setSeed] = useState(0);
  const [summary, setSummary] = useState<DatasetSummary>();
  const [inspecting, setInspecting] = useState(false);
  const [inspectError, setInspectError] = useState<ErrorInfo>();

  const [mode, setMode] = useState<FinetuneMode>('head');
  const [epochs, setEpochs] = useState(30);
  const [batchSize, setBatchSize] = useState(32);
  const [learningRate, setLearningRate] = useState('0.001');
  const [augment, setAugment] = useState(true);
  const [targetSensitivity, setTargetSensitivity] = useState('');
  // Training a new network of the DenseNet paper's family from scratch instead of adapting the active model.
  const [scratch, setScratch] = useState(false);
  const [scratchArch, setScratchArch] = useState<DenseNetFamily>('densenet-bc');
  const [scratchDepth, setScratchDepth] = useState(100);
  const [scratchGrowth, setScratchGrowth] = useState(12);
  const [scratchSize, setScratchSize] = useState(64);
  const [name, setName] = useState('');

  const [lr, setLr] = useState<LrRangeResult>();
  const [lrBusy, setLrBusy] = useState(false);
  const [lrError, setLrError] = useState<ErrorInfo>();

  const [live, setLive] = useState<Live>();
  const [startError, setStartError] = useState<ErrorInfo>();
  const [starting, setStarting] = useState(false);

  const dataset = (): DatasetRequest => ({
    data: (kind === 'csv' ? csv : folder).trim(),
    ...(kind === 'csv' && images.trim() ? { images: images.trim() } : {}),
    ...(labels.trim()
      ? {
          labels: labels
            .split(',')
            .map((l) => l.trim())
            .filter(Boolean),
        }
      : {}),
    valFraction,
    testFraction,
    seed,
  });
  const lrValue = Number(learningRate);
  const sens = Number(targetSensitivity);
  const request = (parentId?: string): FinetuneRequest => ({
    ...dataset(),
    ...(parentId ? { parentId } : {}),
    mode: scratch ? 'full' : mode,
    hyperParameters: {
      epochs,
      batchSize,
      ...(lrValue > 0 ? { learningRate: lrValue } : {}),
      seed,
      augmentation: augment ? {} : null,
      ...(targetSensitivity.trim() && sens > 0 && sens <= 1
        ? { thresholdRule: { kind: 'target-sensitivity' as const, sensitivity: sens } }
        : {}),
    },
    ...(name.trim() ? { name: name.trim() } : {}),
  });
  const hasData = (kind === 'csv' ? csv : folder).trim().length > 0;

  // Events may arrive before finetune.start answers: keep them until the job id is known.
  const jobRef = useRef<string | undefined>(session?.jobId);
  const early = useRef<FinetuneEvent[]>([]);
  useEffect(
    () =>
      onEvent('finetune.progress', (e) => {
        if (e.jobId === jobRef.current) setLive((l) => (l && l.jobId === e.jobId ? applyWithSteps(l, e) : l));
        else if (jobRef.current === undefined && early.current.length < 1000) early.current.push(e);
      }),
    [],
  );

  // Reopened while (or after) a job ran: its history and outcome from the back end.
  useEffect(() => {
    if (!session || live) return;
    call('finetune.status', { jobId: session.jobId })
      .then((s) =>
        setLive({
          jobId: s.jobId,
          state: s.state,
          stopping: false,
          steps: [],
          history: s.history,
          ...(s.result ? { result: s.result, bestEpoch: s.result.bestEpoch } : {}),
          ...(s.error ? { error: s.error } : {}),
        }),
      )
      .catch(() => onSession(undefined));
  }, [session, live, onSession]);

  const inspect = async (): Promise<void> => {
    setInspecting(true);
    setInspectError(undefined);
    try {
      setSummary(await call('finetune.inspect', dataset()));
    } catch (e) {
      setSummary(undefined);
      setInspectError(asInfo(e));
    } finally {
      setInspecting(false);
    }
  };

  const findLr = async (): Promise<void> => {
    setLrBusy(true);
    setLrError(undefined);
    try {
      const result = await call('finetune.findLr', request());
      setLr(result);
    } catch (e) {
      setLrError(asInfo(e));
    } finally {
      setLrBusy(false);
    }
  };

  const start = async (): Promise<void> => {
    setStarting(true);
    setStartError(undefined);
    try {
      jobRef.current = undefined;
      early.current = [];
      const { jobId } = await call('finetune.start', request(scratch ? await createFromScratch() : undefined));
      jobRef.current = jobId;
      const initial: Live = { jobId, state: 'running', stopping: false, steps: [], history: [] };
      setLive(early.current.filter((e) => e.jobId === jobId).reduce(applyWithSteps, initial));
      early.current = [];
      onSession({ jobId });
    } catch (e) {
      setStartError(asInfo(e));
    } finally {
      setStarting(false);
    }
  };

  /** A new, untrained network whose outputs are the dataset's labels; training then starts from it. */
  const createFromScratch = async (): Promise<string> => {
    const outputs = summary?.labels ?? dataset().labels;
    if (!outputs || outputs.length === 0)
      throw new ApiError({ code: 'INVALID_ARGUMENT', message: "Check the data first: the new network's outputs are its labels." });
    const created = await call('models.create', {
      arch: scratchArch,
      depth: scratchDepth,
      growthRate: scratchGrowth,
      labels: outputs,
      inputSize: scratchSize,
      ...(name.trim() ? { name: `${name.trim()} (untrained start)` } : {}),
    });
    return created.manifest.id;
  };

  const stop = async (): Promise<void> => {
    if (!live) return;
    setLive({ ...live, stopping: true });
    try {
      await call('finetune.cancel', { jobId: live.jobId });
    } catch (e) {
      setLive((l) => l && { ...l, stopping: false, error: asInfo(e) });
    }
  };

  const resume = async (): Promise<void> => {
    if (!live) return;
    try {
      jobRef.current = live.jobId;
      await call('finetune.resume', { jobId: live.jobId });
      const { error: _error, result: _result, ...rest } = live;
      setLive({ ...rest, state: 'running', stopping: false });
    } catch (e) {
      setLive((l) => l && { ...l, error: asInfo(e) });
    }
  };

  // Fine-tuned from the untrained demo (directly or through another fine-tune): nothing clinical in it.
  const [installed, setInstalled] = useState<ApiResponse<'models.list'>>([]);
  useEffect(() => {
    call('models.list', {})
      .then(setInstalled)
      .catch(() => undefined);
  }, [about]);
  const fromDemo = useCallback(
    (id: string | undefined): boolean => {
      const byId = new Map(installed.map((m) => [m.manifest.id, m.manifest]));
      for (let m = id ? byId.get(id) : undefined, hops = 0; m && hops < 50; m = m.parent ? byId.get(m.parent) : undefined, hops++) {
        if (m.demo) return true;
        // Trained whole (full mode) from an untrained start: everything it knows came from its data.
        if (m.training?.mode === 'full') return false;
      }
      return false;
    },
    [installed],
  );

  const running = live?.state === 'running';
  const parent = about?.activeModel;
  const parentDemo = (parent?.demo ?? false) || fromDemo(parent?.id);

  return (
    <Dialog title="Fine-tune" onClose={onClose} full testId="finetune-screen">
      <p className="notice-box small">
        Fine-tuning adapts the active model (<strong>{parent?.name ?? '…'}</strong>) to your own labelled images and installs the result as
        a new model; the parent stays as it is.
        {parentDemo && (
          <>
            {' '}
            {parent?.demo ? 'It is' : 'It descends from'} the <strong>untrained demo network</strong>: you can try every step here, but its
            metrics — and the new model's — say nothing clinical.
          </>
        )}{' '}
        Validation on a few dozen images gives noisy numbers; none of them make DenseRay a medical device.
      </p>
      <div className="screen-grid finetune-grid">
        <section className="pane">
          <h3>1 · Data</h3>
          <div className="segmented" role="radiogroup" aria-label="Dataset layout">
            <button
              type="button"
              role="radio"
              aria-checked={kind === 'csv'}
              className={kind === 'csv' ? 'active' : ''}
              onClick={() => setKind('csv')}
            >
              CSV + images
            </button>
            <button
              type="button"
              role="radio"
              aria-checked={kind === 'folders'}
              className={kind === 'folders' ? 'active' : ''}
              onClick={() => setKind('folders')}
            >
              Folder per class
            </button>
          </div>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              if (hasData) void inspect();
            }}
          >
            {kind === 'csv' ? (
              <>
                <PathField
                  label="Labels CSV"
                  kind="files"
                  value={csv}
                  onChange={setCsv}
                  placeholder="/data/site/labels.csv"
                  testId="ft-csv"
                  hint="Image path, patient id, one 0/1 column per label — or NIH's “Finding Labels” with | separators."
                />
                <PathField
                  label="Images folder (optional)"
                  kind="folder"
                  value={images}
                  onChange={setImages}
                  placeholder="default: the CSV's folder"
                  testId="ft-images"
                />
              </>
            ) : (
              <PathField
                label="Dataset folder"
                kind="folder"
                value={folder}
                onChange={setFolder}
                placeholder="/data/site/by-class"
                testId="ft-folder"
                hint="One sub-folder per class (e.g. Effusion/, No_Finding/); DICOM, PNG or JPEG."
              />
            )}
            <div className="field">
              <label htmlFor="ft-labels">Labels (optional, comma-separated)</label>
              <input id="ft-labels" value={labels} onChange={(e) => setLabels(e.target.value)} placeholder="every label found" />
            </div>
            <div className="inline-fields">
              <label>
                Validation{' '}
                <input
                  type="number"
                  min={0.05}
                  max={0.5}
                  step={0.05}
                  value={valFraction}
                  onChange={(e) => setValFraction(Number(e.target.value))}
                />
              </label>
              <label>
                Test{' '}
                <input
                  type="number"
                  min={0}
                  max={0.5}
                  step={0.05}
                  value={testFraction}
                  onChange={(e) => setTestFraction(Number(e.target.value))}
                />
              </label>
              <label>
                Seed{' '}
                <input
                  type="number"
                  min={0}
                  step={1}
                  value={seed}
                  onChange={(e) => setSeed(Math.max(0, Math.round(Number(e.target.value))))}
                />
              </label>
            </div>
            <button className="primary" type="submit" disabled={!hasData || inspecting} data-testid="ft-inspect">
              Check data and split
            </button>
            {inspecting && <Busy>Reading every file…</Busy>}
            {inspectError && (
              <p className="result-error">
                <ErrorText error={inspectError} />
              </p>
            )}
          </form>

          <h3>2 · Training</h3>
          <div className="stack">
            <div className="mode-choice" role="radiogroup" aria-label="Mode">
              {MODES.map((m) => (
                <label key={m.value} className={`mode-option${mode === m.value ? ' selected' : ''}`}>
                  <input
                    type="radio"
                    name="ft-mode"
                    value={m.value}
                    checked={scratch ? m.value === 'full' : mode === m.value}
                    disabled={scratch}
                    onChange={() => setMode(m.value)}
                  />
                  <span>
                    <strong>{m.title}</strong> <span className="muted mono small">{m.value}</span>
                    <br />
                    <span className="muted small">{m.text}</span>
                  </span>
                </label>
              ))}
            </div>
            <div className="stack" data-testid="ft-scratch-block">
              <div className="inline-fields">
                <label className="check">
                  <input type="checkbox" checked={scratch} onChange={(e) => setScratch(e.target.checked)} data-testid="ft-scratch" /> Train
                  a new network from scratch instead: a DenseNet of the paper's family, every layer learned from these images (no pretrained
                  weights needed)
                </label>
              </div>
              {scratch && (
                <div className="inline-fields">
                  <label>
                    Family{' '}
                    <select
                      value={scratchArch}
                      onChange={(e) => setScratchArch(e.target.value as DenseNetFamily)}
                      data-testid="ft-scratch-arch"
                    >
                      <option value="densenet-bc">DenseNet-BC (bottleneck, compression)</option>
                      <option value="densenet-b">DenseNet-B (bottleneck)</option>
                      <option value="densenet-c">DenseNet-C (compression)</option>
                      <option value="densenet">DenseNet (plain)</option>
                    </select>
                  </label>
                  <label title="Three equal dense blocks; L = 3·n·(2 with a bottleneck, else 1) + 4, e.g. 100 for DenseNet-BC, 40 for DenseNet">
                    Depth L{' '}
                    <input
                      type="number"
                      min={7}
                      max={1000}
                      value={scratchDepth}
                      onChange={(e) => setScratchDepth(Math.round(Number(e.target.value)))}
                      data-testid="ft-scratch-depth"
                    />
                  </label>
                  <label>
                    Growth k{' '}
                    <input
                      type="number"
                      min={1}
                      max={256}
                      value={scratchGrowth}
                      onChange={(e) => setScratchGrowth(Math.round(Number(e.target.value)))}
                      data-testid="ft-scratch-growth"
                    />
                  </label>
                  <label>
                    Input{' '}
                    <select value={scratchSize} onChange={(e) => setScratchSize(Number(e.target.value))} data-testid="ft-scratch-size">
                      <option value={64}>64 px</option>
                      <option value={128}>128 px</option>
                      <option value={224}>224 px</option>
                    </select>
                  </label>
                </div>
              )}
            </div>
            <div className="inline-fields">
              <label>
                Epochs{' '}
                <input
                  type="number"
                  min={1}
                  max={1000}
                  value={epochs}
                  onChange={(e) => setEpochs(Math.max(1, Math.round(Number(e.target.value))))}
                />
              </label>
              <label>
                Batch{' '}
                <input
                  type="number"
                  min={1}
                  max={512}
                  value={batchSize}
                  onChange={(e) => setBatchSize(Math.max(1, Math.round(Number(e.target.value))))}
                />
              </label>
              <label>
                Learning rate{' '}
                <input
                  value={learningRate}
                  onChange={(e) => setLearningRate(e.target.value)}
                  className={lrValue > 0 ? '' : 'invalid'}
                  data-testid="ft-lr"
                />
              </label>
            </div>
            <div className="inline-fields">
              <label className="check">
                <input type="checkbox" checked={augment} onChange={(e) => setAugment(e.target.checked)} /> Augmentation (small rotation,
                scale, shift, brightness; never a left-right flip)
              </label>
            </div>
            <div className="inline-fields">
              <label>
                Target sensitivity{' '}
                <input
                  value={targetSensitivity}
                  onChange={(e) => setTargetSensitivity(e.target.value)}
                  placeholder="Youden's J"
                  title="Choose thresholds for this sensitivity (0–1); empty: Youden's J"
                />
              </label>
              <label className="grow">
                New model name{' '}
                <input value={name} onChange={(e) => setName(e.target.value)} placeholder={`${parent?.name ?? 'parent'} (fine-tuned)`} />
              </label>
            </div>
            <div className="button-row">
              <button
                type="button"
                className="secondary"
                disabled={!hasData || lrBusy || running}
                onClick={() => void findLr()}
                data-testid="ft-findlr"
                title="Learning-rate range test: a short run with an exponentially growing rate"
              >
                Find learning rate
              </button>
              <button
                type="button"
                className="primary"
                disabled={!hasData || starting || running || !(lrValue > 0)}
                onClick={() => void start()}
                data-testid="ft-start"
              >
                Start training
              </button>
            </div>
            {lrBusy && <Busy>Learning-rate range test running (it caches backbone features first)…</Busy>}
            {startError && (
              <p className="result-error">
                <ErrorText error={startError} />
              </p>
            )}
          </div>
        </section>

        <section className="pane wide-pane">
          {summary && <DatasetSummaryView summary={summary} />}
          {(lr || lrError) && (
            <section className="panel-block" data-testid="ft-lr-result">
              <h3>Learning-rate range test</h3>
              {lrError && (
                <p className="result-error">
                  <ErrorText error={lrError} />
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
                    series={[
                      { name: 'training loss', color: 'var(--accent)', points: lr.points.map((p) => ({ x: p.learningRate, y: p.loss })) },
                    ]}
                    markers={lr.suggested !== null ? [{ x: lr.suggested, label: `suggested ${lr.suggested.toExponential(1)}` }] : []}
                  />
                  <p className="small" data-testid="lr-suggestion">
                    {lr.suggested !== null ? (
                      <>
                        Suggested rate <strong className="mono">{lr.suggested.toExponential(1)}</strong> — where the smoothed loss fell
                        fastest.{' '}
                        <button
                          type="button"
                          className="link"
                          onClick={() => setLearningRate(lr.suggested!.toExponential(1))}
                          data-testid="ft-use-lr"
                        >
                          Use it
                        </button>
                      </>
                    ) : (
                      <span className="muted">The loss never fell over the range tried: keep the default rate, or check the data.</span>
                    )}
                  </p>
                  {lr.suggested !== null && pastMinimum(lr) && (
                    <p className="warning small">
                      ⚠ The suggestion lies past the lowest loss, where the loss is already climbing: the curve hardly fell (an untrained
                      parent, or very little data). Prefer the default rate, or one about ten times below the lowest point (
                      {lowestRate(lr).toExponential(1)}).
                    </p>
                  )}
                </>
              )}
            </section>
          )}
          {live && (
            <TrainingView
              live={live}
              fromDemo={fromDemo}
              onStop={() => void stop()}
              onResume={() => void resume()}
              onActivated={onActivated}
            />
          )}
          {!summary && !live && !lr && !lrError && (
            <div className="empty-state">
              <h1>Adapt the model to your images</h1>
              <p className="muted">
                Choose a labelled dataset and check it first: DenseRay reads every file, reports the ones it cannot use, and shows the
                patient-level train / validation / test split before anything trains.
              </p>
            </div>
          )}
        </section>
      </div>
    </Dialog>
  );
}

function TrainingView({
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
  useEffect(() => {
    // (A block body: newer browsers return a promise from scrollIntoView, which React would take for a cleanup.)
    ref.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [live.jobId]);
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

function Outcome({ result, parentDemo, onActivated }: { result: FinetuneResult; parentDemo: boolean; onActivated(): void }) {
  const [comparison, setComparison] = useState<ModelComparison>();
  const [error, setError] = useState<ErrorInfo>();
  const [activated, setActivated] = useState(false);
  const [activating, setActivating] = useState(false);
  useEffect(() => {
    if (!result.modelId) return;
    call('finetune.compare', { modelId: result.modelId })
      .then(setComparison)
      .catch((e: unknown) => setError(asInfo(e)));
  }, [result.modelId]);
  const activate = useCallback(async () => {
    if (!result.modelId) return;
    setActivating(true);
    try {
      await call('models.activate', { id: result.modelId });
      setActivated(true);
      onActivated();
    } catch (e) {
      setError(asInfo(e));
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

/** "Training on onnxruntime (onnxruntime-node 1.30.0 cpu, …) · micro-batches of 8 summed to batch 32 · about 5.1 GB of 12 GB". */
function planText(p: TrainingPlan): string {
  const gb = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GB`;
  return [
    `Training on ${p.engine === 'onnxruntime' ? 'onnxruntime' : 'TensorFlow.js'} (${p.detail})`,
    p.microBatch < p.batchSize ? `micro-batches of ${p.microBatch} summed to batch ${p.batchSize}` : `batch ${p.batchSize}`,
    ...(p.estimatedBytes !== null && p.availableBytes !== null
      ? [`about ${gb(p.estimatedBytes)} of ${gb(p.availableBytes)} free memory`]
      : []),
  ].join(' · ');
}
