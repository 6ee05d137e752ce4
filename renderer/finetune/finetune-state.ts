import type {
  DatasetRequest,
  DatasetSummary,
  EpochRecord,
  FinetuneEvent,
  FinetuneMode,
  FinetuneRequest,
  FinetuneResult,
  LrRangeResult,
  TrainingPlan,
} from '../../app/common/contract/finetune.ts';
import type { DenseNetFamily } from '../../app/common/contract/create-model.ts';
import type { ErrorInfo } from '../../app/common/errors.ts';
import type { ChartPoint } from '../shell/LineChart.tsx';

/** What the reader fills in: the data, the split, and the training choices. */
export interface FinetuneForm {
  kind: 'csv' | 'folders';
  csv: string;
  images: string;
  folder: string;
  labels: string;
  valFraction: number;
  testFraction: number;
  seed: number;
  mode: FinetuneMode;
  epochs: number;
  batchSize: number;
  learningRate: string;
  augment: boolean;
  targetSensitivity: string;
  name: string;
  /** Train a new network of the DenseNet paper's family from scratch instead of adapting the active model. */
  scratch: boolean;
  scratchArch: DenseNetFamily;
  scratchDepth: number;
  scratchGrowth: number;
  scratchSize: number;
}

/** Where a fine-tune job stands, rebuilt from its events (or from finetune.status after a reopen). */
export interface Live {
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

/** The Fine-tune screen's whole state: the form, each step's outcome or error, and the running job. */
export interface FinetuneState {
  form: FinetuneForm;
  summary: DatasetSummary | undefined;
  inspecting: boolean;
  inspectError: ErrorInfo | undefined;
  lr: LrRangeResult | undefined;
  lrBusy: boolean;
  lrError: ErrorInfo | undefined;
  live: Live | undefined;
  starting: boolean;
  startError: ErrorInfo | undefined;
}

export const initialFinetuneState: FinetuneState = {
  form: {
    kind: 'csv',
    csv: '',
    images: '',
    folder: '',
    labels: '',
    valFraction: 0.15,
    testFraction: 0.15,
    seed: 0,
    mode: 'head',
    epochs: 30,
    batchSize: 32,
    learningRate: '0.001',
    augment: true,
    targetSensitivity: '',
    name: '',
    scratch: false,
    scratchArch: 'densenet-bc',
    scratchDepth: 100,
    scratchGrowth: 12,
    scratchSize: 64,
  },
  summary: undefined,
  inspecting: false,
  inspectError: undefined,
  lr: undefined,
  lrBusy: false,
  lrError: undefined,
  live: undefined,
  starting: false,
  startError: undefined,
};

export type FinetuneAction =
  | { type: 'form'; change: Partial<FinetuneForm> }
  | { type: 'inspecting' }
  | { type: 'inspected'; summary: DatasetSummary }
  | { type: 'inspectFailed'; error: ErrorInfo }
  | { type: 'lrRunning' }
  | { type: 'lrDone'; lr: LrRangeResult }
  | { type: 'lrFailed'; error: ErrorInfo }
  | { type: 'starting' }
  | { type: 'started'; live: Live }
  | { type: 'startFailed'; error: ErrorInfo }
  | { type: 'live'; live: Live | undefined }
  | { type: 'event'; event: FinetuneEvent }
  | { type: 'stopping' }
  | { type: 'jobError'; error: ErrorInfo }
  | { type: 'resumed' };

export function finetuneReducer(state: FinetuneState, action: FinetuneAction): FinetuneState {
  switch (action.type) {
    case 'form':
      return { ...state, form: { ...state.form, ...action.change } };
    case 'inspecting':
      return { ...state, inspecting: true, inspectError: undefined };
    case 'inspected':
      return { ...state, inspecting: false, summary: action.summary };
    case 'inspectFailed':
      return { ...state, inspecting: false, summary: undefined, inspectError: action.error };
    case 'lrRunning':
      return { ...state, lrBusy: true, lrError: undefined };
    case 'lrDone':
      return { ...state, lrBusy: false, lr: action.lr };
    case 'lrFailed':
      return { ...state, lrBusy: false, lrError: action.error };
    case 'starting':
      return { ...state, starting: true, startError: undefined };
    case 'started':
      return { ...state, starting: false, live: action.live };
    case 'startFailed':
      return { ...state, starting: false, startError: action.error };
    case 'live':
      return { ...state, live: action.live };
    case 'event':
      return state.live && state.live.jobId === action.event.jobId ? { ...state, live: applyWithSteps(state.live, action.event) } : state;
    case 'stopping':
      return state.live ? { ...state, live: { ...state.live, stopping: true } } : state;
    case 'jobError':
      return state.live ? { ...state, live: { ...state.live, stopping: false, error: action.error } } : state;
    case 'resumed': {
      if (!state.live) return state;
      const { error: _error, result: _result, ...rest } = state.live;
      return { ...state, live: { ...rest, state: 'running', stopping: false } };
    }
  }
}

const MAX_STEP_POINTS = 1500;

export function applyEvent(live: Live, e: FinetuneEvent): Live {
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

/** `applyEvent`, plus the per-step loss points for the chart (thinned to at most MAX_STEP_POINTS). */
export function applyWithSteps(live: Live, e: FinetuneEvent): Live {
  const next = applyEvent(live, e);
  if (e.type !== 'step') return next;
  let steps = [...live.steps, { x: e.epoch - 1 + e.step / e.steps, y: e.loss }];
  if (steps.length > MAX_STEP_POINTS) steps = steps.filter((_, i) => i % 2 === 0);
  return { ...next, steps };
}

export const hasData = (form: FinetuneForm): boolean => (form.kind === 'csv' ? form.csv : form.folder).trim().length > 0;
export const learningRateOf = (form: FinetuneForm): number => Number(form.learningRate);

export function datasetRequest(form: FinetuneForm): DatasetRequest {
  const labels = form.labels
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  return {
    data: (form.kind === 'csv' ? form.csv : form.folder).trim(),
    ...(form.kind === 'csv' && form.images.trim() ? { images: form.images.trim() } : {}),
    ...(labels.length > 0 ? { labels } : {}),
    valFraction: form.valFraction,
    testFraction: form.testFraction,
    seed: form.seed,
  };
}

/** The training request; `parentId` names the model to start from (a network just created for training from scratch). */
export function finetuneRequest(form: FinetuneForm, parentId?: string): FinetuneRequest {
  const lr = learningRateOf(form);
  const sensitivity = Number(form.targetSensitivity);
  return {
    ...datasetRequest(form),
    ...(parentId ? { parentId } : {}),
    mode: form.scratch ? 'full' : form.mode,
    hyperParameters: {
      epochs: form.epochs,
      batchSize: form.batchSize,
      ...(lr > 0 ? { learningRate: lr } : {}),
      seed: form.seed,
      augmentation: form.augment ? {} : null,
      ...(form.targetSensitivity.trim() && sensitivity > 0 && sensitivity <= 1
        ? { thresholdRule: { kind: 'target-sensitivity' as const, sensitivity } }
        : {}),
    },
    ...(form.name.trim() ? { name: form.name.trim() } : {}),
  };
}

export const lowestRate = (lr: LrRangeResult): number =>
  lr.points.reduce((best, p) => (p.loss < best.loss ? p : best), lr.points[0]!).learningRate;
export const pastMinimum = (lr: LrRangeResult): boolean => lr.points.length > 0 && lr.suggested !== null && lr.suggested > lowestRate(lr);

/** "Training on onnxruntime (onnxruntime-node 1.30.0 cpu, …) · micro-batches of 8 summed to batch 32 · about 5.1 GB of 12 GB". */
export function planText(p: TrainingPlan): string {
  const gb = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GB`;
  return [
    `Training on ${p.engine === 'onnxruntime' ? 'onnxruntime' : 'TensorFlow.js'} (${p.detail})`,
    p.microBatch < p.batchSize ? `micro-batches of ${p.microBatch} summed to batch ${p.batchSize}` : `batch ${p.batchSize}`,
    ...(p.estimatedBytes !== null && p.availableBytes !== null
      ? [`about ${gb(p.estimatedBytes)} of ${gb(p.availableBytes)} free memory`]
      : []),
  ].join(' · ');
}
