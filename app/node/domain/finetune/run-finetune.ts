import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  FinetuneRequest,
  type FinetuneEvent,
  type FinetuneResult,
  type ModelMetrics,
  type TrainingRecord,
} from '../../../common/contract/finetune.ts';
import { chooseThresholds, evaluateSplit, type SplitMetrics } from '../../../common/metrics/evaluate.ts';
import { DenseRayError, toErrorInfo } from '../../shared/errors.ts';
import { ModelStore, type InstalledModel } from '../store/model-store.ts';
import type { WeightMap } from '../model/tensor.ts';
import { defaultModelId, installFinetuned } from './install-finetuned.ts';
import { jobDir, readJobRecord, writeJobRecord, type JobRecord } from './job-record.ts';
import { openSession, openTrainingPath, type FinetuneSession } from './session.ts';
import { CheckpointDir } from './train/checkpoint.ts';
import { predictLogits, sigmoid } from './train/predict.ts';
import { batchNormNote, TRAINED_SCOPE } from './train/trainable-net.ts';
import { gatherRows, train } from './train/trainer.ts';
import type { TrainingPath } from './train/training-path.ts';
import { thresholdOf } from '../../../common/defaults.ts';

export interface RunFinetuneOptions {
  dataDir: string;
  /** A new job; or leave out and give `resumeJobId`. */
  request?: FinetuneRequest;
  resumeJobId?: string;
  jobId?: string;
  signal?: AbortSignal;
  onEvent?: (event: FinetuneEvent) => void;
  threads?: number;
}

/** The result, plus what the in-memory model predicted for the val and test images (for checks against the installed model). */
export interface FinetuneOutcome extends FinetuneResult {
  model: InstalledModel | undefined;
  predictions: { files: string[]; probabilities: Float32Array; labels: string[] };
}

export function newJobId(): string {
  return `ft-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15).toLowerCase()}-${randomBytes(3).toString('hex')}`;
}

/**
 * One fine-tuning job from request to installed model version: dataset → cache → train (with
 * checkpoints under `<dataDir>/finetune-jobs/<jobId>/`) → thresholds on val → metrics on val and
 * test, next to the parent's → install. A cancel ends training after the current step and still
 * installs the best epoch so far (if one finished); `resumeJobId` continues from the last checkpoint.
 */
export async function runFinetune(o: RunFinetuneOptions): Promise<FinetuneOutcome> {
  const now = new Date();
  let record: JobRecord;
  if (o.resumeJobId) {
    record = { ...readJobRecord(o.dataDir, o.resumeJobId), state: 'running', error: null, updatedAt: now.toISOString() };
    // A cancel already installed this job's best epoch under modelId; installed versions never change, so the resumed run gets a new id.
    record.modelId = uniqueModelId(new ModelStore(o.dataDir), record.modelId);
  } else {
    if (!o.request) throw new DenseRayError('INVALID_ARGUMENT', 'runFinetune needs a request or a job to resume');
    const request = FinetuneRequest.parse(o.request);
    const store = new ModelStore(o.dataDir);
    const parentId = request.parentId ?? store.activeId();
    const jobId = o.jobId ?? newJobId();
    // A chosen id must be free; a generated one (second resolution) gets a -rN suffix when two runs share a second.
    const modelId = request.id ?? uniqueModelId(store, defaultModelId(parentId, request.mode, now));
    record = {
      jobId,
      request,
      modelId,
      state: 'running',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      result: null,
      error: null,
    };
    if (store.has(record.modelId)) throw new DenseRayError('INVALID_ARGUMENT', `a model with id "${record.modelId}" is already installed`);
  }
  const jobId = record.jobId;
  writeJobRecord(o.dataDir, record);
  const emit = (e: FinetuneEvent): void => o.onEvent?.(e);
  const request = FinetuneRequest.parse(record.request);
  let path: TrainingPath | undefined;
  try {
    const session = await openSession({ dataDir: o.dataDir, request, jobId, signal: o.signal, onEvent: emit, threads: o.threads });
    const startedAt = new Date().toISOString();
    path = await openTrainingPath(session, request, o.threads);
    emit({ type: 'plan', jobId, plan: path.plan });
    const parentMetrics = await parentBaseline(path, session);
    const outcome = await train(path, session.data, {
      hp: session.hp,
      checkpoints: new CheckpointDir(join(jobDir(o.dataDir, jobId), 'checkpoints')),
      resume: o.resumeJobId !== undefined,
      signal: o.signal,
      onStep: (p) => emit({ type: 'step', jobId, epochs: session.hp.epochs, ...p }),
      onEpoch: (r, best, etaSeconds) => emit({ type: 'epoch', jobId, record: r, best, etaSeconds }),
    });
    const base = {
      jobId,
      parentId: session.parent.id,
      stoppedBy: outcome.stoppedBy,
      bestEpoch: outcome.bestEpoch,
      history: outcome.history,
    };
    if (!outcome.restoredBest) {
      const result: FinetuneResult = { ...base, modelId: null, metrics: null };
      finish(o.dataDir, record, 'cancelled', result, emit);
      return { ...result, model: undefined, predictions: { files: [], probabilities: new Float32Array(0), labels: session.labels } };
    }

    const { metrics, thresholds, predictions } = await evaluate(path, session, parentMetrics);
    const weights: WeightMap = new Map(session.start);
    for (const [name, t] of path.trainedWeights()) weights.set(name, t);
    const training: TrainingRecord = {
      mode: session.mode,
      hyperParameters: session.hp,
      dataset: {
        fingerprint: session.summary.fingerprint,
        source: session.summary.source,
        format: session.summary.format,
        images: session.summary.images,
        split: session.summary.split,
      },
      trainedParameters: { count: path.parameterCount, scope: TRAINED_SCOPE[session.mode] },
      batchNorm: batchNormNote(session.mode),
      headInitialisedFromParent: session.headFromParent,
      stoppedBy: outcome.stoppedBy,
      bestEpoch: outcome.bestEpoch,
      history: outcome.history,
      ...(path.plan.engine === 'tfjs' ? { tfjsBackend: path.plan.detail.replace(/^tfjs-/, '') } : {}),
      trainingPlan: path.plan,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
    const store = new ModelStore(o.dataDir);
    const model = installFinetuned(store, {
      id: record.modelId,
      name: request.name,
      parent: session.parent,
      labels: session.labels,
      thresholds,
      weights,
      training,
      metrics,
    });
    if (request.activate) store.setActive(model.manifest.id);
    const result: FinetuneResult = { ...base, modelId: model.manifest.id, metrics };
    finish(o.dataDir, record, outcome.stoppedBy === 'cancelled' ? 'cancelled' : 'finished', result, emit);
    return { ...result, model, predictions };
  } catch (error) {
    const info = toErrorInfo(error);
    writeJobRecord(o.dataDir, {
      ...record,
      state: info.code === 'CANCELLED' ? 'cancelled' : 'failed',
      error: info,
      updatedAt: new Date().toISOString(),
    });
    emit({ type: 'failed', jobId, error: info });
    throw error;
  } finally {
    await path?.dispose();
  }
}

function finish(
  dataDir: string,
  record: JobRecord,
  state: 'finished' | 'cancelled',
  result: FinetuneResult,
  emit: (e: FinetuneEvent) => void,
): void {
  writeJobRecord(dataDir, { ...record, state, result, updatedAt: new Date().toISOString() });
  emit({ type: 'finished', jobId: record.jobId, result });
}

/**
 * The parent's metrics on the same val/test images, for the labels it already has: before training
 * the new head's rows for those labels are the parent's, so the untouched net predicts exactly as the
 * parent does. Thresholds are the parent's own (how it is used today).
 */
async function parentBaseline(path: TrainingPath, s: FinetuneSession): Promise<ModelMetrics['parent']> {
  if (s.headFromParent.length === 0) return null;
  const shared = s.headFromParent.map((l) => s.labels.indexOf(l));
  const thresholds = s.headFromParent.map((l) => thresholdOf(s.parent.thresholds, l));
  const on = async (indices: number[]): Promise<SplitMetrics | null> => {
    if (indices.length === 0) return null;
    const probs = sigmoid(await predictLogits(path, s.data.source, indices, 64));
    const truth = gatherRows(s.data.targets, indices, s.labels.length);
    return evaluateSplit(
      selectColumns(probs, s.labels.length, shared),
      selectColumns(truth, s.labels.length, shared),
      s.headFromParent,
      thresholds,
    );
  };
  return { val: await on(s.data.val.slice()), test: await on(s.test) };
}

async function evaluate(
  path: TrainingPath,
  s: FinetuneSession,
  parent: ModelMetrics['parent'],
): Promise<{ metrics: ModelMetrics; thresholds: number[]; predictions: FinetuneOutcome['predictions'] }> {
  const k = s.labels.length;
  const valProbs = sigmoid(await predictLogits(path, s.data.source, s.data.val, 64));
  const valTruth = gatherRows(s.data.targets, s.data.val, k);
  const thresholds = chooseThresholds(valProbs, valTruth, k, s.hp.thresholdRule);
  const testProbs = s.test.length > 0 ? sigmoid(await predictLogits(path, s.data.source, s.test, 64)) : new Float32Array(0);
  const metrics: ModelMetrics = {
    val: evaluateSplit(valProbs, valTruth, s.labels, thresholds),
    test: s.test.length > 0 ? evaluateSplit(testProbs, gatherRows(s.data.targets, s.test, k), s.labels, thresholds) : null,
    parent,
  };
  const probabilities = new Float32Array(valProbs.length + testProbs.length);
  probabilities.set(valProbs);
  probabilities.set(testProbs, valProbs.length);
  const files = [...s.data.val, ...s.test].map((i) => s.images[i]!.file);
  return { metrics, thresholds, predictions: { files, probabilities, labels: s.labels } };
}

function selectColumns(matrix: Float32Array, width: number, columns: readonly number[]): Float32Array {
  const rows = matrix.length / width;
  const out = new Float32Array(rows * columns.length);
  for (let i = 0; i < rows; i++) columns.forEach((c, j) => (out[i * columns.length + j] = matrix[i * width + c]!));
  return out;
}

/** TensorFlow.js tensors alive right now (tests assert this does not grow across epochs); 0 when tfjs never started. */
export function liveTensors(): number {
  try {
    return tf.memory().numTensors;
  } catch {
    return 0;
  }
}

/** `base`, or `base-rN` with the smallest N ≥ 2 not installed yet, within the 80-character id limit. */
function uniqueModelId(store: ModelStore, base: string): string {
  let id = base;
  for (let k = 2; store.has(id); k++) id = `${base.slice(0, 80 - String(k).length - 2)}-r${k}`;
  return id;
}
