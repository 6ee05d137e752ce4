import { JOB_PROGRESS_CHANNEL, type JobSummary, type RankRule } from '../../../common/contract/batch.ts';
import type { ApiEvent } from '../../../common/contract/api.ts';
import { openEngine } from '../../domain/engine/open-engine.ts';
import { DenseRayError } from '../../shared/errors.ts';
import type { JobModelInfo } from '../../domain/store/job-records.ts';
import { StudyStore } from '../../domain/store/study-store.ts';
import { engineClassifier, type StudyClassifier } from '../../domain/batch/classifier.ts';
import { jobModelFor } from '../../domain/batch/job-model.ts';
import { writeReports } from '../../domain/batch/report/write-reports.ts';
import { runJob } from '../../domain/batch/run-job.ts';
import { findOrCreateJob } from '../../domain/batch/start-job.ts';
import { rankedStudies } from '../../domain/batch/study-rows.ts';

export interface JobServiceOptions {
  dataDir: string;
  emit(event: ApiEvent): void;
  /** How a job gets its model; default: the engine in this process. The host may pass its engine-process client. */
  openClassifier?: (model: JobModelInfo, workers: number | undefined) => Promise<StudyClassifier>;
}

/**
 * Batch jobs for the app: one job classifies at a time (the engine already uses every core), the
 * others wait in order. Progress goes out on `jobs.progress`. Pause and cancel reach a job run by
 * this process directly and one run by another process (a CLI batch) through the store.
 */
export class JobService {
  private store: StudyStore | undefined;
  private readonly waiting: { jobId: number; workers: number | undefined }[] = [];
  private running: { jobId: number; controller: AbortController } | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: JobServiceOptions) {}

  start(request: { roots: string[]; modelId?: string | undefined; workers?: number | undefined }): JobSummary {
    const store = this.db();
    const { job } = findOrCreateJob(store, request.roots, jobModelFor(this.options.dataDir, request.modelId));
    return this.enqueue(job.id, request.workers);
  }

  resume(jobId: number): JobSummary {
    const summary = this.summary(jobId);
    if (summary.state === 'cancelled')
      throw new DenseRayError('INVALID_ARGUMENT', `job ${jobId} was cancelled; start a new one over the same folders`);
    return this.enqueue(jobId, undefined);
  }

  pause(jobId: number): JobSummary {
    return this.stop(jobId, 'pause');
  }

  cancel(jobId: number): JobSummary {
    return this.stop(jobId, 'cancel');
  }

  list(): JobSummary[] {
    const store = this.db();
    return store.jobs.list().map((job) => store.jobs.summary(job));
  }

  get(request: { jobId: number; offset: number; limit: number; rank: RankRule }) {
    const rows = rankedStudies(this.db(), request.jobId, request.rank);
    return {
      job: this.summary(request.jobId),
      rows: rows.slice(request.offset, request.offset + request.limit).map(({ resultId: _resultId, ...row }) => row),
      totalRows: rows.length,
    };
  }

  report(request: { jobId: number; out: string; rank: RankRule }): { path: string; studies: number } {
    const written = writeReports(this.db(), request.jobId, { out: [request.out], rank: request.rank });
    return { path: request.out, studies: written.studies };
  }

  /** Stops the running job (it pauses after its batch in flight) and closes the store. */
  async close(): Promise<void> {
    this.waiting.length = 0;
    this.running?.controller.abort();
    await this.loop;
    this.store?.close();
    this.store = undefined;
  }

  private enqueue(jobId: number, workers: number | undefined): JobSummary {
    const store = this.db();
    const summary = store.jobs.summary(store.jobs.get(jobId));
    const busy = summary.state === 'running' || summary.state === 'importing';
    if (busy && this.running?.jobId !== jobId) throw new DenseRayError('INVALID_ARGUMENT', `job ${jobId} is being run by another process`);
    if (this.running?.jobId !== jobId && !this.waiting.some((w) => w.jobId === jobId)) {
      this.waiting.push({ jobId, workers });
      if (summary.state !== 'done') store.jobs.setState(jobId, 'queued');
      this.loop ??= this.drain().finally(() => {
        this.loop = undefined;
      });
    }
    return this.summary(jobId);
  }

  private async drain(): Promise<void> {
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) {
      const controller = new AbortController();
      this.running = { jobId: next.jobId, controller };
      const workers = next.workers;
      try {
        await runJob(this.db(), next.jobId, {
          signal: controller.signal,
          rescan: true,
          openClassifier: (model) => (this.options.openClassifier ?? defaultClassifier(this.options.dataDir))(model, workers),
          onProgress: (payload) => this.options.emit({ channel: JOB_PROGRESS_CHANNEL, payload }),
        });
      } catch {
        // runJob records its own failures in the store; a refused claim leaves the job as it was.
      } finally {
        this.running = undefined;
      }
    }
  }

  private stop(jobId: number, control: 'pause' | 'cancel'): JobSummary {
    const store = this.db();
    const summary = store.jobs.summary(store.jobs.get(jobId));
    const queued = this.waiting.findIndex((w) => w.jobId === jobId);
    if (queued >= 0) this.waiting.splice(queued, 1);
    if (this.running?.jobId === jobId || summary.state === 'running' || summary.state === 'importing') {
      // The runner (here or in another process) reads this after its next commit.
      store.jobs.requestControl(jobId, control);
      if (this.running?.jobId === jobId) this.running.controller.abort();
    } else if (summary.state !== 'done' && summary.state !== 'cancelled') {
      store.jobs.setState(jobId, control === 'pause' ? 'paused' : 'cancelled');
    }
    const after = this.summary(jobId);
    this.options.emit({
      channel: JOB_PROGRESS_CHANNEL,
      payload: { jobId, state: after.state, phase: 'idle', counts: after.counts, rate: 0, etaSeconds: null },
    });
    return after;
  }

  private summary(jobId: number): JobSummary {
    const store = this.db();
    return store.jobs.summary(store.jobs.get(jobId));
  }

  private db(): StudyStore {
    return (this.store ??= StudyStore.open(this.options.dataDir));
  }
}

function defaultClassifier(dataDir: string) {
  return async (model: JobModelInfo, workers: number | undefined): Promise<StudyClassifier> =>
    engineClassifier(await openEngine({ dataDir, modelId: model.id, backend: 'onnx', ...(workers ? { threads: workers } : {}) }));
}
