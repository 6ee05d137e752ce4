import type { EpochRecord, HyperParameters } from '../../../../common/contract/finetune.ts';
import { meanAuroc } from '../../../../common/metrics/evaluate.ts';
import { DenseRayError } from '../../../shared/errors.ts';
import { SeededRandom } from '../../model/seeded-random.ts';
import type { WeightMap } from '../../model/tensor.ts';
import { shuffle } from '../dataset/patient-split.ts';
import type { SampleSource } from '../features/sample-source.ts';
import type { CheckpointDir } from './checkpoint.ts';
import { hostWeightedBce, predictLogits, sigmoid, yieldToEventLoop } from './predict.ts';
import { afterEpoch, initialSchedule, type ScheduleState } from './schedule.ts';
import type { TrainingPath } from './training-path.ts';

export interface TrainingData {
  source: SampleSource;
  /** Row-major targets, one row of K per image (same indexing as the source). */
  targets: Float32Array;
  classes: number;
  train: readonly number[];
  val: readonly number[];
  positiveWeight: Float32Array;
}

export interface StepProgress {
  epoch: number;
  step: number;
  steps: number;
  loss: number;
  learningRate: number;
  etaSeconds: number;
}

export interface TrainOptions {
  hp: HyperParameters;
  checkpoints: CheckpointDir;
  /** Continue from the job's last checkpoint. */
  resume?: boolean;
  signal?: AbortSignal | undefined;
  onStep?: (p: StepProgress) => void;
  onEpoch?: (record: EpochRecord, best: boolean, etaSeconds: number) => void;
}

export interface TrainOutcome {
  history: EpochRecord[];
  stoppedBy: 'epochs' | 'early-stopping' | 'cancelled';
  /** 0 when no epoch finished. */
  bestEpoch: number;
  /** Whether `path` now holds the best epoch's parameters (false only when no epoch finished). */
  restoredBest: boolean;
}

/**
 * The training loop: seeded shuffles (the order of epoch e depends only on seed and e, so a
 * resumed run sees the same batches), one Adam step per mini-batch, validation mean AUROC after
 * every epoch driving reduce-on-plateau and early stopping, and checkpoints after every epoch.
 * A cancel stops after the current step; the unfinished epoch is dropped and the best one kept.
 */
export async function train(path: TrainingPath, data: TrainingData, o: TrainOptions): Promise<TrainOutcome> {
  const { hp } = o;
  let schedule: ScheduleState = initialSchedule(hp.learningRate);
  let history: EpochRecord[] = [];
  let startEpoch = 1;
  if (o.resume && o.checkpoints.hasLast()) {
    const last = o.checkpoints.loadLast();
    path.load(last.weights);
    path.restoreOptimizer(last.state.adamStep, last.first, last.second);
    schedule = last.state.schedule;
    history = last.state.history;
    startEpoch = last.state.epoch + 1;
  }
  const steps = Math.ceil(data.train.length / hp.batchSize);
  let stoppedBy: TrainOutcome['stoppedBy'] = 'epochs';
  let secondsPerStep = 0;
  let stepsTimed = 0;
  const eta = (epoch: number, step: number): number => secondsPerStep * ((hp.epochs - epoch) * steps + (steps - step));

  for (let epoch = startEpoch; epoch <= hp.epochs; epoch++) {
    if (history.length > 0 && epoch - schedule.bestEpoch > hp.patience) break;
    const started = performance.now();
    const order = shuffle([...data.train], new SeededRandom((hp.seed * 1_000_003 + epoch) >>> 0));
    let lossSum = 0;
    for (let s = 0; s < steps; s++) {
      if (o.signal?.aborted) {
        stoppedBy = 'cancelled';
        break;
      }
      const batch = order.slice(s * hp.batchSize, (s + 1) * hp.batchSize);
      const t0 = performance.now();
      const x = data.source.batch(batch, epoch);
      const y = gatherRows(data.targets, batch, data.classes);
      let loss: number;
      try {
        loss = await path.step(x, y, batch.length, data.positiveWeight, schedule.learningRate, hp.weightDecay);
      } catch (error) {
        throw outOfMemoryHint(error, hp.batchSize);
      }
      lossSum += loss * batch.length;
      stepsTimed++;
      secondsPerStep += ((performance.now() - t0) / 1000 - secondsPerStep) / stepsTimed;
      o.onStep?.({ epoch, step: s + 1, steps, loss, learningRate: schedule.learningRate, etaSeconds: eta(epoch, s + 1) });
      await yieldToEventLoop();
    }
    if (stoppedBy === 'cancelled') break;

    const valLogits = await predictLogits(path, data.source, data.val, Math.max(hp.batchSize, 32));
    const valTargets = gatherRows(data.targets, data.val, data.classes);
    const score = meanAuroc(sigmoid(valLogits), valTargets, data.classes);
    const record: EpochRecord = {
      epoch,
      trainLoss: lossSum / data.train.length,
      valLoss: hostWeightedBce(valLogits, valTargets, data.positiveWeight),
      valMeanAuroc: Number.isFinite(score) ? score : null,
      learningRate: schedule.learningRate,
      seconds: (performance.now() - started) / 1000,
    };
    history = [...history, record];
    const next = afterEpoch(schedule, epoch, score, hp);
    schedule = next.state;
    const trained = path.trainedWeights();
    if (next.improved) o.checkpoints.saveBest(trained);
    const moments = path.optimizerState();
    o.checkpoints.saveLast(trained, { first: moments.first, second: moments.second }, { epoch, schedule, history, adamStep: moments.step });
    o.onEpoch?.(record, next.improved, eta(epoch, steps));
    if (next.stop && epoch < hp.epochs) {
      stoppedBy = 'early-stopping';
      break;
    }
  }
  const best: WeightMap | undefined = schedule.bestEpoch > 0 ? o.checkpoints.loadBest() : undefined;
  if (best) path.load(best);
  return { history, stoppedBy, bestEpoch: best ? schedule.bestEpoch : 0, restoredBest: best !== undefined };
}

/** tfjs-wasm has a 4 GB heap: a full-network step on big batches runs past it and dies with a bare RuntimeError. */
function outOfMemoryHint(error: unknown, batchSize: number): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (!/memory access out of bounds|out of memory|Cannot allocate/i.test(message)) return error;
  return new DenseRayError(
    'INVALID_ARGUMENT',
    `a training step at batch ${batchSize} ran out of memory (${message}); use --micro-batch (full mode at 224 px fits 2 on the tfjs-wasm backend) or the onnxruntime engine`,
    { cause: error },
  );
}

export function gatherRows(matrix: Float32Array, rows: readonly number[], width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(matrix.subarray(r * width, (r + 1) * width), i * width));
  return out;
}
