import type { JobCounts, JobProgress, JobSummary } from '../../../common/contract/batch.ts';
import type { FileResult } from '../../../common/contract/classify.ts';
import { DenseRayError, toErrorInfo } from '../../shared/errors.ts';
import type { JobModelInfo } from '../store/job-records.ts';
import type { WorkItem } from '../store/result-ledger.ts';
import type { StudyStore } from '../store/study-store.ts';
import type { StudyClassifier } from './classifier.ts';
import { importRoots } from './import-files.ts';
import { toOutcome } from './outcome.ts';

/**
 * Studies handed to the engine per call. The engine overlaps decoding with inference inside a
 * call; between calls one batch's decode is not overlapped, so a chunk of 128 (16 batches of 8)
 * loses well under 1 % while keeping memory bounded (results are dropped once committed).
 */
const CHUNK = 128;
const PROGRESS_INTERVAL_MS = 250;

export interface RunJobOptions {
  /** Stops the job after the batch in flight; the job is left paused (resumable). */
  signal?: AbortSignal;
  /** Opens the job's model; only called when there is something to classify. */
  openClassifier: (model: JobModelInfo) => Promise<StudyClassifier>;
  /** Walk the roots again even though a previous run finished the walk (to pick up new files). */
  rescan?: boolean;
  /** Called once per study outcome stored. */
  onStudy?: (ok: boolean) => void;
  /** Throttled progress, plus one at every phase change and at the end. */
  onProgress?: (progress: JobProgress) => void;
  chunkSize?: number;
}

/**
 * Runs (or resumes) a job to the end: walk and record the roots, then classify every unfinished
 * study, committing each outcome with the job's advance. Safe to kill at any instant; running it
 * again continues where the store says it stopped. A finished job with nothing new does no work
 * and never loads the model.
 */
export async function runJob(store: StudyStore, jobId: number, options: RunJobOptions): Promise<JobSummary> {
  const initial = store.jobs.get(jobId);
  const needsWalk = initial.imported_at === null || options.rescan === true;
  // Outside the try: a job another live process runs is refused, not marked failed.
  store.jobs.claim(jobId, process.pid, needsWalk ? 'importing' : 'running');
  const local = new AbortController();
  const stop = (): void => local.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop();
  const progress = new ProgressTracker(jobId, options.onProgress);
  let classifier: StudyClassifier | undefined;
  try {
    if (needsWalk) {
      progress.emit(store, 'importing', 'import', true);
      const walked = await importRoots(store, jobId, initial.model_key, rootsOf(store, jobId), {
        signal: local.signal,
        onSlice: () => {
          pollControl(store, jobId, stop);
          progress.emit(store, 'importing', 'import', false);
        },
      });
      if (!walked) return finishStopped(store, jobId, progress);
      store.jobs.markImported(jobId);
    }
    progress.emit(store, 'running', 'classify', true);
    const chunk = Math.max(1, options.chunkSize ?? CHUNK);
    const model = store.jobs.model(initial.model_key);
    for (;;) {
      if (local.signal.aborted || pollControl(store, jobId, stop)) break;
      const work = store.results.pending(jobId, initial.model_key, store.jobs.get(jobId).cursor, chunk);
      if (work.length === 0) break;
      classifier ??= await openChecked(options.openClassifier, model);
      const committed = await classifyChunk(store, jobId, initial.model_key, classifier, work, local, stop, options, progress);
      // Every study handed to the engine comes back as a result or an error; if none did, looping would never end.
      if (committed === 0 && !local.signal.aborted)
        throw new DenseRayError('INTERNAL', `the engine returned no result for ${work.length} studies`);
    }
    if (local.signal.aborted) return finishStopped(store, jobId, progress);
    store.jobs.markDone(jobId);
    return progress.final(store, 'done');
  } catch (error) {
    const info = toErrorInfo(error);
    // A full disk or a damaged store cannot record the failure either: the job stays resumable
    // (its runner is gone, so it reads as interrupted) and the caller gets the original error.
    if (info.code === 'DISK_FULL' || info.code === 'STORE_CORRUPT') throw error;
    store.jobs.setState(jobId, 'failed', info);
    return progress.final(store, 'failed');
  } finally {
    options.signal?.removeEventListener('abort', stop);
    await classifier?.close();
  }
}

/**
 * One engine call over a chunk. Results are queued by the engine's callback and committed on the
 * next turn of the event loop, so encoding and the SQLite write run while the next batch infers.
 */
async function classifyChunk(
  store: StudyStore,
  jobId: number,
  modelKey: number,
  classifier: StudyClassifier,
  work: WorkItem[],
  local: AbortController,
  stop: () => void,
  options: RunJobOptions,
  progress: ProgressTracker,
): Promise<number> {
  let committed = 0;
  let queue: { item: WorkItem; result: FileResult }[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  // A commit that fails (disk full, damaged store) runs in a setImmediate callback, where a throw
  // would crash the process: keep it, stop the engine, and rethrow once the call has returned.
  let commitFailure: { error: unknown } | undefined;
  const flush = (): void => {
    scheduled = undefined;
    if (commitFailure) return;
    try {
      commitQueued();
    } catch (error) {
      commitFailure = { error };
      stop();
    }
  };
  const commitQueued = (): void => {
    const batch = queue;
    queue = [];
    const effects = store.results.commitMany(
      jobId,
      modelKey,
      batch.map(({ item, result }) => ({ item, outcome: toOutcome(result) })),
    );
    committed += effects.length;
    effects.forEach((effect, i) => {
      if (effect !== 'stored') return;
      progress.studyStored();
      options.onStudy?.(batch[i]!.result.ok);
    });
    pollControl(store, jobId, stop);
    progress.emit(store, 'running', 'classify', false);
  };
  await classifier.classify(
    work.map((w) => w.path),
    {
      signal: local.signal,
      onResult: (result, index) => {
        const item = work[index];
        if (!item) return;
        queue.push({ item, result });
        scheduled ??= setImmediate(flush);
      },
    },
  );
  if (scheduled) {
    clearImmediate(scheduled);
    flush();
  }
  if (commitFailure) throw commitFailure.error;
  return committed;
}

/** Applies a pause/cancel requested through the store (by the app or `denseray jobs pause`). */
function pollControl(store: StudyStore, jobId: number, stop: () => void): boolean {
  const control = store.jobs.control(jobId);
  if (control !== null) stop();
  return control !== null;
}

function finishStopped(store: StudyStore, jobId: number, progress: ProgressTracker): JobSummary {
  const state = store.jobs.control(jobId) === 'cancel' ? 'cancelled' : 'paused';
  store.jobs.setState(jobId, state);
  return progress.final(store, state);
}

async function openChecked(open: RunJobOptions['openClassifier'], model: JobModelInfo): Promise<StudyClassifier> {
  const classifier = await open(model);
  if (classifier.model.sha256 !== model.sha256 || classifier.model.id !== model.id) {
    await classifier.close();
    throw new DenseRayError(
      'MODEL_INVALID',
      `job model ${model.id} (weights ${model.sha256.slice(0, 12)}) is no longer installed as such: found ${classifier.model.id} with weights ${classifier.model.sha256.slice(0, 12)}; start a new job`,
    );
  }
  return classifier;
}

function rootsOf(store: StudyStore, jobId: number): string[] {
  return store.jobs.summary(store.jobs.get(jobId)).roots;
}

/** Rate and ETA over this run's stored outcomes; throttles progress events. */
class ProgressTracker {
  private readonly started = Date.now();
  private stored = 0;
  private lastEmit = 0;

  constructor(
    private readonly jobId: number,
    private readonly sink: RunJobOptions['onProgress'],
  ) {}

  studyStored(): void {
    this.stored++;
  }

  emit(store: StudyStore, state: JobProgress['state'], phase: JobProgress['phase'], force: boolean): void {
    if (!this.sink) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < PROGRESS_INTERVAL_MS) return;
    this.lastEmit = now;
    this.sink(this.snapshot(store.jobs.summary(store.jobs.get(this.jobId)).counts, state, phase, now));
  }

  final(store: StudyStore, state: JobProgress['state']): JobSummary {
    const summary = store.jobs.summary(store.jobs.get(this.jobId));
    this.sink?.(this.snapshot(summary.counts, state, 'idle', Date.now()));
    return summary;
  }

  private snapshot(counts: JobCounts, state: JobProgress['state'], phase: JobProgress['phase'], now: number): JobProgress {
    const seconds = Math.max(0.001, (now - this.started) / 1000);
    const rate = this.stored / seconds;
    const remaining = counts.studies - counts.finished;
    return { jobId: this.jobId, state, phase, counts, rate, etaSeconds: rate > 0 ? remaining / rate : null };
  }
}
